"""Initial schema: institutions, signing keys, API keys, issued credentials, audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 01:32:26.097365
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('institutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('did_method', sa.String(length=8), nullable=False),
    sa.Column('did', sa.String(length=512), nullable=False),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.Column('default_validity_days', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('did'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('prefix')
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_institution_id'), ['institution_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_credential_id'), ['credential_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_institution_id'), ['institution_id'], unique=False)

    op.create_table('credentials',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('uri', sa.String(length=2000), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('learner_ref', sa.String(length=200), nullable=True),
    sa.Column('learner_name', sa.String(length=400), nullable=True),
    sa.Column('title', sa.String(length=1000), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('download_token', sa.String(length=64), nullable=False),
    sa.Column('verify_token', sa.String(length=64), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('download_token'),
    sa.UniqueConstraint('verify_token')
    )
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.create_index('ix_credentials_institution_issued', ['institution_id', 'issued_at'], unique=False)
        batch_op.create_index('ix_credentials_institution_valid_until', ['institution_id', 'valid_until'], unique=False)
        batch_op.create_index('ix_credentials_institution_learner', ['institution_id', 'learner_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_credentials_uri'), ['uri'], unique=False)

    op.create_table('signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('verification_method', sa.String(length=600), nullable=False),
    sa.Column('public_key_multibase', sa.String(length=128), nullable=False),
    sa.Column('key_file', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('verification_method')
    )
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_keys_institution_id'), ['institution_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_keys_institution_id'))

    op.drop_table('signing_keys')
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credentials_uri'))
        batch_op.drop_index('ix_credentials_institution_learner')
        batch_op.drop_index('ix_credentials_institution_valid_until')
        batch_op.drop_index('ix_credentials_institution_issued')

    op.drop_table('credentials')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_institution_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_credential_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_institution_id'))

    op.drop_table('api_keys')
    op.drop_table('institutions')
