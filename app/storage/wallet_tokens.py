"""OpenID4VCI access tokens and c_nonces, stored as SHA-256 digests (256-bit random secrets: a slow hash adds
nothing). Each is used once: a conditional UPDATE marks it, so a replay, even a concurrent one, finds it used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.db.models import WalletAccessToken, WalletNonce


def add_token(session: Session, row: WalletAccessToken) -> None:
    session.add(row)
    session.flush()


def token_by_hash(session: Session, token_hash: str) -> WalletAccessToken | None:
    return session.scalar(select(WalletAccessToken).where(WalletAccessToken.token_hash == token_hash))


def use_token(session: Session, row: WalletAccessToken, *, now: datetime) -> bool:
    """Spend the token on one credential: True for the first use before it expires."""
    result = session.execute(update(WalletAccessToken).where(
        WalletAccessToken.id == row.id, WalletAccessToken.used_at.is_(None), WalletAccessToken.expires_at > now,
    ).values(used_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def add_nonce(session: Session, row: WalletNonce, *, now: datetime) -> None:
    """Store a new nonce, and forget the ones that expired (the table holds only the last few minutes' nonces)."""
    session.execute(delete(WalletNonce).where(WalletNonce.expires_at <= now))
    session.add(row)
    session.flush()


def use_nonce(session: Session, institution_id: int, nonce_hash: str, *, now: datetime) -> bool:
    """Accept the nonce once: True when it was this issuer's, unused and unexpired; it is spent either way."""
    result = session.execute(update(WalletNonce).where(
        WalletNonce.nonce_hash == nonce_hash, WalletNonce.institution_id == institution_id,
        WalletNonce.used_at.is_(None), WalletNonce.expires_at > now,
    ).values(used_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1
