"""Deliveries of the learner's link by e-mail (see app.delivery): one row per credential, each change an UPDATE
guarded by the state it leaves, so two workers never send the same message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.db.models import Delivery


def add(session: Session, rows: list[dict]) -> None:
    """``rows``: Delivery columns (credential_id, batch_id, institution_id, address, next_attempt_at, created_at)."""
    if rows:
        session.execute(insert(Delivery), [{"state": "pending", "attempts": 0, **row} for row in rows])


def claim_one(session: Session, now: datetime, lease_until: datetime, batch_id: str | None = None) -> Delivery | None:
    """The next due delivery, taken for sending (``sending`` until ``lease_until``, its attempt counted), or None.
    The guarded UPDATE decides between two workers that picked the same row."""
    due = select(Delivery.id).where(Delivery.state == "pending", Delivery.next_attempt_at <= now)
    if batch_id is not None:
        due = due.where(Delivery.batch_id == batch_id)
    for delivery_id in session.scalars(due.order_by(Delivery.next_attempt_at, Delivery.id).limit(5)):
        claimed = session.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.state == "pending")
                                  .values(state="sending", lease_until=lease_until, attempts=Delivery.attempts + 1))
        if claimed.rowcount == 1:
            return session.get(Delivery, delivery_id, populate_existing=True)
    return None


def _leave_sending(session: Session, delivery_id: int, **values) -> bool:
    done = session.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.state == "sending")
                           .values(lease_until=None, **values))
    return done.rowcount == 1


def mark_sent(session: Session, delivery_id: int, now: datetime) -> bool:
    return _leave_sending(session, delivery_id, state="sent", sent_at=now, last_error=None)


def mark_retry(session: Session, delivery_id: int, error: str, next_attempt_at: datetime) -> bool:
    return _leave_sending(session, delivery_id, state="pending", last_error=error[:500],
                          next_attempt_at=next_attempt_at)


def mark_failed(session: Session, delivery_id: int, error: str) -> bool:
    return _leave_sending(session, delivery_id, state="failed", last_error=error[:500])


def give_up_interrupted(session: Session, now: datetime, error: str) -> int:
    """Deliveries whose sender stopped while sending (its lease ran out): failed, never sent again, since the
    message may have gone out already."""
    done = session.execute(update(Delivery).where(Delivery.state == "sending", Delivery.lease_until < now)
                           .values(state="failed", lease_until=None, last_error=error[:500]))
    return done.rowcount


def for_credentials(session: Session, credential_ids: list[str]) -> dict[str, Delivery]:
    if not credential_ids:
        return {}
    return {d.credential_id: d for d in session.scalars(select(Delivery).where(
        Delivery.credential_id.in_(credential_ids)).execution_options(populate_existing=True))}


def open_count(session: Session, batch_id: str) -> int:
    """The batch's deliveries not yet sent or given up."""
    return session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.batch_id == batch_id, Delivery.state.in_(("pending", "sending"))))


def next_due(session: Session, batch_id: str) -> datetime | None:
    return session.scalar(select(func.min(Delivery.next_attempt_at)).where(
        Delivery.batch_id == batch_id, Delivery.state == "pending"))
