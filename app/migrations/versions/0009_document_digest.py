"""The digest of each signed document as stored (app.domain.json_digest), so that a verifier sending one of this
service's credentials back, unchanged, is known at once (app.verifying: its statements then come from a template,
as its signing's did; anything else is computed afresh).

Rows written before this revision have none: they are verified as any document is.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("document_digest", sa.String(64), nullable=True))
    op.create_index("ix_credentials_document_digest", "credentials", ["document_digest"])


def downgrade() -> None:
    op.drop_index("ix_credentials_document_digest", table_name="credentials")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("document_digest")
