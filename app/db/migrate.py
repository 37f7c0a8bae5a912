"""Apply the Alembic migrations programmatically (``mcred migrate``, the tests) and tell whether a database is at
the revision this code needs (``mcred serve`` refuses to start otherwise, ``/ready`` answers 503).

The migration scripts are package data (``app/migrations``), found through importlib.resources, so an installed
wheel migrates as a checkout does. Migrating is a deployment step of its own: run it once, before the service
processes start, never from each of them (several replicas would race).
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.db.session import ensure_sqlite_file

SCRIPTS = resources.files("app").joinpath("migrations")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """What the models describe: procrastinate's tables (the job queue, created by migration 0004 on PostgreSQL)
    are its own, not the models'."""
    return not (type_ == "table" and name and name.startswith("procrastinate_"))


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    ensure_sqlite_file(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revisions() -> set[str]:
    return set(ScriptDirectory(str(SCRIPTS)).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The revisions the database is at (empty for an unmigrated one); one round trip."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def schema_problem(engine: Engine, heads: set[str] | None = None) -> str | None:
    """None when the database is at head; else what is wrong and how to fix it."""
    heads = head_revisions() if heads is None else heads
    current = current_revisions(engine)
    if current == heads:
        return None
    where = engine.url.render_as_string(hide_password=True)
    if not current:
        return f"The database {where} is not migrated: run `mcred migrate` (once, before starting the service)."
    return (f"The database {where} is at revision {', '.join(sorted(current))}, this mcred needs "
            f"{', '.join(sorted(heads))}: run `mcred migrate` (once, before starting the service).")
