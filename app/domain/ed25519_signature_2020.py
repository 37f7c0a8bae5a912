"""Verification of Ed25519Signature2020 proofs (W3C CCG "Ed25519 Signature 2020", section 4 "Algorithms").

The older, pre-Data-Integrity suite that credentials issued before eddsa-rdfc-2022 carry; mcred never issues it.
Verify: the proof options are the proof without ``proofValue``, interpreted with the document's @context (which
must include the suite context https://w3id.org/security/suites/ed25519-2020/v1, as the suite requires, since no
VC context defines its terms); both are canonicalized with RDFC-1.0 (URDNA2015), hashed with SHA-256, and the
Ed25519 signature (``proofValue``, base58btc multibase) is checked over proofHash || documentHash.
The verification method is an Ed25519VerificationKey2020 (or Multikey) with a multicodec ``publicKeyMultibase``.
"""

from __future__ import annotations


from app.domain import proof_result as codes
from app.domain.jsonld import as_list
from app.domain.proof_checks import Cryptosuite
from app.domain.proof_result import ProofFailure

PROOF_TYPE = "Ed25519Signature2020"
SUITE_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
VERIFICATION_METHOD_TYPES = ("Ed25519VerificationKey2020", "Multikey")


def proof_config(options: dict, document: dict) -> dict:
    """The proof options interpreted with the document's @context, which must include the suite context."""
    # An embedded proof normally has no @context of its own; if it does, it must be the document's.
    context = document.get("@context")
    if "@context" in options and options["@context"] != context:
        raise ProofFailure(codes.PROOF_CONTEXT_MISMATCH, "The proof's @context is not the document's.")
    if SUITE_CONTEXT not in as_list(context):
        raise ProofFailure(
            codes.PROOF_MALFORMED,
            f"An Ed25519Signature2020 proof needs the document's @context to include {SUITE_CONTEXT}.",
        )
    config = {k: v for k, v in options.items() if k not in ("proofValue", "@context")}
    config["@context"] = context
    return config


SUITE = Cryptosuite(PROOF_TYPE, None, VERIFICATION_METHOD_TYPES, proof_config)


