"""The Alembic migrations build the whole schema on an empty SQLite and PostgreSQL database, match the models,
and can be rolled back."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from app.db import migrate
from app.db.models import Base
from tests.conftest import _fresh_postgres_url

TABLES = {"institutions", "signing_keys", "api_keys", "credentials", "audit_events", "status_lists",
          "status_entries", "batches", "batch_items", "idempotency_keys", "deliveries", "alembic_version",
          "wallet_offers", "wallet_access_tokens", "wallet_nonces", "wallet_copies"}
# On PostgreSQL, migration 0004 also creates the job queue (procrastinate's schema).
QUEUE_TABLES = {"procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers", "procrastinate_workers"}


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        url, drop = _fresh_postgres_url()
        yield url
        drop()


def test_upgrade_from_empty_matches_models_and_downgrades(empty_url):
    migrate.upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        expected = TABLES | (QUEUE_TABLES if engine.dialect.name == "postgresql" else set())
        assert set(inspect(engine).get_table_names()) == expected
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": migrate.include_name})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        migrate.downgrade(empty_url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:  # nothing of the queue is left behind (types, functions)
                assert conn.exec_driver_sql("SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%%'"
                                            ).scalar() == 0
        migrate.upgrade(empty_url)
        assert set(inspect(engine).get_table_names()) == expected
    finally:
        engine.dispose()


def test_0003_makes_vc_ids_unique_per_institution_and_stops_on_reused_ones(empty_url):
    import secrets
    import uuid

    from sqlalchemy import delete, insert
    from sqlalchemy.exc import IntegrityError

    from app.db.models import Credential, Institution
    from app.domain.timefmt import utcnow

    def credential(institution_id: int, uri: str) -> dict:
        return {"id": str(uuid.uuid4()), "uri": uri, "institution_id": institution_id, "document": {},
                "issued_at": utcnow(), "download_token": secrets.token_urlsafe(16),
                "verify_token": secrets.token_urlsafe(16), "created_at": utcnow()}

    migrate.upgrade(empty_url, "0002")
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            for n in (1, 2):
                conn.execute(insert(Institution).values(id=n, slug=f"i{n}", did_method="key", did=f"did:key:{n}",
                                                        profile={}, created_at=utcnow()))
            conn.execute(insert(Credential).values([credential(1, "urn:x:1"), credential(1, "urn:x:1"),
                                                    credential(2, "urn:x:1")]))
        with pytest.raises(RuntimeError, match=r"1 VC ids were issued more than once .*institution 1: urn:x:1"):
            migrate.upgrade(empty_url)
        with engine.begin() as conn:
            first = conn.scalar(select(Credential.id).where(Credential.institution_id == 1).limit(1))
            conn.execute(delete(Credential).where(Credential.id == first))
        migrate.upgrade(empty_url)  # the same id at another institution is fine
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(Credential).values(credential(2, "urn:x:1")))
        migrate.downgrade(empty_url, "0002")
        with engine.begin() as conn:
            conn.execute(insert(Credential).values(credential(2, "urn:x:1")))
    finally:
        engine.dispose()


def test_0008_compresses_the_documents_with_lz4_on_postgresql(empty_url):
    migrate.upgrade(empty_url, "0008")
    engine = create_engine(empty_url)
    try:
        if engine.dialect.name != "postgresql":
            with engine.connect() as conn:  # SQLite: nothing to do, and nothing done
                assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0008"
            return
        query = ("SELECT attrelid::regclass::text, attname, attcompression FROM pg_attribute "
                 "WHERE (attrelid::regclass::text, attname) IN (('credentials', 'document'), ('batch_items', 'input'))")
        with engine.connect() as conn:
            lz4 = conn.exec_driver_sql("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                       "WHERE name = 'default_toast_compression'").scalar()
            expected = "l" if lz4 else ""  # a server built without LZ4 keeps pglz: the migration does nothing
            assert sorted(conn.exec_driver_sql(query).fetchall()) == [
                ("batch_items", "input", expected), ("credentials", "document", expected)]
        migrate.downgrade(empty_url, "0007")
        with engine.connect() as conn:
            assert {row[2] for row in conn.exec_driver_sql(query)} == {""}
    finally:
        engine.dispose()
