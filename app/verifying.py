"""Verification I/O: where DID documents and status lists come from, around the pure app.domain.verify.

- This service's own did:web documents and status lists (those under ``settings.public_origin``) are read from
  the database, never over HTTP to itself: always current (a revocation shows at once), and no self-deadlock.
- Other hosts' documents are fetched with httpx, over https only, with a timeout, a size cap and a short TTL cache
  (RemoteFetcher). Tests hand in an ``httpx.MockTransport``; nothing here reaches the real network by itself.
- Hostnames that are loopback, private or link-local IP literals (or ``localhost``) are refused, so a credential
  cannot make the verifier probe the service's own network (SSRF).
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections import OrderedDict
from datetime import datetime
from urllib.parse import unquote, urlsplit

import httpx
from sqlalchemy.orm import Session

from app import logs
from app import status as status_service
from app.domain import did_web, elm
from app.domain.jsonld import Limits
from app.domain.status_list import PURPOSES
from app.domain.verify import VerificationResult, verify_credential
from app.errors import (
    InvalidInput,
    LimitExceeded,
    McredError,
    NotFound,
    UpstreamUnavailable,
)
from app.issuing import Services
from app.storage import institutions

# Verification limits: the same hard limits as issuing, and a canonicalization deadline that keeps a worker free.
VERIFY_LIMITS = Limits(max_bytes=1_000_000, max_depth=40, max_nodes=20_000, max_seconds=5.0)


class InsecureUrl(McredError):
    status = 400
    slug = "insecure-url"
    title = "Insecure or forbidden URL"


class RemoteFetcher:
    """GET JSON documents of other hosts: https only, bounded in time and size, cached for ``ttl`` seconds."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None, timeout: float = 5.0,
                 max_bytes: int = 512_000, ttl: float = 60.0, max_entries: int = 256):
        self._client = httpx.Client(transport=transport, timeout=httpx.Timeout(timeout), follow_redirects=False,
                                    headers={"Accept": "application/json, application/ld+json, "
                                                       "application/did+json, application/vc+ld+json",
                                             "User-Agent": "mcred-verifier/0.1"})
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self.fetches = 0  # real network round trips (tests and the bench read it)

    @staticmethod
    def check_url(url: str) -> None:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "https" or not parts.hostname:
            raise InsecureUrl(f"Only https URLs are fetched, not {url!r}.")
        host = parts.hostname
        if host == "localhost" or host.endswith(".localhost"):
            raise InsecureUrl(f"{url!r} names a local host.")
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified or ip.is_multicast:
            raise InsecureUrl(f"{url!r} names a non-public address.")

    def get_json(self, url: str) -> object:
        self.check_url(url)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(url)
            if hit and hit[0] > now:
                self._cache.move_to_end(url)
                return hit[1]
        doc = self._fetch(url)
        with self._lock:
            self._cache[url] = (now + self.ttl, doc)
            self._cache.move_to_end(url)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return doc

    def _fetch(self, url: str) -> object:
        self.fetches += 1
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code == 404:
                    raise NotFound(f"{url} was not found (404).")
                if response.status_code != 200:
                    raise UpstreamUnavailable(f"{url} answered HTTP {response.status_code}.")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise LimitExceeded(f"{url} is larger than {self.max_bytes} bytes.", slug="remote-too-large")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise LimitExceeded(f"{url} is larger than {self.max_bytes} bytes.", slug="remote-too-large")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"{url} could not be fetched: {type(exc).__name__}.") from exc
        try:
            return json.loads(b"".join(chunks))
        except (ValueError, RecursionError) as exc:
            raise UpstreamUnavailable(f"{url} did not return JSON.") from exc

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        self._client.close()


class Resolvers:
    """``resolve_did`` and ``fetch_status_list`` for one request: own documents from ``session``, others remote."""

    def __init__(self, session: Session, services: Services, fetcher: RemoteFetcher):
        self.session, self.services, self.fetcher = session, services, fetcher
        origin = urlsplit(services.settings.public_origin)
        self.origin = services.settings.public_origin
        self.own_netloc = (origin.hostname or "") + (f":{origin.port}" if origin.port else "")

    # -- DIDs --
    def _own_did_slug(self, did: str) -> str | None:
        if not did.startswith("did:web:"):
            return None
        segments = did[len("did:web:"):].split(":")
        if unquote(segments[0]) != self.own_netloc:
            return None
        if len(segments) == 3 and segments[1] == "institutions":
            return unquote(segments[2])
        return ""  # our host, but no institution path: nothing is published there

    def resolve_did(self, did: str) -> dict | None:
        slug = self._own_did_slug(did)
        if slug == "":
            return None
        if slug is not None:
            try:
                inst = institutions.by_slug(self.session, slug)
            except NotFound:
                return None
            if inst.did != did or inst.did_method != "web":
                return None
            return institutions.published_did_document(self.session, inst)
        if not did.startswith("did:web:"):
            raise InvalidInput(f"{did!r}: only did:key and did:web are resolved.", slug="unsupported-did-method")
        try:
            doc = self.fetcher.get_json(did_web.did_to_url(did))
        except NotFound:
            return None
        return doc if isinstance(doc, dict) else None

    # -- status lists --
    def fetch_status_list(self, url: str) -> dict:
        prefix = self.origin + "/status/"
        if isinstance(url, str) and url.startswith(prefix):
            parts = url[len(prefix):].split("#", 1)[0].split("/")
            if len(parts) != 3 or parts[1] not in PURPOSES or not parts[2].isdigit():
                raise NotFound(f"{url} is not a status list of this service.")
            try:
                inst = institutions.by_slug(self.session, parts[0])
                return status_service.publish(self.session, self.services, inst, parts[1], int(parts[2])).signed
            except NotFound as exc:
                raise UpstreamUnavailable(f"{url}: {exc.detail}") from exc
        doc = self.fetcher.get_json(url)
        if not isinstance(doc, dict):
            raise UpstreamUnavailable(f"{url} is not a JSON object.")
        return doc


def verify(session: Session, services: Services, fetcher: RemoteFetcher, credential: object, *,
           now: datetime | None = None, limits: Limits = VERIFY_LIMITS) -> VerificationResult:
    """Verify ``credential`` now (or at ``now``), reading own documents from ``session``."""
    resolvers = Resolvers(session, services, fetcher)
    result = verify_credential(credential, loader=services.loader, resolve_did=resolvers.resolve_did,
                               fetch_status_list=resolvers.fetch_status_list, now=now or services.clock(),
                               limits=limits, missing_elements=elm.missing_micro_credential_elements)
    logs.log.info("credential.verified", verdict=result.verdict,
                  checks=[{"check": c.check, "outcome": c.outcome, "code": c.code} for c in result.checks])
    return result


def credential_size(text: str | bytes, limits: Limits = VERIFY_LIMITS) -> None:
    size = len(text.encode() if isinstance(text, str) else text)
    if size > limits.max_bytes:
        raise LimitExceeded(f"The credential is larger than {limits.max_bytes} bytes.", slug="body-too-large")
