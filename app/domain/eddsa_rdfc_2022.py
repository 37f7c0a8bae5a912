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

The suite itself is only the proof configuration step; signing and verifying (one expansion per document, what
was signed read back from the statements, proof sets and chains) are app.domain.proof_checks.
"""

from __future__ import annotations


from app.domain import proof_result as codes
from app.domain import rdfc
from app.domain.jsonld import DEFAULT_LIMITS, DocumentLoader, Limits, as_list
from app.domain.keys import Ed25519Signer
from app.domain.proof_checks import Cryptosuite, hash_data, parse_datetime_stamp, sign
from app.domain.proof_result import ProofFailure
from app.errors import InvalidInput

__all__ = ["SUITE", "PROOF_TYPE", "CRYPTOSUITE", "DATA_INTEGRITY_V2", "with_suite_context", "transform",
           "proof_config", "canonical_proof_config", "hash_data", "serialize_proof", "create_proof"]

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
    if _has_suite_context(document.get("@context")):
        return dict(document)
    return {**document, "@context": [*as_list(document.get("@context")), DATA_INTEGRITY_V2]}


def transform(unsecured_document: dict, *, loader: DocumentLoader, limits: Limits = DEFAULT_LIMITS) -> str:
    """3.3.3 Transformation: the RDFC-1.0 canonical N-Quads of the document (refusing data JSON-LD would drop)."""
    return rdfc.canonicalize(unsecured_document, loader, limits)


def proof_config(options: dict, document: dict) -> dict:
    """3.3.5 Proof Configuration, JSON part: the proof options without proofValue, with the document's @context.

    A proof that carries its own @context must carry the document's (3.3.2 step 4 lets it stand for the
    document's; anything else would make the document mean something other than what the reader sees). When the
    document lacks the Data Integrity context, the configuration gets it (Digital Bazaar's verifier does the same).
    """
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofFailure(codes.UNSUPPORTED_CRYPTOSUITE,
                           f"Proof options must have type {PROOF_TYPE!r} and cryptosuite {CRYPTOSUITE!r}.")
    if "created" in options:
        try:
            parse_datetime_stamp(options["created"])
        except ValueError as exc:
            raise ProofFailure(codes.PROOF_MALFORMED, f"Proof option 'created': {exc}.") from exc
    context = document.get("@context")
    if "@context" in options and options["@context"] != context:
        raise ProofFailure(codes.PROOF_CONTEXT_MISMATCH, "The proof's @context is not the document's.")
    if not _has_suite_context(context):
        context = [*as_list(context), DATA_INTEGRITY_V2]
    config = {k: v for k, v in options.items() if k not in ("proofValue", "@context")}
    config["@context"] = context
    return config


def canonical_proof_config(config: dict, *, loader: DocumentLoader, limits: Limits = DEFAULT_LIMITS) -> str:
    """3.3.5 Proof Configuration, canonical part: RDFC-1.0 of the configuration built by ``proof_config``."""
    return rdfc.canonicalize(config, loader, limits)


def serialize_proof(hash_data_bytes: bytes, signer: Ed25519Signer) -> bytes:
    """3.3.6 Proof Serialization: the Ed25519 signature of the 64 bytes of hash data."""
    return signer.sign(hash_data_bytes)


SUITE = Cryptosuite(PROOF_TYPE, CRYPTOSUITE, VERIFICATION_METHOD_TYPES, proof_config)


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
    Raises InvalidInput for a document that already has a proof or for proof options that would not be signed
    as written, JsonLdRefused for data JSON-LD would drop, LimitExceeded for hostile input.
    """
    if not isinstance(unsigned, dict):
        raise InvalidInput("The document to sign must be a JSON object.")
    if "proof" in unsigned:
        raise InvalidInput("The document already has a proof; add proofs with proof sets.", slug="already-signed")
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise InvalidInput("proof_purpose must be a non-empty string.")
    extra = dict(extra_options or {})
    clash = sorted(_RESERVED_OPTIONS & extra.keys())
    if clash:
        raise InvalidInput(f"extra_options may not set {', '.join(clash)}: the cryptosuite sets them.")
    try:
        parse_datetime_stamp(created)
    except ValueError as exc:
        raise InvalidInput(f"Proof option 'created': {exc}.", slug="invalid-proof-options") from exc

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
    proof_value = sign(document, options, SUITE, signer, loader=loader, limits=limits)
    document["proof"] = {**options, "proofValue": proof_value}
    return document


