"""Status endpoints: the public status list credentials, and the issuer's revoke / suspend / reinstate.

Bitstring Status List v1.0 (section 2.2: the list credential is fetched by anyone; the same list serves many
credentials, so fetching it reveals nothing about which one a verifier checks) and the VC API "Update Status"
operation ``POST /credentials/status``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from app import status
from app.api.credentials import record
from app.api.deps import Caller, Db, get_caller, get_services
from app.api.models import (
    BODY_ERRORS,
    RevokeRequest,
    StatusChangeRequest,
    StatusChangeResponse,
    StatusListCredential,
    UpdateStatusRequest,
    UpdateStatusResponse,
    body_doc,
    body_of,
    problems,
)
from app.domain.status_list import PURPOSES
from app.errors import InvalidInput, NotFound
from app.services import Services
from app.storage import credentials, institutions

router = APIRouter(tags=["status"])


class VcJSONResponse(JSONResponse):
    media_type = "application/vc+ld+json"


@router.get("/status/{slug}/{purpose}/{seq}", summary="A signed BitstringStatusListCredential (public)",
            response_class=VcJSONResponse, response_model=StatusListCredential,
            responses={304: {"description": "Not modified (If-None-Match matched the ETag)"},
                       **problems(400, 404, 422)})
def status_list_credential(slug: str, purpose: str, seq: int, request: Request,
                           session: Session = Db, services: Services = Depends(get_services)):
    if purpose not in PURPOSES:
        raise NotFound("No such status list.")
    lst = status.publish(session, services, institutions.by_slug(session, slug), purpose, seq)
    tag = status.etag(lst.signed)
    headers = {"ETag": tag, "Access-Control-Allow-Origin": "*",
               "Cache-Control": f"public, max-age={status.max_age(lst.signed, services.clock())}"}
    if tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return VcJSONResponse(lst.signed, headers=headers)


def _change(action: str, credential_id: str, body: StatusChangeRequest, caller: Caller, session: Session,
            services: Services) -> dict:
    row = credentials.for_institution(session, caller.institution.id, credential_id)
    status.change(session, caller.institution, row, action, actor=caller.actor, reason=body.reason, note=body.note,
                  now=services.clock())
    return {**record(services.settings.public_origin, row, with_document=False), "status": row.status,
            "statusReason": row.status_reason}


CHANGE = {"response_model": StatusChangeResponse, "responses": problems(401, 404, 409, *BODY_ERRORS)}


@router.post("/credentials/{credential_id}/revoke", summary="Revoke (final), with a reason code and a note",
             openapi_extra=body_doc(RevokeRequest, examples={"revoke": {"reason": "issued-in-error",
                                                                         "note": "Issued to the wrong learner."}}),
             **CHANGE)
def revoke(credential_id: str, body: RevokeRequest = Depends(body_of(RevokeRequest)),
           caller: Caller = Depends(get_caller), session: Session = Db, services: Services = Depends(get_services)):
    return _change("revoke", credential_id, body, caller, session, services)


@router.post("/credentials/{credential_id}/suspend", summary="Suspend (reversible)", **CHANGE,
             openapi_extra=body_doc(StatusChangeRequest, required=False,
                                    examples={"suspend": {"reason": "under-investigation"}}))
def suspend(credential_id: str, body: StatusChangeRequest = Depends(body_of(StatusChangeRequest, optional=True)),
            caller: Caller = Depends(get_caller), session: Session = Db, services: Services = Depends(get_services)):
    return _change("suspend", credential_id, body, caller, session, services)


@router.post("/credentials/{credential_id}/reinstate", summary="Lift a suspension", **CHANGE,
             openapi_extra=body_doc(StatusChangeRequest, required=False))
def reinstate(credential_id: str, body: StatusChangeRequest = Depends(body_of(StatusChangeRequest, optional=True)),
              caller: Caller = Depends(get_caller), session: Session = Db,
              services: Services = Depends(get_services)):
    return _change("reinstate", credential_id, body, caller, session, services)


@router.post("/credentials/status", summary="VC API: update a credential's status",
             response_model=UpdateStatusResponse, responses=problems(401, 404, 409, *BODY_ERRORS),
             openapi_extra=body_doc(UpdateStatusRequest, examples={"suspend": {
                 "credentialId": "urn:uuid:0c8a1f3e-4f7b-4c43-9a39-000000000001", "credentialStatus": [
                     {"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": True}]}}))
def update_status(body: UpdateStatusRequest = Depends(body_of(UpdateStatusRequest)),
                  caller: Caller = Depends(get_caller), session: Session = Db,
                  services: Services = Depends(get_services)):
    updates = body.credential_status if isinstance(body.credential_status, list) else [body.credential_status]
    if not updates:
        raise InvalidInput("`credentialStatus` must list the status changes.",
                           errors=[{"field": "credentialStatus", "message": "required"}])
    row = credentials.for_institution(session, caller.institution.id, body.credential_id)
    for n, update in enumerate(updates):
        value = update.status
        if isinstance(value, str):
            value = value in ("true", "revoked", "suspended")
        if update.status_purpose == "revocation" and not value:
            raise InvalidInput("Revocation is final and cannot be undone.", slug="revoked-final",
                               errors=[{"field": f"credentialStatus[{n}].status", "message": "cannot unset"}])
        action = "revoke" if update.status_purpose == "revocation" else ("suspend" if value else "reinstate")
        status.change(session, caller.institution, row, action, actor=caller.actor,
                      reason=body.reason or ("other" if action == "revoke" else None), note=body.note,
                      now=services.clock())
    return {"credentialId": row.uri, "status": row.status}
