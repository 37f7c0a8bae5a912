"""Request dependencies: the transaction, the authenticated institution, and a bounded JSON body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app import safe_json
from app.db.models import ApiKey, Institution
from app.errors import (
    LimitExceeded,
    MalformedRequest,
    Unauthorized,
    UnsupportedMediaType,
)
from app.services import Services
from app.storage import api_keys

LARGE_BODY = 256 * 1024


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the route returns, rolled back when anything raises.

    The session is made on the event loop (that does no I/O: its connection is taken at the first query, in the
    route's thread) and committed (or rolled back) and closed in one worker thread: one thread hand-over for the
    transaction instead of two, and no database work on the event loop. A URL whose path or query holds a NUL
    character is refused before any query (PostgreSQL text cannot hold one).
    """
    url_texts = [request.scope["path"], *(k + v for k, v in request.query_params.multi_items())]
    if any(safe_json.text_problem(text) for text in url_texts):
        raise MalformedRequest("The URL contains a NUL character or a lone surrogate.")
    session = request.app.state.session_factory()
    succeeded = False
    try:
        yield session
        succeeded = True
    finally:
        with anyio.CancelScope(shield=True):  # a client that goes away must not leave the transaction open
            await run_in_threadpool(_end, session, succeeded)


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


# scope="function": the commit happens before the response is sent (FastAPI's default "request" scope would run
# it afterwards, so a client could receive 201 and then not find the row it was told about).
Db = Depends(get_session, scope="function")


async def get_services(request: Request) -> Services:
    return request.app.state.services


@dataclass
class Caller:
    institution: Institution
    api_key: ApiKey

    @property
    def actor(self) -> str:
        return f"api-key:{self.api_key.prefix}"


# Declared as security schemes so that OpenAPI (and "Authorize" on /docs) knows them; either one authenticates.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearerAuth",
                    description="The institution's API key (`mcred create-api-key`), as `Authorization: Bearer <key>`.")
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKeyHeader",
                              description="The institution's API key in the `X-API-Key` header, instead of Bearer.")


def get_caller(session: Session = Db, bearer: HTTPAuthorizationCredentials | None = Depends(BEARER),
               header_key: str | None = Depends(API_KEY_HEADER)) -> Caller:
    key = bearer.credentials.strip() if bearer is not None else (header_key or "")
    if not key:
        raise Unauthorized("Send the institution's API key as `Authorization: Bearer <key>`.")
    row = api_keys.authenticate(session, key)
    if row is None:
        raise Unauthorized("The API key is not valid or has been revoked.")
    return Caller(institution=row.institution, api_key=row)


async def json_body(request: Request) -> object:
    """The request body parsed as JSON (see app.safe_json), read with a size cap (a 4xx problem for anything else)."""
    return await read_json(request, request.app.state.services.settings.max_body_bytes)


async def batch_json_body(request: Request) -> object:
    """A batch request's body: JSON, read with the batches' own size cap (MCRED_MAX_BATCH_BODY_BYTES). The body, when
    it is UTF-8, is kept as ``request.state.json_body``: the batch stores it as it came (app.batches.submit)."""
    return await read_json(request, request.app.state.services.settings.max_batch_body_bytes, keep_body=True)


async def read_json(request: Request, limit: int, *, keep_body: bool = False) -> object:
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if ctype not in ("application/json", "application/ld+json", "application/vc+ld+json", "text/plain", ""):
        raise UnsupportedMediaType(f"Send JSON (application/json), not {ctype}.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise LimitExceeded(f"The request body is larger than {limit} bytes.", slug="body-too-large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise LimitExceeded(f"The request body is larger than {limit} bytes.", slug="body-too-large")
        chunks.append(chunk)
    raw = b"".join(chunks)
    # A large body (a batch: tens of MB) is parsed in a worker thread, so that the event loop goes on serving
    # everyone else's requests meanwhile; a small one costs less than the hand-over.
    value = safe_json.parse(raw) if size <= LARGE_BODY else await run_in_threadpool(safe_json.parse, raw)
    if keep_body and json.detect_encoding(raw) == "utf-8":
        request.state.json_body = raw  # parsed: valid UTF-8, nothing refused in it
    return value
