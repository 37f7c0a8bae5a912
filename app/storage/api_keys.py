"""API keys: ``mcred_<prefix>_<secret>``; the prefix finds the row, the SHA-256 of the whole key proves it."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.db.models import ApiKey, Institution
from app.errors import NotFound

PREFIX = re.compile("[0-9a-f]{1,16}")  # what ``create`` makes (token_hex), within the column's width


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(session: Session, inst: Institution, label: str, *, now: datetime) -> tuple[ApiKey, str]:
    """Returns the row and the key itself, which is shown once and never stored."""
    prefix = secrets.token_hex(6)
    key = f"mcred_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(institution_id=inst.id, prefix=prefix, key_hash=_digest(key), label=label, created_at=now)
    session.add(row)
    session.flush()
    return row, key


def authenticate(session: Session, key: str) -> ApiKey | None:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "mcred" or not PREFIX.fullmatch(parts[1]):
        return None
    # the institution with its key: every authenticated request needs both (one query, not two)
    row = session.scalar(select(ApiKey).options(joinedload(ApiKey.institution)).where(ApiKey.prefix == parts[1]))
    if row is None or row.revoked_at is not None:
        return None
    return row if hmac.compare_digest(row.key_hash, _digest(key)) else None


def for_institution(session: Session, inst: Institution) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.institution_id == inst.id).order_by(ApiKey.id)))


def by_prefix(session: Session, inst: Institution, prefix: str) -> ApiKey:
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.institution_id == inst.id))
    if row is None:
        raise NotFound(f"Institution {inst.slug!r} has no API key with the prefix {prefix!r}.")
    return row


def revoke(session: Session, row: ApiKey, *, now: datetime) -> bool:
    """Revoke the key (it gets 401 from now on); False if it already was."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True
