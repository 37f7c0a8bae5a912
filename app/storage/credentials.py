"""Issued credentials: the signed document as issued, its learner reference, validity and bearer tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import Credential
from app.errors import Conflict, NotFound


def _reused(uri: str) -> Conflict:
    return Conflict(f"This institution has already issued a credential with the id {uri!r}; a VC id names one "
                    "credential.", slug="credential-id-reused",
                    errors=[{"field": "credential.id", "message": "already used by this institution"}])


def uri_taken(session: Session, institution_id: int, uri: str) -> bool:
    return session.scalar(select(Credential.id).where(Credential.institution_id == institution_id,
                                                      Credential.uri == uri)) is not None


def add(session: Session, row: Credential) -> Credential:
    """Insert ``row`` (flushed). A VC id the institution already used is a Conflict; another institution's ids
    are no concern of this one (the unique (institution_id, uri) index settles concurrent inserts)."""
    if uri_taken(session, row.institution_id, row.uri):
        raise _reused(row.uri)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent insert of the same VC id won the race
        # PostgreSQL names the index, SQLite its columns.
        if any(name in str(exc.orig) for name in ("uq_credentials_institution_uri", "credentials.uri")):
            raise _reused(row.uri) from exc
        raise
    return row


def add_own(session: Session, rows: list[Credential]) -> None:
    """Insert credentials whose VC id is the service's own ``urn:uuid:<row id>`` (a batch's): unique with their row
    id, so no look-up of the id is needed, and all are inserted in one flush."""
    session.add_all(rows)
    session.flush()


def for_institution(session: Session, institution_id: int, credential_id: str) -> Credential:
    """A credential of this institution, by its row id or its VC id (for the service's own credentials that is
    ``urn:uuid:<row id>``). Another institution's credential is simply not found (no oracle).

    A row id is a bare uuid and a VC id an absolute URI (it has a colon), so the two never name different rows.
    """
    row = session.scalar(select(Credential).where(Credential.institution_id == institution_id,
                                                  or_(Credential.id == credential_id, Credential.uri == credential_id)))
    if row is None:
        raise NotFound(f"No credential {credential_id!r} issued by this institution.")
    return row


def change_status(session: Session, row: Credential, expected: str, new: str, *, at: datetime | None,
                  reason: str | None) -> bool:
    """Compare-and-set of ``row``'s status: one conditional UPDATE, so a concurrent change that committed first is
    never overwritten (PostgreSQL re-checks the condition once the other transaction's row lock is released; SQLite
    runs one writer at a time). True when applied; False, with ``row`` refreshed, when its status was no longer
    ``expected``."""
    result = session.execute(update(Credential).where(Credential.id == row.id, Credential.status == expected)
                             .values(status=new, status_changed_at=at, status_reason=reason)
                             .execution_options(synchronize_session="fetch"))
    if result.rowcount == 1:
        return True
    session.refresh(row)
    return False


def by_download_token(session: Session, token: str) -> Credential:
    row = session.scalar(select(Credential).where(Credential.download_token == token))
    if row is None:
        raise NotFound("This download link is not valid.")
    return row


def stored_digest(session: Session, document_digest: str) -> bool:
    """Whether a credential's signed document, as stored, has this digest (app.domain.json_digest)."""
    return session.scalar(select(Credential.id).where(Credential.document_digest == document_digest).limit(1)) \
        is not None


def by_verify_token(session: Session, token: str) -> Credential:
    row = session.scalar(select(Credential).where(Credential.verify_token == token))
    if row is None:
        raise NotFound("This verification link is not valid.")
    return row


def _filtered(query, institution_id: int, expiring_before: datetime | None, not_expired_at: datetime | None,
              learner_ref: str | None):
    query = query.where(Credential.institution_id == institution_id)
    if expiring_before is not None:
        query = query.where(Credential.valid_until.is_not(None), Credential.valid_until <= expiring_before)
    if not_expired_at is not None:
        query = query.where(Credential.valid_until > not_expired_at)
    if learner_ref is not None:
        query = query.where(Credential.learner_ref == learner_ref)
    return query


def list_for_institution(session: Session, institution_id: int, *, expiring_before: datetime | None = None,
                         not_expired_at: datetime | None = None, learner_ref: str | None = None,
                         limit: int = 100, offset: int = 0) -> list[Credential]:
    query = _filtered(select(Credential), institution_id, expiring_before, not_expired_at, learner_ref)
    order = Credential.valid_until if expiring_before is not None else Credential.issued_at.desc()
    return list(session.scalars(query.order_by(order, Credential.id).limit(limit).offset(offset)))


def count_for_institution(session: Session, institution_id: int, *, expiring_before: datetime | None = None,
                          not_expired_at: datetime | None = None, learner_ref: str | None = None) -> int:
    """How many credentials ``list_for_institution`` would list with these filters, over all pages."""
    query = _filtered(select(func.count()).select_from(Credential), institution_id, expiring_before,
                      not_expired_at, learner_ref)
    return session.scalar(query)
