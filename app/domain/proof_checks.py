"""The verification steps every Ed25519 linked-data proof suite shares (VC Data Integrity 1.0, section 4.5).

Both eddsa-rdfc-2022 (EdDSA Cryptosuites v1.0, section 3.3.2) and the older Ed25519Signature2020 verify the same
way: take the single embedded proof off the document, check its options, dereference its verification method to an
Ed25519 key, canonicalize document and proof options with RDFC-1.0, hash each with SHA-256, and check the Ed25519
signature over proofOptionsHash || documentHash. Only how the proof options document is built differs, so the
suites pass that step in.

Failure policy (shared by every ``verify_proof``):
- anything wrong with the *proof* (missing, several, unknown suite, malformed fields, unresolvable or unsuitable
  verification method, times, bad signature) is an answer: a failed ``ProofResult`` with a stable code;
- a *document* that cannot be processed at all raises the same McredError issuance would raise: not a JSON object
  (InvalidInput), unknown @context or terms no context defines (JsonLdRefused), hostile size (LimitExceeded);
- a resolver that cannot reach a remote DID document raises UpstreamUnavailable, which propagates: "could not
  check" must not be reported as "invalid".
"""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.domain import proof_result as codes
from app.domain.jsonld import (
    DEFAULT_LIMITS,
    DocumentLoader,
    Limits,
    canonicalize,
    check_limits,
    ensure_no_dropped_terms,
)
from app.domain.keys import public_key_from_multibase, verify_signature
from app.domain.multibase import multibase_decode
from app.domain.proof_result import ProofFailure, ProofResult
from app.domain.timefmt import parse_datetime_stamp
from app.errors import InvalidInput, JsonLdRefused, McredError, UpstreamUnavailable

CLOCK_SKEW = timedelta(minutes=5)
SIGNATURE_LENGTH = 64

Resolver = Callable[[str], "dict | None"]


def safe_canonicalize(doc: dict, loader: DocumentLoader, limits: Limits) -> str:
    """RDFC-1.0 N-Quads, refusing (JsonLdRefused) documents in which JSON-LD would silently drop data.

    Digital Bazaar's suites canonicalize in jsonld.js "safe mode" for the same reason: a term no context defines
    is not in the canonical form, so it would not be signed and could be added or changed freely.
    """
    check_limits(doc, limits)  # before the probe's expansion, not only inside canonicalize()
    ensure_no_dropped_terms(doc, loader)
    return canonicalize(doc, loader, limits)


def hash_data(transformed_document: str, canonical_proof_config: str) -> bytes:
    """SHA-256(canonical proof options) || SHA-256(canonical document): proof options hash FIRST (64 bytes)."""
    proof_hash = hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
    doc_hash = hashlib.sha256(transformed_document.encode("utf-8")).digest()
    return proof_hash + doc_hash


def split_proof(signed: Any) -> tuple[dict, dict]:
    """(unsecured document, the single proof); a document with no proof or a proof set fails."""
    if not isinstance(signed, dict):
        raise InvalidInput("A secured document must be a JSON object.")
    if "proof" not in signed:
        raise ProofFailure(codes.PROOF_MISSING, "The document has no proof.")
    proof = signed["proof"]
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofFailure(
                codes.PROOF_SET_UNSUPPORTED,
                f"The document carries {len(proof)} proofs; only a single proof is supported.",
            )
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofFailure(codes.PROOF_MALFORMED, "The proof must be a JSON object.")
    unsecured = {k: copy.deepcopy(v) for k, v in signed.items() if k != "proof"}
    return unsecured, copy.deepcopy(proof)


def verification_method_of(proof: dict) -> str:
    vm = proof.get("verificationMethod")
    if isinstance(vm, dict):  # an embedded method is referenced by its id; we always dereference it ourselves
        vm = vm.get("id")
    if not isinstance(vm, str) or not vm:
        raise ProofFailure(codes.PROOF_MALFORMED, "The proof has no verificationMethod.")
    return vm


def check_times(proof: dict, now: datetime | None) -> None:
    created = expires = None
    try:
        if "created" in proof:
            created = parse_datetime_stamp(proof["created"])
        if "expires" in proof:
            expires = parse_datetime_stamp(proof["expires"])
    except ValueError as exc:
        raise ProofFailure(codes.PROOF_MALFORMED, f"Invalid proof date: {exc}.") from exc
    if now is None:
        return
    if now.tzinfo is None:  # a naive "now" from a caller means UTC, as everywhere in this service
        now = now.replace(tzinfo=timezone.utc)
    if created is not None and created > now + CLOCK_SKEW:
        raise ProofFailure(codes.CREATED_IN_FUTURE, f"The proof was created in the future ({proof['created']}).")
    if expires is not None and now > expires + CLOCK_SKEW:
        raise ProofFailure(codes.PROOF_EXPIRED, f"The proof expired at {proof['expires']}.")


def check_purpose(proof: dict, expected: str | None) -> None:
    purpose = proof.get("proofPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise ProofFailure(codes.PROOF_MALFORMED, "The proof has no proofPurpose.")
    if expected is not None and purpose != expected:
        raise ProofFailure(codes.PURPOSE_MISMATCH, f"The proof's purpose is {purpose!r}, expected {expected!r}.")


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


def verify_embedded_proof(
    signed: dict,
    *,
    proof_type: str,
    cryptosuite: str | None,
    accepted_vm_types: tuple[str, ...],
    build_proof_config: Callable[[dict, dict], dict],
    loader: DocumentLoader,
    resolve_verification_method: Resolver,
    limits: Limits = DEFAULT_LIMITS,
    now: datetime | None = None,
    expected_proof_purpose: str | None = None,
) -> ProofResult:
    """The shared flow; ``build_proof_config(proof_options, unsecured_document)`` is the suite's own step.

    ``build_proof_config`` may adjust ``unsecured_document`` in place (eddsa-rdfc-2022 takes the proof's @context)
    and raises ProofFailure when the proof options do not fit the document.
    """
    proof = vm_id = None
    try:
        unsecured, proof = split_proof(signed)
        if proof.get("type") != proof_type or (cryptosuite is not None and proof.get("cryptosuite") != cryptosuite):
            found = proof.get("type") if cryptosuite is None else f"{proof.get('type')}/{proof.get('cryptosuite')}"
            want = proof_type if cryptosuite is None else f"{proof_type}/{cryptosuite}"
            raise ProofFailure(codes.UNSUPPORTED_CRYPTOSUITE, f"The proof is {found!s}, not {want}.")
        vm_id = verification_method_of(proof)
        signature = decode_signature(proof)
        check_times(proof, now)
        check_purpose(proof, expected_proof_purpose)
        public_key = resolve_public_key(vm_id, resolve_verification_method, accepted_vm_types)

        options = {k: v for k, v in proof.items() if k != "proofValue"}
        config = build_proof_config(options, unsecured)
        # The document first: if *it* cannot be processed, that is the document's refusal and it propagates.
        transformed = safe_canonicalize(unsecured, loader, limits)
        try:
            canonical_config = safe_canonicalize(config, loader, limits)
        except JsonLdRefused as exc:
            raise ProofFailure(codes.PROOF_MALFORMED, f"The proof options are not valid JSON-LD: {exc.detail}") from exc
        if not verify_signature(public_key, signature, hash_data(transformed, canonical_config)):
            raise ProofFailure(
                codes.SIGNATURE_INVALID,
                "The signature does not match the document and proof options: they were altered, or signed by "
                "another key.",
            )
    except ProofFailure as failure:
        return ProofResult.fail(failure.code, failure.message, vm_id, proof)
    return ProofResult.ok(vm_id, proof)
