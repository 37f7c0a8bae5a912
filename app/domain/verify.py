"""Verifying a credential or a presentation: a pipeline of checks over what was signed.

Pure and synchronous (no HTTP, no database): the caller hands in the JSON-LD document loader (pinned contexts
only), ``resolve_did(did) -> DID document | None``, ``fetch_status_lists(urls) -> {url: document | McredError}``,
``recognise(did) -> RecognisedIssuer | None`` (this service's institutions and the operator's trust list), the
time and a ``Deadline`` for the whole verification.

The pipeline (VC Data Model 1.1/2.0; VC Data Integrity 1.0, section 4.5; Bitstring Status List v1.0, section 3.2):

1. ``proof``: the document's statements are computed once (pinned contexts, nothing dropped); every proof is
   verified over them (proof sets and chains), its options read from what was signed. A document that cannot be
   processed fails the ``format`` check instead.
2. Every later check reads the *statements* (``app.domain.rdf``), never the JSON keys, so no respelling (full
   IRIs, aliases, ``@graph``, ``@reverse``…) can show one thing and have another signed:
   - ``issuer``: exactly one issuer; a DID issuer must have signed with a key its DID document lists for
     ``assertionMethod``. An issuer that is not a DID cannot be bound to the key (reported, not failed);
   - ``format``: a credential node typed VerifiableCredential, non-empty subjects, the objects the data model
     requires to be typed are typed; Annex I elements an ELM credential lacks are warnings;
   - ``validity``: validFrom/issuanceDate and validUntil/expirationDate (every value; the strictest wins);
   - ``status``: every credentialStatus entry, read from its status list, whose own proof, issuer and validity
     are checked the same way. Nothing is fetched once the proof or the issuer check has failed (as in vc-js),
     entries and lists are capped, lists fetched together; a list that cannot be read gives ``unknown``, never
     "not revoked".
3. Trust: whether the issuer is one this service recognises (its own institutions, the operator's trust list),
   and whether the names the credential gives its issuer and awarding body are the recognised ones.

``verified`` (VC API) is true when no check failed or is unknown. The ``verdict`` tells people what to do:
invalid > revoked > suspended > expired > not-yet-valid > unknown > unrecognised-issuer > verified. A genuine,
current credential from an issuer this service does not recognise (or naming its issuer or awarding body
differently than the recognised institution) gets ``unrecognised-issuer``: ``verified`` may be true, but a page
must never present it as a credential of the institution it names.

Hostile input (too large, too deep, too many values or statements, too slow) raises LimitExceeded: that is a
refusal of the request, not a verification result.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from app.domain import bitstring, did_key, did_web, ed25519_signature_2020, eddsa_rdfc_2022
from app.domain import proof_result as pcodes
from app.domain.deadline import Deadline
from app.domain.jsonld import DEFAULT_LIMITS, DocumentLoader, Limits, as_list
from app.domain.proof_checks import (
    CLOCK_SKEW,
    ProofCheck,
    SecuredDocument,
    check_times,
    take_apart,
    verify_all,
)
from app.domain.proof_result import ProofFailure
from app.domain.rdf import Graph, terms_for
from app.domain.timefmt import parse_datetime_stamp
from app.errors import InvalidInput, JsonLdRefused, LimitExceeded, McredError, UpstreamUnavailable

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
CRED = "https://www.w3.org/2018/credentials#"
ELM_CONTEXTS = ("http://data.europa.eu/snb/model/context/edc-ap", "https://data.europa.eu/snb/model/context/edc-ap")
SUITES = [eddsa_rdfc_2022.SUITE, ed25519_signature_2020.SUITE]

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"
CHECK_NAMES = ("proof", "issuer", "format", "validity", "status")
MAX_STATUS_ENTRIES = 8

# Verdicts, for people (the page) and machines ("verdict" in the API result).
(VERIFIED, UNRECOGNISED_ISSUER, INVALID, REVOKED, SUSPENDED, EXPIRED, NOT_YET_VALID, UNVERIFIABLE) = (
    "verified", "unrecognised-issuer", "invalid", "revoked", "suspended", "expired", "not-yet-valid", "unknown")

ResolveDid = Callable[[str], "dict | None"]
FetchStatusLists = Callable[[list], dict]


@dataclass(frozen=True)
class RecognisedIssuer:
    """An issuer this service vouches for: one of its own institutions, or an entry of the operator's trust list."""

    did: str
    name: dict  # {"lv": ..., "en": ...}
    source: str  # "institution" | "trust-list"
    homepage: str | None = None


Recognise = Callable[[str], "RecognisedIssuer | None"]


# --- human messages (lv, en) per code ------------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    # proof
    "proof-valid": ("Elektroniskais paraksts ir īsts: dati nav mainīti kopš izsniegšanas.",
                    "The digital signature is genuine: the data have not changed since issuance."),
    pcodes.SIGNATURE_INVALID: ("Paraksts neatbilst datiem: apliecinājums ir mainīts vai parakstīts ar citu atslēgu.",
                               "The signature does not match the data: the credential was altered or signed by "
                               "another key."),
    pcodes.PROOF_MISSING: ("Apliecinājumam nav elektroniskā paraksta.", "The credential has no digital signature."),
    pcodes.UNSUPPORTED_CRYPTOSUITE: ("Paraksta veids netiek atbalstīts.", "The proof type is not supported."),
    pcodes.PROOF_MALFORMED: ("Paraksts ir bojāts vai nepilnīgs.", "The proof is malformed or incomplete."),
    pcodes.PROOF_CONTEXT_MISMATCH: ("Paraksta konteksts neatbilst dokumentam.",
                                    "The proof's context does not match the document."),
    pcodes.CREATED_IN_FUTURE: ("Paraksta izveides datums ir nākotnē.", "The proof's creation date is in the future."),
    pcodes.PROOF_EXPIRED: ("Paraksta derīgums ir beidzies.", "The proof itself has expired."),
    pcodes.PURPOSE_MISMATCH: ("Paraksts nav paredzēts šim nolūkam.", "The proof was not made for this purpose."),
    pcodes.CHALLENGE_MISMATCH: ("Paraksts neattiecas uz šo pieprasījumu (challenge).",
                                "The proof was not made for this request (challenge)."),
    pcodes.DOMAIN_MISMATCH: ("Paraksts paredzēts citam saņēmējam (domain).",
                             "The proof was made for another recipient (domain)."),
    pcodes.PREVIOUS_PROOF_MISSING: ("Parakstu ķēdē trūkst iepriekšējā paraksta.",
                                    "A proof in the chain names a previous proof that is missing."),
    pcodes.UNKNOWN_VERIFICATION_METHOD: ("Parakstītāja atslēga nav atrodama.",
                                         "The signing key could not be found."),
    pcodes.UNSUPPORTED_VERIFICATION_METHOD: ("Parakstītāja atslēga nav derīga Ed25519 atslēga.",
                                             "The signing key is not a usable Ed25519 key."),
    "did-unavailable": ("Izsniedzēja DID dokumentu pašlaik nevar nolasīt; pārbaudi atkārtojiet vēlāk.",
                        "The issuer's DID document cannot be read right now; try again later."),
    "not-checked": ("Nav pārbaudīts, jo iepriekšēja pārbaude neizdevās.",
                    "Not checked, because an earlier check did not pass."),
    # issuer
    "issuer-key-valid": ("Parakstītāja atslēga pieder apliecinājumā norādītajam izsniedzējam.",
                         "The signing key belongs to the issuer the credential names."),
    "issuer-unbound": ("Izsniedzējs nav DID, tāpēc nevar pārbaudīt, ka atslēga pieder tam: izsniedzēja vārds ir tikai "
                       "paša apliecinājuma apgalvojums.",
                       "The issuer is not a DID, so the signing key cannot be tied to it: the issuer's name is only "
                       "the credential's own claim."),
    "issuer-missing": ("Apliecinājumā nav norādīts tieši viens izsniedzējs.", "The credential does not name exactly one "
                                                                             "issuer."),
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
    "well-formed": ("Dokuments ir pareizi veidots, un paraksts aptver visus tā datus.",
                    "The document is well-formed and the signature covers all of its data."),
    "not-a-credential": ("Dokuments nav pareizi veidots verificējams apliecinājums.",
                         "The document is not a well-formed verifiable credential."),
    "not-a-presentation": ("Dokuments nav pareizi veidota verificējama prezentācija.",
                           "The document is not a well-formed verifiable presentation."),
    "unknown-context": ("Dokuments izmanto nezināmu JSON-LD kontekstu.", "The document uses an unknown JSON-LD context."),
    "undefined-terms": ("Dokumentā ir dati, kurus paraksts neaptvertu.",
                        "The document holds data a signature would not cover."),
    "invalid-jsonld": ("Dokuments nav derīgs JSON-LD.", "The document is not valid JSON-LD."),
    "elm-elements-missing": ("Apliecinājumā trūkst elementu, kas jānorāda katrā ES mikrokvalifikācijā.",
                             "The credential lacks elements every EU micro-credential must carry."),
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
    "insecure-url": ("Statusa saraksts nav pieejams drošā, publiskā HTTPS adresē, tāpēc tas netika nolasīts.",
                     "The status list is not at a secure, public HTTPS address, so it was not read."),
    "status-list-invalid": ("Statusa saraksts nav derīgs vai nav autentisks: statuss nav zināms.",
                            "The status list is invalid or not authentic: the status is unknown."),
    "status-list-issuer-mismatch": ("Statusa sarakstu izdevis cits izsniedzējs: statuss nav zināms.",
                                    "The status list was published by another issuer: the status is unknown."),
    "status-list-expired": ("Statusa saraksta derīgums ir beidzies: statuss nav zināms.",
                            "The status list has expired: the status is unknown."),
    "unsupported-status-type": ("Statusa ieraksta veids netiek atbalstīts: statuss nav zināms.",
                                "The status entry type is not supported: the status is unknown."),
    "too-many-status-entries": ("Apliecinājumam ir pārāk daudz statusa ierakstu: statuss nav zināms.",
                                "The credential has too many status entries: the status is unknown."),
    "verification-timeout": ("Pārbaude neiekļāvās laika limitā: statuss nav zināms.",
                             "The verification ran out of time: the status is unknown."),
    # trust and other warnings
    "issuer-not-recognised": ("Šis pakalpojums neatpazīst izsniedzēju: izsniedzēja nosaukums ir tikai paša "
                              "apliecinājuma apgalvojums.",
                              "This service does not recognise the issuer: the issuer's name is only the "
                              "credential's own claim."),
    "issuer-name-mismatch": ("Apliecinājumā norādītais izsniedzēja vai piešķīrējiestādes nosaukums atšķiras no "
                             "atpazītās iestādes nosaukuma.",
                             "The issuer or awarding body name the credential gives differs from the recognised "
                             "institution's name."),
    "verification-incomplete": ("Daļu pārbaužu nevarēja veikt; rezultāts var mainīties, kad attālie dokumenti būs "
                                "pieejami.",
                                "Some checks could not be made; the result may change once the remote documents "
                                "can be read."),
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


def warning(code: str, detail: str | None = None, **data) -> dict:
    out = {"code": code, "message": message(code), **data}
    if detail:
        out["detail"] = detail
    return out


@dataclass
class VerificationResult:
    checks: list[Check]
    warnings: list[dict]
    issuer: str | None = None
    recognised: RecognisedIssuer | None = None
    names_match: bool = True
    # The credential as signed (app.domain.rdf view), for display; None when the document could not be read.
    # Only what passed the proof check may be shown as fact: see ``authentic``.
    view: dict | None = None
    status_details: list[dict] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return all(c.outcome == OK for c in self.checks)

    @property
    def authentic(self) -> bool:
        """The data shown (``view``) are the signed data of a proof that verified, by a key of the issuer."""
        return self.view is not None and self.by_name("proof").outcome == OK and self.by_name("issuer").outcome == OK

    def by_name(self, name: str) -> Check:
        return next(c for c in self.checks if c.check == name)

    @property
    def verdict(self) -> str:
        if any(c.outcome == FAILED for c in self.checks if c.check in ("proof", "issuer", "format")):
            return INVALID
        status, validity = self.by_name("status"), self.by_name("validity")
        if status.outcome == FAILED:
            return REVOKED if status.code == "revoked" else SUSPENDED
        if validity.outcome == FAILED:
            return {"expired": EXPIRED, "not-yet-valid": NOT_YET_VALID}.get(validity.code, INVALID)
        if any(c.outcome != OK for c in self.checks):
            return UNVERIFIABLE
        if self.recognised is None or not self.names_match:
            return UNRECOGNISED_ISSUER
        return VERIFIED

    def issuer_info(self) -> dict:
        out: dict[str, Any] = {"id": self.issuer, "recognised": self.recognised is not None and self.names_match}
        if self.recognised is not None:
            out.update(name=self.recognised.name, source=self.recognised.source, nameMatches=self.names_match)
            if self.recognised.homepage:
                out["homepage"] = self.recognised.homepage
        return out

    def to_dict(self) -> dict:
        return {"verified": self.verified, "verdict": self.verdict, "checks": [c.to_dict() for c in self.checks],
                "warnings": self.warnings, "issuer": self.issuer_info()}


# --- helpers ------------------------------------------------------------------------------------------------------


def _did_of(did_url: str) -> str:
    return did_url.split("#", 1)[0]


def _is_did(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("did:")


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

    def looked_up(self, did: str) -> bool:
        return did in self._docs or did.startswith("did:key:")

    def resolver_for(self, issuer: str | None) -> Callable[[str], dict | None]:
        """Verification methods a proof may name: did:key (offline), or a did:web key of the issuer itself.

        A proof naming a did:web key of someone other than the issuer is not looked up at all: the verifier does
        not fetch documents a forged credential points it at.
        """

        def resolve(vm_id: str) -> dict | None:
            if not isinstance(vm_id, str) or not vm_id.startswith(("did:key:", "did:web:")):
                return None
            if vm_id.startswith("did:web:") and _did_of(vm_id) != issuer:
                raise InvalidInput(f"{vm_id} is not a key of the issuer, so it is not looked up.")
            doc = self.document(_did_of(vm_id))
            return did_web.verification_method_from(doc, vm_id) if isinstance(doc, dict) else None

        return resolve


def _first_string(values: Any) -> list[str]:
    return [v for v in as_list(values) if isinstance(v, str)]


def _node_ids(values: Any) -> list[str]:
    return [v.get("id") for v in as_list(values) if isinstance(v, dict) and isinstance(v.get("id"), str)]


def _types(node: Any) -> list[str]:
    return _first_string(node.get("type")) if isinstance(node, dict) else []


class NotReadable(Exception):
    """The document cannot be read as what it claims to be: a failed format check."""

    def __init__(self, code: str, detail: str, data: dict | None = None):
        super().__init__(detail)
        self.code, self.detail, self.data = code, detail, data or {}


def read(secured: dict, type_iri: str, loader: DocumentLoader, deadline: Deadline, limits: Limits,
         not_code: str = "not-a-credential") -> tuple[SecuredDocument, dict]:
    """The document's statements and the signed view of its one node of ``type_iri`` (a credential or a
    presentation). Raises NotReadable for a document that cannot be processed or is not one such node."""
    try:
        document = take_apart(secured, loader, deadline=deadline, limits=limits)
    except JsonLdRefused as exc:
        code = exc.slug if exc.slug in ("unknown-context", "undefined-terms") else "invalid-jsonld"
        raise NotReadable(code, exc.detail, {"terms": exc.extra["terms"]} if exc.extra.get("terms") else None) from exc
    context = as_list(secured.get("@context"))
    if not context or context[0] not in (VC1, VC2):
        raise NotReadable(not_code, f"The first @context must be {VC1} or {VC2}.")
    graph = Graph.default_graph(document.statements.dataset)
    nodes = graph.subjects_of_type(type_iri)
    if len(nodes) != 1:
        raise NotReadable(not_code, f"The document states {len(nodes)} nodes of type {type_iri.rsplit('#')[-1]}, "
                              "not exactly one.")
    return document, graph.view(nodes[0], terms_for(secured.get("@context"), loader.documents))


# --- the checks ---------------------------------------------------------------------------------------------------


def _proof_check(results: list) -> Check:
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


def issuer_of(view: dict) -> str | None:
    issuers = as_list(view.get("issuer"))
    ids = _node_ids(issuers)
    return ids[0] if len(issuers) == 1 and len(ids) == 1 and not ids[0].startswith("_:") else None


def check_issuer_key(issuer: str | None, proofs: list, dids: _DidCache, purpose: str = "assertionMethod") -> Check:
    """A DID issuer resolves and lists the key of a verified proof under ``purpose``; a non-DID issuer is
    reported as unbound (the key cannot be tied to it)."""
    if not issuer:
        return Check("issuer", FAILED, "issuer-missing")
    if not _is_did(issuer):
        return Check("issuer", OK, "issuer-unbound", f"The issuer {issuer!r} is not a DID.",
                     data={"issuer": issuer, "bound": False})
    if not (issuer.startswith("did:key:") or issuer.startswith("did:web:")):
        return Check("issuer", FAILED, "unsupported-did-method", f"The issuer {issuer!r} is not a did:key or did:web.")
    keys = [r.verification_method for r in proofs if isinstance(r.verification_method, str)]
    if not dids.looked_up(issuer):  # never fetched for a proof that failed before its key was looked up
        return Check("issuer", UNKNOWN, "not-checked", "No proof got as far as looking up the issuer's key.")
    try:
        doc = dids.document(issuer)
    except UpstreamUnavailable as exc:
        return Check("issuer", UNKNOWN, "did-unavailable", exc.detail)
    except McredError as exc:
        return Check("issuer", FAILED, "did-invalid", exc.detail)
    if not isinstance(doc, dict):
        return Check("issuer", FAILED, "did-not-found", f"No DID document for {issuer}.")
    if doc.get("id") != issuer:
        return Check("issuer", FAILED, "did-document-mismatch", f"The DID document of {issuer} names another DID.")
    allowed = set()
    for ref in as_list(doc.get(purpose)):
        ref_id = ref.get("id") if isinstance(ref, dict) else ref
        if isinstance(ref_id, str):
            allowed.add(issuer + ref_id if ref_id.startswith("#") else ref_id)
    for vm_id in keys:
        if _did_of(vm_id) == issuer and did_web.verification_method_from(doc, vm_id) is not None \
                and vm_id in allowed:
            return Check("issuer", OK, "issuer-key-valid", data={"issuer": issuer, "bound": True})
    if any(_did_of(k) == issuer and did_web.verification_method_from(doc, k) is not None for k in keys):
        return Check("issuer", FAILED, "key-not-authorized", f"No proof key is listed under {purpose}.")
    return Check("issuer", FAILED, "key-not-issuers", f"No proof was made with a key of {issuer}.")


# Objects the VC Data Model 2.0 requires to carry a type (sections 4.10-4.13, 5.3-5.6).
_TYPED = ("credentialStatus", "credentialSchema", "termsOfUse", "evidence", "refreshService")


def credential_problems(view: dict, credential: dict | None = None) -> list[str]:
    """What the VC Data Model forbids, judged on the signed view; ``credential`` (the JSON) adds the rules that are
    about the JSON itself (a refusal can only make the verdict stricter, never more lenient)."""
    problems = []
    if credential is not None and "relatedResource" in credential:
        entries = credential["relatedResource"]
        ids = [e.get("id") for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        if not isinstance(entries, list) or len(ids) != len(entries) or len(set(map(str, ids))) != len(ids):
            problems.append("relatedResource must be a list of objects, each with its own id")
    if "VerifiableCredential" not in _types(view):
        problems.append("the type must include VerifiableCredential")
    subjects = as_list(view.get("credentialSubject"))
    if not subjects:
        problems.append("the credential has no credentialSubject")
    for subject in subjects:
        # {} is a blank node about which nothing is said; a subject named by an id alone is a claim about it
        if not isinstance(subject, dict) or (str(subject.get("id", "_:")).startswith("_:") and not set(subject) - {"id"}):
            problems.append("every credentialSubject must be a non-empty object")
            break
    for name in _TYPED:
        for node in as_list(view.get(name)):
            if not isinstance(node, dict) or not _types(node):
                problems.append(f"every {name} must have a type")
                break
    related = as_list(view.get("relatedResource"))
    ids = [r.get("id") for r in related if isinstance(r, dict)]
    if related and (len(ids) != len(related) or len(set(ids)) != len(ids) or any(
            not (r.get("digestSRI") or r.get("digestMultibase")) for r in related if isinstance(r, dict))):
        problems.append("every relatedResource needs its own id and a digestSRI or digestMultibase")
    return problems


def _check_validity(view: dict, now: datetime) -> Check:
    starts, ends = [], []
    try:
        for name in ("validFrom", "issuanceDate"):
            for value in as_list(view.get(name)):
                starts.append((name, value, parse_datetime_stamp(value)))
        for name in ("validUntil", "expirationDate"):
            for value in as_list(view.get(name)):
                ends.append((name, value, parse_datetime_stamp(value)))
    except (ValueError, TypeError) as exc:
        return Check("validity", FAILED, "invalid-date", str(exc))
    data = {"validFrom": max((s for s in starts), key=lambda s: s[2])[1] if starts else None,
            "validUntil": min((e for e in ends), key=lambda e: e[2])[1] if ends else None}
    data = {k: v for k, v in data.items() if v}
    for name, value, start in starts:
        if start > now + CLOCK_SKEW:
            return Check("validity", FAILED, "not-yet-valid", f"{name} is {value}.", data=data)
    for name, value, end in ends:
        if end < now:
            return Check("validity", FAILED, "expired", f"{name} was {value}.", data=data)
    return Check("validity", OK, "valid-period" if ends else "no-expiry", data=data)


# --- status -------------------------------------------------------------------------------------------------------

_ENTRY_TYPES = {"BitstringStatusListEntry": "BitstringStatusListCredential",
                "StatusList2021Entry": "StatusList2021Credential"}


class StatusUnknown(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass
class StatusEntry:
    purpose: str
    url: str
    index: int


def status_entries(view: dict) -> list[StatusEntry | StatusUnknown]:
    out: list[StatusEntry | StatusUnknown] = []
    for entry in as_list(view.get("credentialStatus")):
        etypes = _types(entry)
        if not any(t in _ENTRY_TYPES for t in etypes):
            out.append(StatusUnknown("unsupported-status-type", f"Status entry type {etypes!r} is not supported."))
            continue
        purposes = _first_string(entry.get("statusPurpose"))
        urls = _node_ids(entry.get("statusListCredential")) or _first_string(entry.get("statusListCredential"))
        indexes = as_list(entry.get("statusListIndex"))
        sizes = as_list(entry.get("statusSize"))
        if len(purposes) != 1 or purposes[0] not in ("revocation", "suspension"):
            out.append(StatusUnknown("unsupported-status-type", f"Status purpose {purposes!r} is not supported."))
        elif sizes and [str(s) for s in sizes] != ["1"]:
            out.append(StatusUnknown("unsupported-status-type", "Only 1-bit status entries are supported."))
        elif len(urls) != 1 or len(indexes) != 1 or not _index_ok(indexes[0]):
            out.append(StatusUnknown("status-list-invalid", "The status entry lacks a single list URL and index."))
        else:
            out.append(StatusEntry(purposes[0], urls[0], int(str(indexes[0]))))
    return out


def _index_ok(value: Any) -> bool:
    # a non-negative decimal integer of sane length (the lists hold at most a few million entries)
    text = str(value)
    return isinstance(value, (str, int)) and not isinstance(value, bool) and 0 < len(text) <= 12 \
        and text.isascii() and text.isdigit()


class Memo:
    """Verification work already done, by the exact input it was done for: a bounded, thread-safe map from a key
    (digests of the documents the result depends on) to the result. A different document, a rotated key, or an
    entry past its own ``until`` simply misses."""

    def __init__(self, max_entries: int = 512):
        self._entries: dict[tuple, tuple[Any, datetime | None]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: tuple | None, now: datetime) -> Any:
        if key is None:
            return None
        with self._lock:
            hit = self._entries.get(key)
        return hit[0] if hit and (hit[1] is None or now < hit[1]) else None

    def put(self, key: tuple | None, value: Any, until: datetime | None = None) -> None:
        if key is None:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (value, until)


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class _StatusLists:
    """Reads, verifies and memoizes the status lists of one verification."""

    def __init__(self, issuer: str, loader, dids: _DidCache, now: datetime, deadline: Deadline, limits: Limits,
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
            listed, view = read(doc, CRED + "VerifiableCredential", self.loader, self.deadline, self.limits,
                                 "status-list-invalid")
            issuer = issuer_of(view)
            if issuer != self.issuer:
                raise StatusUnknown("status-list-issuer-mismatch",
                                    f"The status list at {url} is not published by the credential's issuer.")
            results = verify_all(listed, SUITES, loader=self.loader,
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
        proof = _proof_check(results)
        if proof.outcome != OK:
            raise StatusUnknown("status-list-invalid", f"The status list at {url} has no valid proof ({proof.code}).")
        key = check_issuer_key(issuer, results, self.dids)
        if key.outcome != OK:
            raise StatusUnknown("status-list-invalid", f"The status list at {url} is not signed by a key of the "
                                f"issuer ({key.code}).")
        validity = _check_validity(view, self.now)
        if validity.outcome != OK:
            code = "status-list-expired" if validity.code == "expired" else "status-list-invalid"
            raise StatusUnknown(code, f"The status list at {url} is not within its validity period ({validity.code}).")
        if not any(t in _ENTRY_TYPES.values() for t in _types(view)):
            raise StatusUnknown("status-list-invalid", "The document is not a status list credential.")
        subjects = as_list(view.get("credentialSubject"))
        if len(subjects) != 1 or not isinstance(subjects[0], dict):
            raise StatusUnknown("status-list-invalid", "The status list has no single credentialSubject.")
        subject = subjects[0]
        if purpose not in _first_string(subject.get("statusPurpose")):
            raise StatusUnknown("status-list-invalid", f"The list's statusPurpose is not {purpose!r}.")
        encoded = _first_string(subject.get("encodedList"))
        if len(encoded) != 1:
            raise StatusUnknown("status-list-invalid", "The status list has no single encodedList.")
        value = encoded[0] if encoded[0].startswith("u") else "u" + encoded[0]  # StatusList2021 has no prefix
        ends = [parse_datetime_stamp(v) for v in as_list(view.get("validUntil")) + as_list(view.get("expirationDate"))]
        try:
            return bitstring.decode(value), min(ends) if ends else None
        except McredError as exc:
            raise StatusUnknown("status-list-invalid", f"The status list at {url} has no valid encodedList.") from exc


def _check_status(view: dict, issuer: str, fetch_status_lists: FetchStatusLists, lists: _StatusLists,
                  warnings: list) -> Check:
    entries = status_entries(view)
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


# --- trust --------------------------------------------------------------------------------------------------------


def _names(value: Any) -> set[str]:
    """Every text of a name: a language map, a string or a list of them, normalised for comparison."""
    out: set[str] = set()
    for item in as_list(value):
        texts = item.values() if isinstance(item, dict) else [item]
        for text in texts:
            for t in as_list(text):
                if isinstance(t, str) and t.strip():
                    out.add(" ".join(t.split()).casefold())
    return out


def claimed_names(view: dict) -> dict[str, set[str]]:
    """The names the credential gives its issuer and (ELM) its awarding bodies."""
    issuer = next(iter(as_list(view.get("issuer"))), {})
    out = {"issuer": _names(issuer.get("legalName")) | _names(issuer.get("name"))} if isinstance(issuer, dict) else {}
    bodies: set[str] = set()
    for subject in as_list(view.get("credentialSubject")):
        for claim in as_list(subject.get("hasClaim") if isinstance(subject, dict) else None):
            for awarded in as_list(claim.get("awardedBy") if isinstance(claim, dict) else None):
                for body in as_list(awarded.get("awardingBody") if isinstance(awarded, dict) else None):
                    if isinstance(body, dict):
                        bodies |= _names(body.get("legalName")) | _names(body.get("name"))
    if bodies:
        out["awardingBody"] = bodies
    return out


def _names_match(view: dict, recognised: RecognisedIssuer, warnings: list) -> bool:
    known = _names(recognised.name)
    differing = [role for role, names in claimed_names(view).items() if names and not names & known]
    if differing:
        warnings.append(warning("issuer-name-mismatch", f"Differs from the recognised name: {', '.join(differing)}.",
                                fields=differing))
    return not differing


# --- the whole verification ---------------------------------------------------------------------------------------


def _not_checked(name: str, detail: str | None = None) -> Check:
    return Check(name, UNKNOWN, "not-checked", detail)


def _start(document: Any, name: str, now: datetime, deadline: Deadline | None,
           limits: Limits) -> tuple[datetime, Deadline]:
    """A verification's time (UTC) and deadline; a document that is not a JSON object is refused (InvalidInput)."""
    if not isinstance(document, dict):
        raise InvalidInput(f"`{name}` must be a JSON object.", errors=[{"field": name, "message": "must be an object"}])
    return (now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now), deadline or Deadline(limits.max_seconds)


def verify_credential(credential: Any, *, loader: DocumentLoader, resolve_did: ResolveDid,
                      fetch_status_lists: FetchStatusLists, now: datetime, limits: Limits = DEFAULT_LIMITS,
                      deadline: Deadline | None = None, recognise: Recognise | None = None,
                      missing_elements: Callable[[dict], list] | None = None,
                      expect: ProofCheck | None = None,
                      verified: Memo | None = None) -> VerificationResult:
    """Run the pipeline on ``credential``; raises LimitExceeded for hostile input, InvalidInput for a non-object."""
    now, deadline = _start(credential, "verifiableCredential", now, deadline, limits)
    expect = expect or ProofCheck(now=now)
    warnings: list[dict] = []
    dids = _DidCache(resolve_did)
    key = ("credential", digest(credential), expect.purpose, expect.challenge, expect.domain) \
        if verified is not None else None
    authentic = _still_authentic(verified.get(key, now) if key else None, dids, now)
    if authentic is not None:  # this exact document was verified against this same DID document before
        view, results, proof, issuer_check = authentic
        issuer = issuer_of(view)
    else:
        try:
            document, view = read(credential, CRED + "VerifiableCredential", loader, deadline, limits,
                                  "not-a-credential")
        except NotReadable as stop:
            return VerificationResult([_not_checked("proof", "The document cannot be processed."),
                                       _not_checked("issuer"),
                                       Check("format", FAILED, stop.code, stop.detail, stop.data),
                                       _not_checked("validity"), _not_checked("status")], warnings)
        issuer = issuer_of(view)
        try:
            results = verify_all(document, SUITES, loader=loader,
                                 resolve_verification_method=dids.resolver_for(issuer), expect=expect,
                                 deadline=deadline, limits=limits)
            proof = _proof_check(results)
        except UpstreamUnavailable as exc:
            results, proof = [], Check("proof", UNKNOWN, "did-unavailable", exc.detail)
        if proof.code == "did-unavailable":
            issuer_check = Check("issuer", UNKNOWN, "did-unavailable", proof.detail)
        else:
            issuer_check = check_issuer_key(issuer, results, dids)
        if key and proof.outcome == OK and issuer_check.outcome == OK and issuer_check.data.get("bound"):
            verified.put(key, (view, results, proof, issuer_check, digest(dids.document(issuer))))
    problems = credential_problems(view, credential)
    fmt = (Check("format", FAILED, "not-a-credential", "; ".join(problems)) if problems
           else Check("format", OK, "well-formed"))
    if is_elm(credential, view) and missing_elements is not None:
        try:
            missing = list(missing_elements(view) or [])
        except Exception as exc:  # an odd ELM document: say so, never crash the verification
            missing, detail = ["unreadable"], f"The ELM document cannot be read: {exc}"
        else:
            detail = "Missing: " + ", ".join(map(str, missing))
        if missing:
            warnings.append(warning("elm-elements-missing", detail, missing=missing))
    validity = _check_validity(view, now)
    if proof.outcome == OK and issuer_check.outcome == OK and fmt.outcome == OK:
        lists = _StatusLists(issuer, loader, dids, now, deadline, limits, verified)
        status = _check_status(view, issuer, fetch_status_lists, lists, warnings)
    else:  # vc-js: nothing is fetched for a credential whose proof or issuer has already failed
        status = _not_checked("status", "The status is only read for a credential whose proof and issuer hold.")
    checks = [proof, issuer_check, fmt, validity, status]
    result = VerificationResult(checks=checks, warnings=warnings, issuer=issuer, view=view)
    if issuer and result.verdict in (VERIFIED, UNRECOGNISED_ISSUER):
        result.recognised = recognise(issuer) if recognise is not None and issuer_check.data.get("bound") else None
        if result.recognised is None:
            warnings.append(warning("issuer-not-recognised"))
        else:
            result.names_match = _names_match(view, result.recognised, warnings)
    if any(c.outcome == UNKNOWN for c in checks):
        warnings.append(warning("verification-incomplete"))
    return result


def _still_authentic(entry: tuple | None, dids: _DidCache, now: datetime) -> tuple | None:
    """A remembered authentic verification, if the issuer's DID document is still the one it was checked against
    and its proofs' own times still hold now."""
    if entry is None:
        return None
    view, results, proof, issuer_check, did_digest = entry
    try:
        if digest(dids.document(issuer_of(view))) != did_digest:
            return None
        for result in results:
            check_times(result.options or {}, now)
    except (McredError, ProofFailure):
        return None
    return view, results, proof, issuer_check


def is_elm(credential: dict, view: dict | None) -> bool:
    return any(c in ELM_CONTEXTS for c in as_list(credential.get("@context"))) or \
        "EuropeanDigitalCredential" in _types(view or {})


# --- presentations ------------------------------------------------------------------------------------------------


@dataclass
class PresentationResult:
    """VC API "verify presentation": the presentation's own checks and one result per credential it carries."""

    checks: list[Check]
    credentials: list[VerificationResult]
    warnings: list[dict]
    holder: str | None = None

    @property
    def verified(self) -> bool:
        return all(c.outcome == OK for c in self.checks) and all(r.verified for r in self.credentials)

    @property
    def verdict(self) -> str:
        """The presentation's own failure first, then the worst of its credentials' verdicts."""
        if any(c.outcome == FAILED for c in self.checks):
            return INVALID
        if any(c.outcome != OK for c in self.checks):
            return UNVERIFIABLE
        order = (INVALID, REVOKED, SUSPENDED, EXPIRED, NOT_YET_VALID, UNVERIFIABLE, UNRECOGNISED_ISSUER)
        verdicts = {r.verdict for r in self.credentials}
        return next((v for v in order if v in verdicts), VERIFIED)

    def to_dict(self) -> dict:
        return {"verified": self.verified, "verdict": self.verdict, "checks": [c.to_dict() for c in self.checks],
                "warnings": self.warnings, "holder": self.holder,
                "credentialResults": [r.to_dict() for r in self.credentials]}


def check_holder_key(holder: str | None, proofs: list, dids: _DidCache) -> Check:
    """The presentation's proof was made by a key the holder lists for ``authentication``; a presentation without
    a DID holder is reported unbound (as an issuer that is not a DID is)."""
    if holder is None or not _is_did(holder):
        return Check("holder", OK, "holder-unbound", data={"holder": holder, "bound": False})
    check = check_issuer_key(holder, proofs, dids, purpose="authentication")
    return Check("holder", check.outcome, check.code.replace("issuer", "holder"), check.detail,
                 data={"holder": holder, "bound": check.outcome == OK})


MESSAGES.update({
    "holder-unbound": ("Prezentācijai nav DID turētāja, kuram piesaistīt parakstu.",
                       "The presentation names no DID holder the proof could be tied to."),
    "holder-key-valid": ("Prezentāciju parakstījis tās turētājs.", "The presentation was signed by its holder."),
    "holder-missing": ("Prezentācijā norādīti vairāki turētāji.", "The presentation names more than one holder."),
})


def verify_presentation(presentation: Any, *, loader: DocumentLoader, resolve_did: ResolveDid,
                        fetch_status_lists: FetchStatusLists, now: datetime, limits: Limits = DEFAULT_LIMITS,
                        deadline: Deadline | None = None, recognise: Recognise | None = None,
                        missing_elements: Callable[[dict], list] | None = None, challenge: str | None = None,
                        domain: str | None = None, verified: Memo | None = None) -> PresentationResult:
    """VC Data Model 2.0 section 4.13 and VC Data Integrity 1.0 section 4.5: the presentation's proof (purpose
    ``authentication``, the expected ``challenge`` and ``domain``), its holder, and every credential in it."""
    now, deadline = _start(presentation, "verifiablePresentation", now, deadline, limits)
    warnings: list[dict] = []
    try:
        document, view = read(presentation, CRED + "VerifiablePresentation", loader, deadline, limits,
                              "not-a-presentation")
    except NotReadable as stop:
        return PresentationResult([_not_checked("proof", "The document cannot be processed."),
                                   _not_checked("holder"), Check("format", FAILED, stop.code, stop.detail, stop.data)],
                                  [], warnings)
    holders = as_list(view.get("holder"))
    holder = (_node_ids(holders) or _first_string(holders) or [None])[0] if len(holders) <= 1 else None
    dids = _DidCache(resolve_did)
    expect = ProofCheck(purpose="authentication", challenge=challenge, domain=domain, now=now)
    try:
        results = verify_all(document, SUITES, loader=loader, resolve_verification_method=dids.resolver_for(holder),
                             expect=expect, deadline=deadline, limits=limits)
        proof = _proof_check(results)
    except UpstreamUnavailable as exc:
        results, proof = [], Check("proof", UNKNOWN, "did-unavailable", exc.detail)
    holder_check = (Check("holder", FAILED, "holder-missing") if len(holders) > 1
                    else check_holder_key(holder, results, dids))
    embedded = [c for c in as_list(presentation.get("verifiableCredential"))]
    signed_count = len(as_list(view.get("verifiableCredential")))
    if "VerifiablePresentation" not in _types(view) or len(embedded) != signed_count \
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
                                                 missing_elements=missing_elements, verified=verified))
    return PresentationResult([proof, holder_check, fmt], credentials, warnings, holder)
