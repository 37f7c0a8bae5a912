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
from app.api.deps import Caller, Db, get_caller, get_services
from app.api.links import links
from app.api.models import (
    BODY_ERRORS,
    CohortRequest,
    CohortResponse,
    IssueRequest,
    IssueResponse,
    body_of,
    problems,
)
from app.api.openapi import COHORT_BODY, ISSUE_BODY
from app.services import Services
from app.wallet import offers

router = APIRouter(tags=["issuing"])


@router.post("/credentials/issue", status_code=201, openapi_extra=ISSUE_BODY, response_model=IssueResponse,
             response_model_exclude_unset=True,
             responses=problems(401, 409, *BODY_ERRORS),
             summary="Issue one credential (a micro-credential, or a ready unsigned VC)")
def issue(body: IssueRequest = Depends(body_of(IssueRequest)),
          caller: Caller = Depends(get_caller), session: Session = Db, services: Services = Depends(get_services)):
    warnings: list[dict] = []
    if body.micro_credential is not None:
        row = issuing.issue_micro_credential(session, services, caller.institution, body.micro_credential,
                                             actor=caller.actor, warnings=warnings)
    else:
        row = issuing.issue_vc(session, services, caller.institution, body.credential, actor=caller.actor,
                               warnings=warnings)
    session.flush()
    out = links(services.settings.public_origin, row)
    wallet = offers.open_offer(session, services, caller.institution, row, tx_override=body.wallet_tx_code,
                               actor=caller.actor)
    if wallet:
        out["walletOffer"] = wallet[0]
    # The answer is IssueResponse as built here: handed out as it is, not validated again field by field (the
    # signed document is ~40 kB of JSON; the OpenAPI document still describes it by response_model).
    return JSONResponse({"verifiableCredential": row.document, "id": row.id, "links": out,
                         **({"txCode": wallet[1]} if wallet and wallet[1] else {}),
                         **({"warnings": warnings} if warnings else {})},
                        status_code=201, headers={"Location": out["credential"]})


@router.post("/credentials/cohorts", status_code=201, openapi_extra=COHORT_BODY, response_model=CohortResponse,
             responses=problems(401, 409, *BODY_ERRORS), summary="Issue a whole cohort at once (all or nothing)")
def issue_cohort(body: CohortRequest = Depends(body_of(CohortRequest)), caller: Caller = Depends(get_caller),
                 session: Session = Db, services: Services = Depends(get_services)):
    rows = issuing.issue_cohort(session, services, caller.institution, body.micro_credentials, actor=caller.actor)
    session.flush()
    origin = services.settings.public_origin
    members = []
    for r in rows:
        link, code = offers.open_offer(session, services, caller.institution, r, tx_override=None,
                                       actor=caller.actor) or (None, None)
        members.append({"id": r.id, "learnerRef": r.learner_ref, "links": {**links(origin, r), "walletOffer": link},
                        **({"txCode": code} if code else {}), "verifiableCredential": r.document})
    return {"batchId": rows[0].batch_id, "count": len(rows), "credentials": members}
