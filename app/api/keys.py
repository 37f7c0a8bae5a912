"""An institution's own API keys: list them and revoke one (a leaked key, a retired system) without an admin.

Creating keys stays an administrator's act (``mcred create-api-key``): a stolen key must not mint others.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app import admin
from app.api.deps import Caller, Db, get_caller, get_services
from app.api.models import ApiKeyInfo, ApiKeys, problems
from app.db.models import ApiKey
from app.domain.timefmt import to_xsd
from app.services import Services
from app.storage import api_keys

router = APIRouter(tags=["api keys"])


def _key(row: ApiKey, caller: Caller) -> dict:
    return {"prefix": row.prefix, "label": row.label, "createdAt": to_xsd(row.created_at),
            "revokedAt": to_xsd(row.revoked_at) if row.revoked_at else None,
            "current": row.id == caller.api_key.id}


@router.get("/api-keys", summary="This institution's API keys (prefixes and labels; never the keys)",
            response_model=ApiKeys, responses=problems(400, 401))
def list_keys(caller: Caller = Depends(get_caller), session: Session = Db):
    return {"apiKeys": [_key(row, caller) for row in api_keys.for_institution(session, caller.institution)]}


@router.post("/api-keys/{prefix}/revoke", summary="Revoke one of this institution's API keys (then 401)",
             response_model=ApiKeyInfo, responses=problems(400, 401, 404))
def revoke_key(prefix: str, caller: Caller = Depends(get_caller), session: Session = Db,
               services: Services = Depends(get_services)):
    row = admin.revoke_api_key(session, services, caller.institution, prefix, actor=caller.actor)
    return _key(row, caller)
