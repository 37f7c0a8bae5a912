"""Verification of Ed25519Signature2020 proofs (W3C CCG "Ed25519 Signature 2020", section 4 "Algorithms").

The older, pre-Data-Integrity suite that credentials issued before eddsa-rdfc-2022 carry; mcred never issues it.
Verify: the proof options are the proof without ``proofValue``, interpreted with the document's @context (which
must include the suite context https://w3id.org/security/suites/ed25519-2020/v1, as the suite requires, since no
VC context defines its terms); both are canonicalized with RDFC-1.0 (URDNA2015), hashed with SHA-256, and the
Ed25519 signature (``proofValue``, base58btc multibase) is checked over proofHash || documentHash.
The verification method is an Ed25519VerificationKey2020 (or Multikey) with a multicodec ``publicKeyMultibase``.
"""

from __future__ import annotations

import copy
from datetime import datetime

from app.domain import proof_result as codes
from app.domain.jsonld import DEFAULT_LIMITS, DocumentLoader, Limits, as_list
from app.domain.proof_checks import Resolver, verify_embedded_proof
from app.domain.proof_result import ProofFailure, ProofResult

PROOF_TYPE = "Ed25519Signature2020"
SUITE_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
VERIFICATION_METHOD_TYPES = ("Ed25519VerificationKey2020", "Multikey")


def _proof_options(options: dict, unsecured: dict) -> dict:
    # An embedded proof normally has no @context of its own; if it does, it stands for the document's, as in
    # Digital Bazaar's jsonld-signatures ({"@context": document["@context"], ...proof}).
    context = options.get("@context", unsecured.get("@context"))
    entries = as_list(context)
    if SUITE_CONTEXT not in entries:
        raise ProofFailure(
            codes.PROOF_MALFORMED,
            f"An Ed25519Signature2020 proof needs the document's @context to include {SUITE_CONTEXT}.",
        )
    config = {k: copy.deepcopy(v) for k, v in options.items() if k not in ("proofValue", "@context")}
    config["@context"] = copy.deepcopy(context)
    return config


def verify_proof(
    signed: dict,
    *,
    loader: DocumentLoader,
    resolve_verification_method: Resolver,
    limits: Limits = DEFAULT_LIMITS,
    now: datetime | None = None,
    expected_proof_purpose: str | None = "assertionMethod",
) -> ProofResult:
    """Verify a document secured with a single Ed25519Signature2020 proof (same contract as eddsa_rdfc_2022)."""
    return verify_embedded_proof(
        signed,
        proof_type=PROOF_TYPE,
        cryptosuite=None,
        accepted_vm_types=VERIFICATION_METHOD_TYPES,
        build_proof_config=_proof_options,
        loader=loader,
        resolve_verification_method=resolve_verification_method,
        limits=limits,
        now=now,
        expected_proof_purpose=expected_proof_purpose,
    )
