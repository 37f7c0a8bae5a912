"""PostgreSQL: the signed documents and a batch's items compressed with LZ4 instead of pglz (PostgreSQL 14+).

Every credential is ~36 kB of JSON, stored out of line (TOAST) and compressed. pglz, the default, costs about three
times LZ4's CPU per document on the way in (measured: 2,000 documents of 37 kB, 945 ms vs 287 ms to insert), which is
a third of the database's work in a batch of 10,000, and LZ4 also reads back faster. Only new values are written
with LZ4; existing ones stay as they are and read as before. A server built without LZ4 keeps pglz. SQLite: nothing.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = (("credentials", "document"), ("batch_items", "input"))


def _lz4_available(bind) -> bool:
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return False
    return bool(bind.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").scalar())


def upgrade() -> None:
    bind = op.get_bind()
    if _lz4_available(bind):
        for table, column in COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    bind = op.get_bind()
    if _lz4_available(bind):
        for table, column in COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION default")
