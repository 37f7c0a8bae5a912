"""Wallet offers (OpenID4VCI) of a credential record: the institution lists, makes and withdraws them; the
learner's page makes a new one ("make a new offer": another wallet, a lost phone)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app import verifying
from app.api.deps import Caller, Db, get_caller, get_services
from app.api.models import WalletOffers, problems
from app.api.verify import get_fetcher
from app.api.verify_pages import PAGE_ERRORS, SvgResponse, _not_found, learner_response, qr_svg
from app.db.models import Institution
from app.errors import Conflict, Forbidden, NotFound
from app.services import Services
from app.storage import audit, credentials, wallet_offers
from app.wallet import offers

router = APIRouter(tags=["wallets (OpenID4VCI)"])


def _listing(session: Session, services: Services, inst: Institution, row, withdrawn: int | None = None) -> dict:
    now = services.clock()
    out = {"offers": [offers.summary(services.settings.public_origin, inst, o, now)
                      for o in wallet_offers.for_credential(session, row.id)]}
    return {**out, "withdrawn": withdrawn} if withdrawn is not None else out


@router.get("/credentials/{credential_id}/wallet-offers", response_model=WalletOffers,
            response_model_exclude_none=True, responses=problems(400, 401, 404),
            summary="The record's wallet offers (OpenID4VCI), newest first")
def list_offers(credential_id: str, caller: Caller = Depends(get_caller), session: Session = Db,
                services: Services = Depends(get_services)):
    row = credentials.for_institution(session, caller.institution.id, credential_id)
    return _listing(session, services, caller.institution, row)


@router.post("/credentials/{credential_id}/wallet-offers", status_code=201, response_model=WalletOffers,
             response_model_exclude_none=True, responses=problems(400, 401, 404, 409),
             summary="Make a new wallet offer of the record (the open ones stay open)")
def new_offer(credential_id: str, txCode: bool | None = None, caller: Caller = Depends(get_caller),  # noqa: N803
              session: Session = Db, services: Services = Depends(get_services)):
    row = credentials.for_institution(session, caller.institution.id, credential_id)
    if not offers.offerable(row):
        raise Conflict("This credential has not exactly one subject, so no wallet can be named its holder.",
                       slug="not-offerable")
    offers.open_offer(session, services, caller.institution, row, tx_override=txCode, actor=caller.actor)
    return _listing(session, services, caller.institution, row)


@router.post("/credentials/{credential_id}/wallet-offers/withdraw", response_model=WalletOffers,
             response_model_exclude_none=True, responses=problems(400, 401, 404),
             summary="Withdraw every open wallet offer of the record (copies already picked up stay)")
def withdraw(credential_id: str, caller: Caller = Depends(get_caller), session: Session = Db,
             services: Services = Depends(get_services)):
    row = credentials.for_institution(session, caller.institution.id, credential_id)
    now = services.clock()
    count = wallet_offers.withdraw_open(session, row.id, now=now)
    audit.record(session, actor=caller.actor, action="wallet-offers-withdrawn", now=now,
                 institution_id=caller.institution.id, credential_id=row.id, count=count)
    return _listing(session, services, caller.institution, row, withdrawn=count)


@router.post("/download/{token}/wallet-offer", response_class=HTMLResponse, tags=["learners"],
             responses={**PAGE_ERRORS, **problems(403)},
             summary="The learner's page: make a new wallet offer (the open one is withdrawn)")
def learner_new_offer(token: str, request: Request, session: Session = Db,
                      services: Services = Depends(get_services),
                      fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    """A plain form post, without script. The link's token is the capability; a post another site's page makes
    (its Origin, or Sec-Fetch-Site cross-site) is refused."""
    origin = request.headers.get("origin")
    if (origin and origin != services.settings.public_origin) or \
            request.headers.get("sec-fetch-site") == "cross-site":
        raise Forbidden("A new wallet offer is made from the learner's own page.")
    try:
        row = credentials.by_download_token(session, token)
    except NotFound:
        return _not_found(request)
    if not offers.offerable(row):
        return learner_response(request, session, services, fetcher, row)
    code = offers.learner_offer(session, services, session.get(Institution, row.institution_id), row)
    audit.record(session, actor=offers.LEARNER, action="wallet-offer", now=services.clock(),
                 institution_id=row.institution_id, credential_id=row.id)
    return learner_response(request, session, services, fetcher, row, new_code=code)


@router.get("/download/{token}/wallet-offer.svg", tags=["learners"], response_class=SvgResponse,
            responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}, **problems(400, 404)},
            summary="The QR code (SVG) of the learner's open wallet offer")
def learner_offer_qr(token: str, session: Session = Db, services: Services = Depends(get_services)):
    row = credentials.by_download_token(session, token)
    inst = session.get(Institution, row.institution_id)
    link = offers.learner_view(session, services, inst, row)["link"]
    if link is None:
        raise NotFound("This credential has no open wallet offer.")
    return SvgResponse(qr_svg(link), headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex",
                                              "Referrer-Policy": "no-referrer"})
