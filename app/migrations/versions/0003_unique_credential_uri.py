"""A VC id is unique per institution: unique index on credentials (institution_id, uri).

A unique index rather than a table constraint: both databases enforce it the same way, and SQLite needs no copy
of the credentials table to add it. Databases in which an institution already reused a VC id are not changed:
the upgrade stops and names the ids, since a signed credential's id cannot be rewritten.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    reused = op.get_bind().execute(sa.text(
        "SELECT institution_id, uri FROM credentials GROUP BY institution_id, uri HAVING COUNT(*) > 1")).fetchall()
    if reused:
        listed = "; ".join(f"institution {inst}: {uri}" for inst, uri in reused[:20])
        raise RuntimeError(f"{len(reused)} VC ids were issued more than once by the same institution ({listed}). "
                           "Resolve them before upgrading: this migration does not change issued credentials.")
    op.create_index('uq_credentials_institution_uri', 'credentials', ['institution_id', 'uri'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_credentials_institution_uri', table_name='credentials')
