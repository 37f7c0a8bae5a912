"""VC API ``POST /credentials/verify``: verify any credential (this service's or another standard issuer's).

Request: ``{"verifiableCredential": {...}, "options": {...}}`` (unknown options are ignored). Response: 200 with
``{"verified": true, "verdict": "verified", "checks": [...], "warnings": [...]}``, or 400 problem details
(application/problem+json) that carry the same ``verified: false``, ``checks`` and ``warnings``, with a problem
type telling why: verification-failed (forged, tampered, malformed), credential-expired, credential-revoked,
credential-suspended, credential-not-yet-valid, or verification-incomplete (a check is ``unknown``: e.g. the
status list could not be read; never reported as "not revoked"). Hostile input is 413 (limit-exceeded).

The route is a plain ``def``: canonicalization is CPU-bound, so it runs in the worker thread pool.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app import verifying
from app.api.deps import Db, get_services, json_body
from app.api.problems import problem_response
from app.domain.verify import PresentationResult, VerificationResult
from app.errors import InvalidInput, VerificationFailed
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


def get_fetcher(request: Request) -> verifying.RemoteFetcher:
    """The app's remote fetcher (tests replace ``app.state.remote_fetcher`` with one on an httpx.MockTransport)."""
    fetcher = getattr(request.app.state, "remote_fetcher", None)
    if fetcher is None:
        fetcher = request.app.state.remote_fetcher = verifying.RemoteFetcher()
    return fetcher


def result_response(result: VerificationResult | PresentationResult, instance: str) -> JSONResponse:
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
    return problem_response(problem.to_problem(instance=instance))


VERIFY_BODY = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["verifiableCredential"],
        "properties": {"verifiableCredential": {"type": "object"},
                       "options": {"type": "object", "description": "VC API options; unknown ones are ignored."}},
    }}}},
}


@router.post("/credentials/verify", summary="Verify a credential (VC API)", openapi_extra=VERIFY_BODY,
             responses={200: {"description": "Verified"}, 400: {"description": "Not verified (problem details)"},
                        413: {"description": "Hostile input refused"}})
def verify_credential(request: Request, body: object = Depends(json_body), session: Session = Db,
                      services: Services = Depends(get_services),
                      fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    if not isinstance(body, dict) or not isinstance(body.get("verifiableCredential"), dict):
        raise InvalidInput("Send `verifiableCredential`: the signed credential as a JSON object.",
                           errors=[{"field": "verifiableCredential", "message": "required, a JSON object"}])
    if not isinstance(body.get("options", {}), dict):
        raise InvalidInput("`options` must be an object.", errors=[{"field": "options", "message": "must be an object"}])
    result = verifying.verify(session, services, fetcher, body["verifiableCredential"])
    return result_response(result, request.url.path)


VERIFY_PRESENTATION_BODY = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["verifiablePresentation"],
        "properties": {"verifiablePresentation": {"type": "object"},
                       "options": {"type": "object", "properties": {"challenge": {"type": "string"},
                                                                    "domain": {"type": "string"}},
                                   "description": "The challenge and domain the presentation's proof must sign; "
                                                  "unknown options are ignored."}},
    }}}},
}


@router.post("/presentations/verify", summary="Verify a presentation and every credential in it (VC API)",
             openapi_extra=VERIFY_PRESENTATION_BODY,
             responses={200: {"description": "Verified"}, 400: {"description": "Not verified (problem details)"},
                        413: {"description": "Hostile input refused"}})
def verify_presentation(request: Request, body: object = Depends(json_body), session: Session = Db,
                        services: Services = Depends(get_services),
                        fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    if not isinstance(body, dict) or not isinstance(body.get("verifiablePresentation"), dict):
        raise InvalidInput("Send `verifiablePresentation`: the signed presentation as a JSON object.",
                           errors=[{"field": "verifiablePresentation", "message": "required, a JSON object"}])
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise InvalidInput("`options` must be an object.", errors=[{"field": "options", "message": "must be an object"}])
    for name in ("challenge", "domain"):
        if name in options and not isinstance(options[name], str):
            raise InvalidInput(f"`options.{name}` must be a string.",
                               errors=[{"field": f"options.{name}", "message": "must be a string"}])
    result = verifying.verify_presentation(session, services, fetcher, body["verifiablePresentation"],
                                           challenge=options.get("challenge"), domain=options.get("domain"))
    return result_response(result, request.url.path)
