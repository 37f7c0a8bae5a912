"""Credential status: status entries at issue, revoke / suspend / reinstate, and publishing the signed lists.

W3C Bitstring Status List v1.0. Revocation is final (section 2.1: a revocation status "is not reversible");
suspension is reversible and only offered where the institution enabled it. Every change is audited.
The published list credential is re-signed lazily, when its bits changed or its validity runs low, so the
cost of serving a list depends on the list size only, never on how many credentials exist.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app import logs
from app.db.models import Credential, Institution, StatusList
from app.domain import eddsa_rdfc_2022, status_list
from app.domain.jsonld import as_list
from app.domain.timefmt import parse_xsd, to_xsd
from app.errors import Conflict, InvalidInput
from app.storage import audit, credentials, institutions
from app.storage import status_lists as lists

LIST_VALIDITY = timedelta(hours=24)
REFRESH_WHEN_LEFT = timedelta(hours=12)
TTL_SECONDS = 300

REASONS = {
    "issued-in-error": "Issued in error",
    "fraud": "Fraud or misrepresentation",
    "academic-misconduct": "Academic misconduct",
    "superseded": "Superseded by another credential",
    "learner-request": "At the learner's request",
    "under-investigation": "Under investigation",
    "other": "Other",
}


def list_url(origin: str, inst: Institution, purpose: str, seq: int) -> str:
    return f"{origin}/status/{inst.slug}/{purpose}/{seq}"


def purposes_for(inst: Institution) -> list[str]:
    return ["revocation", "suspension"] if inst.suspension_enabled else ["revocation"]


def _entry(origin: str, inst: Institution, lst, index: int) -> dict:
    return status_list.entry(list_url(origin, inst, lst.purpose, lst.seq), index, lst.purpose)


def claim_entries(session: Session, origin: str, inst: Institution, credential_ids: list[str], *, now: datetime,
                  resume: frozenset[str] = frozenset()) -> dict[str, list[dict]]:
    """Claim one status list slot per purpose for each of many credentials (a batch's chunk, before they are
    signed); returns their status entries. The credentials in ``resume`` keep the slots an earlier attempt claimed
    for them (one that never stored the credential)."""
    claimed = {(cid, lst.purpose): (lst, idx) for cid in resume for lst, idx in lists.entries_of(session, cid)}
    entries: dict[str, list[dict]] = {cid: [] for cid in credential_ids}
    for purpose in purposes_for(inst):
        new = lists.allocate_many(session, inst, purpose, [c for c in credential_ids if (c, purpose) not in claimed],
                                  now=now)
        for cid in credential_ids:
            entries[cid].append(_entry(origin, inst, *(claimed.get((cid, purpose)) or new[cid])))
    return entries


def with_entries(unsigned: dict, entries: list[dict]) -> dict:
    """The (still unsigned) credential with ``entries``, beside any the caller gave (well-formed ones in other
    lists: checked by app.issuing.prepare_unsigned_vc)."""
    doc = status_list.add_status_context(unsigned)
    entries = [*entries, *as_list(unsigned.get("credentialStatus"))]
    return {**doc, "credentialStatus": entries[0] if len(entries) == 1 else entries}


def allocate_entries(session: Session, origin: str, inst: Institution, credential_id: str, *,
                     now: datetime) -> list[dict]:
    """Claim one index per purpose for ``credential_id``; returns its status entries (to sign into it)."""
    return [_entry(origin, inst, lst, index)
            for lst, index in lists.allocate_each(session, inst, purposes_for(inst), credential_id, now=now)]


@dataclass
class StatusChange:
    credential: Credential
    status: str


def change(session: Session, inst: Institution, row: Credential, action: str, *, actor: str,
           reason: str | None = None, note: str | None = None, now=None) -> StatusChange:
    """``action``: revoke | suspend | reinstate. Idempotent for a repeated identical request.

    The credential's status changes first, by compare-and-set (one conditional UPDATE of its row), and only then
    its bit: of two concurrent changes the later one waits for the first and decides again from the status the
    first left, so a reinstate racing a revoke can never leave the row active with the revocation bit set.
    """
    if reason is not None and (not isinstance(reason, str) or reason not in REASONS):
        raise InvalidInput(f"Unknown reason {reason!r}.", errors=[{"field": "reason",
                                                                   "message": "one of " + ", ".join(REASONS)}])
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        raise InvalidInput("The note must be text of at most 2000 characters.",
                           errors=[{"field": "note", "message": "invalid"}])
    targets = {"revoke": ("revocation", "revoked"), "suspend": ("suspension", "suspended"),
               "reinstate": ("suspension", "active")}
    if action not in targets:
        raise InvalidInput(f"Unknown status action {action!r}.")
    target, new_status = targets[action]
    by_purpose = {lst.purpose: (lst, idx) for lst, idx in lists.entries_of(session, row.id)}
    while True:
        previous = row.status
        if previous == "revoked":
            if action == "revoke":
                return StatusChange(row, previous)
            raise Conflict("This credential is revoked; revocation is final.", slug="revoked-final")
        if target not in by_purpose:
            if target == "suspension":
                raise Conflict("This credential was issued without a suspension status entry, so it cannot be "
                               "suspended or reinstated (the institution had not enabled suspension).",
                               slug="suspension-unavailable")
            raise Conflict("This credential carries no revocation status entry.", slug="status-unavailable")
        if previous == new_status:
            return StatusChange(row, previous)
        if credentials.change_status(session, row, previous, new_status, at=now, reason=reason):
            break
    lst, idx = by_purpose[target]
    lists.set_status(session, lst, idx, action != "reinstate")
    audit.record(session, actor=actor, action=f"status.{action}", now=now, institution_id=inst.id,
                 credential_id=row.id, reason=reason, note=note, previous=previous)
    logs.on_commit(session, "credential.status_changed", institution=inst.slug, credential_id=row.id, action=action,
                   reason=reason, status=new_status)
    return StatusChange(row, new_status)


def publish(session: Session, services, inst: Institution, purpose: str, seq: int) -> StatusList:
    """The list with an up-to-date signed credential in ``signed`` (re-signed only when needed).

    The version is read before the bits: a change committed in between is then in the bits but not in
    ``signed_version``, so the next request signs again; the other order could serve a stale list as current.
    """
    lst = lists.get_list(session, inst.id, purpose, seq)
    now = services.clock()
    until = parse_xsd(lst.signed.get("validUntil")) if lst.signed else None
    if lst.signed is None or lst.signed_version != lst.version or until is None or until - now < REFRESH_WHEN_LEFT:
        url = list_url(services.settings.public_origin, inst, purpose, seq)
        bits = lists.bits_of(session, lst)
        unsigned = status_list.list_credential(url, inst.did, purpose, bits, valid_from=now,
                                               valid_until=now + LIST_VALIDITY, ttl_ms=TTL_SECONDS * 1000)
        signer = services.keystore.signer(institutions.active_key(session, inst))
        lst.signed = eddsa_rdfc_2022.create_proof(unsigned, signer, loader=services.loader, created=to_xsd(now))
        lst.signed_version = lst.version
    return lst


def etag(signed: dict) -> str:
    return '"' + hashlib.sha256(json.dumps(signed, sort_keys=True).encode()).hexdigest()[:32] + '"'


def max_age(signed: dict, now) -> int:
    until = parse_xsd(signed.get("validUntil"))
    left = int((until - now).total_seconds()) if until else 0
    return max(0, min(TTL_SECONDS, left))
