"""The public pages: the employer's verification page behind each credential's QR code, the QR code itself, the
learner's page behind the download link (the signed file, the PDF certificate, the link and QR code to share), the
certificate, and a page to verify an uploaded or pasted credential file.

Server-rendered Jinja2 (no JavaScript, no CDN), in Latvian or English (``?lang=``, else Accept-Language, see
app.i18n). Every page and certificate re-verifies the credential live with the same checks as
``POST /credentials/verify``; app.credential_view turns the result into what people read.
The links ``/v/{verify_token}`` and ``/download/{download_token}`` are bearer secrets: pages send no referrer and
are not indexed.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from app import certificate, i18n, safe_json, verifying
from app.api.admitting import Admitted, admitted
from app.api.deps import Db, get_services
from app.api.links import links
from app.api.models import REF, problems
from app.api.verify import get_fetcher
from app.credential_view import reading
from app.db.models import Credential, Institution
from app.errors import LimitExceeded, McredError, NotFound
from app.services import Services
from app.storage import credentials, institutions
from app.wallet import offers

router = APIRouter(tags=["public pages"])
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
FILE_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff"}
JSON_TYPES = ("application/json", "application/ld+json", "application/vc+ld+json")
BINARY = {"schema": {"type": "string", "format": "binary"}}


def _html() -> dict:
    return {"text/html": {"schema": {"type": "string"}}}


def _ld_json() -> dict:
    return {"application/ld+json": {"schema": {"$ref": REF.format(model="SignedCredential")}}}


class PngResponse(Response):
    media_type = "image/png"


class SvgResponse(Response):
    media_type = "image/svg+xml"


class PdfResponse(Response):
    media_type = "application/pdf"


class JsonLdResponse(JSONResponse):
    """The signed credential as issued, readable (indented, UTF-8)."""

    media_type = "application/ld+json"

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=False, indent=2).encode()
PAGE_ERRORS = {**problems(400),  # a NUL character in the URL
               404: {"description": "Unknown link: a page in the reader's language", "content": _html()}}


def _lang(request: Request) -> str:
    return i18n.choose_language(request.query_params.get("lang"), request.headers.get("accept-language"))


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


def _not_found(request: Request) -> HTMLResponse:
    return _render(request, "verify_not_found.html", _lang(request), status_code=404)


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266 with an ASCII fallback and the real name as RFC 8187 UTF-8 (``filename*``): "Datu analīze ar
    Python.pdf" is saved as such, and as "Datu analize ar Python.pdf" by a client that knows only ``filename``."""
    clean = re.sub(r'[\x00-\x1f\x7f"\\/:*?<>|]+', " ", unicodedata.normalize("NFC", filename))
    clean = re.sub(r"\s+", " ", clean).strip(" .") or "credential"
    ascii_name = unicodedata.normalize("NFKD", clean).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "-", ascii_name).strip(" -.") or "credential"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"


def _file_name(row: Credential, suffix: str) -> str:
    return f"{(row.title or 'credential')[:80].strip()} {row.id[:8]}{suffix}"


def _prefers_json(request: Request) -> bool:
    """Whether the client's Accept ranks a JSON type above HTML (an API client, not a browser)."""
    best: dict[str, float] = {}
    for part in request.headers.get("accept", "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = next((float(v) for k, _, v in (p.partition("=") for p in params) if k.strip() == "q"
                  and re.fullmatch(r"[01](\.\d{0,3})?", v.strip())), 1.0)
        kind = "json" if media.lower() in JSON_TYPES else "html" if media.lower() in ("text/html", "*/*") else None
        if kind:
            best[kind] = max(best.get(kind, 0.0), q)
    return best.get("json", 0.0) > best.get("html", 0.0)


def _verified(session: Session, services: Services, fetcher: verifying.RemoteFetcher, row: Credential, lang: str,
              admit: Admitted | None = None, *, public: bool = True):
    """Verify the stored credential now (in a slot of admission control when ``admit`` is given); (what people
    read about it, its links). ``public``: read by anyone with the verification link (the page, the
    certificate), so the learner's own reference is shown only if the institution asks for it."""
    now = services.clock()
    unadmitted = nullcontext((None, verifying.VERIFY_LIMITS))
    with admit.slot(session, row.document) if admit else unadmitted as (deadline, limits):
        result = verifying.verify(session, services, fetcher, row.document, now=now, deadline=deadline,
                                  limits=limits)
    learner_ref = not public or institutions.by_id(session, row.institution_id).show_learner_reference
    return reading(result, row.document, lang, now, own=row, learner_ref=learner_ref), \
        links(services.settings.public_origin, row)


# --- the page behind the QR code ----------------------------------------------------------------------------------


@router.get("/v/{token}", response_class=HTMLResponse, responses=PAGE_ERRORS,
            summary="Public verification page of an issued credential")
def verification_page(token: str, request: Request, admit: Admitted = Depends(admitted), session: Session = Db,
                      services: Services = Depends(get_services),
                      fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    try:
        row = credentials.by_verify_token(session, token)
    except NotFound:
        return _not_found(request)
    lang = _lang(request)
    r, _ = _verified(session, services, fetcher, row, lang, admit)
    return _render(request, "verify_result.html", lang, token=token, r=r)


def qr_code(url: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def qr_svg(url: str) -> str:
    buf = io.BytesIO()
    qr_code(url).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return buf.getvalue().decode()


@router.get("/v/{token}/qr.png", summary="QR code (PNG) of the verification URL", response_class=PngResponse,
            responses={200: {"content": {"image/png": BINARY}}, **problems(400, 404)})
def qr_png(token: str, session: Session = Db, services: Services = Depends(get_services)):
    row = credentials.by_verify_token(session, token)
    buf = io.BytesIO()
    qr_code(links(services.settings.public_origin, row)["verification"]).make_image().save(buf, format="PNG")
    return PngResponse(buf.getvalue(), headers={"Cache-Control": "private, max-age=86400", "X-Robots-Tag": "noindex"})


@router.get("/v/{token}/qr.svg", summary="QR code (SVG) of the verification URL", response_class=SvgResponse,
            responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}, **problems(400, 404)})
def qr_svg_route(token: str, session: Session = Db, services: Services = Depends(get_services)):
    row = credentials.by_verify_token(session, token)
    return SvgResponse(qr_svg(links(services.settings.public_origin, row)["verification"]),
                       headers={"Cache-Control": "private, max-age=86400", "X-Robots-Tag": "noindex"})


@router.get("/v/{token}/certificate.pdf", summary="The learner's certificate: one A4 page (PDF) with the QR code",
            response_class=PdfResponse,
            responses={200: {"content": {"application/pdf": BINARY}},
                       303: {"description": "The stored credential no longer verifies: see the verification page"},
                       **PAGE_ERRORS})
def certificate_pdf(token: str, request: Request, session: Session = Db,
                    services: Services = Depends(get_services),
                    fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    """Made now from the live verification: a credential that is not valid is stamped so; one whose data are
    not authentic is not printed at all (the reader is sent to the verification page, which says why)."""
    try:
        row = credentials.by_verify_token(session, token)
    except NotFound:
        return _not_found(request)
    lang = _lang(request)
    r, row_links = _verified(session, services, fetcher, row, lang)
    if not r["authentic"]:
        return RedirectResponse(f"{row_links['verification']}?lang={lang}", status_code=303)
    url = row_links["verification"]
    head = certificate.Letterhead.of(institutions.by_id(session, row.institution_id))
    pdf = certificate.render(r, lang=lang, verification_url=url, qr_matrix=qr_code(url).get_matrix(),
                             now=services.clock(), head=head)
    return PdfResponse(pdf, headers={**FILE_HEADERS, "Content-Disposition": content_disposition(
        "inline", _file_name(row, ".pdf"))})


@router.get("/v/{token}/print", include_in_schema=False)
def print_page(token: str, request: Request):
    """The former HTML rendition: its links now lead to the PDF certificate."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/v/{quote(token, safe='')}/certificate.pdf{query}", status_code=308)


# --- the learner's link -------------------------------------------------------------------------------------------


@router.get("/download/{token}", response_class=HTMLResponse, tags=["learners"],
            summary="The learner's page: the signed credential, the PDF certificate, the link and QR code to share",
            responses={200: {"content": {**_html(), **_ld_json()},
                             "description": "The page; the signed credential itself when Accept prefers JSON"},
                       **problems(400),
                       404: {"description": "Unknown link: a page in the reader's language (problem details when "
                                            "Accept prefers JSON)",
                             "content": {**_html(), **problems(404)[404]["content"]}}})
def learner_page(token: str, request: Request, session: Session = Db, services: Services = Depends(get_services),
                 fetcher: verifying.RemoteFetcher = Depends(get_fetcher)):
    if _prefers_json(request):  # an API client asking for the credential (the link's former behaviour)
        return credential_file(token, session)
    try:
        row = credentials.by_download_token(session, token)
    except NotFound:
        return _not_found(request)
    return learner_response(request, session, services, fetcher, row)


def learner_response(request: Request, session: Session, services: Services, fetcher: verifying.RemoteFetcher,
                     row: Credential, new_code: str | None = None) -> HTMLResponse:
    """The learner's page of ``row``, with its wallet offer (``new_code``: the transaction code of an offer the
    learner has just made, shown this once)."""
    lang = _lang(request)
    r, row_links = _verified(session, services, fetcher, row, lang, public=False)
    wallet = offers.learner_view(session, services, session.get(Institution, row.institution_id), row)
    if wallet["link"]:
        wallet["qr_src"] = f"/download/{row.download_token}/wallet-offer.svg"
    if wallet["expires"]:
        wallet["expires"] = i18n.format_moment(wallet["expires"], lang)
    return _render(request, "learner.html", lang, r=r, verification_url=row_links["verification"],
                   certificate_url=row_links["certificate"], file_url=row_links["credentialFile"],
                   qr_src=f"/v/{row.verify_token}/qr.svg", wallet=wallet, new_code=new_code,
                   token=row.download_token)


@router.get("/download/{token}/credential.jsonld", tags=["learners"], response_class=JsonLdResponse,
            summary="The learner's signed credential (.jsonld), as issued",
            responses={200: {"content": _ld_json()}, **problems(400, 404)})
def credential_file(token: str, session: Session = Db):
    row = credentials.by_download_token(session, token)
    return JsonLdResponse(row.document, headers={
        **FILE_HEADERS, "Content-Disposition": content_disposition("attachment", _file_name(row, ".jsonld"))})


# --- upload or paste ----------------------------------------------------------------------------------------------


@router.get("/verify", response_class=HTMLResponse, summary="Form: verify an uploaded or pasted credential",
            responses=problems())
def verify_form(request: Request):
    return _render(request, "verify_form.html", _lang(request))


@router.post("/verify", response_class=HTMLResponse, summary="Verify an uploaded or pasted credential (HTML)",
             responses={**{status: {"description": "Refused: the form again, saying why (problem details for a "
                                                   "request that is not a form)",
                                    "content": {**_html(), **problems(status)[status]["content"]}}
                           for status in (400, 409, 413, 422)}, **problems(500)})
def verify_upload(request: Request, admit: Admitted = Depends(admitted), file: UploadFile | None = File(None),
                  credential: str | None = Form(None),
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
        with admit.slot(session, document) as (deadline, limits):
            result = verifying.verify(session, services, fetcher, document, now=now, deadline=deadline,
                                      limits=limits)
    except McredError as exc:
        page = _render(request, "verify_form.html", lang, status_code=exc.status,
                       error=f"{i18n.t(lang, 'form.refused')}: {exc.detail}")
        if getattr(exc, "retry_after", None) is not None:
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return _render(request, "verify_result.html", lang, token=None, r=reading(result, document, lang, now))
