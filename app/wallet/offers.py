"""Credential offers (OID4VCI 1.0 section 4.1): one per pickup of a credential record, by reference
(``openid-credential-offer://?credential_offer_uri=...``, section 4.1.3), with the pre-authorized code grant and,
where the institution asks for one, a transaction code (``tx_code``, section 4.1.1) delivered apart from the QR code.

Secrets: the offer's ``ref`` names it in its URI (a bearer link, like the learner's download link). The
pre-authorized code is derived from the ref (HMAC-SHA-256), so it is never stored, only its digest, and whoever can
fetch the offer has it, as the spec intends. The transaction code is 6 random digits stored as a digest; a bounded
number of wrong codes locks the offer (section 13.6 "Pre-Authorized Code Flow" security considerations).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from sqlalchemy.orm import Session

from app.db.models import Credential, Institution, WalletOffer
from app.domain.timefmt import to_xsd
from app.services import Services
from app.storage import wallet_offers
from app.wallet import metadata

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
TX_CODE_DESCRIPTION = "Ievadiet iestādes doto kodu / Enter the code your institution gave you"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def pre_authorized_code(ref: str) -> str:
    mac = hmac.new(ref.encode(), b"pre-authorized_code", hashlib.sha256).digest()
    return urlsafe_b64encode(mac).decode().rstrip("=")


def tx_code_digest(offer_id: str, code: str) -> str:
    return digest(f"{offer_id}:{code}")


def offer_uri(origin: str, slug: str, ref: str) -> str:
    """The ``credential_offer_uri`` (section 4.1.3)."""
    return f"{metadata.endpoints(origin, slug)['offers']}/{ref}"


def wallet_link(origin: str, slug: str, ref: str) -> str:
    """The offer as a wallet opens it: the same-device link, and the QR code's content."""
    return f"{OFFER_SCHEME}?credential_offer_uri={quote(offer_uri(origin, slug, ref), safe='')}"


def tx_required(inst: Institution, override: bool | None) -> bool:
    """The issue request's choice, else the institution's default."""
    return inst.wallet_tx_code if override is None else override


def offerable(row: Credential) -> bool:
    return offerable_document(row.document)


def offerable_document(document: dict) -> bool:
    """Whether a signed document can be offered to a wallet (it names one holder: ``metadata.configuration_for``)."""
    return metadata.configuration_for(document) is not None


def new_offer(services: Services, inst: Institution, row: Credential, *, tx_code: bool, actor: str,
              lifetime: int | None = None, keep_code: bool = True) -> tuple[WalletOffer, str | None]:
    """A new offer of the record, not yet stored; (offer, its transaction code or None). ``keep_code``: the
    institution may read the code back while the offer is open (offers it made); the learner's page shows its own
    once."""
    now = services.clock()
    settings = services.settings
    offer_id = str(uuid.uuid4())
    ref = secrets.token_urlsafe(32)
    code = "".join(secrets.choice("0123456789") for _ in range(settings.wallet_tx_code_length)) if tx_code else None
    return WalletOffer(
        id=offer_id, credential_id=row.id, institution_id=inst.id, ref=ref,
        code_hash=digest(pre_authorized_code(ref)),
        tx_code_hash=tx_code_digest(offer_id, code) if code else None,
        tx_code_delivery=code if code and keep_code else None, tx_attempts=0, created_by=actor, created_at=now,
        expires_at=now + timedelta(seconds=lifetime or settings.wallet_offer_seconds)), code


def make_offer(session: Session, services: Services, inst: Institution, row: Credential, *, tx_code: bool,
               actor: str, lifetime: int | None = None, keep_code: bool = True) -> tuple[WalletOffer, str | None]:
    """A new offer of the record, stored; returns (offer, its transaction code or None) (see ``new_offer``)."""
    offer, code = new_offer(services, inst, row, tx_code=tx_code, actor=actor, lifetime=lifetime,
                            keep_code=keep_code)
    return wallet_offers.add(session, offer), code


def state(offer: WalletOffer, now: datetime) -> str:
    """open, picked-up, withdrawn, locked (too many wrong codes) or expired."""
    if offer.redeemed_at is not None:
        return "picked-up"
    if offer.withdrawn_at is not None:
        return "withdrawn"
    if offer.locked_at is not None:
        return "locked"
    if aware(offer.expires_at) <= now:
        return "expired"
    return "open"


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def credential_offer(origin: str, inst: Institution, offer: WalletOffer, row: Credential, code_length: int) -> dict:
    """The Credential Offer object (section 4.1.1)."""
    grant: dict = {"pre-authorized_code": pre_authorized_code(offer.ref)}
    if offer.tx_code_hash:
        grant["tx_code"] = {"input_mode": "numeric", "length": code_length, "description": TX_CODE_DESCRIPTION}
    return {"credential_issuer": metadata.issuer_id(origin, inst.slug),
            "credential_configuration_ids": [metadata.configuration_for(row.document)],
            "grants": {PRE_AUTHORIZED_GRANT: grant}}


def summary(origin: str, inst: Institution, offer: WalletOffer, now: datetime) -> dict:
    """An offer as the institution's API shows it."""
    out = {"id": offer.id, "state": state(offer, now), "walletOffer": wallet_link(origin, inst.slug, offer.ref),
           "txCodeRequired": offer.tx_code_hash is not None, "createdAt": to_xsd(aware(offer.created_at)),
           "expiresAt": to_xsd(aware(offer.expires_at)), "txCodeAttempts": offer.tx_attempts}
    if offer.tx_code_delivery and out["state"] == "open":
        out["txCode"] = offer.tx_code_delivery
    for key, value in (("pickedUpAt", offer.redeemed_at), ("withdrawnAt", offer.withdrawn_at),
                       ("lockedAt", offer.locked_at)):
        if value is not None:
            out[key] = to_xsd(aware(value))
    return out


def open_offer(session: Session, services: Services, inst: Institution, row: Credential, *,
               tx_override: bool | None, actor: str, keep_code: bool = True) -> tuple[str, str | None] | None:
    """At issuing (or on the institution's request): a new offer of the record; (its wallet link, its transaction
    code or None), or None when the record cannot be offered (not exactly one subject)."""
    if not offerable(row):
        return None
    offer, code = make_offer(session, services, inst, row, tx_code=tx_required(inst, tx_override), actor=actor,
                             keep_code=keep_code)
    return wallet_link(services.settings.public_origin, inst.slug, offer.ref), code


def open_offers(session: Session, services: Services, inst: Institution, rows: list[Credential], *,
                actor: str) -> None:
    """A batch chunk's offers, by the institution's transaction code default, inserted together: ``rows`` are the
    records that can be offered (a batch's signing process read that off each document, which the row holds as its
    JSON text)."""
    tx_code = tx_required(inst, None)
    wallet_offers.add_many(session, [new_offer(services, inst, row, tx_code=tx_code, actor=actor)[0] for row in rows])


def record_policy(inst: Institution, latest: WalletOffer | None) -> bool:
    """Whether a new offer of a record asks for a transaction code: as its last offer did, else the default."""
    return latest.tx_code_hash is not None if latest is not None else inst.wallet_tx_code


def open_link(origin: str, inst: Institution, latest: WalletOffer | None, now: datetime) -> str | None:
    return wallet_link(origin, inst.slug, latest.ref) if latest is not None and state(latest, now) == "open" else None


def record_view(session: Session, services: Services, inst: Institution, row: Credential) -> dict:
    """The record's wallet side, for the institution: its offers (newest first), the copies wallets picked up,
    and the open offer's link."""
    now = services.clock()
    origin = services.settings.public_origin
    offers_of = wallet_offers.for_credential(session, row.id)
    view = {"walletOffers": [summary(origin, inst, o, now) for o in offers_of],
            "walletCopies": [{"id": c.id, "credentialId": c.uri, "holder": c.holder,
                              "issuedAt": to_xsd(aware(c.created_at))}
                             for c in wallet_offers.copies_of(session, row.id)]}
    link = open_link(origin, inst, offers_of[0] if offers_of else None, now)
    return {**view, "walletOffer": link}


def batch_view(session: Session, services: Services, inst: Institution, credential_ids: list[str]) -> dict:
    """For a page of batch items: credential id -> (open offer's link, its transaction code) where one is open."""
    now = services.clock()
    origin = services.settings.public_origin
    latest = wallet_offers.latest_for_credentials(session, credential_ids)
    return {cid: (wallet_link(origin, inst.slug, o.ref), o.tx_code_delivery)
            for cid, o in latest.items() if state(o, now) == "open"}


def learner_view(session: Session, services: Services, inst: Institution, row: Credential) -> dict:
    """What the learner's page shows of the record's newest offer: its link while open, else its state."""
    now = services.clock()
    offers_of = wallet_offers.for_credential(session, row.id)
    latest = offers_of[0] if offers_of else None
    return {"available": offerable(row), "state": state(latest, now) if latest else "none",
            "link": open_link(services.settings.public_origin, inst, latest, now),
            "expires": aware(latest.expires_at) if latest else None,
            "tx_required": latest is not None and latest.tx_code_hash is not None,
            "made_by_learner": latest is not None and latest.created_by == LEARNER}


LEARNER = "learner-page"


def learner_offer(session: Session, services: Services, inst: Institution, row: Credential) -> str | None:
    """"Make a new offer" on the learner's page: the open offers are withdrawn, a new one (shorter-lived) is made
    with the record's transaction code policy; returns its code (shown once, on the page) or None."""
    now = services.clock()
    offers_of = wallet_offers.for_credential(session, row.id)
    wallet_offers.withdraw_open(session, row.id, now=now)
    policy = record_policy(inst, offers_of[0] if offers_of else None)
    _, code = make_offer(session, services, inst, row, tx_code=policy, actor=LEARNER,
                         lifetime=services.settings.wallet_page_offer_seconds, keep_code=False)
    return code
