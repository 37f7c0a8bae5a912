"""Batch issuing: ``POST /credentials/batches`` (accepted, issued in the background) and ``GET /batches/{id}``.

The request is ``{"items": [microCredential, ...], "mode": "all-or-nothing" | "partial"}``; every batch is checked
and issued in the background (app.batches, app.jobs) and is answered 202 with its Location once stored. An
``Idempotency-Key`` header (draft-ietf-httpapi-idempotency-key-header) makes a retry of the same request get the first
answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy.orm import Session

from app import batch_results, batches, delivery
from app.api.deps import Caller, Db, batch_json_body, get_caller, get_services
from app.api.links import links
from app.api.models import BODY_ERRORS, BatchAccepted, BatchRequest, BatchState, body_of, problems
from app.api.openapi import BATCH_BODY
from app.errors import InvalidInput
from app.services import Services
from app.storage import batches as stored
from app.storage import deliveries
from app.wallet import offers

# An HTTP header value (latin-1, RFC 9110 section 5.5) that is not blank once its whitespace is stripped
_NOT_BLANK = r"^[\t -~\x80-\xff]*[!-~\xa1-\xff][\t -~\x80-\xff]*$"

router = APIRouter(tags=["issuing"])


@router.post("/credentials/batches", status_code=202, openapi_extra=BATCH_BODY, response_model=BatchAccepted,
             responses=problems(401, 409, *BODY_ERRORS),
             summary="Issue a batch of micro-credentials in the background (all or nothing, or partial)")
def submit(request: Request, response: Response,
           body: BatchRequest = Depends(body_of(BatchRequest, reader=batch_json_body)),
           caller: Caller = Depends(get_caller), session: Session = Db, services: Services = Depends(get_services),
           idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255,
                                                      json_schema_extra={"pattern": _NOT_BLANK})):
    if idempotency_key is not None and not idempotency_key.strip():
        raise InvalidInput("The Idempotency-Key header must not be empty.",
                           errors=[{"field": "Idempotency-Key", "message": "must not be empty"}])
    answer = batches.submit(session, services, caller.institution, body.items, body.mode, actor=caller.actor,
                            idempotency_key=idempotency_key, request_json=getattr(request.state, "json_body", None))
    response.headers["Location"] = answer.location
    return answer.body


CSV_ANSWER = {200: {"content": {"text/csv": {"schema": {"type": "string"}, "example": (
    "row,item,learner_name,learner_reference,credential_id,learner_page,verification_link,wallet_offer_link,"
    "wallet_tx_code,status,"
    "message,email,email_status,email_error\r\n")}},
    "description": "The batch's items (JSON), or with `Accept: text/csv` every item as one line of a CSV file "
                   "(UTF-8 with a byte order mark; the columns of `mcred issue-csv --results`)"}}


def _wants_csv(accept: str | None) -> bool:
    """``Accept: text/csv`` preferred to JSON (RFC 9110 section 12.5.1: the highest q-value; JSON on a tie)."""
    quality = {}
    for part in (accept or "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            quality[media.lower()] = max(quality.get(media.lower(), 0.0), float(q))
        except ValueError:
            continue
    return quality.get("text/csv", 0) > max(quality.get("application/json", 0), quality.get("*/*", 0))


@router.get("/batches/{batch_id}", response_model=BatchState, responses={**problems(400, 401, 404, 422), **CSV_ANSWER},
            summary="A batch: counts, progress, and its items' results (paginated; all of them as CSV)")
def get_batch(batch_id: str, status: str | None = Query(None, pattern="^(pending|issued|failed)$"),
              offset: int = Query(0, ge=0, le=1_000_000), limit: int = Query(100, ge=1, le=1000),
              caller: Caller = Depends(get_caller), session: Session = Db,
              services: Services = Depends(get_services), accept: str | None = Header(None)):
    batch = stored.for_institution(session, caller.institution.id, batch_id)
    origin = services.settings.public_origin
    if _wants_csv(accept):
        wallet = lambda ids: offers.batch_view(session, services, caller.institution, ids)  # noqa: E731
        body = batch_results.to_bytes(batch_results.batch_rows(session, origin, batch.id, links, services.clock(),
                                                               wallet=wallet))
        return Response(body, media_type=batch_results.MEDIA_TYPE, headers={
            "Content-Disposition": f'attachment; filename="batch-{batch.id}.csv"', "Vary": "Accept"})
    page = stored.items_page(session, batch.id, state=status, offset=offset, limit=limit)
    total = stored.count_items(session, batch.id, status)
    sent = deliveries.for_credentials(session, [cred.id for _, cred in page if cred is not None])
    query = f"&status={status}" if status else ""
    more = f"{batches.batch_url(origin, batch.id)}?offset={offset + limit}&limit={limit}{query}"
    wallet = offers.batch_view(session, services, caller.institution, [c.id for _, c in page if c is not None])
    items = []
    for item, cred in page:
        result = batches.with_wallet(batches.item_result(origin, item, cred, links), wallet)
        state = delivery.state_of(sent.get(cred.id)) if cred is not None else None
        items.append({**result, "delivery": state} if state else result)
    return {**batches.describe(origin, batch), "items": items,
            "page": {"offset": offset, "limit": limit, "total": total,
                     "next": more if offset + limit < total else None}}
