"""Structured logs (structlog, one JSON object per line) and request ids.

- Every request gets a request id: a sane incoming ``X-Request-ID`` or a new one. It is echoed in the response
  header, in problem+json bodies (``requestId``) and in every log line written while the request runs.
- Events: ``credential.issued``, ``credential.status_changed`` (written once the transaction commits, so nothing
  rolled back is ever logged as done), ``credential.verified``, ``http.request`` (uvicorn's access log), and the
  administration events. They carry ids, slugs, codes and outcomes only: never a learner's name or reference,
  an e-mail address, a credential's content, a token, a key or an SQL parameter.
- The learner's download link and the verification page are bearer secrets (``/download/<token>``,
  ``/v/<token>``): access log lines show them as ``<redacted>``, and the client's address is not logged.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from pathlib import Path

import structlog
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.errors import ConfigurationError

TOKEN_PATH = re.compile(r"^(/download/|/v/)[^/?#]+")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_PENDING = "mcred.log_on_commit"

structlog.configure(
    processors=[structlog.contextvars.merge_contextvars, structlog.stdlib.filter_by_level,
                structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

log = structlog.get_logger("mcred")


def redact_path(path: str) -> str:
    """``/download/<token>`` and ``/v/<token>/...`` with the bearer token replaced by ``<redacted>``."""
    return TOKEN_PATH.sub(r"\1<redacted>", path)


class RedactTokenPaths(logging.Filter):
    """On uvicorn's access logger: whatever formats the line (ours or uvicorn's own), the token is gone."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, redact_path(str(path)), version, status)
        return True


def protect_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokenPaths) for f in access.filters):
        access.addFilter(RedactTokenPaths())


def _access_fields(_logger, _name, event_dict: dict) -> dict:
    """uvicorn's access record as fields; the client address (personal data) is left out. Other records'
    arguments are already in their message and are not logged a second time."""
    args = event_dict.pop("positional_args", None)
    if event_dict["_record"].name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
        _client, method, path, version, status = args
        event_dict.update(event="http.request", method=method, path=redact_path(str(path)), http_version=version,
                          status=status)
    return event_dict


def configure(level: str = "INFO", stream=None) -> None:
    """JSON lines on stderr for everything: mcred's events, uvicorn's, SQLAlchemy's and Alembic's."""
    shared = [structlog.contextvars.merge_contextvars, structlog.stdlib.add_log_level,
              structlog.stdlib.add_logger_name, structlog.processors.TimeStamper(fmt="iso", utc=True)]
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, _access_fields], pass_foreign_args=True,
        processors=[*shared[1:], structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, structlog.processors.JSONRenderer(ensure_ascii=False)],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    protect_access_log()


def configure_command(log_file: Path | None, *, quiet: bool) -> None:
    """The logs of a command that draws on the terminal (``mcred issue-csv``'s progress bar): JSON lines to
    ``log_file`` (appended) when one is given, else nothing below ERROR, so no line per credential crosses the bar.
    Other commands log to stderr as the service does."""
    if log_file is None:
        configure("ERROR" if quiet else "INFO")
        return
    try:
        stream = open(log_file, "a", encoding="utf-8", buffering=1)  # line-buffered: a log to follow with tail -f
    except OSError as exc:
        raise ConfigurationError(f"Cannot write the log file {log_file}: {exc.strerror}.") from None
    configure("INFO", stream)


def request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


class RequestIdMiddleware:
    """ASGI middleware: bind the request id for the request's logs and echo it as ``X-Request-ID``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_id)


def on_commit(session: Session, event_name: str, **fields) -> None:
    """Log ``event_name`` when ``session``'s transaction commits; dropped if it rolls back or is closed."""
    if not session.in_transaction():
        session.begin()  # the event belongs to a transaction, and ends with it
    session.info.setdefault(_PENDING, []).append((event_name, fields))


def log_after_commit(factory: sessionmaker) -> None:
    @event.listens_for(factory, "after_commit")
    def _emit(session: Session) -> None:
        for event_name, fields in session.info.pop(_PENDING, []):
            log.info(event_name, **fields)

    @event.listens_for(factory, "after_transaction_end")
    def _drop(session: Session, transaction) -> None:
        if transaction.parent is None:
            session.info.pop(_PENDING, None)
