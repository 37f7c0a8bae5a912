"""The routes' side of admission control (app.admission): who the client is, when the request arrived, and one
``with admitted.slot(session, document) as (deadline, limits):`` around the verification.

The dependency runs before the body is read: a client in debt sending a large body, or any large body while the
queue is full, is refused (429 / 503 with ``Retry-After``) without parsing it.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from typing import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from app.admission import Admission, document_nodes, policy_from
from app.domain.deadline import Deadline
from app.domain.jsonld import Limits
from app.verifying import VERIFY_LIMITS
from app.storage import api_keys


def install(app, settings) -> None:
    """The app's admission control (``app.state.admission``; tests replace it with a smaller one)."""
    app.state.admission = Admission(policy_from(settings))
    # The interpreter lock passes between threads every `switch interval`: an ordinary verification that waits on
    # SQLite or a socket a hundred times waits that long again each time the expensive thread holds the lock (the
    # "convoy effect"); with CPython's default of 5 ms, 15 ms of work took half a second beside a hostile document.
    sys.setswitchinterval(settings.verify_switch_interval_ms / 1000)


def _admission(request: Request) -> Admission:
    return request.app.state.admission


def _key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    return (auth[7:].strip() if auth[:7].lower() == "bearer " else "") or request.headers.get("x-api-key", "").strip()


class Admitted:
    def __init__(self, request: Request):
        self.arrived = time.monotonic()
        self.admission = _admission(request)
        self.seconds = request.app.state.services.settings.verify_deadline_seconds
        self.address = "ip:" + (request.client.host if request.client else "?")
        self.key = _key(request)
        length = request.headers.get("content-length")
        self.length = int(length) if length and length.isdigit() else None

    def client(self, session: Session) -> str:
        """The API key (when it authenticates), else the client address."""
        row = api_keys.authenticate(session, self.key) if self.key else None
        return f"key:{row.prefix}" if row is not None else self.address

    @contextmanager
    def slot(self, session: Session, document: object) -> Iterator[tuple[Deadline, Limits]]:
        """Wait for a slot (or raise 429 / 503); yields the verification's Deadline and JSON-LD Limits, both
        counted from the request's arrival: the time waited is taken from the JSON-LD budget
        (``VERIFY_LIMITS.max_seconds``) and from the whole deadline."""
        p = self.admission.policy
        size = self.length if self.length is not None else len(json.dumps(document, separators=(",", ":")))
        cheap = size <= p.cheap_bytes and document_nodes(document, p.cheap_nodes) <= p.cheap_nodes
        budget = VERIFY_LIMITS.max_seconds
        with self.admission.slot(self.client(session), cheap=cheap, deadline_at=self.arrived + budget):
            deadline = Deadline(self.seconds)
            deadline.at = self.arrived + self.seconds
            left = max(0.05, self.arrived + budget - time.monotonic())
            yield deadline, replace(VERIFY_LIMITS, max_seconds=min(budget, left))


async def admitted(request: Request) -> Admitted:
    """Dependency (declare it first, before the body): refuses early what admission would refuse anyway."""
    a = Admitted(request)
    if not a.key:
        bodiless = request.method in ("GET", "HEAD")  # the page of a stored credential: this service's own shape
        a.admission.precheck(a.address, maybe_cheap=bodiless or (a.length is not None
                                                                   and a.length <= a.admission.policy.cheap_bytes))
    return a
