"""A batch is accepted before its items are checked: its request's items are kept as JSON text while it is
``checking`` (app.batches.check validates them in the background, then stores the items and clears it), so the
answer to POST /credentials/batches does not grow with the batch. PostgreSQL compresses the text with LZ4 where the
server has it (see 0008).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _lz4_available(bind) -> bool:
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return False
    return bool(bind.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").scalar())


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("request", sa.Text(), nullable=True))
    if _lz4_available(op.get_bind()):
        op.execute("ALTER TABLE batches ALTER COLUMN request SET COMPRESSION lz4")


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("request")
