"""The proof and validity checks of one credential (or status list credential), on what was signed.

VC Data Integrity 1.0, section 4.5 (the proofs); VC Data Model 1.1 section 7.1 and 2.0 section 4.9 (validity: every
``validFrom``/``issuanceDate`` and ``validUntil``/``expirationDate`` statement, under either IRI, counts, and the
strictest wins).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain import ed25519_signature_2020, eddsa_rdfc_2022
from app.domain import proof_result as pcodes
from app.domain.deadline import Deadline
from app.domain.jsonld import DocumentLoader, Limits
from app.domain.proof_checks import CLOCK_SKEW, ProofCheck, Resolver, verify_all
from app.domain.signed import Signed
from app.domain.verification.results import FAILED, OK, UNKNOWN, Check
from app.errors import UpstreamUnavailable

# The Data Integrity cryptosuites a proof may use.
SUITES = [eddsa_rdfc_2022.SUITE, ed25519_signature_2020.SUITE]


def check_proofs(document: dict, resolve_verification_method: Resolver, *, loader: DocumentLoader,
                 expect: ProofCheck, deadline: Deadline, limits: Limits) -> tuple[list, Check]:
    """Every proof of ``document`` verified (section 4.5) and the one "proof" check of them: (results, check). A DID
    document that cannot be fetched leaves the proof unknown (did-unavailable), never invalid."""
    try:
        results = verify_all(document, SUITES, loader=loader, resolve_verification_method=resolve_verification_method,
                             expect=expect, deadline=deadline, limits=limits)
    except UpstreamUnavailable as exc:
        return [], Check("proof", UNKNOWN, "did-unavailable", exc.detail)
    return results, proof_check(results)


def proof_check(results: list) -> Check:
    if not results:
        return Check("proof", FAILED, pcodes.PROOF_MISSING)
    failed = [r for r in results if not r.verified]
    data: dict[str, Any] = {"proofs": len(results)}
    first = (failed or results)[0]
    if first.verification_method:
        data["verificationMethod"] = first.verification_method
    options = first.options or {}
    for key in ("type", "cryptosuite", "created"):
        if options.get(key):
            data["proofType" if key == "type" else key] = options[key]
    if failed:
        return Check("proof", FAILED, failed[0].code, failed[0].message, data=data)
    return Check("proof", OK, "proof-valid", data=data)


def check_validity(signed: Signed, now: datetime) -> Check:
    try:
        starts, ends = signed.validity().parsed()
    except (ValueError, TypeError) as exc:
        return Check("validity", FAILED, "invalid-date", str(exc))
    data = {"validFrom": max(starts, key=lambda s: s[2])[1] if starts else None,
            "validUntil": min(ends, key=lambda e: e[2])[1] if ends else None}
    data = {k: v for k, v in data.items() if v}
    for name, value, start in starts:
        if start > now + CLOCK_SKEW:
            return Check("validity", FAILED, "not-yet-valid", f"{name} is {value}.", data=data)
    for name, value, end in ends:
        if end < now:
            return Check("validity", FAILED, "expired", f"{name} was {value}.", data=data)
    return Check("validity", OK, "valid-period" if ends else "no-expiry", data=data)


def valid_until(signed: Signed) -> datetime | None:
    """The earliest end of validity (None when there is none, or one cannot be read)."""
    try:
        _, ends = signed.validity().parsed()
    except (ValueError, TypeError):
        return None
    return min((e[2] for e in ends), default=None)
