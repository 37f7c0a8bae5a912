"""The work of the OpenID4VCI endpoints, inside the caller's transaction; refusals are OAuthError (the router
answers them without raising, so what a refusal must leave behind, a counted wrong code or a spent nonce, is
committed).

- Token endpoint (OID4VCI 1.0 section 6, RFC 6749 section 5): the pre-authorized code grant with its transaction
  code; the offer is taken once.
- Nonce endpoint (section 7): a fresh ``c_nonce``.
- Credential endpoint (section 8): the access token, one ``jwt`` key proof, and the wallet copy: the record's
  credential naming the holder's DID as ``credentialSubject.id``, with a new id, signed now with the institution's
  active key (app.issuing.sign), its ``credentialStatus`` the record's own entries, so revoking or suspending the
  record revokes or suspends every copy.
"""

from __future__ import annotations

import copy
import hmac
import secrets
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from app import issuing, logs
from app.db.models import Credential, Institution, WalletAccessToken, WalletCopy, WalletNonce, WalletOffer
from app.domain.jsonld import as_list
from app.domain.timefmt import to_xsd
from app.errors import OAuthError
from app.services import Services
from app.storage import audit, institutions, wallet_offers, wallet_tokens
from app.wallet import metadata, offers, proof

NO_STORE = {"Cache-Control": "no-store"}


def _form_value(form: dict, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value else None


def token(session: Session, services: Services, inst: Institution, form: dict) -> dict:
    """RFC 6749 section 5.1 answer for the pre-authorized code grant (OID4VCI 1.0 section 6.1)."""
    now = services.clock()
    settings = services.settings
    if form.get("grant_type") != offers.PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type", f"Only the grant {offers.PRE_AUTHORIZED_GRANT} is supported.")
    code = _form_value(form, "pre-authorized_code")
    if code is None:
        raise OAuthError("invalid_request", "`pre-authorized_code` is missing.")
    offer = wallet_offers.by_code_hash(session, offers.digest(code))
    if offer is None or offer.institution_id != inst.id:
        raise OAuthError("invalid_grant", "The pre-authorized code is not valid.")
    state = offers.state(offer, now)
    if state != "open":
        raise OAuthError("invalid_grant", {
            "picked-up": "This offer has been picked up already; ask for a new one on your page.",
            "withdrawn": "The institution has withdrawn this offer.",
            "locked": "Too many wrong transaction codes: this offer is locked; make a new one on your page.",
            "expired": "This offer has expired; make a new one on your page."}[state])
    tx_code = _form_value(form, "tx_code")
    if offer.tx_code_hash is None and tx_code is not None:
        raise OAuthError("invalid_request", "This offer takes no transaction code.")
    if offer.tx_code_hash is not None:
        if tx_code is None:
            raise OAuthError("invalid_request", "This offer needs its transaction code (`tx_code`).")
        if not hmac.compare_digest(offers.tx_code_digest(offer.id, tx_code), offer.tx_code_hash):
            attempts = wallet_offers.count_wrong_tx_code(session, offer, limit=settings.wallet_tx_code_attempts,
                                                         now=now)
            left = settings.wallet_tx_code_attempts - attempts
            logs.on_commit(session, "wallet.tx_code_wrong", institution=inst.slug, offer_id=offer.id,
                           attempts=attempts)
            raise OAuthError("invalid_grant", "The transaction code is wrong; " + (
                f"{left} attempts left." if left > 0 else "the offer is now locked."))
    if not wallet_offers.redeem(session, offer, now=now):
        raise OAuthError("invalid_grant", "This offer has just been picked up by another wallet.")
    access_token = secrets.token_urlsafe(32)
    wallet_tokens.add_token(session, WalletAccessToken(
        offer_id=offer.id, token_hash=offers.digest(access_token), created_at=now,
        expires_at=now + timedelta(seconds=settings.wallet_token_seconds)))
    audit.record(session, actor="wallet", action="wallet-offer-redeemed", now=now, institution_id=inst.id,
                 credential_id=offer.credential_id, offerId=offer.id)
    return {"access_token": access_token, "token_type": "Bearer", "expires_in": settings.wallet_token_seconds}


def nonce(session: Session, services: Services, inst: Institution) -> dict:
    """OID4VCI 1.0 section 7.2."""
    now = services.clock()
    value = secrets.token_urlsafe(32)
    wallet_tokens.add_nonce(session, WalletNonce(
        institution_id=inst.id, nonce_hash=offers.digest(value), created_at=now,
        expires_at=now + timedelta(seconds=services.settings.wallet_nonce_seconds)), now=now)
    return {"c_nonce": value}


def _bearer(authorization: str | None) -> str:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise OAuthError("invalid_token", "Send the access token as `Authorization: Bearer <token>`.", status=401)
    return value.strip()


def _requested_configuration(body: object, offered: str) -> None:
    """Section 8.2: ``credential_configuration_id`` (a ``credential_identifier`` is never issued here)."""
    if not isinstance(body, dict):
        raise OAuthError("invalid_credential_request", "The credential request must be a JSON object.")
    if "credential_identifier" in body:
        raise OAuthError("unknown_credential_identifier", "This issuer issues no credential identifiers.")
    config = body.get("credential_configuration_id")
    if config is None:
        raise OAuthError("invalid_credential_request", "`credential_configuration_id` is missing.")
    if config != offered:
        raise OAuthError("unknown_credential_configuration",
                         f"The offer was for the credential configuration {offered!r}.")


def _proof_jwt(body: dict) -> str:
    """The one ``jwt`` proof of ``proofs`` (section 8.2; no batch issuance, so exactly one)."""
    proofs = body.get("proofs")
    if proofs is None:
        raise OAuthError("invalid_proof", "The credential request must carry a key proof (`proofs.jwt`).")
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"} or not isinstance(proofs["jwt"], list):
        raise OAuthError("invalid_proof", "`proofs` must hold one `jwt` proof (the only proof type supported).")
    if len(proofs["jwt"]) != 1:
        raise OAuthError("invalid_proof", "Send exactly one proof: this issuer issues one credential per request.")
    return proofs["jwt"][0]


def wallet_copy(services: Services, key, row: Credential, holder: str, copy_id: str) -> dict:
    """The record's credential for ``holder``: subject id the holder's DID, id ``urn:uuid:<copy id>``, ``issued``
    the moment of signing, the same status entries; signed now."""
    now = services.clock()
    document = copy.deepcopy(row.document)
    document.pop("proof", None)
    document["id"] = f"urn:uuid:{copy_id}"
    subject = as_list(document["credentialSubject"])[0]
    subject["id"] = holder
    document["credentialSubject"] = subject
    if "issued" in document:
        document["issued"] = to_xsd(now)
    return issuing.sign(services, key, document, now)


def credential(session: Session, services: Services, inst: Institution, authorization: str | None,
               body: object) -> dict:
    """Section 8.3: ``{"credentials": [{"credential": ...}]}``."""
    now = services.clock()
    settings = services.settings
    stored_token = wallet_tokens.token_by_hash(session, offers.digest(_bearer(authorization)))
    offer = session.get(WalletOffer, stored_token.offer_id) if stored_token else None
    if (offer is None or offer.institution_id != inst.id or stored_token.used_at is not None
            or offers.aware(stored_token.expires_at) <= now):
        raise OAuthError("invalid_token", "The access token is not valid, has expired or has been used.", status=401)
    row = session.get(Credential, offer.credential_id)
    offered = metadata.configuration_for(row.document)
    _requested_configuration(body, offered)
    proven = proof.verify(_proof_jwt(body), audience=metadata.issuer_id(settings.public_origin, inst.slug),
                          now=int(now.timestamp()), max_age=settings.wallet_proof_max_age_seconds,
                          skew=settings.wallet_proof_skew_seconds)
    if not wallet_tokens.use_nonce(session, inst.id, offers.digest(proven.nonce), now=now):
        raise OAuthError("invalid_nonce", "The proof's nonce is not a fresh c_nonce of this issuer: get a new one "
                                          "from the nonce endpoint.")
    if row.status == "revoked":
        raise OAuthError("credential_request_denied", "The institution has revoked this credential.")
    if not wallet_tokens.use_token(session, stored_token, now=now):
        raise OAuthError("invalid_token", "The access token has been used.", status=401)
    copy_id = str(uuid.uuid4())
    document = wallet_copy(services, institutions.active_key(session, inst), row, proven.holder, copy_id)
    wallet_offers.add_copy(session, WalletCopy(id=copy_id, credential_id=row.id, offer_id=offer.id,
                                               holder=proven.holder, uri=document["id"], document=document,
                                               created_at=now))
    audit.record(session, actor="wallet", action="wallet-copy", now=now, institution_id=inst.id,
                 credential_id=row.id, holder=proven.holder, copyId=copy_id)
    logs.on_commit(session, "wallet.copy_issued", institution=inst.slug, credential_id=row.id, copy_id=copy_id)
    return {"credentials": [{"credential": document}]}
