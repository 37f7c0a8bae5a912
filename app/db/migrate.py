"""Apply the Alembic migrations programmatically (used by the CLI, the server start-up and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.config import ROOT
from app.db.session import ensure_sqlite_directory


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """What the models describe: procrastinate's tables (the job queue, created by migration 0005 on PostgreSQL)
    are its own, not the models'."""
    return not (type_ == "table" and name and name.startswith("procrastinate_"))


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
