"""The outcome of verifying one Data Integrity proof (VC Data Integrity 1.0, section 4.5 "Verify Proof").

The spec's algorithm returns a "verification result" (verified, verifiedDocument, errors); ours carries a stable
machine ``code`` so the API can map failures to VC API problem details, a human ``message``, and ``options``: the
proof options as they were *signed* (read from the canonical proof configuration's statements, not from the JSON),
which is what every later check must rely on. Every suite returns this same type.
"""

from __future__ import annotations

from dataclasses import dataclass

# Stable failure codes; ``OK`` is the only code with verified=True.
OK = "ok"
PROOF_MISSING = "proof-missing"
UNSUPPORTED_CRYPTOSUITE = "unsupported-cryptosuite"
PROOF_MALFORMED = "proof-malformed"
PROOF_CONTEXT_MISMATCH = "proof-context-mismatch"
CREATED_IN_FUTURE = "proof-created-in-future"
PROOF_EXPIRED = "proof-expired"
PURPOSE_MISMATCH = "proof-purpose-mismatch"
CHALLENGE_MISMATCH = "proof-challenge-mismatch"
DOMAIN_MISMATCH = "proof-domain-mismatch"
PREVIOUS_PROOF_MISSING = "previous-proof-missing"
UNKNOWN_VERIFICATION_METHOD = "unknown-verification-method"
UNSUPPORTED_VERIFICATION_METHOD = "unsupported-verification-method"
SIGNATURE_INVALID = "signature-invalid"


@dataclass(frozen=True)
class ProofResult:
    verified: bool
    code: str
    message: str
    verification_method: str | None = None
    proof: dict | None = None
    options: dict | None = None  # the signed proof options (see the module docstring)

    @classmethod
    def ok(cls, verification_method: str, proof: dict, options: dict) -> "ProofResult":
        return cls(True, OK, "The proof verifies.", verification_method, proof, options)

    @classmethod
    def fail(cls, code: str, message: str, verification_method: str | None = None, proof: dict | None = None,
             options: dict | None = None):
        return cls(False, code, message, verification_method, proof, options)


class ProofFailure(Exception):
    """Internal control flow of the verifiers: a check failed; turned into a failed ProofResult, never escapes."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
