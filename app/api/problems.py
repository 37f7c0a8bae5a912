"""Render every error as RFC 9457 problem details (``application/problem+json``).

McredError carries its own status; FastAPI's validation errors and HTTP errors are mapped onto the same shape,
and anything unexpected becomes a 500 problem without internals (logged server-side). Every problem carries the
request's id (``requestId``, also the ``X-Request-ID`` header) to find its log lines.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import logs
from app.errors import PROBLEM_BASE, McredError, OAuthError
from app.texts import problems as problem_texts

log = logs.log

PROBLEM_JSON = "application/problem+json"


def problem_response(body: dict, headers: dict | None = None, request: Request | None = None) -> JSONResponse:
    """The problem as problem+json, in the language the request's Accept-Language prefers (English by default,
    Latvian when it ranks lv above en: app.texts.problems), with ``Content-Language``."""
    lang = problem_texts.language(request.headers.get("accept-language")) if request is not None else "en"
    body = problem_texts.localize(body, lang)
    request_id = logs.request_id()
    if request_id:
        body = {**body, "requestId": request_id}
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON,
                        headers={**(headers or {}), "Content-Language": lang, "Vary": "Accept-Language"})


def _loc(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


OAUTH_PATHS = ("/issuers/", "/.well-known/openid-credential-issuer/", "/.well-known/oauth-authorization-server/")


def is_oauth_path(path: str) -> bool:
    """The OpenID4VCI endpoints (app.api.oid4vci), whose every refusal is an OAuth error, never problem details."""
    return path.startswith(OAUTH_PATHS)


def oauth_response(exc: OAuthError) -> JSONResponse:
    """RFC 6749 section 5.2 (and RFC 6750 section 3 for a refused access token): the OAuth endpoints' errors."""
    headers = {"Cache-Control": "no-store"}
    if exc.status == 401:
        headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    return JSONResponse(exc.to_oauth(), status_code=exc.status, headers=headers)


def _allowed(request: Request, fallback: str) -> str:
    """RFC 9110 section 15.5.6: a 405 names every method the resource supports. Starlette names only those of the
    first route matching the path, and one path (``/verify``: the form and its submission) has a route per method.
    The methods are those the OpenAPI document gives the path's most specific template (``/credentials/issue``,
    not ``/credentials/{credential_id}``)."""
    found: dict[int, set[str]] = {}
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            found.setdefault(template.count("{"), set()).update(m.upper() for m in operations)
    return ", ".join(sorted(found[min(found)])) if found else fallback


def install(app: FastAPI) -> None:
    @app.exception_handler(McredError)
    async def _mcred(request: Request, exc: McredError):
        if isinstance(exc, OAuthError):
            return oauth_response(exc)
        if is_oauth_path(request.url.path) and exc.status < 500:  # e.g. a NUL character in the URL
            return oauth_response(OAuthError("invalid_request", exc.detail, status=exc.status))
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if getattr(exc, "retry_after", None) is not None:  # 429 and 503 of admission control (RFC 9110 10.2.3)
            # and the connection closes: the rest of a refused body is not received (nor parsed)
            headers = {"Retry-After": str(exc.retry_after), "Connection": "close"}
        return problem_response(exc.to_problem(instance=request.url.path), headers, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        if is_oauth_path(request.url.path):
            return oauth_response(OAuthError("invalid_request", "The request parameters are invalid."))
        errors = [{"field": _loc(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in exc.errors()]
        return problem_response({"type": PROBLEM_BASE + "invalid-input", "title": "Invalid input", "status": 422,
                                 "detail": "The request parameters are invalid.", "errors": errors,
                                 "instance": request.url.path}, request=request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed(request, (headers or {}).get("Allow", ""))}
        if is_oauth_path(request.url.path) and exc.status_code in (404, 405):
            response = oauth_response(OAuthError("invalid_request", str(exc.detail), status=exc.status_code))
            response.headers.update(headers or {})
            return response
        return problem_response({"type": PROBLEM_BASE + slug, "title": str(exc.detail), "status": exc.status_code,
                                 "detail": str(exc.detail), "instance": request.url.path}, headers, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("request.failed", path=logs.redact_path(request.url.path))
        # This handler answers outside the request-id middleware, so it sets the header itself.
        request_id = logs.request_id()
        return problem_response({"type": PROBLEM_BASE + "internal-error", "title": "Internal error", "status": 500,
                                 "detail": "The service failed to handle this request; nothing was stored.",
                                 "instance": request.url.path}, {"X-Request-ID": request_id} if request_id else None,
                                request)
