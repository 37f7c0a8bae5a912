"""Engine and session factory. Sessions never commit inside storage functions: the caller owns the transaction.

Engines never put SQL parameters into error messages or logs (``hide_parameters``): a failed INSERT would
otherwise write learners' names and tokens into the log.
"""

from __future__ import annotations

import json

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import logs


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" and not database.startswith("file:") else None


def ensure_sqlite_file(url: str) -> None:
    """Create the SQLite database file owner-only (0600; its folder 0700 when mcred creates it).

    SQLite would create it 0644 (and its WAL and shared-memory files with the same mode), readable by every
    local user; it also creates the file but not its folder (the default is data/ in a fresh clone).
    """
    path = _sqlite_path(url)
    if path is None:
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


class JsonText(str):
    """A JSON value already serialised (a signed credential, in the signing process that signed it): written to a
    JSON column as it is, instead of being parsed back and serialised again."""


def json_serializer(value) -> str:
    """The engines' JSON serialiser: json.dumps (SQLAlchemy's default), or the text of a JsonText."""
    return str(value) if isinstance(value, JsonText) else json.dumps(value)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        ensure_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True,
                               json_serializer=json_serializer)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # connect_timeout: readiness checks and requests fail in seconds, not minutes, when the server is unreachable.
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True,
                         connect_args={"connect_timeout": 5}, json_serializer=json_serializer)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    logs.log_after_commit(factory)
    return factory
