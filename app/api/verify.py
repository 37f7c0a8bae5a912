"""VC API ``POST /credentials/verify``: verify any credential (this service's or another standard issuer's).

Request: ``{"verifiableCredential": {...}, "options": {...}}`` (unknown options are ignored). Response: 200 with
``{"verified": true, "verdict": "verified", "checks": [...], "warnings": [...]}``, or 400 problem details
(application/problem+json) that carry the same ``verified: false``, ``checks`` and ``warnings``, with a problem
type telling why: verification-failed (forged, tampered, malformed), credential-expired, credential-revoked,
credential-suspended, credential-not-yet-valid, or verification-incomplete (a check is ``unknown``: e.g. the
status list could not be read; never reported as "not revoked"). Hostile input is 413 (limit-exceeded).

The route is a plain ``def``: canonicalization is CPU-bound, so it runs in the worker thread pool, within a slot
of admission control (app.admission): 429 or 503 problem details with ``Retry-After`` when it cannot start in time.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app import verifying
from app.api import models
from app.api.admitting import Admitted, admitted
from app.api.deps import Db, get_services
from app.api.models import REF, VerifyCredentialRequest, VerifyPresentationRequest, body_doc, body_of, problems
from app.api.problems import problem_response
from app.domain.verification import PresentationResult, VerificationResult
from app.errors import VerificationFailed
from app.services import Services

router = APIRouter(tags=["verifying"])

PROBLEM_SLUGS = {
    "invalid": ("verification-failed", "The credential did not verify."),
    "expired": ("credential-expired", "The credential is authentic but has expired."),
    "not-yet-valid": ("credential-not-yet-valid", "The credential is authentic but not valid yet."),
    "revoked": ("credential-revoked", "The issuer has revoked the credential."),
    "suspended": ("credential-suspended", "The issuer has suspended the credential."),
    "unknown": ("verification-incomplete",
                "Some checks could not be made (see the checks marked unknown); the credential is not verified."),
}


async def get_fetcher(request: Request) -> verifying.RemoteFetcher:
    """The app's remote fetcher, built by app.composition (tests replace ``app.state.remote_fetcher`` with one on an
    httpx.MockTransport)."""
    return request.app.state.remote_fetcher


def result_response(result: VerificationResult | PresentationResult, instance: str,
                    request: Request | None = None) -> JSONResponse:
    body = result.to_dict()
    if result.verified:
        return JSONResponse(body, status_code=200)
    slug, detail = PROBLEM_SLUGS.get(result.verdict, PROBLEM_SLUGS["invalid"])
    failed = [{"field": c.check, "code": c.code, "outcome": c.outcome, "message": c.detail or c.to_dict()["message"]["en"]}
              for c in result.checks if c.outcome != "ok"]
    for n, credential in enumerate(getattr(result, "credentials", [])):
        failed += [{"field": f"verifiableCredential[{n}].{c.check}", "code": c.code, "outcome": c.outcome,
                    "message": c.detail or c.to_dict()["message"]["en"]} for c in credential.checks if c.outcome != "ok"]
    problem = VerificationFailed(detail, slug=slug, errors=failed, **body)
    return problem_response(problem.to_problem(instance=instance), request=request)


VERIFIED = {200: {"description": "Verified"}}
NOT_VERIFIED = {400: {"anyOf": [{"$ref": REF.format(model="VerificationProblem")},
                                {"$ref": REF.format(model="Problem")}]}}
NOT_VERIFIED_TEXT = "Not verified: the problem carries the whole result (verified: false, verdict, checks)"


def _responses() -> dict:
    out = {**VERIFIED, **problems(400, 413, 415, 422, 429, 503, schemas=NOT_VERIFIED)}
    out[400] = {**out[400], "description": f"{NOT_VERIFIED_TEXT}; or a malformed request"}
    return out


@router.post("/credentials/verify", summary="Verify a credential (VC API)", response_model=models.VerificationResult,
             openapi_extra=body_doc(VerifyCredentialRequest), responses=_responses())
def verify_credential(request: Request, admit: Admitted = Depends(admitted),
                      body: VerifyCredentialRequest = Depends(body_of(VerifyCredentialRequest)),
                      session: Session = Db, services: Services = Depends(get_services),
                      fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    with admit.slot(session, body.verifiable_credential) as (deadline, limits):
        result = verifying.verify(session, services, fetcher, body.verifiable_credential, deadline=deadline,
                                  limits=limits)
    return result_response(result, request.url.path, request)


@router.post("/presentations/verify", summary="Verify a presentation and every credential in it (VC API)",
             response_model=models.PresentationResult, openapi_extra=body_doc(VerifyPresentationRequest),
             responses=_responses())
def verify_presentation(request: Request, admit: Admitted = Depends(admitted),
                        body: VerifyPresentationRequest = Depends(body_of(VerifyPresentationRequest)),
                        session: Session = Db, services: Services = Depends(get_services),
                        fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    with admit.slot(session, body.verifiable_presentation) as (deadline, limits):
        result = verifying.verify_presentation(session, services, fetcher, body.verifiable_presentation,
                                               challenge=body.options.challenge, domain=body.options.domain,
                                               deadline=deadline, limits=limits)
    return result_response(result, request.url.path, request)
