"""The employer's side in a browser: the verification page behind each credential's QR code, the QR code itself,
a printable rendition for the learner, and a page to verify an uploaded or pasted credential file.

Server-rendered Jinja2 (no JavaScript, no CDN), in Latvian or English (``?lang=``, else Accept-Language, else lv).
Every page re-verifies the credential live with the same checks as ``POST /credentials/verify``.
The verification URL ``{origin}/v/{verify_token}`` is a bearer secret: pages send no referrer and are not indexed.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from app import i18n, safe_json, verifying
from app.api.deps import Db, get_services
from app.api.links import links
from app.api.verify import get_fetcher
from app.db.models import Credential
from app.domain import elm
from app.domain.timefmt import parse_xsd
from app.domain.verify import VerificationResult, is_elm
from app.errors import LimitExceeded, McredError, NotFound
from app.services import Services
from app.storage import credentials

router = APIRouter(tags=["verification pages"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    # No script at all; styles and images only from this service (QR images inline as data/SVG).
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
}

DETAIL_FIELDS = ("title", "documentType", "programmeType", "learnerName", "awardingBody", "country", "region",
                 "dateOfIssue", "ects", "hours", "eqfLevel",
                 "nqfLevel", "learningOutcomes", "assessment", "assessmentMode", "participation", "qualityAssurance",
                 "grade", "validFrom", "validUntil")
DATE_FIELDS = {"dateOfIssue", "validFrom", "validUntil"}


def _lang(request: Request) -> str:
    return i18n.choose_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def _date(value) -> str | None:
    if not value:
        return None
    dt = parse_xsd(value) if isinstance(value, str) else value
    if isinstance(dt, datetime):
        return dt.strftime("%Y-%m-%d") if (dt.hour, dt.minute, dt.second) == (0, 0, 0) else \
            dt.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def display_fields(credential: dict, view: dict | None, lang: str) -> list[tuple[str, object]]:
    """(field, value) pairs to show, read from what was signed (``view``, never the JSON as sent): the ELM
    micro-credential's elements, or what a generic VC says."""
    summary: dict = {}
    if view is None:
        return []
    if is_elm(credential, view):
        try:
            summary = elm.summarize(view, lang) or {}
        except Exception:  # an odd ELM document must still show its verification result
            summary = {}
    else:
        subject = view.get("credentialSubject")
        subject = subject[0] if isinstance(subject, list) and subject else subject
        subject = subject if isinstance(subject, dict) else {}
        name = elm._text(view.get("name"), lang)
        types = [t for t in (view.get("type") or []) if t != "VerifiableCredential"] \
            if isinstance(view.get("type"), list) else []
        summary = {"title": name or (", ".join(types) or None),
                   "learnerName": elm._text(subject.get("name"), lang),
                   "validFrom": view.get("validFrom") or view.get("issuanceDate"),
                   "validUntil": view.get("validUntil") or view.get("expirationDate")}
    out = []
    for key in DETAIL_FIELDS:
        value = summary.get(key)
        if key == "validUntil" and not value:
            value = i18n.t(lang, "field.validUntil.none")
        if value in (None, "", []):
            continue
        if key in DATE_FIELDS:
            value = _date(value)
        out.append((key, value))
    return out


def _switch_links(request: Request, lang: str) -> list[dict]:
    params = dict(request.query_params)
    out = []
    for code in i18n.LANGUAGES:
        params["lang"] = code
        out.append({"code": code, "name": i18n.CATALOGUE[code]["lang.name"], "current": code == lang,
                    "href": f"{request.url.path}?{urlencode(params)}"})
    return out


def _render(request: Request, name: str, lang: str, status_code: int = 200, **context) -> HTMLResponse:
    ctx = {"lang": lang, "t": i18n.translator(lang), "languages": _switch_links(request, lang), **context}
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=PAGE_HEADERS)


def _check_rows(result: VerificationResult, lang: str) -> list[dict]:
    rows = []
    for check in result.checks:
        row = check.to_dict()
        rows.append(row)
    return rows


def _warning_rows(result: VerificationResult, lang: str) -> list[dict]:
    rows = []
    for w in result.warnings:
        # the Annex I elements a micro-credential lacks, named in the reader's language
        rows.append({**w, "items": [elm.MANDATORY_ELEMENTS.get(m, {}).get(lang) or str(m)
                                    for m in w.get("missing") or []]})
    return rows


def _result_context(result: VerificationResult, credential: dict, lang: str, now: datetime) -> dict:
    return {
        "result": result,
        "verdict": result.verdict,
        "checks": _check_rows(result, lang),
        "warnings": _warning_rows(result, lang),
        "fields": display_fields(credential, result.view, lang),
        "authentic": result.authentic,
        "issuer": result.issuer,
        "issuer_info": result.issuer_info(),
        "credential_id": credential.get("id") if isinstance(credential.get("id"), str) else None,
        "checked_at": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
    }


def _row(session: Session, token: str) -> Credential:
    return credentials.by_verify_token(session, token)


def _not_found(request: Request) -> HTMLResponse:
    lang = _lang(request)
    return _render(request, "verify_not_found.html", lang, status_code=404)


# --- the page behind the QR code ----------------------------------------------------------------------------------


def _live_page(template: str, token: str, request: Request, session: Session, services: Services,
               fetcher: verifying.RemoteFetcher, *, with_qr: bool = False) -> HTMLResponse:
    """Re-verify the stored credential now and render it with ``template`` (an HTML 404 for unknown tokens)."""
    try:
        row = _row(session, token)
    except NotFound:
        return _not_found(request)
    lang = _lang(request)
    now = services.clock()
    result = verifying.verify(session, services, fetcher, row.document, now=now)
    row_links = links(services.settings.public_origin, row)
    url = row_links["verification"]
    return _render(request, template, lang, token=token, links=row_links, verification_url=url,
                   qr=qr_svg(url) if with_qr else None, **_result_context(result, row.document, lang, now))


@router.get("/v/{token}", response_class=HTMLResponse, summary="Public verification page of an issued credential")
def verification_page(token: str, request: Request, session: Session = Db,
                      services: Services = Depends(get_services),
                      fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    return _live_page("verify_result.html", token, request, session, services, fetcher)


def qr_image(url: str, factory=None):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4,
                       image_factory=factory)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.make_image()


def qr_svg(url: str) -> str:
    buf = io.BytesIO()
    qr_image(url, qrcode.image.svg.SvgPathImage).save(buf)
    return buf.getvalue().decode()


@router.get("/v/{token}/qr.png", summary="QR code (PNG) of the verification URL",
            responses={200: {"content": {"image/png": {}}}})
def qr_png(token: str, session: Session = Db, services: Services = Depends(get_services)):
    row = _row(session, token)
    buf = io.BytesIO()
    qr_image(links(services.settings.public_origin, row)["verification"]).save(buf, format="PNG")
    return Response(buf.getvalue(), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400", "X-Robots-Tag": "noindex"})


@router.get("/v/{token}/qr.svg", summary="QR code (SVG) of the verification URL",
            responses={200: {"content": {"image/svg+xml": {}}}})
def qr_svg_route(token: str, session: Session = Db, services: Services = Depends(get_services)):
    row = _row(session, token)
    return Response(qr_svg(links(services.settings.public_origin, row)["verification"]),
                    media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=86400", "X-Robots-Tag": "noindex"})


@router.get("/v/{token}/print", response_class=HTMLResponse, summary="Printable rendition with the QR code")
def print_page(token: str, request: Request, session: Session = Db,
               services: Services = Depends(get_services),
               fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    return _live_page("verify_print.html", token, request, session, services, fetcher, with_qr=True)


# --- upload or paste ----------------------------------------------------------------------------------------------


@router.get("/verify", response_class=HTMLResponse, summary="Form: verify an uploaded or pasted credential")
def verify_form(request: Request):
    return _render(request, "verify_form.html", _lang(request))


@router.post("/verify", response_class=HTMLResponse, summary="Verify an uploaded or pasted credential (HTML)")
def verify_upload(request: Request, file: UploadFile | None = File(None), credential: str | None = Form(None),
                  lang: str | None = Form(None), session: Session = Db,
                  services: Services = Depends(get_services),
                  fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    lang = lang if lang in i18n.LANGUAGES else _lang(request)
    limit = verifying.VERIFY_LIMITS.max_bytes
    raw: bytes | str | None = None
    if file is not None and file.filename:
        raw = file.file.read(limit + 1)
    if not raw and credential and credential.strip():
        raw = credential
    if not raw:
        return _render(request, "verify_form.html", lang, status_code=400, error=i18n.t(lang, "form.empty"))
    try:
        verifying.credential_size(raw)
    except LimitExceeded as exc:
        return _render(request, "verify_form.html", lang, status_code=413, error=exc.detail)
    try:
        document = safe_json.parse(raw)
    except McredError as exc:
        return _render(request, "verify_form.html", lang, status_code=exc.status,
                       error=f"{i18n.t(lang, 'form.not_json')} ({exc.detail})")
    if isinstance(document, dict) and isinstance(document.get("verifiableCredential"), dict):
        document = document["verifiableCredential"]  # a VC API request body or issue response pasted as is
    now = services.clock()
    try:
        result = verifying.verify(session, services, fetcher, document, now=now)
    except McredError as exc:
        return _render(request, "verify_form.html", lang, status_code=exc.status,
                       error=f"{i18n.t(lang, 'form.refused')}: {exc.detail}")
    return _render(request, "verify_result.html", lang, token=None, links=None,
                   **_result_context(result, document, lang, now))
