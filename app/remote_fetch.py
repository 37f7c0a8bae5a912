"""Fetching other hosts' JSON documents without server-side request forgery: did:web DID documents (W3C CCG
"did:web Method Specification" section 3.3 Read) and status list credentials (Bitstring Status List v1.0 section
3.2, "retrieve the status list credential"); OWASP's SSRF Prevention Cheat Sheet, "Case 2: any external host".

The rules (the README's "Fetching remote documents" says the same):

- https only, no userinfo; any port (a did:web may name one, ``%3A``);
- every host name, numeric forms included (``127.1``, ``2130706433``, ``0x7f000001``, ``[::ffff:127.0.0.1]``), is
  resolved by the OS resolver (``socket.getaddrinfo``), and the fetch is refused unless EVERY address is public
  (``is_public_address``);
- the connection goes to a vetted address, never through a second look-up (no DNS rebinding), while the Host header,
  TLS SNI and certificate verification stay those of the host name;
- no redirect is followed (a 3xx is "unavailable"); at most ``max_bytes`` are read, and a compressed body is refused
  (no decompression bomb); the content type is not trusted (the body is JSON or the document is unavailable);
- a fetch ends within ``min(timeout, the verification's deadline)``: every connect, TLS handshake, read and write on
  the connection is bounded by what is left of it (``_budget``);
- fetches run in parallel in one pool of ``max_concurrent`` threads per fetcher (one per application), and a fetch
  that finds every slot taken is answered "unavailable" at once instead of waiting in a queue;
- errors name the URL only: never what came back, the address, or how a connection failed.

``allow`` (``MCRED_FETCH_ALLOW``: tests and development only) names ``host:port`` pairs let through the address rule
when the URL names exactly that host and port; every other name and port of the same machine is still refused.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import httpcore
import httpx

from app.domain.deadline import Deadline
from app.errors import LimitExceeded, McredError, NotFound, UpstreamUnavailable

ACCEPT = "application/did+json, application/ld+json, application/vc+ld+json, application/json"
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix: the last 32 bits are an IPv4 address


class InsecureUrl(McredError):
    status = 400
    slug = "insecure-url"
    title = "Insecure or forbidden URL"


class RefusedAddress(Exception):
    """A host that resolves to an address that is not public: raised before any connection is made."""


def is_public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable (IANA special-purpose registries, via ``ipaddress.is_global``), not multicast, not reserved.
    An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, NAT64) is judged by that IPv4 address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF) if ip in NAT64 else None)
        if embedded is not None:
            return is_public_address(embedded)
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def public_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, if all are public; RefusedAddress if one is not, OSError if none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses or not all(is_public_address(ipaddress.ip_address(a)) for a in addresses):
        raise RefusedAddress(host)
    return addresses


def parse_allow(entries: Iterable[str]) -> frozenset[tuple[str, int]]:
    """``["127.0.0.1:8443", "[::1]:8443", "localhost:8443"]`` -> {(host, port)}; a port is required."""
    allowed = set()
    for entry in entries:
        host, sep, port = entry.strip().rpartition(":")
        host = host.strip("[]").lower()
        if not sep or not host or not (port.isascii() and port.isdigit()):
            raise ValueError(f"MCRED_FETCH_ALLOW: {entry!r} is not host:port.")
        allowed.add((host, int(port)))
    return frozenset(allowed)


# --- the connection: vetted addresses, bounded by the fetch's own deadline ----------------------------------------

_budget = threading.local()  # .until: time.monotonic() by which the fetch running in this thread must end


def _within_budget(timeout: float | None, timeout_error: type[Exception]) -> float | None:
    until = getattr(_budget, "until", None)
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        raise timeout_error("The fetch's time is up.")
    return left if timeout is None else min(timeout, left)


class _BudgetStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _BudgetStream(self._stream.start_tls(ssl_context, server_hostname,
                                                    _within_budget(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class VettedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, connecting only to vetted addresses (or an allow-listed host:port)."""

    def __init__(self, allow: frozenset[tuple[str, int]] = frozenset()):
        self.allow = allow
        self._tcp = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        _within_budget(timeout, httpcore.ConnectTimeout)
        if (host.lower(), port) in self.allow:
            addresses = [host]
        else:
            try:
                addresses = public_addresses(host, port)
            except OSError as exc:
                raise httpcore.ConnectError("The host does not resolve.") from exc
        failure: Exception | None = None
        for address in addresses:  # the vetted addresses themselves: no second look-up of the name
            try:
                stream = self._tcp.connect_tcp(address, port, _within_budget(timeout, httpcore.ConnectTimeout),
                                               local_address, socket_options)
                return _BudgetStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure


class VettedTransport(httpx.HTTPTransport):
    """httpx's own HTTP transport over a connection pool with a VettedBackend. (HTTPTransport takes no network
    backend, so the pool it builds is replaced by the same pool with one; TLS still verifies the URL's host name.)"""

    def __init__(self, *, allow: frozenset[tuple[str, int]] = frozenset(), verify=True, max_connections: int = 16):
        super().__init__(verify=verify, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=max_connections, max_keepalive_connections=max_connections, keepalive_expiry=5.0,
            network_backend=VettedBackend(allow))


# --- the fetcher ---------------------------------------------------------------------------------------------------


def unavailable(url: str) -> UpstreamUnavailable:
    return UpstreamUnavailable(f"The document at {url} could not be fetched.")


_MISS = object()


class RemoteFetcher:
    """GET JSON documents of other hosts under the rules above; successful answers are cached for ``ttl`` seconds.

    ``transport`` replaces the vetted network (tests hand in an ``httpx.MockTransport``: a fake internet), ``allow``
    and ``verify`` (an ``ssl.SSLContext``) let tests reach a server of their own on loopback.
    """

    def __init__(self, *, transport: httpx.BaseTransport | None = None, allow: Iterable[str] = (), verify=True,
                 timeout: float = 5.0, max_bytes: int = 512_000, ttl: float = 60.0, max_entries: int = 256,
                 max_concurrent: int = 16):
        transport = transport or VettedTransport(allow=parse_allow(allow), verify=verify,
                                                 max_connections=max_concurrent)
        headers = {"Accept": ACCEPT, "Accept-Encoding": "identity", "User-Agent": "mcred-verifier/0.1"}
        self._client = httpx.Client(transport=transport, timeout=httpx.Timeout(timeout), follow_redirects=False,
                                    trust_env=False, headers=headers)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        # One slot per thread of the pool: a fetch runs at once or is answered "unavailable", it never queues.
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="mcred-fetch")

    @staticmethod
    def check_url(url: object) -> None:
        """https, a host, no userinfo, a valid port: the shape of a URL this service fetches at all."""
        try:
            parsed = httpx.URL(url) if isinstance(url, str) else None
            port = parsed.port if parsed else None
        except (httpx.InvalidURL, ValueError):
            parsed = port = None
        if parsed is None or parsed.scheme != "https" or not parsed.host or parsed.userinfo \
                or (port is not None and not 0 < port < 65536):
            raise InsecureUrl(f"Only https URLs of a named host are fetched, not {url!r}.")

    def get_many(self, urls: Iterable[str], deadline: Deadline) -> dict[str, object]:
        """Each distinct URL fetched in parallel: URL -> the parsed JSON, or the McredError saying why not."""
        results: dict[str, object] = {}
        pending = {}
        for url in dict.fromkeys(urls):
            try:
                self.check_url(url)
            except InsecureUrl as exc:
                results[url] = exc
                continue
            cached = self._cached(url)
            if cached is not _MISS:
                results[url] = cached
                continue
            seconds = min(self.timeout, deadline.remaining())
            if seconds <= 0 or not self._slots.acquire(blocking=False):
                results[url] = unavailable(url)
                continue
            try:
                pending[url] = self._pool.submit(self._fetch_in_slot, url, time.monotonic() + seconds)
            except RuntimeError:  # the fetcher has been closed
                self._slots.release()
                results[url] = unavailable(url)
        for url, future in pending.items():
            try:
                results[url] = future.result(timeout=deadline.remaining())
            except FutureTimeout:  # the fetch itself ends by the same time; its answer is no longer waited for
                results[url] = unavailable(url)
            except McredError as exc:
                results[url] = exc
        return results

    def get_json(self, url: str, deadline: Deadline) -> object:
        """One document, or its McredError raised."""
        result = self.get_many([url], deadline)[url]
        if isinstance(result, McredError):
            raise result
        return result

    def _cached(self, url: str) -> object:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(url)
            if hit and hit[0] > now:
                self._cache.move_to_end(url)
                return hit[1]
        return _MISS

    def _fetch_in_slot(self, url: str, until: float) -> object:
        _budget.until = until
        try:
            doc = self._fetch(url, until - time.monotonic())
        finally:
            _budget.until = None
            self._slots.release()
        with self._lock:  # only documents are cached: a failure is asked again next time
            self._cache[url] = (time.monotonic() + self.ttl, doc)
            self._cache.move_to_end(url)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return doc

    def _fetch(self, url: str, seconds: float) -> object:
        try:
            with self._client.stream("GET", url, timeout=max(seconds, 0.001)) as response:
                if response.status_code == 404:
                    raise NotFound(f"The document at {url} was not found.")
                if response.status_code != 200 or response.headers.get("content-encoding", "identity") != "identity":
                    raise unavailable(url)  # (identity was asked for: a compressed body could be a bomb)
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise LimitExceeded(f"The document at {url} is larger than {self.max_bytes} bytes.",
                                            slug="remote-too-large")
                    chunks.append(chunk)
        except RefusedAddress:
            raise InsecureUrl(f"The document at {url} was not fetched: only public addresses are fetched.") from None
        except (httpx.HTTPError, OSError, ValueError):
            raise unavailable(url) from None
        try:
            return json.loads(b"".join(chunks))
        except (ValueError, RecursionError):
            raise unavailable(url) from None

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()
