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
from app.api.deps import Caller, Db, get_caller, get_services, json_body
from app.domain.status_list import PURPOSES
from app.errors import InvalidInput, NotFound
from app.services import Services
from app.storage import credentials, institutions

router = APIRouter(tags=["status"])


@router.get("/status/{slug}/{purpose}/{seq}", summary="A signed BitstringStatusListCredential (public)")
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
    return JSONResponse(lst.signed, media_type="application/vc+ld+json", headers=headers)


def _note_and_reason(body: object) -> tuple[str | None, str | None]:
    if body is None:
        return None, None
    if not isinstance(body, dict):
        raise InvalidInput("The body must be a JSON object.", errors=[{"field": "body", "message": "not an object"}])
    return body.get("reason"), body.get("note")


async def optional_json(request: Request) -> object:
    if not await request.body():
        return None
    return await json_body(request)


def _change(action: str, credential_id: str, body, caller: Caller, session: Session, services: Services):
    reason, note = _note_and_reason(body)
    if action == "revoke" and reason is None:
        raise InvalidInput("Say why the credential is revoked: `reason` is required.",
                           errors=[{"field": "reason", "message": "one of " + ", ".join(status.REASONS)}])
    row = credentials.for_institution(session, caller.institution.id, credential_id)
    status.change(session, caller.institution, row, action, actor=caller.actor, reason=reason, note=note,
                  now=services.clock())
    return {**record(services.settings.public_origin, row, with_document=False), "status": row.status,
            "statusReason": row.status_reason}


@router.post("/credentials/{credential_id}/revoke", summary="Revoke (final), with a reason code and a note")
def revoke(credential_id: str, body: object = Depends(optional_json), caller: Caller = Depends(get_caller),
           session: Session = Db, services: Services = Depends(get_services)):
    return _change("revoke", credential_id, body, caller, session, services)


@router.post("/credentials/{credential_id}/suspend", summary="Suspend (reversible)")
def suspend(credential_id: str, body: object = Depends(optional_json), caller: Caller = Depends(get_caller),
            session: Session = Db, services: Services = Depends(get_services)):
    return _change("suspend", credential_id, body, caller, session, services)


@router.post("/credentials/{credential_id}/reinstate", summary="Lift a suspension")
def reinstate(credential_id: str, body: object = Depends(optional_json), caller: Caller = Depends(get_caller),
              session: Session = Db, services: Services = Depends(get_services)):
    return _change("reinstate", credential_id, body, caller, session, services)


@router.post("/credentials/status", summary="VC API: update a credential's status")
def update_status(body: object = Depends(json_body), caller: Caller = Depends(get_caller),
                  session: Session = Db, services: Services = Depends(get_services)):
    """Body: ``{"credentialId": ..., "credentialStatus": [{"type": "BitstringStatusListEntry",
    "statusPurpose": "revocation"|"suspension", "status": true|false}]}``; ``reason``/``note`` optional."""
    if not isinstance(body, dict) or not isinstance(body.get("credentialId"), str):
        raise InvalidInput("`credentialId` is required.", errors=[{"field": "credentialId", "message": "required"}])
    updates = body.get("credentialStatus")
    updates = [updates] if isinstance(updates, dict) else updates
    if not isinstance(updates, list) or not updates or not all(isinstance(u, dict) for u in updates):
        raise InvalidInput("`credentialStatus` must list the status changes.",
                           errors=[{"field": "credentialStatus", "message": "required"}])
    row = credentials.for_institution(session, caller.institution.id, body["credentialId"])
    for n, update in enumerate(updates):
        purpose, value = update.get("statusPurpose"), update.get("status")
        if isinstance(value, str):
            value = {"true": True, "false": False, "revoked": True, "suspended": True, "active": False}.get(value)
        if purpose not in PURPOSES or not isinstance(value, bool):
            raise InvalidInput("Each status change needs statusPurpose (revocation|suspension) and status (bool).",
                               errors=[{"field": f"credentialStatus[{n}]", "message": "invalid"}])
        if purpose == "revocation" and not value:
            raise InvalidInput("Revocation is final and cannot be undone.", slug="revoked-final",
                               errors=[{"field": f"credentialStatus[{n}].status", "message": "cannot unset"}])
        action = "revoke" if purpose == "revocation" else ("suspend" if value else "reinstate")
        status.change(session, caller.institution, row, action, actor=caller.actor,
                      reason=body.get("reason", "other" if action == "revoke" else None), note=body.get("note"),
                      now=services.clock())
    return JSONResponse({"credentialId": row.uri, "status": row.status}, status_code=200)
