"""Verification of credentials and presentations, as a pipeline over what was signed.

- ``credential``: the credential pipeline (proof, issuer, format, validity, status, then trust);
- ``presentation``: the presentation's proof and holder, then each credential;
- ``checks``: the proof and validity checks; ``dids``: DID resolution and key binding;
- ``status``: status entries against their (verified, remembered) status lists;
- ``names``: the issuer's and awarding bodies' names against the recognised institution's;
- ``results``: the result types and verdicts; ``memo``: work already done.
The statements themselves are read through app.domain.signed (shared with issuing); the texts people read are in
app.texts.verification.
"""

from app.domain.verification.credential import verify_credential
from app.domain.verification.memo import Memo
from app.domain.verification.presentation import verify_presentation
from app.domain.verification.results import PresentationResult, RecognisedIssuer, VerificationResult

__all__ = ["Memo", "PresentationResult", "RecognisedIssuer", "VerificationResult", "verify_credential",
           "verify_presentation"]
