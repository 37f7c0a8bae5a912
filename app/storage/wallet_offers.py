"""OpenID4VCI credential offers and the wallet copies picked up with them (app.db.models.WalletOffer, WalletCopy).

Every change that decides who gets a credential is one conditional UPDATE (compare-and-set), so two wallets racing
for one offer, or two guesses of a transaction code at once, are settled by the database, on SQLite and PostgreSQL
alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.models import WalletCopy, WalletOffer


def add(session: Session, offer: WalletOffer) -> WalletOffer:
    session.add(offer)
    session.flush()
    return offer


def add_many(session: Session, offers: list[WalletOffer]) -> None:
    """A batch chunk's offers, inserted in one flush."""
    session.add_all(offers)
    session.flush()


def by_ref(session: Session, ref: str) -> WalletOffer | None:
    return session.scalar(select(WalletOffer).where(WalletOffer.ref == ref))


def by_code_hash(session: Session, code_hash: str) -> WalletOffer | None:
    return session.scalar(select(WalletOffer).where(WalletOffer.code_hash == code_hash))


def for_credential(session: Session, credential_id: str) -> list[WalletOffer]:
    """The record's offers, newest first."""
    return list(session.scalars(select(WalletOffer).where(WalletOffer.credential_id == credential_id)
                                .order_by(WalletOffer.created_at.desc(), WalletOffer.id)))


def latest_for_credentials(session: Session, credential_ids: list[str]) -> dict[str, WalletOffer]:
    """The newest offer of each of these records (one query), for answers listing many records."""
    if not credential_ids:
        return {}
    rows = session.scalars(select(WalletOffer).where(WalletOffer.credential_id.in_(credential_ids))
                           .order_by(WalletOffer.created_at, WalletOffer.id))
    return {row.credential_id: row for row in rows}


def count_wrong_tx_code(session: Session, offer: WalletOffer, *, limit: int, now: datetime) -> int:
    """One more wrong transaction code: the attempts are counted in the database (concurrent guesses each count),
    and the offer is locked once they reach ``limit``. Returns the attempts counted so far."""
    session.execute(update(WalletOffer).where(WalletOffer.id == offer.id)
                    .values(tx_attempts=WalletOffer.tx_attempts + 1)
                    .execution_options(synchronize_session=False))
    session.execute(update(WalletOffer).where(WalletOffer.id == offer.id, WalletOffer.tx_attempts >= limit,
                                              WalletOffer.locked_at.is_(None))
                    .values(locked_at=now).execution_options(synchronize_session=False))
    session.refresh(offer)
    return offer.tx_attempts


def redeem(session: Session, offer: WalletOffer, *, now: datetime) -> bool:
    """Take the offer for one wallet: True only for the first taker while it is open (not picked up, withdrawn,
    locked or expired); its transaction code is forgotten."""
    result = session.execute(update(WalletOffer).where(
        WalletOffer.id == offer.id, WalletOffer.redeemed_at.is_(None), WalletOffer.withdrawn_at.is_(None),
        WalletOffer.locked_at.is_(None), WalletOffer.expires_at > now,
    ).values(redeemed_at=now, tx_code_delivery=None).execution_options(synchronize_session=False))
    session.refresh(offer)
    return result.rowcount == 1


def withdraw_open(session: Session, credential_id: str, *, now: datetime) -> int:
    """Withdraw every offer of the record that could still be picked up; returns how many."""
    result = session.execute(update(WalletOffer).where(
        WalletOffer.credential_id == credential_id, WalletOffer.redeemed_at.is_(None),
        WalletOffer.withdrawn_at.is_(None), WalletOffer.expires_at > now,
    ).values(withdrawn_at=now, tx_code_delivery=None).execution_options(synchronize_session=False))
    return result.rowcount


def add_copy(session: Session, copy: WalletCopy) -> WalletCopy:
    session.add(copy)
    session.flush()
    return copy


def copies_of(session: Session, credential_id: str) -> list[WalletCopy]:
    return list(session.scalars(select(WalletCopy).where(WalletCopy.credential_id == credential_id)
                                .order_by(WalletCopy.created_at, WalletCopy.id)))
