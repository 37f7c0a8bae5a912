"""A batch is accepted before its items are checked: its request is kept (UTF-8 JSON, zlib-compressed) while it is
``checking`` (app.batches.check validates the items in the background, then stores them and clears it), so the
answer to POST /credentials/batches does not grow with the batch beyond reading and keeping its body.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("request", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("request")
