"""The Alembic migrations build the whole schema on an empty SQLite and PostgreSQL database, match the models,
and can be rolled back."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.db import migrate
from app.db.models import Base
from tests.conftest import _fresh_postgres_url

TABLES = {"institutions", "signing_keys", "api_keys", "credentials", "audit_events", "status_lists",
          "status_entries", "alembic_version"}


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
        assert set(inspect(engine).get_table_names()) == TABLES
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        migrate.downgrade(empty_url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(empty_url)
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()
