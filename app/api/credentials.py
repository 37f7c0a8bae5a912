"""Reading issued credentials: the institution's own view (the learner's link is in app.api.verify_pages)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from app.api.deps import Caller, Db, get_caller, get_services
from app.api.links import links
from app.api.models import AuditEvents, CredentialList, CredentialRecord, problems
from app.db.models import Credential
from app.domain.timefmt import to_xsd
from app.services import Services
from app.storage import audit, credentials
from app.wallet import offers

router = APIRouter(tags=["credentials"])


def record(origin: str, row: Credential, *, with_document: bool = True) -> dict:
    out = {"id": row.id, "credentialId": row.uri, "learnerRef": row.learner_ref, "learnerName": row.learner_name,
           "title": row.title, "issuedAt": to_xsd(row.issued_at),
           "validFrom": to_xsd(row.valid_from) if row.valid_from else None,
           "validUntil": to_xsd(row.valid_until) if row.valid_until else None,
           "batchId": row.batch_id, "links": links(origin, row)}
    if with_document:
        out["verifiableCredential"] = row.document
    return out


@router.get("/credentials", summary="List this institution's credentials (optionally those expiring soon)",
            response_model=CredentialList, responses=problems(400, 401, 422))
def list_credentials(expiring_within_days: int | None = Query(None, alias="expiringWithinDays", ge=0, le=36500),
                     learner_ref: str | None = Query(None, alias="learnerRef", max_length=200),
                     limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=2**31 - 1),
                     caller: Caller = Depends(get_caller), session: Session = Db,
                     services: Services = Depends(get_services)):
    now = services.clock()
    before = now + timedelta(days=expiring_within_days) if expiring_within_days is not None else None
    filters = {"expiring_before": before, "not_expired_at": now if before is not None else None,
               "learner_ref": learner_ref}
    rows = credentials.list_for_institution(session, caller.institution.id, **filters, limit=limit, offset=offset)
    total = credentials.count_for_institution(session, caller.institution.id, **filters)
    origin = services.settings.public_origin
    # count: on this page; total: all that match, over every page.
    return {"credentials": [record(origin, r, with_document=False) for r in rows], "count": len(rows),
            "total": total, "limit": limit, "offset": offset}


@router.get("/credentials/{credential_id}", summary="One credential issued by this institution",
            response_model=CredentialRecord, responses=problems(400, 401, 404))
def get_credential(credential_id: str, caller: Caller = Depends(get_caller), session: Session = Db,
                   services: Services = Depends(get_services)):
    row = credentials.for_institution(session, caller.institution.id, credential_id)
    out = record(services.settings.public_origin, row)
    wallet = offers.record_view(session, services, caller.institution, row)
    link = wallet.pop("walletOffer")
    if link:
        out["links"]["walletOffer"] = link
    return {**out, **wallet}


@router.get("/credentials/{credential_id}/events", summary="The audit trail of one credential (who, when, why)",
            response_model=AuditEvents, responses=problems(400, 401, 404))
def credential_events(credential_id: str, caller: Caller = Depends(get_caller), session: Session = Db):
    row = credentials.for_institution(session, caller.institution.id, credential_id)
    events = audit.events(session, institution_id=caller.institution.id, credential_id=row.id)
    return {"events": [{"action": e.action, "actor": e.actor, "at": to_xsd(e.created_at), **e.details}
                       for e in reversed(events)]}
