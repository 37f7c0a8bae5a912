"""Verifying a presentation: its proof (purpose ``authentication``, the expected ``challenge`` and ``domain``), its
holder, and every credential in it (VC Data Model 2.0 section 4.13; VC Data Integrity 1.0 section 4.5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from app.domain import iris
from app.domain.deadline import Deadline
from app.domain.jsonld import DEFAULT_LIMITS, DocumentLoader, Limits, as_list
from app.domain.proof_checks import ProofCheck
from app.domain.signed import NotReadable, read
from app.domain.verification.checks import check_proofs
from app.domain.verification.credential import IssuedHere, start, verify_credential
from app.domain.verification.dids import DidCache, ResolveDid, check_issuer_key, is_did
from app.domain.verification.memo import Memo
from app.domain.verification.results import (
    FAILED,
    OK,
    Check,
    PresentationResult,
    Recognise,
    not_checked,
)
from app.domain.verification.status import FetchStatusLists


def check_holder_key(holder: str | None, proofs: list, dids: DidCache) -> Check:
    """The presentation's proof was made by a key the holder lists for ``authentication``; a presentation without
    a DID holder is reported unbound (as an issuer that is not a DID is)."""
    if holder is None or not is_did(holder):
        return Check("holder", OK, "holder-unbound", data={"holder": holder, "bound": False})
    check = check_issuer_key(holder, proofs, dids, purpose="authentication")
    return Check("holder", check.outcome, check.code.replace("issuer", "holder"), check.detail,
                 data={"holder": holder, "bound": check.outcome == OK})


def verify_presentation(presentation: Any, *, loader: DocumentLoader, resolve_did: ResolveDid,
                        fetch_status_lists: FetchStatusLists, now: datetime, limits: Limits = DEFAULT_LIMITS,
                        deadline: Deadline | None = None, recognise: Recognise | None = None,
                        missing_elements: Callable[[dict], list] | None = None, challenge: str | None = None,
                        domain: str | None = None, verified: Memo | None = None,
                        issued_here: IssuedHere | None = None) -> PresentationResult:
    now, deadline = start(presentation, "verifiablePresentation", now, deadline, limits)
    warnings: list[dict] = []
    try:
        signed = read(presentation, iris.VERIFIABLE_PRESENTATION, loader, deadline, limits, "not-a-presentation")
    except NotReadable as stop:
        return PresentationResult([not_checked("proof", "The document cannot be processed."),
                                   not_checked("holder"), Check("format", FAILED, stop.code, stop.detail, stop.data)],
                                  [], warnings)
    holders = signed.values(iris.HOLDER)
    holder = holders[0]["value"] if len(holders) == 1 else None
    dids = DidCache(resolve_did)
    expect = ProofCheck(purpose="authentication", challenge=challenge, domain=domain, now=now)
    results, proof = check_proofs(signed.document, dids.resolver_for(holder), loader=loader, expect=expect,
                                  deadline=deadline, limits=limits)
    holder_check = (Check("holder", FAILED, "holder-missing") if len(holders) > 1
                    else check_holder_key(holder, results, dids))
    embedded = [c for c in as_list(presentation.get("verifiableCredential"))]
    signed_count = len(signed.values(iris.EMBEDDED_CREDENTIAL))
    if iris.VERIFIABLE_PRESENTATION not in signed.types() or len(embedded) != signed_count \
            or not all(isinstance(c, dict) for c in embedded):
        fmt = Check("format", FAILED, "not-a-presentation",
                    f"The presentation shows {len(embedded)} credentials and signs {signed_count}.")
    else:
        fmt = Check("format", OK, "well-formed")
    credentials = []
    if fmt.outcome == OK:
        for credential in embedded:
            credentials.append(verify_credential(credential, loader=loader, resolve_did=resolve_did,
                                                 fetch_status_lists=fetch_status_lists, now=now, limits=limits,
                                                 deadline=deadline, recognise=recognise,
                                                 missing_elements=missing_elements, verified=verified,
                                                 issued_here=issued_here))
    return PresentationResult([proof, holder_check, fmt], credentials, warnings, holder)
