"""The eddsa-rdfc-2022 cryptosuite: "Data Integrity EdDSA Cryptosuites v1.0", section 3.3.

Section 3.3.1 Create Proof, 3.3.2 Verify Proof, 3.3.3 Transformation (RDFC-1.0 canonical N-Quads), 3.3.4 Hashing
(SHA-256 of the canonical proof configuration, then SHA-256 of the canonical document, concatenated in that order:
the spec's test vectors' combinedHash starts with the proof hash), 3.3.5 Proof Configuration (the proof options
without proofValue, with the document's @context), 3.3.6 Proof Serialization (Ed25519 over the 64 bytes of hash
data; proofValue is the base58btc multibase signature) and 3.3.7 Proof Verification.

The proof configuration is interpreted with the *document's* @context, so that context must define
DataIntegrityProof and its properties: VC 2.0's context does; for a VC 1.1 document (ELM uses
``https://www.w3.org/2018/credentials/v1``) ``create_proof`` appends ``https://w3id.org/security/data-integrity/v2``
to the document's @context before signing, exactly as Digital Bazaar's data-integrity library does
(``ensureSuiteContext`` with ``addSuiteContext``), so that both sign the same bytes. On verification, a proof whose
document lacks it gets the context added to the proof configuration only (also what Digital Bazaar does).
"""

from __future__ import annotations

import copy
from datetime import datetime

from app.domain import proof_result as codes
from app.domain.jsonld import DEFAULT_LIMITS, DocumentLoader, Limits, as_list
from app.domain.keys import Ed25519Signer
from app.domain.multibase import multibase_encode
from app.domain.proof_checks import (
    Resolver,
    hash_data,
    parse_datetime_stamp,
    safe_canonicalize,
    verify_embedded_proof,
)
from app.domain.proof_result import ProofFailure, ProofResult
from app.errors import InvalidInput

__all__ = [
    "PROOF_TYPE",
    "CRYPTOSUITE",
    "DATA_INTEGRITY_V2",
    "with_suite_context",
    "transform",
    "proof_config",
    "canonical_proof_config",
    "hash_data",
    "serialize_proof",
    "create_proof",
    "verify_proof",
]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
VERIFICATION_METHOD_TYPES = ("Multikey", "Ed25519VerificationKey2020")

# Options the suite sets itself; extra_options may add others (expires, domain, challenge, nonce, id).
_RESERVED_OPTIONS = {"@context", "type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"}


def _has_suite_context(context) -> bool:
    entries = as_list(context)
    return DATA_INTEGRITY_V2 in entries or CREDENTIALS_V2 in entries


def with_suite_context(document: dict) -> dict:
    """A copy of ``document`` whose @context defines DataIntegrityProof (appends the DI v2 context if needed)."""
    doc = copy.deepcopy(document)
    if not _has_suite_context(doc.get("@context")):
        doc["@context"] = [*as_list(doc.get("@context")), DATA_INTEGRITY_V2]
    return doc


def transform(unsecured_document: dict, *, loader: DocumentLoader, limits: Limits = DEFAULT_LIMITS) -> str:
    """3.3.3 Transformation: the RDFC-1.0 canonical N-Quads of the document (refusing terms JSON-LD would drop)."""
    return safe_canonicalize(unsecured_document, loader, limits)


def proof_config(options: dict, document_context) -> dict:
    """3.3.5 Proof Configuration, JSON part: the proof options without proofValue, with the document's @context.

    Refuses (InvalidInput) options of another suite or a ``created`` that is not an XSD dateTimeStamp.
    """
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise InvalidInput(
            f"Proof options must have type {PROOF_TYPE!r} and cryptosuite {CRYPTOSUITE!r}.", slug="invalid-proof-options"
        )
    if "created" in options:
        try:
            parse_datetime_stamp(options["created"])
        except ValueError as exc:
            raise InvalidInput(f"Proof option 'created': {exc}.", slug="invalid-proof-options") from exc
    config = {k: copy.deepcopy(v) for k, v in options.items() if k not in ("proofValue", "@context")}
    config["@context"] = copy.deepcopy(document_context)
    return config


def canonical_proof_config(config: dict, *, loader: DocumentLoader, limits: Limits = DEFAULT_LIMITS) -> str:
    """3.3.5 Proof Configuration, canonical part: RDFC-1.0 of the configuration built by ``proof_config``."""
    return safe_canonicalize(config, loader, limits)


def serialize_proof(hash_data_bytes: bytes, signer: Ed25519Signer) -> bytes:
    """3.3.6 Proof Serialization: the Ed25519 signature of the 64 bytes of hash data."""
    return signer.sign(hash_data_bytes)


def create_proof(
    unsigned: dict,
    signer: Ed25519Signer,
    *,
    loader: DocumentLoader,
    created: str,
    proof_purpose: str = "assertionMethod",
    limits: Limits = DEFAULT_LIMITS,
    extra_options: dict | None = None,
) -> dict:
    """3.3.1 Create Proof: a new document, ``unsigned`` plus a ``proof`` (the input is not modified).

    The returned document's @context may have gained the Data Integrity v2 context (see the module docstring).
    Raises InvalidInput for a document that already has a proof (proof sets are not supported), JsonLdRefused
    for terms no context defines, LimitExceeded for hostile input.
    """
    if not isinstance(unsigned, dict):
        raise InvalidInput("The document to sign must be a JSON object.")
    if "proof" in unsigned:
        raise InvalidInput("The document already has a proof; proof sets are not supported.", slug="already-signed")
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise InvalidInput("proof_purpose must be a non-empty string.")
    extra = dict(extra_options or {})
    clash = sorted(_RESERVED_OPTIONS & extra.keys())
    if clash:
        raise InvalidInput(f"extra_options may not set {', '.join(clash)}: the cryptosuite sets them.")

    document = with_suite_context(unsigned)
    # Key order of the proof matches the spec's examples and Digital Bazaar's output (readability, not semantics).
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": signer.verification_method,
        "proofPurpose": proof_purpose,
        **extra,
    }
    config = proof_config(options, document.get("@context"))
    transformed = transform(document, loader=loader, limits=limits)
    canonical_config = canonical_proof_config(config, loader=loader, limits=limits)
    signature = serialize_proof(hash_data(transformed, canonical_config), signer)
    document["proof"] = {**options, "proofValue": multibase_encode(signature, "z")}
    return document


def _verification_config(options: dict, unsecured: dict) -> dict:
    """3.3.2 steps on the proof's @context, then 3.3.5 for verification."""
    doc_context = unsecured.get("@context")
    if "@context" in options:
        # A proof may carry its own @context; the document's must start with the same entries, and the proof's
        # then stands for the document's.
        proof_ctx = as_list(options["@context"])
        if as_list(doc_context)[: len(proof_ctx)] != proof_ctx:
            raise ProofFailure(codes.PROOF_CONTEXT_MISMATCH, "The proof's @context does not prefix the document's.")
        unsecured["@context"] = copy.deepcopy(options["@context"])
        doc_context = unsecured["@context"]
    if not _has_suite_context(doc_context):
        # Same leniency as Digital Bazaar's verifier: the proof terms need the Data Integrity context.
        doc_context = [*as_list(doc_context), DATA_INTEGRITY_V2]
    try:
        return proof_config(options, doc_context)
    except InvalidInput as exc:
        raise ProofFailure(codes.PROOF_MALFORMED, exc.detail) from exc


def verify_proof(
    signed: dict,
    *,
    loader: DocumentLoader,
    resolve_verification_method: Resolver,
    limits: Limits = DEFAULT_LIMITS,
    now: datetime | None = None,
    expected_proof_purpose: str | None = "assertionMethod",
) -> ProofResult:
    """3.3.2 Verify Proof of a document secured with a single eddsa-rdfc-2022 proof.

    ``resolve_verification_method(id)`` returns the verification method dict (e.g. ``resolve_did_key``) or None.
    With ``now``, a proof ``created`` more than 5 minutes after it, or ``expires`` before it, fails.
    Failures of the proof are a failed ProofResult; see app.domain.proof_checks for what raises instead.
    Whether the key may sign for the credential's issuer is the caller's decision (``result.verification_method``).
    """
    return verify_embedded_proof(
        signed,
        proof_type=PROOF_TYPE,
        cryptosuite=CRYPTOSUITE,
        accepted_vm_types=VERIFICATION_METHOD_TYPES,
        build_proof_config=_verification_config,
        loader=loader,
        resolve_verification_method=resolve_verification_method,
        limits=limits,
        now=now,
        expected_proof_purpose=expected_proof_purpose,
    )
