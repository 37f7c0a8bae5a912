"""Verifying a credential: five independent checks, each ok / failed / unknown with a code and lv/en messages.

Pure and synchronous (no HTTP, no database): the caller hands in the JSON-LD document loader (pinned contexts
only), ``resolve_did(did) -> DID document | None`` and ``fetch_status_list(url) -> status list credential``.

The checks (VC Data Model 1.1/2.0, VC Data Integrity 1.0 section 4.5, Bitstring Status List v1.0 section 3.2):

- ``proof``: the single embedded proof (``DataIntegrityProof``/``eddsa-rdfc-2022`` in VC 1.1 and 2.0 credentials,
  or ``Ed25519Signature2020``): signature, verification method, proof purpose ``assertionMethod``, created date;
- ``issuer``: the issuer is a DID (did:key, did:web) that resolves, and the proof's key is one of the issuer's
  own keys listed for ``assertionMethod``;
- ``format``: a VC shape, every @context one this service pins, no term JSON-LD would silently drop, and for ELM
  credentials the micro-credential elements of EU Council Recommendation 2022/C 243/02 Annex I;
- ``validity``: validFrom/issuanceDate and validUntil/expirationDate; "expired" is its own failure, never "forged";
- ``status``: every credentialStatus entry read from its status list, whose own proof is verified and whose issuer
  must be the credential's issuer. A list that cannot be read or trusted gives ``unknown``: never "not revoked".

Policy for ``unknown`` (documented in the API): a credential is ``verified`` only when every check is ``ok``; an
``unknown`` check (status list unreachable, issuer's DID document unreachable) makes ``verified`` false with the
verdict ``unknown``, and a warning says the result may change when the remote document can be read again.

Hostile input (too large, too deep, too many nodes, canonicalization too slow) raises LimitExceeded: that is a
refusal of the request, not a verification result.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from app.domain import (
    bitstring,
    did_key,
    did_web,
    ed25519_signature_2020,
    eddsa_rdfc_2022,
)
from app.domain import proof_result as pcodes
from app.domain.jsonld import (
    DEFAULT_LIMITS,
    DocumentLoader,
    Limits,
    as_list,
    check_limits,
    find_undefined_terms,
)
from app.domain.proof_checks import CLOCK_SKEW
from app.domain.proof_result import ProofResult
from app.domain.timefmt import parse_datetime_stamp
from app.errors import (
    InvalidInput,
    JsonLdRefused,
    LimitExceeded,
    McredError,
    UpstreamUnavailable,
)

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
ELM_CONTEXTS = ("http://data.europa.eu/snb/model/context/edc-ap", "https://data.europa.eu/snb/model/context/edc-ap")

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"
CHECK_NAMES = ("proof", "issuer", "format", "validity", "status")

# Verdicts, for people (the page) and machines ("verdict" in the API result).
VERIFIED, INVALID, REVOKED, SUSPENDED, EXPIRED, NOT_YET_VALID, UNVERIFIABLE, INCOMPLETE = (
    "verified", "invalid", "revoked", "suspended", "expired", "not-yet-valid", "unknown", "incomplete")

ResolveDid = Callable[[str], "dict | None"]
FetchStatusList = Callable[[str], dict]


# --- human messages (lv, en) per code ------------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    # proof
    "proof-valid": ("Elektroniskais paraksts ir īsts: dati nav mainīti kopš izsniegšanas.",
                    "The digital signature is genuine: the data have not changed since issuance."),
    pcodes.SIGNATURE_INVALID: ("Paraksts neatbilst datiem: apliecinājums ir mainīts vai parakstīts ar citu atslēgu.",
                               "The signature does not match the data: the credential was altered or signed by "
                               "another key."),
    pcodes.PROOF_MISSING: ("Apliecinājumam nav elektroniskā paraksta.", "The credential has no digital signature."),
    pcodes.PROOF_SET_UNSUPPORTED: ("Apliecinājumam ir vairāki paraksti; tiek pieņemts tikai viens.",
                                   "The credential carries several proofs; only a single proof is supported."),
    pcodes.UNSUPPORTED_CRYPTOSUITE: ("Paraksta veids netiek atbalstīts.", "The proof type is not supported."),
    pcodes.PROOF_MALFORMED: ("Paraksts ir bojāts vai nepilnīgs.", "The proof is malformed or incomplete."),
    pcodes.PROOF_CONTEXT_MISMATCH: ("Paraksta konteksts neatbilst dokumentam.",
                                    "The proof's context does not match the document."),
    pcodes.CREATED_IN_FUTURE: ("Paraksta izveides datums ir nākotnē.", "The proof's creation date is in the future."),
    pcodes.PROOF_EXPIRED: ("Paraksta derīgums ir beidzies.", "The proof itself has expired."),
    pcodes.PURPOSE_MISMATCH: ("Paraksts nav paredzēts apliecinājumu izsniegšanai (assertionMethod).",
                              "The proof was not made for issuing credentials (assertionMethod)."),
    pcodes.UNKNOWN_VERIFICATION_METHOD: ("Parakstītāja atslēga nav atrodama.",
                                         "The signing key could not be found."),
    pcodes.UNSUPPORTED_VERIFICATION_METHOD: ("Parakstītāja atslēga nav derīga Ed25519 atslēga.",
                                             "The signing key is not a usable Ed25519 key."),
    "did-unavailable": ("Izsniedzēja DID dokumentu pašlaik nevar nolasīt; pārbaudi atkārtojiet vēlāk.",
                        "The issuer's DID document cannot be read right now; try again later."),
    "not-checked": ("Nevarēja pārbaudīt, jo dokumentu nevar apstrādāt.",
                    "Could not be checked because the document cannot be processed."),
    # issuer
    "issuer-key-valid": ("Izsniedzējs ir identificēts, un parakstītāja atslēga pieder izsniedzējam.",
                         "The issuer is identified and the signing key belongs to the issuer."),
    "issuer-missing": ("Apliecinājumā nav norādīts izsniedzējs.", "The credential names no issuer."),
    "unsupported-did-method": ("Izsniedzēja identifikatora veids netiek atbalstīts (tikai did:key un did:web).",
                               "The issuer's identifier type is not supported (only did:key and did:web)."),
    "did-not-found": ("Izsniedzēja DID dokuments nav atrasts.", "The issuer's DID document was not found."),
    "did-invalid": ("Izsniedzēja DID ir nederīgs.", "The issuer's DID is invalid."),
    "did-document-mismatch": ("Izsniedzēja DID dokuments apraksta citu identifikatoru.",
                              "The issuer's DID document describes another identifier."),
    "key-not-issuers": ("Apliecinājums parakstīts ar atslēgu, kas nepieder izsniedzējam.",
                        "The credential was signed with a key that does not belong to the issuer."),
    "key-not-authorized": ("Izsniedzējs nav pilnvarojis šo atslēgu izsniegt apliecinājumus.",
                           "The issuer has not authorised this key to issue credentials."),
    # format
    "well-formed": ("Dokuments ir pareizi veidots, izmanto tikai zināmus kontekstus un neko nezaudē.",
                    "The document is well-formed, uses only known contexts and loses no data."),
    "not-a-credential": ("Dokuments nav pareizi veidots verificējams apliecinājums.",
                         "The document is not a well-formed verifiable credential."),
    "unknown-context": ("Dokuments izmanto nezināmu JSON-LD kontekstu.", "The document uses an unknown JSON-LD context."),
    "undefined-terms": ("Dokumentā ir lauki, kurus neviens konteksts nedefinē, tāpēc paraksts tos neaptver.",
                        "The document has terms no context defines, so the signature does not cover them."),
    "invalid-jsonld": ("Dokuments nav derīgs JSON-LD.", "The document is not valid JSON-LD."),
    "elm-elements-missing": ("Apliecinājumā trūkst obligāto mikrokvalifikācijas elementu.",
                             "Mandatory micro-credential elements are missing."),
    # validity
    "valid-period": ("Apliecinājums ir derīguma termiņā.", "The credential is within its validity period."),
    "no-expiry": ("Apliecinājums ir derīgs, un tam nav beigu termiņa.",
                  "The credential is valid and does not expire."),
    "expired": ("Apliecinājuma derīguma termiņš ir beidzies.", "The credential has expired."),
    "not-yet-valid": ("Apliecinājums vēl nav stājies spēkā.", "The credential is not valid yet."),
    "invalid-date": ("Apliecinājuma derīguma datums ir nederīgs.", "A validity date of the credential is invalid."),
    # status
    "not-revoked": ("Izsniedzējs apliecinājumu nav atsaucis un nav apturējis.",
                    "The issuer has not revoked or suspended the credential."),
    "no-status": ("Apliecinājumam nav statusa ieraksta: izsniedzējs to nevar atsaukt.",
                  "The credential has no status entry: the issuer cannot revoke it."),
    "revoked": ("Izsniedzējs apliecinājumu ir atsaucis.", "The issuer has revoked the credential."),
    "suspended": ("Izsniedzējs apliecinājuma darbību ir apturējis.", "The issuer has suspended the credential."),
    "status-list-unavailable": ("Statusa sarakstu pašlaik nevar nolasīt: nav zināms, vai apliecinājums ir atsaukts.",
                                "The status list cannot be read right now: it is unknown whether the credential "
                                "is revoked."),
    "insecure-url": ("Statusa saraksts nav pieejams caur drošu HTTPS savienojumu, tāpēc tas netika nolasīts.",
                     "The status list is not served over secure HTTPS, so it was not read."),
    "status-list-invalid": ("Statusa saraksts nav derīgs vai nav autentisks: statuss nav zināms.",
                            "The status list is invalid or not authentic: the status is unknown."),
    "status-list-issuer-mismatch": ("Statusa sarakstu izdevis cits izsniedzējs: statuss nav zināms.",
                                    "The status list was published by another issuer: the status is unknown."),
    "status-list-expired": ("Statusa saraksta derīgums ir beidzies: statuss nav zināms.",
                            "The status list has expired: the status is unknown."),
    "unsupported-status-type": ("Statusa ieraksta veids netiek atbalstīts: statuss nav zināms.",
                                "The status entry type is not supported: the status is unknown."),
}


def message(code: str) -> dict:
    lv, en = MESSAGES.get(code, ("Pārbaude neizdevās.", "The check did not pass."))
    return {"lv": lv, "en": en}


@dataclass
class Check:
    check: str
    outcome: str
    code: str
    detail: str | None = None  # technical detail, English (from the proof suites, the JSON-LD processor, ...)
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {"check": self.check, "outcome": self.outcome, "code": self.code, "message": message(self.code)}
        if self.detail:
            out["detail"] = self.detail
        if self.data:
            out.update(self.data)
        return out


@dataclass
class VerificationResult:
    checks: list[Check]
    warnings: list[dict]
    issuer: str | None = None

    @property
    def verified(self) -> bool:
        return all(c.outcome == OK for c in self.checks)

    def by_name(self, name: str) -> Check:
        return next(c for c in self.checks if c.check == name)

    @property
    def verdict(self) -> str:
        """One word for people: invalid > revoked > suspended > expired > not-yet-valid > incomplete > unknown >
        verified. "incomplete": genuine and current, but an ELM credential lacking Annex I elements is not a
        complete EU micro-credential; that is not the same as forged, so it is not "invalid"."""
        incomplete = any(c.outcome == FAILED and c.code == "elm-elements-missing" for c in self.checks)
        if any(c.outcome == FAILED for c in self.checks if c.check in ("proof", "issuer", "format")
               and c.code != "elm-elements-missing"):
            return INVALID
        status, validity = self.by_name("status"), self.by_name("validity")
        if status.outcome == FAILED:
            return REVOKED if status.code == "revoked" else SUSPENDED
        if validity.outcome == FAILED:
            return {"expired": EXPIRED, "not-yet-valid": NOT_YET_VALID}.get(validity.code, INVALID)
        if incomplete:
            return INCOMPLETE
        if any(c.outcome != OK for c in self.checks):
            return UNVERIFIABLE
        return VERIFIED

    def to_dict(self) -> dict:
        return {"verified": self.verified, "verdict": self.verdict, "checks": [c.to_dict() for c in self.checks],
                "warnings": self.warnings}


def warning(code: str, detail: str | None = None) -> dict:
    out = {"code": code, "message": message(code)}
    if detail:
        out["detail"] = detail
    return out


# --- helpers ------------------------------------------------------------------------------------------------------


def issuer_id(credential: dict) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _did_of(did_url: str) -> str:
    return did_url.split("#", 1)[0]


class _DidCache:
    """Resolves each DID once per verification (the proof, the issuer and the status list share the answer)."""

    def __init__(self, resolve_did: ResolveDid):
        self._resolve = resolve_did
        self._docs: dict[str, Any] = {}

    def document(self, did: str) -> dict | None:
        if did not in self._docs:
            if did.startswith("did:key:"):
                self._docs[did] = did_key.did_document(did)  # pure: the DID is its key
            else:
                try:
                    self._docs[did] = self._resolve(did)
                except McredError as exc:  # remember refusals too, so they are reported consistently
                    self._docs[did] = exc
        doc = self._docs[did]
        if isinstance(doc, McredError):
            raise doc
        return doc

    def verification_method(self, vm_id: str) -> dict | None:
        if not isinstance(vm_id, str) or not (vm_id.startswith("did:key:") or vm_id.startswith("did:web:")):
            return None
        doc = self.document(_did_of(vm_id))
        if not isinstance(doc, dict):
            return None
        return did_web.verification_method_from(doc, vm_id)


def _proof_type(credential: dict) -> tuple[str | None, str | None]:
    proofs = as_list(credential.get("proof"))
    proof = proofs[0] if len(proofs) == 1 and isinstance(proofs[0], dict) else {}
    return proof.get("type"), proof.get("cryptosuite")


def verify_proof(document: dict, *, loader: DocumentLoader, resolve_vm: Callable[[str], dict | None],
                 now: datetime, limits: Limits) -> ProofResult:
    """Dispatch on the proof type; raises what the suites raise for documents that cannot be processed."""
    ptype, suite = _proof_type(document)
    if ptype == ed25519_signature_2020.PROOF_TYPE:
        verifier = ed25519_signature_2020.verify_proof
    else:  # eddsa-rdfc-2022 also reports missing proofs and unsupported suites with its stable codes
        verifier = eddsa_rdfc_2022.verify_proof
    return verifier(document, loader=loader, resolve_verification_method=resolve_vm, limits=limits, now=now,
                    expected_proof_purpose="assertionMethod")


# --- the checks ---------------------------------------------------------------------------------------------------


def _check_proof(credential, loader, dids: _DidCache, now, limits) -> tuple[Check, bool]:
    """The proof check, and whether the document itself got through safe canonicalization."""
    try:
        result = verify_proof(credential, loader=loader, resolve_vm=dids.verification_method, now=now, limits=limits)
    except LimitExceeded:
        raise
    except UpstreamUnavailable as exc:
        return Check("proof", UNKNOWN, "did-unavailable", exc.detail), False
    except McredError as exc:  # the document cannot be processed: the format check says why
        return Check("proof", UNKNOWN, "not-checked", exc.detail), False
    data = {"verificationMethod": result.verification_method} if result.verification_method else {}
    if result.proof:
        data["proofType"] = result.proof.get("type")
        if result.proof.get("cryptosuite"):
            data["cryptosuite"] = result.proof.get("cryptosuite")
        if result.proof.get("created"):
            data["created"] = result.proof.get("created")
    canonicalized = result.verified or result.code == pcodes.SIGNATURE_INVALID
    if result.verified:
        return Check("proof", OK, "proof-valid", data=data), canonicalized
    return Check("proof", FAILED, result.code, result.message, data=data), canonicalized


def check_issuer_key(issuer: str | None, vm_id: str | None, dids: _DidCache) -> Check:
    """The issuer's DID resolves and names ``vm_id`` among its assertion methods."""
    if not issuer:
        return Check("issuer", FAILED, "issuer-missing")
    if not (issuer.startswith("did:key:") or issuer.startswith("did:web:")):
        return Check("issuer", FAILED, "unsupported-did-method", f"The issuer {issuer!r} is not a did:key or did:web.")
    try:
        doc = dids.document(issuer)
    except UpstreamUnavailable as exc:
        return Check("issuer", UNKNOWN, "did-unavailable", exc.detail)
    except McredError as exc:
        return Check("issuer", FAILED, "did-invalid", exc.detail)
    if not isinstance(doc, dict):
        return Check("issuer", FAILED, "did-not-found", f"No DID document for {issuer}.")
    if doc.get("id") != issuer:
        return Check("issuer", FAILED, "did-document-mismatch", f"The DID document's id is {doc.get('id')!r}.")
    if not vm_id:
        return Check("issuer", UNKNOWN, "not-checked", "The proof names no verification method to check.")
    if _did_of(vm_id) != issuer:
        return Check("issuer", FAILED, "key-not-issuers", f"{vm_id} is not a key of {issuer}.")
    if did_web.verification_method_from(doc, vm_id) is None:
        return Check("issuer", FAILED, "key-not-issuers", f"{issuer}'s DID document does not list {vm_id}.")
    allowed = set()
    for ref in as_list(doc.get("assertionMethod")):
        ref_id = ref.get("id") if isinstance(ref, dict) else ref
        if isinstance(ref_id, str):
            allowed.add(issuer + ref_id if ref_id.startswith("#") else ref_id)
    if vm_id not in allowed:
        return Check("issuer", FAILED, "key-not-authorized", f"{vm_id} is not listed under assertionMethod.")
    return Check("issuer", OK, "issuer-key-valid", data={"issuer": issuer})


def _check_format(credential: dict, loader, canonicalized: bool,
                  missing_elements: Callable[[dict], list] | None) -> Check:
    ctx = as_list(credential.get("@context"))
    if not ctx or ctx[0] not in (VC1, VC2):
        return Check("format", FAILED, "not-a-credential", f"The first @context must be {VC1} or {VC2}.")
    if "VerifiableCredential" not in as_list(credential.get("type")):
        return Check("format", FAILED, "not-a-credential", "The type must include VerifiableCredential.")
    if not isinstance(credential.get("credentialSubject"), (dict, list)) or not credential.get("credentialSubject"):
        return Check("format", FAILED, "not-a-credential", "The credential has no credentialSubject.")
    if not canonicalized:  # the proof check did not get that far: probe for unknown contexts and dropped terms
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        try:
            undefined = find_undefined_terms(unsecured, loader)
        except LimitExceeded:
            raise
        except JsonLdRefused as exc:
            code = exc.slug if exc.slug in ("unknown-context", "undefined-terms") else "invalid-jsonld"
            return Check("format", FAILED, code, exc.detail)
        except McredError as exc:
            return Check("format", FAILED, "invalid-jsonld", exc.detail)
        if undefined:
            return Check("format", FAILED, "undefined-terms", "Undefined: " + ", ".join(undefined),
                         data={"terms": undefined})
    if is_elm(credential) and missing_elements is not None:
        try:
            missing = list(missing_elements(credential) or [])
        except Exception as exc:  # a malformed ELM document: report, never crash the verification
            return Check("format", FAILED, "elm-elements-missing", f"The ELM document cannot be read: {exc}")
        if missing:
            return Check("format", FAILED, "elm-elements-missing", "Missing: " + ", ".join(map(str, missing)),
                         data={"missing": missing})
    return Check("format", OK, "well-formed")


def is_elm(credential: dict) -> bool:
    ctx = as_list(credential.get("@context"))
    return any(c in ELM_CONTEXTS for c in ctx) or "EuropeanDigitalCredential" in as_list(credential.get("type"))


def _parse_date(value) -> datetime:
    return parse_datetime_stamp(value)


def _check_validity(credential: dict, now: datetime) -> Check:
    starts, ends = [], []
    try:
        for name in ("validFrom", "issuanceDate"):
            if name in credential:
                starts.append((name, _parse_date(credential[name])))
        for name in ("validUntil", "expirationDate"):
            if name in credential:
                ends.append((name, _parse_date(credential[name])))
    except ValueError as exc:
        return Check("validity", FAILED, "invalid-date", str(exc))
    data = {n: credential[n] for n, _ in starts + ends}
    for name, start in starts:
        if start > now + CLOCK_SKEW:
            return Check("validity", FAILED, "not-yet-valid", f"{name} is {credential[name]}.", data=data)
    for name, end in ends:
        if end < now:
            return Check("validity", FAILED, "expired", f"{name} was {credential[name]}.", data=data)
    return Check("validity", OK, "valid-period" if ends else "no-expiry", data=data)


# --- status -------------------------------------------------------------------------------------------------------

_ENTRY_TYPES = {"BitstringStatusListEntry": "BitstringStatusListCredential",
                "StatusList2021Entry": "StatusList2021Credential"}


class _StatusUnknown(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


def _read_status_list(url: str, purpose: str, issuer: str | None, fetch: FetchStatusList, loader,
                      dids: _DidCache, now: datetime, limits: Limits, lists: dict) -> bytes:
    """The verified bitstring of the list at ``url`` (memoized per verification)."""
    if url in lists:
        return lists[url]
    try:
        doc = fetch(url)
    except UpstreamUnavailable as exc:
        raise _StatusUnknown("status-list-unavailable", exc.detail) from exc
    except LimitExceeded as exc:
        raise _StatusUnknown("status-list-invalid", exc.detail) from exc
    except McredError as exc:
        code = exc.slug if exc.slug in MESSAGES else "status-list-unavailable"
        raise _StatusUnknown(code, exc.detail) from exc
    if not isinstance(doc, dict):
        raise _StatusUnknown("status-list-invalid", "The status list is not a JSON object.")
    if issuer_id(doc) != issuer:
        raise _StatusUnknown("status-list-issuer-mismatch",
                             f"The status list's issuer is {issuer_id(doc)!r}, the credential's is {issuer!r}.")
    try:
        check_limits(doc, limits)
        result = verify_proof(doc, loader=loader, resolve_vm=dids.verification_method, now=now, limits=limits)
    except UpstreamUnavailable as exc:
        raise _StatusUnknown("status-list-unavailable", exc.detail) from exc
    except McredError as exc:
        raise _StatusUnknown("status-list-invalid", f"The status list cannot be processed: {exc.detail}") from exc
    if not result.verified:
        raise _StatusUnknown("status-list-invalid", f"The status list's proof: {result.message}")
    key = check_issuer_key(issuer, result.verification_method, dids)
    if key.outcome != OK:
        raise _StatusUnknown("status-list-invalid", f"The status list's signing key: {key.detail or key.code}")
    validity = _check_validity(doc, now)
    if validity.outcome != OK:
        code = "status-list-expired" if validity.code == "expired" else "status-list-invalid"
        raise _StatusUnknown(code, f"The status list: {validity.detail}")
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        raise _StatusUnknown("status-list-invalid", "The status list has no credentialSubject.")
    list_purposes = as_list(subject.get("statusPurpose"))
    if purpose not in list_purposes:
        raise _StatusUnknown("status-list-invalid", f"The list's statusPurpose is {list_purposes}, not {purpose!r}.")
    encoded = subject.get("encodedList")
    if isinstance(encoded, str) and not encoded.startswith("u"):
        encoded = "u" + encoded  # StatusList2021 predates the multibase prefix
    try:
        bits = bitstring.decode(encoded)
    except McredError as exc:
        raise _StatusUnknown("status-list-invalid", exc.detail) from exc
    lists[url] = bits
    return bits


def _check_status(credential: dict, fetch: FetchStatusList, loader, dids: _DidCache, now: datetime,
                  limits: Limits, warnings: list) -> Check:
    entries = as_list(credential.get("credentialStatus"))
    if not entries:
        warnings.append(warning("no-status"))
        return Check("status", OK, "no-status")
    issuer = issuer_id(credential)
    found: dict[str, bool] = {}
    unknown: list[_StatusUnknown] = []
    lists: dict[str, bytes] = {}
    for entry in entries:
        try:
            if not isinstance(entry, dict) or entry.get("type") not in _ENTRY_TYPES:
                etype = entry.get("type") if isinstance(entry, dict) else None
                raise _StatusUnknown("unsupported-status-type", f"Status entry type {etype!r} is not supported.")
            purpose = entry.get("statusPurpose")
            if purpose not in ("revocation", "suspension"):
                raise _StatusUnknown("unsupported-status-type", f"Status purpose {purpose!r} is not supported.")
            if str(entry.get("statusSize", 1)) != "1":
                raise _StatusUnknown("unsupported-status-type", "Only 1-bit status entries are supported.")
            url = entry.get("statusListCredential")
            index = entry.get("statusListIndex")
            if not isinstance(url, str) or not isinstance(index, (str, int)) or not str(index).isdigit():
                raise _StatusUnknown("status-list-invalid", "The status entry lacks its list URL or index.")
            bits = _read_status_list(url, purpose, issuer, fetch, loader, dids, now, limits, lists)
            try:
                found[purpose] = found.get(purpose, False) or bitstring.get_bit(bits, int(str(index)))
            except McredError as exc:
                raise _StatusUnknown("status-list-invalid", exc.detail) from exc
        except _StatusUnknown as exc:
            unknown.append(exc)
    if found.get("revocation"):
        return Check("status", FAILED, "revoked")
    if found.get("suspension"):
        return Check("status", FAILED, "suspended")
    if unknown:
        first = unknown[0]
        warnings.append(warning(first.code, first.detail))
        return Check("status", UNKNOWN, first.code, "; ".join(u.detail for u in unknown))
    return Check("status", OK, "not-revoked", data={"checkedPurposes": sorted(found)})


# --- the whole verification ---------------------------------------------------------------------------------------


def verify_credential(credential: Any, *, loader: DocumentLoader, resolve_did: ResolveDid,
                      fetch_status_list: FetchStatusList, now: datetime, limits: Limits = DEFAULT_LIMITS,
                      missing_elements: Callable[[dict], list] | None = None) -> VerificationResult:
    """Run every check on ``credential``; raises LimitExceeded for hostile input, InvalidInput for a non-object."""
    if not isinstance(credential, dict):
        raise InvalidInput("`verifiableCredential` must be a JSON object.",
                           errors=[{"field": "verifiableCredential", "message": "must be an object"}])
    check_limits(credential, limits)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    credential = copy.deepcopy(credential)
    dids = _DidCache(resolve_did)
    warnings: list[dict] = []

    proof, canonicalized = _check_proof(credential, loader, dids, now, limits)
    issuer = issuer_id(credential)
    vm = proof.data.get("verificationMethod")
    if vm is None:  # the proof check stopped early: take the key the proof names, if any
        proofs = as_list(credential.get("proof"))
        if len(proofs) == 1 and isinstance(proofs[0], dict):
            vm = proofs[0].get("verificationMethod")
            vm = vm.get("id") if isinstance(vm, dict) else vm
    issuer_check = check_issuer_key(issuer, vm if isinstance(vm, str) else None, dids)
    fmt = _check_format(credential, loader, canonicalized, missing_elements)
    validity = _check_validity(credential, now)
    status = _check_status(credential, fetch_status_list, loader, dids, now, limits, warnings)
    checks = [proof, issuer_check, fmt, validity, status]
    if any(c.outcome == UNKNOWN for c in checks) and not any(w["code"] == "verification-incomplete"
                                                              for w in warnings):
        warnings.append({"code": "verification-incomplete", "message": {
            "lv": "Daļu pārbaužu nevarēja veikt; rezultāts var mainīties, kad attālie dokumenti būs pieejami.",
            "en": "Some checks could not be made; the result may change once the remote documents can be read."}})
    return VerificationResult(checks=checks, warnings=warnings, issuer=issuer)

