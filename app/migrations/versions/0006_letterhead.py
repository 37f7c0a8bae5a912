"""The certificate's letterhead on institutions: logo (bytes and media type), postal address and signatory
(name; position in lv/en), and whether the learner's own reference is printed and shown publicly (default: no).

Revision ID: 0006
Revises: 0005 (re-chained after 0005_delivery when w/staff merged main)
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_media_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('address', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('signatory_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('signatory_position', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('show_learner_reference', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        for column in ('show_learner_reference', 'signatory_position', 'signatory_name', 'address',
                       'logo_media_type', 'logo'):
            batch_op.drop_column(column)
