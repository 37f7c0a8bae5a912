"""The status check: every credentialStatus entry read from its status list, whose own proof, issuer and validity
are checked the same way as the credential's (Bitstring Status List v1.0, section 3.2; StatusList2021).

Nothing is fetched once the proof or the issuer check has failed (as in vc-js); entries and lists are capped, lists
fetched together; a list that cannot be read gives ``unknown``, never "not revoked". Lists verified before (the same
document, against the same DID document of the issuer) are remembered while they are valid.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from app.domain import bitstring, iris
from app.domain.deadline import Deadline
from app.domain.json_digest import digest
from app.domain.proof_checks import ProofCheck, verify_all
from app.domain.signed import NotReadable, Signed, StatusEntry, StatusUnknown, read
from app.domain.verification.checks import SUITES, check_validity, proof_check, valid_until
from app.domain.verification.dids import DidCache, check_issuer_key
from app.domain.verification.memo import Memo
from app.domain.verification.results import FAILED, OK, UNKNOWN, Check, warning
from app.errors import LimitExceeded, McredError, UpstreamUnavailable
from app.texts.verification import MESSAGES

MAX_STATUS_ENTRIES = 8
FetchStatusLists = Callable[[list], dict]


class StatusLists:
    """Reads, verifies and memoizes the status lists of one verification."""

    def __init__(self, issuer: str, loader, dids: DidCache, now: datetime, deadline: Deadline, limits,
                 verified: Memo | None = None):
        self.issuer, self.loader, self.dids, self.now = issuer, loader, dids, now
        self.deadline, self.limits, self.verified = deadline, limits, verified

    def bits(self, url: str, purpose: str, fetched: dict) -> bytes:
        """The verified bits of the list at ``url``; a list verified before (the same document, checked against
        the same DID document of the issuer) is not verified again while it is valid."""
        doc = fetched.get(url)
        key = None
        if self.verified is not None and isinstance(doc, dict):
            try:
                key = ("list", url, purpose, digest(doc), digest(self.dids.document(self.issuer)))
            except (McredError, TypeError, ValueError):
                key = None
            bits = self.verified.get(key, self.now)
            if bits is not None:
                return bits
        bits, until = self._verify(url, purpose, doc)
        if key is not None and until is not None:
            self.verified.put(key, bits, until)
        return bits

    def _verify(self, url: str, purpose: str, doc: Any) -> tuple[bytes, datetime | None]:
        if isinstance(doc, UpstreamUnavailable):
            raise StatusUnknown("status-list-unavailable", doc.detail)
        if isinstance(doc, McredError):
            code = doc.slug if doc.slug in MESSAGES else "status-list-unavailable"
            raise StatusUnknown(code, doc.detail)
        if not isinstance(doc, dict):
            raise StatusUnknown("status-list-invalid", "The status list is not a JSON object.")
        try:
            listed = read(doc, iris.VERIFIABLE_CREDENTIAL, self.loader, self.deadline, self.limits,
                          "status-list-invalid")
            issuer = listed.issuer()
            if issuer != self.issuer:
                raise StatusUnknown("status-list-issuer-mismatch",
                                    f"The status list at {url} is not published by the credential's issuer.")
            results = verify_all(listed.document, SUITES, loader=self.loader,
                                 resolve_verification_method=self.dids.resolver_for(issuer),
                                 expect=ProofCheck(now=self.now), deadline=self.deadline, limits=self.limits)
        except NotReadable as stop:
            raise StatusUnknown("status-list-invalid", f"The status list at {url} is not a readable status list "
                                f"credential ({stop.code}).") from stop
        except UpstreamUnavailable as exc:
            raise StatusUnknown("status-list-unavailable", exc.detail) from exc
        except LimitExceeded as exc:
            raise StatusUnknown("status-list-invalid", f"The status list at {url} exceeds a limit ({exc.slug}).") from exc
        except McredError as exc:
            raise StatusUnknown("status-list-invalid", f"The status list at {url} cannot be processed "
                                f"({exc.slug}).") from exc
        proof = proof_check(results)
        if proof.outcome != OK:
            raise StatusUnknown("status-list-invalid", f"The status list at {url} has no valid proof ({proof.code}).")
        key = check_issuer_key(issuer, results, self.dids)
        if key.outcome != OK:
            raise StatusUnknown("status-list-invalid", f"The status list at {url} is not signed by a key of the "
                                f"issuer ({key.code}).")
        validity = check_validity(listed, self.now)
        if validity.outcome != OK:
            code = "status-list-expired" if validity.code == "expired" else "status-list-invalid"
            raise StatusUnknown(code, f"The status list at {url} is not within its validity period ({validity.code}).")
        return _bits_of(listed, url, purpose), valid_until(listed)


def _bits_of(listed: Signed, url: str, purpose: str) -> bytes:
    """The list's bits, read by IRI: its type, its one subject's statusPurpose and encodedList."""
    if not any(t in iris.STATUS_LIST_TYPES for t in listed.types()):
        raise StatusUnknown("status-list-invalid", "The document is not a status list credential.")
    subjects = listed.values(iris.CREDENTIAL_SUBJECT)
    if len(subjects) != 1 or subjects[0]["type"] == "literal":
        raise StatusUnknown("status-list-invalid", "The status list has no single credentialSubject.")
    subject = subjects[0]["value"]
    purposes = [o["value"] for p in iris.STATUS_PURPOSE for o in listed.graph.objects(subject, p)]
    if purpose not in purposes:
        raise StatusUnknown("status-list-invalid", f"The list's statusPurpose is not {purpose!r}.")
    encoded = [o["value"] for p in iris.ENCODED_LIST for o in listed.graph.objects(subject, p)
               if o["type"] == "literal"]
    if len(encoded) != 1:
        raise StatusUnknown("status-list-invalid", "The status list has no single encodedList.")
    value = encoded[0] if encoded[0].startswith("u") else "u" + encoded[0]  # StatusList2021 has no prefix
    try:
        return bitstring.decode(value)
    except McredError as exc:
        raise StatusUnknown("status-list-invalid", f"The status list at {url} has no valid encodedList.") from exc


def check_status(signed: Signed, fetch_status_lists: FetchStatusLists, lists: StatusLists,
                 warnings: list) -> Check:
    entries = signed.status_entries()
    if not entries:
        warnings.append(warning("no-status"))
        return Check("status", OK, "no-status")
    if len(entries) > MAX_STATUS_ENTRIES:
        return Check("status", UNKNOWN, "too-many-status-entries",
                     f"{len(entries)} status entries; at most {MAX_STATUS_ENTRIES} are read.")
    valid = [e for e in entries if isinstance(e, StatusEntry)]
    unknown = [e for e in entries if isinstance(e, StatusUnknown)]
    urls = list(dict.fromkeys(e.url for e in valid))
    fetched = fetch_status_lists(urls) if urls else {}
    found: dict[str, bool] = {}
    for entry in valid:
        try:
            if lists.deadline.expired:
                raise StatusUnknown("verification-timeout", "The verification ran out of time.")
            bits = lists.bits(entry.url, entry.purpose, fetched)
            try:
                found[entry.purpose] = found.get(entry.purpose, False) or bitstring.get_bit(bits, entry.index)
            except McredError as exc:
                raise StatusUnknown("status-list-invalid", exc.detail) from exc
        except StatusUnknown as exc:
            unknown.append(exc)
    if found.get("revocation"):
        return Check("status", FAILED, "revoked", data={"purpose": "revocation"})
    if found.get("suspension"):
        return Check("status", FAILED, "suspended", data={"purpose": "suspension"})
    if unknown:
        first = unknown[0]
        warnings.append(warning(first.code, first.detail))
        return Check("status", UNKNOWN, first.code, "; ".join(u.detail for u in unknown))
    return Check("status", OK, "not-revoked", data={"checkedPurposes": sorted(found)})
