"""Batch issuing: ``POST /credentials/batches`` (accepted, issued in the background) and ``GET /batches/{id}``.

The request is ``{"items": [microCredential, ...], "mode": "all-or-nothing" | "partial"}``; every batch runs in the
background (app.batches, app.jobs) and is answered 202 with its Location. An ``Idempotency-Key`` header
(draft-ietf-httpapi-idempotency-key-header) makes a retry of the same request get the first answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from app import batches
from app.api.deps import Caller, Db, batch_json_body, get_caller, get_services
from app.api.links import links
from app.api.models import BODY_ERRORS, BatchAccepted, BatchRequest, BatchState, body_of, problems
from app.api.openapi import BATCH_BODY
from app.errors import InvalidInput
from app.services import Services
from app.storage import batches as stored
from app.wallet import offers

# An HTTP header value (latin-1, RFC 9110 section 5.5) that is not blank once its whitespace is stripped
_NOT_BLANK = r"^[\t -~\x80-\xff]*[!-~\xa1-\xff][\t -~\x80-\xff]*$"

router = APIRouter(tags=["issuing"])


@router.post("/credentials/batches", status_code=202, openapi_extra=BATCH_BODY, response_model=BatchAccepted,
             responses=problems(401, 409, *BODY_ERRORS),
             summary="Issue a batch of micro-credentials in the background (all or nothing, or partial)")
def submit(response: Response, body: BatchRequest = Depends(body_of(BatchRequest, reader=batch_json_body)),
           caller: Caller = Depends(get_caller), session: Session = Db, services: Services = Depends(get_services),
           idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255,
                                                      json_schema_extra={"pattern": _NOT_BLANK})):
    if idempotency_key is not None and not idempotency_key.strip():
        raise InvalidInput("The Idempotency-Key header must not be empty.",
                           errors=[{"field": "Idempotency-Key", "message": "must not be empty"}])
    answer = batches.submit(session, services, caller.institution, body.items, body.mode, actor=caller.actor,
                            idempotency_key=idempotency_key)
    response.headers["Location"] = answer.location
    return answer.body


@router.get("/batches/{batch_id}", response_model=BatchState, responses=problems(400, 401, 404, 422),
            summary="A batch: counts, progress, and its items' results (paginated)")
def get_batch(batch_id: str, status: str | None = Query(None, pattern="^(pending|issued|failed)$"),
              offset: int = Query(0, ge=0, le=1_000_000), limit: int = Query(100, ge=1, le=1000),
              caller: Caller = Depends(get_caller), session: Session = Db,
              services: Services = Depends(get_services)):
    batch = stored.for_institution(session, caller.institution.id, batch_id)
    origin = services.settings.public_origin
    page = stored.items_page(session, batch.id, state=status, offset=offset, limit=limit)
    total = stored.count_items(session, batch.id, status)
    query = f"&status={status}" if status else ""
    more = f"{batches.batch_url(origin, batch.id)}?offset={offset + limit}&limit={limit}{query}"
    wallet = offers.batch_view(session, services, caller.institution, [c.id for _, c in page if c is not None])
    return {**batches.describe(origin, batch),
            "items": [batches.with_wallet(batches.item_result(origin, item, cred, links), wallet)
                      for item, cred in page],
            "page": {"offset": offset, "limit": limit, "total": total, "next": more if offset + limit < total else None}}
