"""did:web documents of the institutions (did:web method, section 3.3 Read), served from the database."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.api.deps import Db
from app.api.models import DidDocument, problems
from app.errors import NotFound
from app.storage import institutions

router = APIRouter(tags=["did"])


def document_for(session: Session, slug: str) -> dict:
    inst = institutions.by_slug(session, slug)
    if inst.did_method != "web":
        raise NotFound(f"Institution {slug!r} uses {inst.did}, which needs no hosted document.")
    return institutions.published_did_document(session, inst)


class DidJSONResponse(JSONResponse):
    media_type = "application/did+json"


@router.get("/institutions/{slug}/did.json", summary="The institution's did:web DID document",
            response_class=DidJSONResponse, response_model=DidDocument, responses=problems(400, 404))
def did_json(slug: str, session: Session = Db):
    return DidJSONResponse(document_for(session, slug),
                           headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})
