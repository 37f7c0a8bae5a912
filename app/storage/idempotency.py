"""Idempotency keys (draft-ietf-httpapi-idempotency-key-header): one per institution and key, holding the digest of
the request that first used it and the answer it got."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.models import IdempotencyKey
from app.storage import insert_or_ignore


def find(session: Session, institution_id: int, key: str) -> IdempotencyKey | None:
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.institution_id == institution_id,
                                                       IdempotencyKey.key == key)
                          .execution_options(populate_existing=True))


def claim(session: Session, institution_id: int, key: str, digest: str, *, now: datetime) -> bool:
    """Take the key for this request; False when another request has it (on PostgreSQL, after that request's
    transaction ended: the unique key makes the second INSERT wait for the first)."""
    return insert_or_ignore(session, IdempotencyKey, ["institution_id", "key"], institution_id=institution_id,
                            key=key, request_digest=digest, created_at=now)


def answer(session: Session, institution_id: int, key: str, *, status_code: int, response: dict,
           location: str | None) -> None:
    session.execute(update(IdempotencyKey).where(IdempotencyKey.institution_id == institution_id,
                                                 IdempotencyKey.key == key)
                    .values(status_code=status_code, response=response, location=location))
