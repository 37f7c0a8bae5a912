"""What every Ed25519 linked-data proof suite shares (VC Data Integrity 1.0, sections 4.2-4.5).

A suite (``Cryptosuite``: eddsa-rdfc-2022, Ed25519Signature2020) only says how its proof configuration is built
from the proof options and the document; creating and verifying work the same way for all:
canonicalize the document and the proof configuration with RDFC-1.0, hash each with SHA-256, and sign or check
Ed25519 over proofConfigHash || documentHash.

Verification follows "verify what was signed": the proof options that decide anything (type, cryptosuite,
verificationMethod, proofPurpose, created, expires, challenge, domain, previousProof) are read from the statements
of the canonical proof configuration, and must agree with the JSON (a JSON field saying something else than what
was signed is a malformed proof). Everything local (both canonicalizations, option checks) happens before the
verification method is resolved, so a broken proof never makes the verifier fetch anything.

Proof sets and chains (section 4.5 "Verify Proof Sets and Chains"): every proof of a document is verified; a proof
naming ``previousProof`` is verified over the document together with the proofs it names.

Failure policy:
- anything wrong with a *proof* is an answer: a failed ``ProofResult`` with a stable code;
- a *document* that cannot be processed raises what issuance would raise: InvalidInput (not an object),
  JsonLdRefused (unknown @context, data JSON-LD would drop), LimitExceeded (size, time);
- a resolver that cannot reach a remote DID document raises UpstreamUnavailable, which propagates: "could not
  check" must not be reported as "invalid".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.domain import jsonld, rdf_templates, rdfc
from app.domain import proof_result as codes
from app.domain.deadline import Deadline
from app.domain.jsonld import DEFAULT_LIMITS, DocumentLoader, Limits, as_list
from app.domain.keys import public_key_from_multibase, verify_signature
from app.domain.multibase import multibase_decode, multibase_encode
from app.domain.proof_result import ProofFailure, ProofResult
from app.domain.rdf import Graph, literal_value
from app.domain.rdfc import Statements
from app.domain.timefmt import parse_datetime_stamp
from app.errors import InvalidInput, JsonLdRefused, McredError, UpstreamUnavailable

CLOCK_SKEW = timedelta(minutes=5)
SIGNATURE_LENGTH = 64
SEC = "https://w3id.org/security#"
# The proof options and the IRIs the suite contexts give them (Data Integrity v2, Ed25519Signature2020 v1).
OPTION_IRIS = {
    "cryptosuite": SEC + "cryptosuite",
    "created": "http://purl.org/dc/terms/created",
    "expires": SEC + "expiration",
    "verificationMethod": SEC + "verificationMethod",
    "proofPurpose": SEC + "proofPurpose",
    "challenge": SEC + "challenge",
    "domain": SEC + "domain",
    "nonce": SEC + "nonce",
    "previousProof": SEC + "previousProof",
}
# proofPurpose values are @vocab terms of the suite contexts.
PURPOSES = {
    "assertionMethod": SEC + "assertionMethod",
    "authentication": SEC + "authenticationMethod",
    "capabilityInvocation": SEC + "capabilityInvocationMethod",
    "capabilityDelegation": SEC + "capabilityDelegationMethod",
    "keyAgreement": SEC + "keyAgreementMethod",
}

Resolver = Callable[[str], "dict | None"]


@dataclass(frozen=True)
class Cryptosuite:
    """A proof suite: its proof type (and cryptosuite name), the key types it accepts, and its proof configuration
    step ``proof_config(options, document) -> dict`` (which may raise ProofFailure)."""

    proof_type: str
    cryptosuite: str | None
    verification_method_types: tuple[str, ...]
    proof_config: Callable[[dict, dict], dict]

    @property
    def proof_type_iri(self) -> str:
        return SEC + self.proof_type

    def matches(self, proof: Any) -> bool:
        return (isinstance(proof, dict) and proof.get("type") == self.proof_type
                and (self.cryptosuite is None or proof.get("cryptosuite") == self.cryptosuite))

    def name(self) -> str:
        return self.proof_type if self.cryptosuite is None else f"{self.proof_type}/{self.cryptosuite}"


def hash_data(transformed_document: str, canonical_proof_config: str) -> bytes:
    """SHA-256(canonical proof options) || SHA-256(canonical document): proof options hash FIRST (64 bytes)."""
    proof_hash = hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
    doc_hash = hashlib.sha256(transformed_document.encode("utf-8")).digest()
    return proof_hash + doc_hash


# --- reading the signed proof options -----------------------------------------------------------------------------


def signed_options(config: Statements, suite: Cryptosuite) -> dict:
    """The proof options as signed: the single node of the suite's proof type in the configuration's statements.

    Values are JSON-like: IRIs as strings, literals as strings; an option given more than once is malformed.
    """
    graph = Graph.default_graph(config.dataset)
    nodes = graph.subjects_of_type(suite.proof_type_iri)
    if len(nodes) != 1:
        raise ProofFailure(codes.PROOF_MALFORMED, f"The proof options must describe exactly one {suite.proof_type}.")
    node = nodes[0]
    if graph.types(node) != [suite.proof_type_iri]:
        raise ProofFailure(codes.PROOF_MALFORMED, "The proof has more than one type.")
    options: dict[str, Any] = {"type": suite.proof_type}
    if not node.startswith("_:"):
        options["id"] = node
    for name, iri in OPTION_IRIS.items():
        values = graph.objects(node, iri)
        if name == "previousProof":
            if any(v["type"] == "literal" for v in values):
                raise ProofFailure(codes.PROOF_MALFORMED, "previousProof must name proofs by their ids.")
            if values:
                options[name] = [v["value"] for v in values]
            continue
        if len(values) > 1:
            raise ProofFailure(codes.PROOF_MALFORMED, f"The proof gives {name} more than once.")
        if values:
            options[name] = values[0]["value"] if values[0]["type"] != "literal" else literal_value(values[0])
    return options


def _json_agrees(proof: dict, signed: dict) -> None:
    """Every option the JSON shows must be the one signed (otherwise readers of the JSON would be misled)."""
    for name in ("type", "cryptosuite", "created", "expires", "verificationMethod", "challenge", "domain", "nonce"):
        shown = proof.get(name)
        if isinstance(shown, dict) and name == "verificationMethod":
            shown = shown.get("id")
        if shown is not None and not isinstance(shown, (str, int, bool)):
            raise ProofFailure(codes.PROOF_MALFORMED, f"The proof's {name} is not a single value.")
        if shown is None and name in signed:
            raise ProofFailure(codes.PROOF_MALFORMED, f"The proof signs a {name} its JSON does not show.")
        if shown is not None and signed.get(name) != shown:
            raise ProofFailure(codes.PROOF_MALFORMED, f"The proof's {name} is not what was signed.")
    purpose = proof.get("proofPurpose")
    if purpose is not None and PURPOSES.get(purpose, purpose) != signed.get("proofPurpose"):
        raise ProofFailure(codes.PROOF_MALFORMED, "The proof's proofPurpose is not what was signed.")
    previous = as_list(proof.get("previousProof"))
    if sorted(map(str, previous)) != sorted(signed.get("previousProof", [])):
        raise ProofFailure(codes.PROOF_MALFORMED, "The proof's previousProof is not what was signed.")


# --- the checks -----------------------------------------------------------------------------------------------------


def check_times(options: dict, now: datetime | None) -> None:
    created = expires = None
    try:
        if "created" in options:
            created = parse_datetime_stamp(options["created"])
        if "expires" in options:
            expires = parse_datetime_stamp(options["expires"])
    except ValueError as exc:
        raise ProofFailure(codes.PROOF_MALFORMED, f"Invalid proof date: {exc}.") from exc
    if now is None:
        return
    if now.tzinfo is None:  # a naive "now" from a caller means UTC, as everywhere in this service
        now = now.replace(tzinfo=timezone.utc)
    if created is not None and created > now + CLOCK_SKEW:
        raise ProofFailure(codes.CREATED_IN_FUTURE, f"The proof was created in the future ({options['created']}).")
    if expires is not None and now > expires + CLOCK_SKEW:
        raise ProofFailure(codes.PROOF_EXPIRED, f"The proof expired at {options['expires']}.")


def check_purpose(options: dict, expected: str | None) -> None:
    purpose = options.get("proofPurpose")
    if not isinstance(purpose, str):
        raise ProofFailure(codes.PROOF_MALFORMED, "The proof has no proofPurpose.")
    if purpose not in PURPOSES.values():
        raise ProofFailure(codes.PROOF_MALFORMED, f"The proof purpose {purpose!r} is not one the suites define.")
    if expected is not None and purpose != PURPOSES[expected]:
        raise ProofFailure(codes.PURPOSE_MISMATCH, f"The proof's purpose is {purpose!r}, expected {expected!r}.")


def check_challenge_and_domain(options: dict, challenge: str | None, domain: str | None) -> None:
    """VC Data Integrity 1.0, section 4.5 step 6-7: when the verifier expects a challenge or domain, the proof must
    have signed that exact value."""
    if challenge is not None and options.get("challenge") != challenge:
        raise ProofFailure(codes.CHALLENGE_MISMATCH, "The proof does not sign the expected challenge.")
    if domain is not None and options.get("domain") != domain:
        raise ProofFailure(codes.DOMAIN_MISMATCH, "The proof does not sign the expected domain.")


def decode_signature(proof: dict) -> bytes:
    """The 64-byte Ed25519 signature in ``proofValue``; both suites use base58btc ('z') only."""
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofFailure(codes.PROOF_MALFORMED, "The proof has no proofValue string.")
    try:
        signature = multibase_decode(value, allowed="z")
    except McredError as exc:
        raise ProofFailure(codes.PROOF_MALFORMED, f"The proofValue is not base58btc multibase: {exc.detail}") from exc
    if len(signature) != SIGNATURE_LENGTH:
        raise ProofFailure(codes.PROOF_MALFORMED, f"The proofValue holds {len(signature)} bytes, not 64.")
    return signature


def resolve_public_key(vm_id: str, resolver: Resolver, accepted_types: tuple[str, ...]) -> Ed25519PublicKey:
    try:
        method = resolver(vm_id)
    except UpstreamUnavailable:
        raise
    except McredError as exc:
        raise ProofFailure(codes.UNKNOWN_VERIFICATION_METHOD, f"Cannot resolve {vm_id}: {exc.detail}") from exc
    if not isinstance(method, dict):
        raise ProofFailure(codes.UNKNOWN_VERIFICATION_METHOD, f"The verification method {vm_id} is unknown.")
    if method.get("id", vm_id) != vm_id:
        # a resolver must hand back the method the proof names, not some other key of the same controller
        raise ProofFailure(codes.UNKNOWN_VERIFICATION_METHOD, f"The resolver returned {method.get('id')!r}, not {vm_id}.")
    if method.get("revoked"):
        raise ProofFailure(codes.UNSUPPORTED_VERIFICATION_METHOD, f"The verification method {vm_id} is revoked.")
    if method.get("type") not in accepted_types:
        raise ProofFailure(
            codes.UNSUPPORTED_VERIFICATION_METHOD,
            f"The verification method {vm_id} has type {method.get('type')!r}; expected {' or '.join(accepted_types)}.",
        )
    try:
        return public_key_from_multibase(method.get("publicKeyMultibase"))
    except McredError as exc:
        raise ProofFailure(
            codes.UNSUPPORTED_VERIFICATION_METHOD, f"The verification method {vm_id} has no usable Ed25519 key: {exc.detail}"
        ) from exc


# --- verifying ------------------------------------------------------------------------------------------------------


@dataclass
class ProofCheck:
    """What the caller expects of a proof (None: no expectation)."""

    purpose: str | None = "assertionMethod"
    challenge: str | None = None
    domain: str | None = None
    now: datetime | None = None


def verify_one(input_document: dict, input_statements: Statements, proof: dict, suite: Cryptosuite, *,
               loader: DocumentLoader, resolve_verification_method: Resolver, expect: ProofCheck,
               deadline: Deadline, limits: Limits, templated: bool = False) -> ProofResult:
    """Verify ``proof`` over ``input_document`` (section 4.5 steps 1-9), whose statements the caller computed.
    ``templated``: the proof options' statements from a template too (see ``take_apart``)."""
    vm_id = options = None
    try:
        if not suite.matches(proof):
            found = proof.get("type") if isinstance(proof, dict) else type(proof).__name__
            raise ProofFailure(codes.UNSUPPORTED_CRYPTOSUITE, f"The proof is {found!s}, not {suite.name()}.")
        config = suite.proof_config({k: v for k, v in proof.items() if k != "proofValue"}, input_document)
        try:
            config_statements = (rdf_templates.statements(config, loader, deadline=deadline, limits=limits)
                                 if templated else rdfc.statements(config, loader, deadline=deadline, limits=limits))
        except JsonLdRefused as exc:
            raise ProofFailure(codes.PROOF_MALFORMED, f"The proof options are not valid JSON-LD: {exc.detail}") from exc
        options = signed_options(config_statements, suite)
        _json_agrees(proof, options)
        if suite.cryptosuite is not None and options.get("cryptosuite") != suite.cryptosuite:
            raise ProofFailure(codes.UNSUPPORTED_CRYPTOSUITE, f"The signed cryptosuite is not {suite.cryptosuite}.")
        vm_id = options.get("verificationMethod")
        if not isinstance(vm_id, str) or not vm_id:
            raise ProofFailure(codes.PROOF_MALFORMED, "The proof has no verificationMethod.")
        signature = decode_signature(proof)
        check_times(options, expect.now)
        check_purpose(options, expect.purpose)
        check_challenge_and_domain(options, expect.challenge, expect.domain)
        # Only now, with everything local in order, may the key be looked up (possibly over the network).
        public_key = resolve_public_key(vm_id, resolve_verification_method, suite.verification_method_types)
        if not verify_signature(public_key, signature, hash_data(input_statements.nquads, config_statements.nquads)):
            raise ProofFailure(
                codes.SIGNATURE_INVALID,
                "The signature does not match the document and proof options: they were altered, or signed by "
                "another key.",
            )
    except ProofFailure as failure:
        return ProofResult.fail(failure.code, failure.message, vm_id, proof if isinstance(proof, dict) else None,
                                options)
    return ProofResult.ok(vm_id, proof, options)


@dataclass
class SecuredDocument:
    """A secured document taken apart: the unsecured document, its statements, and its proofs (JSON)."""

    unsecured: dict
    statements: Statements
    proofs: list
    templated: bool = False  # the statements came from a template (a document this service stored itself)


def take_apart(secured: Any, loader: DocumentLoader, *, deadline: Deadline, limits: Limits,
               templated: bool = False) -> SecuredDocument:
    """Section 4.5 step 1-2: the proofs off the document, and the document's statements (raises for documents that
    cannot be processed; the statements of the proof-less document are those every unchained proof signed).
    ``templated``: the statements from a template (app.domain.rdf_templates.statements), for a document this
    service signed and stored itself only."""
    if not isinstance(secured, dict):
        raise InvalidInput("A secured document must be a JSON object.")
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    jsonld.check_limits(secured, limits)  # the unsecured document is part of it: not walked again
    statements = (rdf_templates.statements(unsecured, loader, deadline=deadline, limits=limits) if templated
                  else rdfc.statements(unsecured, loader, deadline=deadline, limits=limits, checked=True))
    return SecuredDocument(unsecured, statements, as_list(secured.get("proof")), templated)


def verify_all(document: SecuredDocument, suites: list[Cryptosuite], *, loader: DocumentLoader,
               resolve_verification_method: Resolver, expect: ProofCheck, deadline: Deadline,
               limits: Limits = DEFAULT_LIMITS) -> list[ProofResult]:
    """Section 4.5 "Verify Proof Sets and Chains": one result per proof, in document order (none: no proof)."""
    by_id = {p.get("id"): p for p in document.proofs if isinstance(p, dict) and isinstance(p.get("id"), str)}
    results = []
    for proof in document.proofs:
        deadline.check()
        suite = next((s for s in suites if s.matches(proof)), None)
        if suite is None:
            found = (f"{proof.get('type')}/{proof.get('cryptosuite')}" if isinstance(proof, dict)
                     else type(proof).__name__)
            results.append(ProofResult.fail(codes.UNSUPPORTED_CRYPTOSUITE, f"The proof type {found} is not supported.",
                                            proof=proof if isinstance(proof, dict) else None))
            continue
        previous = as_list(proof.get("previousProof"))
        input_document, input_statements = document.unsecured, document.statements
        if previous:
            matching = [by_id.get(p) for p in previous if isinstance(p, str)]
            if len(matching) != len(previous) or any(m is None for m in matching):
                results.append(ProofResult.fail(codes.PREVIOUS_PROOF_MISSING,
                                                "The proof names a previous proof the document does not carry.",
                                                proof=proof))
                continue
            input_document = {**document.unsecured, "proof": matching[0] if len(matching) == 1 else matching}
            input_statements = rdfc.statements(input_document, loader, deadline=deadline, limits=limits)
        results.append(verify_one(input_document, input_statements, proof, suite, loader=loader,
                                  resolve_verification_method=resolve_verification_method, expect=expect,
                                  deadline=deadline, limits=limits, templated=document.templated))
    return results


# --- creating -------------------------------------------------------------------------------------------------------


def sign(document: dict, options: dict, suite: Cryptosuite, signer, *, loader: DocumentLoader,
         limits: Limits = DEFAULT_LIMITS) -> str:
    """Section 4.2 "Add Proof" steps 1-4: the proofValue of ``options`` over ``document``.

    The signed options are read back from their statements and must say what ``options`` say: an option that
    JSON-LD would not sign as written (e.g. an unknown proofPurpose) is refused rather than silently left out.
    """
    deadline = limits.deadline()
    # a cohort's documents share their shape: their statements come from a template (exactly rdfc.statements)
    transformed = rdf_templates.nquads(document, loader, deadline=deadline, limits=limits)
    config = suite.proof_config(options, document)
    config_statements = rdf_templates.remembered(config, loader, deadline=deadline, limits=limits)
    try:
        signed = signed_options(config_statements, suite)
        _json_agrees(options, signed)
        check_purpose(signed, None)
    except ProofFailure as failure:
        raise InvalidInput(f"The proof options cannot be signed as given: {failure.message}",
                           slug="invalid-proof-options") from None
    return multibase_encode(signer.sign(hash_data(transformed, config_statements.nquads)), "z")
