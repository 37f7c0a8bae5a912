"""Verifying a credential: a pipeline of checks over what was signed.

Pure and synchronous (no HTTP, no database): the caller hands in the JSON-LD document loader (pinned contexts
only), ``resolve_did(did) -> DID document | None``, ``fetch_status_lists(urls) -> {url: document | McredError}``,
``recognise(did) -> RecognisedIssuer | None`` (this service's institutions and the operator's trust list), the
time and a ``Deadline`` for the whole verification.

The pipeline (VC Data Model 1.1/2.0; VC Data Integrity 1.0, section 4.5; Bitstring Status List v1.0, section 3.2):

1. ``proof``: the document's statements are computed once (app.domain.signed.read: pinned contexts, nothing
   dropped); every proof is verified over them (proof sets and chains), its options read from what was signed.
   A document that cannot be processed fails the ``format`` check instead. Only a document the caller's
   ``issued_here`` vouches for (value for value the signed document of one of this service's credentials, as
   stored) has its statements filled into a template (app.domain.rdf_templates.statements, as its signing did);
   if any of its proofs then fails, it is verified again from statements computed afresh, and that decides. An
   altered document is no longer the stored one: nothing anyone sends is ever judged by a template.
2. Every later check reads those statements by full IRI (app.domain.iris), never JSON keys or term names, so no
   respelling (full IRIs, aliases, ``@graph``, ``@reverse``, inline or scoped contexts naming another IRI with a
   checked term's name...) can show one thing and have another signed:
   - ``issuer``: exactly one issuer; a DID issuer must have signed with a key its DID document lists for
     ``assertionMethod``. An issuer that is not a DID cannot be bound to the key (reported, not failed);
   - ``format``: a credential node typed VerifiableCredential, non-empty subjects, the objects the data model
     requires to be typed are typed; Annex I elements an ELM credential lacks are warnings;
   - ``validity``: every validFrom/issuanceDate and validUntil/expirationDate statement; the strictest wins;
   - ``status``: app.domain.verification.status.
3. Trust: whether the issuer is one this service recognises, and whether every name the credential gives its
   issuer and awarding bodies is the recognised one (app.domain.verification.names).

Hostile input (too large, too deep, too many values or statements, too slow) raises LimitExceeded: that is a
refusal of the request, not a verification result.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from app.domain import iris
from app.domain.deadline import Deadline
from app.domain.json_digest import digest
from app.domain.jsonld import DEFAULT_LIMITS, DocumentLoader, Limits
from app.domain.proof_checks import ProofCheck, check_times
from app.domain.proof_result import ProofFailure
from app.domain.signed import NotReadable, Signed, credential_problems, is_elm, read
from app.domain.verification.checks import check_proofs, check_validity
from app.domain.verification.dids import DidCache, ResolveDid, check_issuer_key
from app.domain.verification.memo import Memo
from app.domain.verification.names import differing_names
from app.domain.verification.results import (
    OK,
    FAILED,
    UNKNOWN,
    UNRECOGNISED_ISSUER,
    VERIFIED,
    Check,
    Recognise,
    VerificationResult,
    not_checked,
    warning,
)
from app.domain.verification.status import FetchStatusLists, StatusLists, check_status
from app.errors import InvalidInput, McredError


def start(document: Any, name: str, now: datetime, deadline: Deadline | None,
          limits: Limits) -> tuple[datetime, Deadline]:
    """A verification's time (UTC) and deadline; a document that is not a JSON object is refused (InvalidInput)."""
    if not isinstance(document, dict):
        raise InvalidInput(f"`{name}` must be a JSON object.", errors=[{"field": name, "message": "must be an object"}])
    return (now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now), deadline or Deadline(limits.max_seconds)


def _name_warning(differences: list[dict]) -> dict:
    shown = "; ".join(f"{d['field']}: «{d['name']}»" + (f" ({d['language']})" if d.get("language") else "")
                      + (" — " + ", ".join(d["characters"]) if d.get("characters") else "") for d in differences)
    w = warning("issuer-name-mismatch", f"Differs from the recognised name: {shown}.",
                fields=list(dict.fromkeys(d["field"] for d in differences)), names=differences)
    w["message"] = {lang: f"{text} {label} {shown}." for (lang, text), label in
                    zip(w["message"].items(), ("Atšķiras:", "Differs:"))}
    return w


def verify_credential(credential: Any, *, loader: DocumentLoader, resolve_did: ResolveDid,
                      fetch_status_lists: FetchStatusLists, now: datetime, limits: Limits = DEFAULT_LIMITS,
                      deadline: Deadline | None = None, recognise: Recognise | None = None,
                      missing_elements: Callable[[dict], list] | None = None,
                      expect: ProofCheck | None = None,
                      verified: Memo | None = None,
                      issued_here: IssuedHere | None = None) -> VerificationResult:
    """Run the pipeline on ``credential``; raises LimitExceeded for hostile input, InvalidInput for a non-object."""
    now, deadline = start(credential, "verifiableCredential", now, deadline, limits)
    expect = expect or ProofCheck(now=now)
    warnings: list[dict] = []
    dids = DidCache(resolve_did)
    document_digest = digest(credential) if verified is not None or issued_here is not None else None
    key = ("credential", document_digest, expect.purpose, expect.challenge, expect.domain) \
        if verified is not None else None
    authentic = _still_authentic(verified.get(key, now) if key else None, dids, now)
    if authentic is not None:  # this exact document was verified against this same DID document before
        signed, results, proof, issuer_check = authentic
        issuer = signed.issuer()
    else:
        own = issued_here is not None and issued_here(document_digest)
        for templated in (True, False) if own else (False,):
            try:
                signed = read(credential, iris.VERIFIABLE_CREDENTIAL, loader, deadline, limits, "not-a-credential",
                              templated=templated)
            except NotReadable as stop:
                if templated:
                    continue
                return VerificationResult([not_checked("proof", "The document cannot be processed."),
                                           not_checked("issuer"),
                                           Check("format", FAILED, stop.code, stop.detail, stop.data),
                                           not_checked("validity"), not_checked("status")], warnings)
            issuer = signed.issuer()
            results, proof = check_proofs(signed.document, dids.resolver_for(issuer), loader=loader,
                                          expect=expect, deadline=deadline, limits=limits)
            if proof.outcome == OK:
                break  # else, from a template: once more from statements computed afresh, which decide
        if proof.code == "did-unavailable":
            issuer_check = Check("issuer", UNKNOWN, "did-unavailable", proof.detail)
        else:
            issuer_check = check_issuer_key(issuer, results, dids)
        if key and proof.outcome == OK and issuer_check.outcome == OK and issuer_check.data.get("bound"):
            # remembered without the document's statements, which the later checks no longer need
            kept = Signed(None, signed.graph, signed.node, signed.view)
            verified.put(key, (kept, results, proof, issuer_check, digest(dids.document(issuer))))
    problems = credential_problems(signed, credential)
    fmt = (Check("format", FAILED, "not-a-credential", "; ".join(problems)) if problems
           else Check("format", OK, "well-formed"))
    if is_elm(credential, signed) and missing_elements is not None:
        try:
            missing = list(missing_elements(signed.view) or [])
        except Exception as exc:  # an odd ELM document: say so, never crash the verification
            missing, detail = ["unreadable"], f"The ELM document cannot be read: {exc}"
        else:
            detail = "Missing: " + ", ".join(map(str, missing))
        if missing:
            warnings.append(warning("elm-elements-missing", detail, missing=missing))
    validity = check_validity(signed, now)
    if proof.outcome == OK and issuer_check.outcome == OK and fmt.outcome == OK:
        lists = StatusLists(issuer, loader, dids, now, deadline, limits, verified)
        status = check_status(signed, fetch_status_lists, lists, warnings)
    else:  # vc-js: nothing is fetched for a credential whose proof or issuer has already failed
        status = not_checked("status", "The status is only read for a credential whose proof and issuer hold.")
    checks = [proof, issuer_check, fmt, validity, status]
    result = VerificationResult(checks=checks, warnings=warnings, issuer=issuer, view=signed.view)
    if issuer and result.verdict in (VERIFIED, UNRECOGNISED_ISSUER):
        result.recognised = recognise(issuer) if recognise is not None and issuer_check.data.get("bound") else None
        if result.recognised is None:
            warnings.append(warning("issuer-not-recognised"))
        else:
            result.name_differences = differing_names(signed.graph, signed.node, result.recognised)
            result.names_match = not result.name_differences
            if result.name_differences:
                warnings.append(_name_warning(result.name_differences))
    if any(c.outcome == UNKNOWN for c in checks):
        warnings.append(warning("verification-incomplete"))
    return result


# Whether a document with this digest (app.domain.json_digest) is, value for value, the signed document of a
# credential this service issued and stored.
IssuedHere = Callable[[str], bool]


def _still_authentic(entry: tuple | None, dids: DidCache, now: datetime) -> tuple | None:
    """A remembered authentic verification, if the issuer's DID document is still the one it was checked against
    and its proofs' own times still hold now."""
    if entry is None:
        return None
    signed, results, proof, issuer_check, did_digest = entry
    try:
        if digest(dids.document(signed.issuer())) != did_digest:
            return None
        for result in results:
            check_times(result.options or {}, now)
    except (McredError, ProofFailure):
        return None
    return signed, results, proof, issuer_check
