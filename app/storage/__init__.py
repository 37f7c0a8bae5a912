"""Storage functions: each takes the session first and never commits (the request or command owns the transaction)."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_or_ignore(session: Session, model, conflict: list[str], **values) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted.

    No savepoint needed: on PostgreSQL a concurrent insert of the same key waits for the other transaction and
    then does nothing; on SQLite writers are serialised anyway (and a SAVEPOINT opening a pysqlite transaction
    would commit on RELEASE).
    """
    return bool(insert_all_or_ignore(session, model, conflict, [values], model.id))


def insert_all_or_ignore(session: Session, model, conflict: list[str], rows: list[dict], *returning) -> list:
    """``insert_or_ignore`` for many rows; returns ``returning`` of the rows that were inserted (in no set order).

    One statement with the rows as parameters (SQLAlchemy's "insertmanyvalues": batched into multi-row INSERTs,
    compiled once and cached), not a statement with the rows as its VALUES, compiled again for every call."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING tells what was inserted (psycopg reports rowcount -1 for this statement).
    statement = insert(model).on_conflict_do_nothing(index_elements=conflict).returning(*returning)
    return session.connection().execute(statement, rows).all()
