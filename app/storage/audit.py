"""The audit log: who did what, when, to which credential, and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent


def record(session: Session, *, actor: str, action: str, now: datetime, institution_id: int | None = None,
           credential_id: str | None = None, **details) -> AuditEvent:
    event = AuditEvent(institution_id=institution_id, actor=actor, action=action, credential_id=credential_id,
                       details=details, created_at=now)
    session.add(event)
    return event


def events(session: Session, *, institution_id: int, credential_id: str | None = None,
           limit: int = 100) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.institution_id == institution_id)
    if credential_id:
        query = query.where(AuditEvent.credential_id == credential_id)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
