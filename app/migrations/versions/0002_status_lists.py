"""Bitstring status lists: lists with their bits, allocated entries, credential status, opt-in suspension.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 01:35:17.841666
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('status_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('full', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('signed', sa.JSON(), nullable=True),
    sa.Column('signed_version', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('institution_id', 'purpose', 'seq', name='uq_status_list_seq')
    )
    op.create_table('status_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('idx', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('set', sa.Boolean(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], ),
    sa.ForeignKeyConstraint(['list_id'], ['status_lists.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('list_id', 'idx', name='uq_status_entry_index')
    )
    with op.batch_alter_table('status_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_entries_credential_id'), ['credential_id'], unique=False)
        batch_op.create_index('ix_status_entries_set', ['list_id', 'idx'], unique=False,
                              postgresql_where=sa.text('"set" IS true'), sqlite_where=sa.text('"set" IS 1'))

    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status_reason', sa.String(length=64), nullable=True))

    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspension_enabled', sa.Boolean(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_column('suspension_enabled')

    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.drop_column('status_reason')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('status')

    with op.batch_alter_table('status_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_status_entries_set')
        batch_op.drop_index(batch_op.f('ix_status_entries_credential_id'))

    op.drop_table('status_entries')
    op.drop_table('status_lists')
