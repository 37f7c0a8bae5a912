"""Issuing endpoints: VC API ``POST /credentials/issue`` (one credential) and ``POST /credentials/cohorts``.

VC API (W3C CCG "Verifiable Credentials API", Issuing): the request is ``{"credential": ..., "options": ...}``
and a success is 201 with ``{"verifiableCredential": ...}``. mcred also takes ``{"microCredential": ...}``, the
friendly shape of an EU micro-credential, and builds the ELM document itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app import issuing
from app.api.deps import Caller, Db, get_caller, get_services, json_body
from app.api.links import links
from app.api.openapi import COHORT_BODY, ISSUE_BODY
from app.errors import InvalidInput
from app.services import Services

router = APIRouter(tags=["issuing"])


@router.post("/credentials/issue", status_code=201, openapi_extra=ISSUE_BODY,
             summary="Issue one credential (a micro-credential, or a ready unsigned VC)")
def issue(body: object = Depends(json_body), caller: Caller = Depends(get_caller),
          session: Session = Db, services: Services = Depends(get_services)):
    if not isinstance(body, dict) or ("credential" in body) == ("microCredential" in body):
        raise InvalidInput("Send either `microCredential` (the friendly micro-credential shape) or `credential` "
                           "(an unsigned W3C VC), not both or neither.",
                           errors=[{"field": "body", "message": "needs exactly one of microCredential, credential"}])
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise InvalidInput("`options` must be an object.", errors=[{"field": "options", "message": "must be an object"}])
    if "microCredential" in body:
        row = issuing.issue_micro_credential(session, services, caller.institution, body["microCredential"],
                                             actor=caller.actor)
    else:
        row = issuing.issue_vc(session, services, caller.institution, body["credential"], actor=caller.actor)
    session.flush()
    out = links(services.settings.public_origin, row)
    return JSONResponse({"verifiableCredential": row.document, "id": row.id, "links": out}, status_code=201,
                        headers={"Location": out["credential"]})


@router.post("/credentials/cohorts", status_code=201, openapi_extra=COHORT_BODY,
             summary="Issue a whole cohort at once (all or nothing)")
def issue_cohort(body: object = Depends(json_body), caller: Caller = Depends(get_caller),
                 session: Session = Db, services: Services = Depends(get_services)):
    if not isinstance(body, dict) or "microCredentials" not in body:
        raise InvalidInput("Send `microCredentials`: a list of micro-credentials in the friendly shape.",
                           errors=[{"field": "microCredentials", "message": "is required"}])
    rows = issuing.issue_cohort(session, services, caller.institution, body["microCredentials"],
                                actor=caller.actor)
    session.flush()
    origin = services.settings.public_origin
    return JSONResponse({"batchId": rows[0].batch_id, "count": len(rows),
                         "credentials": [{"id": r.id, "learnerRef": r.learner_ref, "links": links(origin, r),
                                          "verifiableCredential": r.document} for r in rows]}, status_code=201)
