"""OpenID for Verifiable Credential Issuance 1.0: wallet offers, access tokens, nonces and wallet copies; an
institution's default for asking a transaction code.

Revision ID: 0007
Revises: 0006 (written on 0004; re-chained after main's 0006 was merged in)
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wallet_tx_code', sa.Boolean(), server_default='1', nullable=False))
    op.create_table('wallet_offers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('tx_code_hash', sa.String(length=64), nullable=True),
    sa.Column('tx_code_delivery', sa.String(length=16), nullable=True),
    sa.Column('tx_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], ),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash'),
    sa.UniqueConstraint('ref')
    )
    with op.batch_alter_table('wallet_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_offers_credential_id'), ['credential_id'], unique=False)
    op.create_table('wallet_access_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['offer_id'], ['wallet_offers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('wallet_access_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_access_tokens_offer_id'), ['offer_id'], unique=False)
    op.create_table('wallet_nonces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('nonce_hash')
    )
    with op.batch_alter_table('wallet_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_nonces_expires_at'), ['expires_at'], unique=False)
    op.create_table('wallet_copies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('holder', sa.String(length=2000), nullable=False),
    sa.Column('uri', sa.String(length=2000), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], ),
    sa.ForeignKeyConstraint(['offer_id'], ['wallet_offers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wallet_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_copies_credential_id'), ['credential_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wallet_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_copies_credential_id'))
    op.drop_table('wallet_copies')
    with op.batch_alter_table('wallet_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_nonces_expires_at'))
    op.drop_table('wallet_nonces')
    with op.batch_alter_table('wallet_access_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_access_tokens_offer_id'))
    op.drop_table('wallet_access_tokens')
    with op.batch_alter_table('wallet_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_offers_credential_id'))
    op.drop_table('wallet_offers')
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_column('wallet_tx_code')
