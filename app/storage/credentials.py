"""Issued credentials: the signed document as issued, its learner reference, validity and bearer tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Credential
from app.errors import NotFound


def add(session: Session, row: Credential) -> Credential:
    session.add(row)
    return row


def for_institution(session: Session, institution_id: int, credential_id: str) -> Credential:
    """A credential of this institution. Another institution's credential is simply not found (no oracle)."""
    cid = credential_id.removeprefix("urn:uuid:")
    row = session.scalar(select(Credential).where(Credential.id == cid, Credential.institution_id == institution_id))
    if row is None:
        raise NotFound(f"No credential {credential_id!r} issued by this institution.")
    return row


def by_download_token(session: Session, token: str) -> Credential:
    row = session.scalar(select(Credential).where(Credential.download_token == token))
    if row is None:
        raise NotFound("This download link is not valid.")
    return row


def by_verify_token(session: Session, token: str) -> Credential:
    row = session.scalar(select(Credential).where(Credential.verify_token == token))
    if row is None:
        raise NotFound("This verification link is not valid.")
    return row


def list_for_institution(session: Session, institution_id: int, *, expiring_before: datetime | None = None,
                         not_expired_at: datetime | None = None, learner_ref: str | None = None,
                         limit: int = 100, offset: int = 0) -> list[Credential]:
    query = select(Credential).where(Credential.institution_id == institution_id)
    if expiring_before is not None:
        query = query.where(Credential.valid_until.is_not(None), Credential.valid_until <= expiring_before)
    if not_expired_at is not None:
        query = query.where(Credential.valid_until > not_expired_at)
    if learner_ref is not None:
        query = query.where(Credential.learner_ref == learner_ref)
    order = Credential.valid_until if expiring_before is not None else Credential.issued_at.desc()
    return list(session.scalars(query.order_by(order, Credential.id).limit(limit).offset(offset)))


def count_for_institution(session: Session, institution_id: int, *, expiring_before: datetime | None = None,
                          not_expired_at: datetime | None = None, learner_ref: str | None = None) -> int:
    """How many credentials ``list_for_institution`` would list with these filters, over all pages."""
    query = select(func.count()).select_from(Credential).where(Credential.institution_id == institution_id)
    if expiring_before is not None:
        query = query.where(Credential.valid_until.is_not(None), Credential.valid_until <= expiring_before)
    if not_expired_at is not None:
        query = query.where(Credential.valid_until > not_expired_at)
    if learner_ref is not None:
        query = query.where(Credential.learner_ref == learner_ref)
    return session.scalar(query)
