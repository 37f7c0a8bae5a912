"""Batches: batch, items and idempotency keys; status slots claimed before their credential is stored; on
PostgreSQL, the job queue (procrastinate's schema).

Status entries lose their foreign key to credentials: a batch claims its status list slots in a short transaction
before signing and stores the credentials afterwards, so a crash in between leaves a claimed slot whose credential
does not exist. Such a slot is never reused (the unique (list, index) pair) and never set.

procrastinate's schema is the one of the procrastinate version installed when this migration runs (3.10). A later
procrastinate release whose schema changes needs a migration that applies its files from
``procrastinate/sql/migrations`` (see the README, "Batches").

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SQLITE_FK_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    op.create_table('batches',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('chunk_size', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), server_default='0', nullable=False),
    sa.Column('failed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batches_institution_id'), ['institution_id'], unique=False)

    op.create_table('batch_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('input', sa.JSON(), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('learner_ref', sa.String(length=200), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_id', 'seq', name='uq_batch_item_seq'),
    sa.UniqueConstraint('credential_id')
    )
    with op.batch_alter_table('batch_items', schema=None) as batch_op:
        batch_op.create_index('ix_batch_items_batch_state_seq', ['batch_id', 'state', 'seq'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('location', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('institution_id', 'key', name='uq_idempotency_key')
    )

    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint('status_entries_credential_id_fkey', 'status_entries', type_='foreignkey')
        from procrastinate.schema import SchemaManager

        # on the driver's cursor, without parameters: the schema is many statements and holds % and : as SQL
        op.get_bind().connection.driver_connection.cursor().execute(SchemaManager.get_schema())
    else:
        with op.batch_alter_table('status_entries', naming_convention=SQLITE_FK_NAMES) as batch_op:
            batch_op.drop_constraint('fk_status_entries_credential_id_credentials', type_='foreignkey')


def downgrade() -> None:
    bind = op.get_bind()
    # Slots claimed for credentials that were never stored cannot keep a foreign key to credentials.
    op.execute("DELETE FROM status_entries WHERE credential_id NOT IN (SELECT id FROM credentials)")
    if bind.dialect.name == "postgresql":
        for (table,) in bind.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                             "AND tablename LIKE 'procrastinate\\_%'")).all():
            op.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        for (signature,) in bind.execute(sa.text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'")).all():
            op.execute(f"DROP ROUTINE IF EXISTS {signature} CASCADE")
        for (name,) in bind.execute(sa.text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%' AND t.typtype IN ('e', 'c')"
                )).all():
            op.execute(f'DROP TYPE IF EXISTS "{name}" CASCADE')
        op.create_foreign_key('status_entries_credential_id_fkey', 'status_entries', 'credentials',
                              ['credential_id'], ['id'])
    else:
        with op.batch_alter_table('status_entries', naming_convention=SQLITE_FK_NAMES) as batch_op:
            batch_op.create_foreign_key('fk_status_entries_credential_id_credentials', 'credentials',
                                        ['credential_id'], ['id'])

    op.drop_table('idempotency_keys')
    with op.batch_alter_table('batch_items', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_items_batch_state_seq')

    op.drop_table('batch_items')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batches_institution_id'))

    op.drop_table('batches')
