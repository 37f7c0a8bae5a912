"""OpenID for Verifiable Credential Issuance 1.0: each institution is a credential issuer at
``/issuers/{slug}`` (app.wallet). Errors here are OAuth's ``{"error", "error_description"}`` (RFC 6749 section 5.2,
OID4VCI 1.0 sections 6.3, 7 and 8.3.1), never problem details; a refusal is answered, not raised, so the
transaction keeps what it must (a counted wrong transaction code, a spent nonce).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from app import safe_json
from app.api.deps import Db, get_services
from app.api.models import problems
from app.api.oid4vci_models import (
    AuthorizationServerMetadata,
    CredentialIssuerMetadata,
    CredentialOffer,
    CredentialRequest,
    CredentialResponse,
    NonceResponse,
    TokenRequest,
    TokenResponse,
    body,
    oauth_errors,
    ok,
)
from app.api.problems import oauth_response
from app.db.models import Credential, Institution
from app.errors import McredError, OAuthError
from app.services import Services
from app.storage import institutions, wallet_offers
from app.wallet import issuance, metadata, offers

router = APIRouter(tags=["wallets (OpenID4VCI)"])

MAX_BODY = 64_000


def _institution(session: Session, slug: str) -> Institution:
    try:
        return institutions.by_slug(session, slug)
    except McredError:
        raise OAuthError("invalid_request", f"No credential issuer {slug!r} here.", status=404) from None


def _json(body: dict) -> JSONResponse:
    return JSONResponse(body, headers=issuance.NO_STORE)


@router.get("/.well-known/openid-credential-issuer/issuers/{slug}",
            responses={**ok(CredentialIssuerMetadata), **oauth_errors(400, 404), **problems(500)},
            summary="Credential issuer metadata (OID4VCI 1.0 section 12.2)")
def issuer_metadata(slug: str, session: Session = Db, services: Services = Depends(get_services)):
    inst = _institution(session, slug)
    return JSONResponse(metadata.credential_issuer_metadata(services.settings.public_origin, inst),
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/.well-known/oauth-authorization-server/issuers/{slug}",
            responses={**ok(AuthorizationServerMetadata), **oauth_errors(400, 404), **problems(500)},
            summary="Authorization server metadata (RFC 8414)")
def authorization_server_metadata(slug: str, session: Session = Db, services: Services = Depends(get_services)):
    inst = _institution(session, slug)
    return JSONResponse(metadata.authorization_server_metadata(services.settings.public_origin, inst),
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/issuers/{slug}/offers/{ref}",
            responses={**ok(CredentialOffer), **oauth_errors(400, 404), **problems(500)},
            summary="A credential offer by reference (OID4VCI 1.0 section 4.1.3)")
def credential_offer(slug: str, ref: str, session: Session = Db, services: Services = Depends(get_services)):
    inst = _institution(session, slug)
    offer = wallet_offers.by_ref(session, ref)
    if offer is None or offer.institution_id != inst.id:
        return oauth_response(OAuthError("invalid_request", "No such credential offer.", status=404))
    row = session.get(Credential, offer.credential_id)
    return _json(offers.credential_offer(services.settings.public_origin, inst, offer, row,
                                         services.settings.wallet_tx_code_length))


@router.post("/issuers/{slug}/token", openapi_extra=body(TokenRequest, "application/x-www-form-urlencoded"),
             responses={**ok(TokenResponse), **oauth_errors(400, 404), **problems(500)},
             summary="Token endpoint: the pre-authorized code grant (OID4VCI 1.0 section 6)")
async def token_endpoint(slug: str, request: Request, session: Session = Db,
                         services: Services = Depends(get_services)):
    try:
        inst = await run_in_threadpool(_institution, session, slug)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "Send the token request as application/x-www-form-urlencoded.")
        form = dict(await request.form(max_files=0, max_fields=20))
        # the database work off the event loop (a blocking SQLite lock wait must not stop other requests)
        return _json(await run_in_threadpool(issuance.token, session, services, inst, form))
    except OAuthError as exc:
        return oauth_response(exc)


@router.post("/issuers/{slug}/nonce", responses={**ok(NonceResponse), **oauth_errors(400, 404), **problems(500)},
             summary="Nonce endpoint: a fresh c_nonce (OID4VCI 1.0 section 7)")
def nonce_endpoint(slug: str, session: Session = Db, services: Services = Depends(get_services)):
    inst = _institution(session, slug)
    return _json(issuance.nonce(session, services, inst))


@router.post("/issuers/{slug}/credential", openapi_extra=body(CredentialRequest),
             responses={**ok(CredentialResponse), **oauth_errors(400, 401, 404), **problems(500)},
             summary="Credential endpoint: the wallet copy, bound to the holder's key (OID4VCI 1.0 section 8)")
async def credential_endpoint(slug: str, request: Request, session: Session = Db,
                              services: Services = Depends(get_services)):
    try:
        inst = await run_in_threadpool(_institution, session, slug)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise OAuthError("invalid_credential_request", f"The request is larger than {MAX_BODY} bytes.")
        try:
            body = safe_json.parse(raw)
        except McredError as exc:
            raise OAuthError("invalid_credential_request", f"The request is not JSON: {exc.detail}") from None
        return _json(await run_in_threadpool(issuance.credential, session, services, inst,
                                             request.headers.get("authorization"), body))
    except OAuthError as exc:
        return oauth_response(exc)
