"""Shared fixtures. The contexts are installed (from the mirror) once per session before anything loads them.

MCRED_STRICT_TESTS=1 (set by scripts/test.sh, so in CI): a skipped test fails. Skips stay for developers' runs on
machines without node, the vc-peer or Chromium; the test script installs all of them, so a skip there means a test
that proved nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

STRICT = os.environ.get("MCRED_STRICT_TESTS") == "1"


def _fail_skip(report) -> None:
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, and MCRED_STRICT_TESTS=1 makes a skip a failure: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skip(outcome.get_result())

from app import contexts
from app.domain.jsonld import make_document_loader

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def context_documents() -> dict:
    contexts.install()
    return contexts.load_documents()


@pytest.fixture(scope="session")
def loader(context_documents):
    return make_document_loader(context_documents)


@pytest.fixture(scope="session")
def elm_sample() -> dict:
    return json.loads((SHARED / "elm" / "sample-mc-annex1-unsigned.jsonld").read_text())


# --- databases: every schema is built by the Alembic migrations, on SQLite and on the real PostgreSQL ---------

import secrets as _secrets

from sqlalchemy import create_engine, text

POSTGRES_ADMIN_URL = os.environ.get("MCRED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _fresh_postgres_url() -> tuple[str, callable]:
    """A new, empty PostgreSQL database for this test session, dropped afterwards."""
    name = f"mcred_test_{_secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def postgres_url():
    url, drop = _fresh_postgres_url()
    yield url
    drop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request, tmp_path_factory):
    """Both backends, each migrated once per session; tests isolate themselves by creating their own tenants."""
    from app.db import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'mcred.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def client(database_url, tmp_path_factory):
    """The app (in-process TestClient) on each database backend, with its own key directory per test module."""
    from tests.apphelpers import make_client

    with make_client(database_url, tmp_path_factory.mktemp("keys")) as c:
        yield c
