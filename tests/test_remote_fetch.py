"""Fetching remote did:web documents and status lists (app.remote_fetch, app.verifying.Resolvers): no server-side
request forgery, one deadline, caps, parallel fetches, generic errors, and a service that stays responsive.

Real sockets on loopback throughout: a "black hole" (accepts, never answers) and an https server with a certificate
for ``localhost``. They are reached only through the fetcher's explicit allow-list (``allow=["host:port"]``); the
refusal tests resolve names with the real OS resolver and check that the listener received no connection at all.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import socket
import ssl
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path

import httpcore
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.config import Settings
from app.db import migrate
from app.domain import status_list
from app.domain.deadline import Deadline
from app.domain.keys import Ed25519Signer
from app.errors import LimitExceeded, NotFound, UpstreamUnavailable
from app.services import Services
from app.keystore import KeyStore
from app.remote_fetch import InsecureUrl, RemoteFetcher, is_public_address
from app.verifying import MAX_DID_LOOKUPS, MAX_STATUS_LISTS, Resolvers
from tests.apphelpers import ORIGIN, make_client, new_tenant
from tests.liveserver import live_server
from tests.apphelpers import DID_A, KEY_B, SIGNER_A, sign
from tests.test_verify_api import vc2

# --- loopback servers ---------------------------------------------------------------------------------------------


class BlackHole:
    """Accepts TCP connections and never answers; counts them."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=512)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def hole():
    h = BlackHole()
    yield h
    h.close()


def _certificate(tmp: Path) -> tuple[Path, Path, bytes]:
    """A self-signed certificate for the name ``localhost`` only (no IP address)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp / "cert.pem").write_bytes(pem)
    (tmp / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    return tmp / "cert.pem", tmp / "key.pem", pem


class TlsServer:
    """An https server on 127.0.0.1 (certificate for ``localhost``): path -> (status, headers, body, delay, drip):
    the answer starts after ``delay`` seconds, and with ``drip`` its body comes one byte every ``drip`` seconds."""

    def __init__(self, tmp: Path):
        cert, key, pem = _certificate(tmp)
        self.routes: dict[str, tuple[int, dict, bytes, float, float]] = {}
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Host")))
                status, headers, body, delay, drip = server.routes.get(self.path, (404, {}, b"", 0.0, 0.0))
                time.sleep(delay)
                self.send_response(status)
                for k, v in {"Content-Length": str(len(body)), **headers}.items():
                    if v is not None:  # None: no such header (a body without Content-Length runs until closed)
                        self.send_header(k, v)
                self.end_headers()
                try:
                    for i in range(0, len(body), 1 if drip else len(body) or 1):
                        self.wfile.write(body[i:i + (1 if drip else len(body))])
                        self.wfile.flush()
                        time.sleep(drip)
                except OSError:  # the client gave up
                    pass

            def log_message(self, *args):
                pass

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.client_context = ssl.create_default_context(cadata=pem.decode())
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def json(self, path: str, doc, *, status: int = 200, delay: float = 0.0, headers: dict | None = None):
        self.routes[path] = (status, {"Content-Type": "application/json", **(headers or {})},
                             json.dumps(doc).encode(), delay, 0.0)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def tls(tmp_path):
    server = TlsServer(tmp_path)
    yield server
    server.close()


@pytest.fixture
def services(loader, tmp_path):
    return Services(settings=Settings(public_url=ORIGIN), loader=loader, keystore=KeyStore(tmp_path / "keys"))


def resolvers(services, fetcher, seconds: float = 10.0) -> Resolvers:
    """Remote look-ups only: the database session is never touched for another host's documents."""
    return Resolvers(None, services, fetcher, Deadline(seconds))


def loopback_names() -> list[str]:
    """Names in /etc/hosts that the OS resolves to a loopback address (always at least ``localhost``)."""
    names = {"localhost"}
    for line in Path("/etc/hosts").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        try:
            if len(fields) > 1 and ip_address(fields[0]).is_loopback:
                names.update(fields[1:])
        except ValueError:
            continue
    return sorted(n for n in names if n != "localhost" and "." not in n)[:3] + ["localhost"]


# --- the address rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "192.0.2.1", "198.18.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::1", "::", "fe80::1", "fc00::1", "ff02::1", "2001:db8::1", "2001::1", "::127.0.0.1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "2002:a00:1::", "64:ff9b::7f00:1", "64:ff9b::a00:1",
    "64:ff9b:1::a00:1",
])
def test_addresses_that_are_not_public_are_refused(address):
    assert not is_public_address(ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "193.219.0.1", "2a00:1450:4001::1",
                                     "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address):
    assert is_public_address(ip_address(address))


NUMERIC_FORMS = ["127.1", "2130706433", "0x7f000001", "0177.0.0.1", "017700000001", "[::ffff:127.0.0.1]", "0"]


@pytest.mark.parametrize("host", NUMERIC_FORMS + loopback_names())
def test_names_and_numbers_of_loopback_are_refused_without_a_connection(services, hole, host):
    """The listener is allow-listed as 127.0.0.1:<port>: the same port under any other name is still refused."""
    fetcher = RemoteFetcher(allow=[f"127.0.0.1:{hole.port}"])
    res = resolvers(services, fetcher)
    did = f"did:web:{host.replace(':', '%3A')}%3A{hole.port}"
    with pytest.raises(InsecureUrl) as caught:
        res.resolve_did(did)
    url = f"https://{host}:{hole.port}/status/1"
    answer = res.fetch_status_lists([url])[url]
    assert isinstance(answer, InsecureUrl)
    # generic answers (0177.0.0.1 is not even a valid URL for httpx): the resolved address is never told
    for refused, detail in ((url, answer.detail), (f"https://{host}:{hole.port}/.well-known/did.json",
                                                   caught.value.detail)):
        assert detail in (f"The document at {refused} was not fetched: only public addresses are fetched.",
                          f"Only https URLs of a named host are fetched, not {refused!r}.")
    time.sleep(0.1)
    assert hole.connections == []
    fetcher.close()


def test_the_allow_list_lets_exactly_one_host_and_port_through(services, hole):
    other = BlackHole()
    fetcher = RemoteFetcher(allow=[f"127.0.0.1:{hole.port}"], timeout=0.5)
    res = resolvers(services, fetcher)
    allowed, other_port = f"https://127.0.0.1:{hole.port}/l", f"https://127.0.0.1:{other.port}/l"
    answers = res.fetch_status_lists([allowed, other_port])
    assert isinstance(answers[allowed], UpstreamUnavailable)  # reached, but the black hole never answers
    assert isinstance(answers[other_port], InsecureUrl)
    assert len(hole.connections) == 1 and other.connections == []
    other.close()
    fetcher.close()


def test_plain_http_userinfo_and_unix_sockets_are_refused_before_any_connection(services, hole):
    fetcher = RemoteFetcher(allow=[f"127.0.0.1:{hole.port}"])
    urls = [f"http://127.0.0.1:{hole.port}/l", f"https://user:pw@127.0.0.1:{hole.port}/l",
            f"https://127.0.0.1:{hole.port}\\@8.8.8.8/l"]
    answers = resolvers(services, fetcher).fetch_status_lists(urls)
    assert all(isinstance(answers[u], InsecureUrl) for u in urls), answers
    assert hole.connections == []
    fetcher.close()


def test_the_connection_goes_to_the_vetted_address_without_a_second_lookup(services, monkeypatch):
    """A rebinding DNS server: first a public address, then loopback. The fetcher resolves once and connects to
    the address it vetted (the connection itself is intercepted: no packet leaves the machine)."""
    real = socket.getaddrinfo
    lookups, connected = [], []

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example":
            lookups.append(host)
            address = "8.8.8.8" if len(lookups) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    def connect_tcp(self, host, port, *args, **kwargs):
        connected.append(host)
        raise httpcore.ConnectError("intercepted")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    fetcher = RemoteFetcher()
    url = "https://rebind.example/status/1"
    assert isinstance(resolvers(services, fetcher).fetch_status_lists([url])[url], UpstreamUnavailable)
    assert lookups == ["rebind.example"] and connected == ["8.8.8.8"]
    fetcher.close()


# --- https: the name is verified, nothing is followed or echoed ------------------------------------------------


def test_a_document_is_fetched_from_the_vetted_address_with_the_name_in_host_and_tls(services, tls):
    tls.json("/org/did.json", {"id": f"did:web:localhost%3A{tls.port}:org"})
    fetcher = RemoteFetcher(allow=[f"localhost:{tls.port}"], verify=tls.client_context)
    doc = resolvers(services, fetcher).resolve_did(f"did:web:localhost%3A{tls.port}:org")
    assert doc == {"id": f"did:web:localhost%3A{tls.port}:org"}
    assert tls.requests == [("/org/did.json", f"localhost:{tls.port}")]

    # the same server under its address: the certificate names localhost only, so TLS refuses it
    fetcher2 = RemoteFetcher(allow=[f"127.0.0.1:{tls.port}"], verify=tls.client_context)
    with pytest.raises(UpstreamUnavailable):
        resolvers(services, fetcher2).resolve_did(f"did:web:127.0.0.1%3A{tls.port}:org")
    assert len(tls.requests) == 1
    fetcher.close()
    fetcher2.close()


def test_errors_are_generic_redirects_are_not_followed_and_content_is_never_echoed(services, tls):
    secret = b"SECRET internal admin page 10.0.0.7"
    base = f"https://localhost:{tls.port}"
    tls.routes["/html"] = (200, {"Content-Type": "text/html"}, b"<html>" + secret, 0.0, 0.0)
    tls.routes["/error"] = (500, {}, secret, 0.0, 0.0)
    tls.routes["/redirect"] = (302, {"Location": base + "/list"}, secret, 0.0, 0.0)  # a good list, not followed
    tls.routes["/json-array"] = (200, {}, json.dumps([secret.decode()]).encode(), 0.0, 0.0)
    tls.routes["/gzip"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(b'{"ok": 1}'), 0.0, 0.0)  # never unpacked
    tls.json("/list", {"ok": 1})
    fetcher = RemoteFetcher(allow=[f"localhost:{tls.port}"], verify=tls.client_context)
    closed = f"https://localhost:{free_port()}/x"
    fetcher_closed = RemoteFetcher(allow=[closed.split("/")[2]])
    answers = fetcher.get_many([base + p for p in ("/html", "/error", "/redirect", "/gzip")], Deadline(5))
    answers[closed] = fetcher_closed.get_many([closed], Deadline(5))[closed]
    for url, answer in answers.items():
        assert isinstance(answer, UpstreamUnavailable), (url, answer)
        assert answer.detail == f"The document at {url} could not be fetched."
    array = base + "/json-array"
    answer = resolvers(services, fetcher).fetch_status_lists([array])[array]
    assert answer.detail == f"The status list at {array} is not a JSON object."
    assert "/list" not in [p for p, _ in tls.requests]  # the redirect was not followed
    with pytest.raises(NotFound):
        fetcher.get_json(base + "/missing", Deadline(5))
    fetcher.close()
    fetcher_closed.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_size_cap_and_cache_of_successes_only(services, tls):
    base = f"https://localhost:{tls.port}"
    big = b"[" + b"0," * 300_000 + b"0]"
    tls.routes["/big"] = (200, {}, big, 0.0, 0.0)
    tls.routes["/big-undeclared"] = (200, {"Content-Length": None}, big, 0.0, 0.0)
    tls.routes["/flaky"] = (503, {}, b"", 0.0, 0.0)
    tls.json("/list", {"ok": 1})
    fetcher = RemoteFetcher(allow=[f"localhost:{tls.port}"], verify=tls.client_context, max_bytes=100_000)
    answers = resolvers(services, fetcher).fetch_status_lists([base + "/big", base + "/big-undeclared",
                                                               base + "/flaky", base + "/list"])
    assert isinstance(answers[base + "/big"], LimitExceeded)
    assert isinstance(answers[base + "/big-undeclared"], LimitExceeded)
    assert isinstance(answers[base + "/flaky"], UpstreamUnavailable)
    tls.json("/flaky", {"ok": 2})
    answers = resolvers(services, fetcher).fetch_status_lists([base + "/flaky", base + "/list"])
    assert answers == {base + "/flaky": {"ok": 2}, base + "/list": {"ok": 1}}
    paths = [p for p, _ in tls.requests]
    assert paths.count("/flaky") == 2 and paths.count("/list") == 1  # the failure was asked again, the list cached
    fetcher.close()


# --- one deadline, caps, parallel fetches -------------------------------------------------------------------------


def test_deadline_counts_down_on_its_clock_and_refuses_when_up():
    now = [100.0]
    deadline = Deadline(2.0, clock=lambda: now[0])
    assert deadline.remaining() == 2.0 and not deadline.expired
    deadline.check()
    now[0] = 101.5
    assert deadline.remaining() == 0.5
    now[0] = 103.0
    assert deadline.remaining() == 0.0 and deadline.expired
    with pytest.raises(LimitExceeded) as caught:
        deadline.check()
    assert caught.value.slug == "verification-timeout"


def test_status_lists_are_fetched_in_parallel(services, tls):
    base = f"https://localhost:{tls.port}"
    urls = [f"{base}/status/{i}" for i in range(MAX_STATUS_LISTS)]
    for i, url in enumerate(urls):
        tls.json(f"/status/{i}", {"n": i}, delay=1.0)
    fetcher = RemoteFetcher(allow=[f"localhost:{tls.port}"], verify=tls.client_context)
    started = time.monotonic()
    answers = resolvers(services, fetcher).fetch_status_lists(urls)
    elapsed = time.monotonic() - started
    assert answers == {url: {"n": i} for i, url in enumerate(urls)}
    assert elapsed < MAX_STATUS_LISTS * 1.0 - 1.0, f"{elapsed:.2f} s: fetched one after another"
    fetcher.close()


def test_one_deadline_bounds_every_fetch_and_the_number_of_status_lists_is_capped(services, hole):
    fetcher = RemoteFetcher(allow=[f"127.0.0.1:{hole.port}"], timeout=5.0)
    urls = [f"https://127.0.0.1:{hole.port}/status/{i}" for i in range(6)]
    res = resolvers(services, fetcher, seconds=1.0)
    started = time.monotonic()
    answers = res.fetch_status_lists(urls + urls[:2])
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 1.6, f"{elapsed:.2f} s"
    assert all(isinstance(answers[u], UpstreamUnavailable) for u in urls)
    assert [u for u in urls if "too many status lists" in answers[u].detail] == urls[MAX_STATUS_LISTS:]
    assert len(hole.connections) == MAX_STATUS_LISTS
    # the time is up: nothing more is fetched, and the one-at-a-time interface raises the same answers
    late = f"https://127.0.0.1:{hole.port}/status/late"
    assert isinstance(res.fetch_status_lists([late])[late], UpstreamUnavailable)
    with pytest.raises(UpstreamUnavailable):
        res.resolve_did(f"did:web:127.0.0.1%3A{hole.port}")
    time.sleep(0.1)
    assert len(hole.connections) == MAX_STATUS_LISTS
    fetcher.close()


def test_a_slow_drip_is_cut_off_at_the_deadline(services, tls):
    """Every read on the connection is bounded by what is left of the fetch's time, not only each read alone:
    the answer comes at the deadline, and the fetch itself has ended too (its one slot is free again)."""
    tls.routes["/drip"] = (200, {}, json.dumps({"padding": "x" * 40}).encode(), 0.0, 0.1)  # ~5 s in all
    tls.json("/list", {"ok": 1})
    fetcher = RemoteFetcher(allow=[f"localhost:{tls.port}"], verify=tls.client_context, timeout=5.0,
                            max_concurrent=1)
    drip, good = f"https://localhost:{tls.port}/drip", f"https://localhost:{tls.port}/list"
    started = time.monotonic()
    assert isinstance(resolvers(services, fetcher, 1.0).fetch_status_lists([drip])[drip], UpstreamUnavailable)
    assert time.monotonic() - started < 1.5
    time.sleep(0.3)
    assert resolvers(services, fetcher).fetch_status_lists([good]) == {good: {"ok": 1}}
    fetcher.close()


def test_did_lookups_per_verification_are_capped(services, tls):
    fetcher = RemoteFetcher(allow=[f"localhost:{tls.port}"], verify=tls.client_context)
    res = resolvers(services, fetcher)
    dids = [f"did:web:localhost%3A{tls.port}:d{i}" for i in range(MAX_DID_LOOKUPS + 1)]
    for did in dids[:MAX_DID_LOOKUPS]:
        assert res.resolve_did(did) is None  # 404: no such DID
    with pytest.raises(UpstreamUnavailable):
        res.resolve_did(dids[-1])
    assert len(tls.requests) == MAX_DID_LOOKUPS
    fetcher.close()


def test_a_full_pool_answers_unavailable_at_once_instead_of_queueing(services, hole):
    fetcher = RemoteFetcher(allow=[f"127.0.0.1:{hole.port}"], max_concurrent=2)
    busy = [f"https://127.0.0.1:{hole.port}/busy/{i}" for i in range(2)]
    holder = threading.Thread(target=lambda: resolvers(services, fetcher, 2.0).fetch_status_lists(busy))
    holder.start()
    while len(hole.connections) < 2:
        time.sleep(0.01)
    started = time.monotonic()
    url = f"https://127.0.0.1:{hole.port}/other"
    answer = resolvers(services, fetcher).fetch_status_lists([url])[url]
    assert isinstance(answer, UpstreamUnavailable) and time.monotonic() - started < 0.2
    holder.join()
    assert len(hole.connections) == 2
    fetcher.close()


# --- this service's own lists and the verify endpoint ----------------------------------------------------------


@pytest.fixture(scope="module")
def client_with_hole(database_url, tmp_path_factory):
    hole = BlackHole()
    with make_client(database_url, tmp_path_factory.mktemp("keys"), fetch_allow=(f"127.0.0.1:{hole.port}",),
                     verify_deadline_seconds=2.0) as c:
        c.hole = hole
        yield c
    hole.close()


def with_entries(doc: dict, urls: list[str]) -> dict:
    return {**doc, "credentialStatus": [status_list.entry(url, 1, "revocation") for url in urls]}


def verify(client, credential):
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def status_check(response) -> dict:
    return next(c for c in response.json()["checks"] if c["check"] == "status")


@pytest.mark.parametrize("seq", ["²", "99999999999999999999", "-1", "1.0", "0x1", ""])
def test_own_status_list_with_a_bad_sequence_is_a_clean_answer(client_with_hole, loader, seq):
    slug, _ = new_tenant(client_with_hole)
    url = f"{ORIGIN}/status/{slug}/revocation/{seq}"
    with client_with_hole.app.state.session_factory() as session:
        res = Resolvers(session, client_with_hole.app.state.services, client_with_hole.app.state.remote_fetcher,
                        Deadline(5))
        assert isinstance(res.fetch_status_lists([url])[url], NotFound)
    r = verify(client_with_hole, sign(with_entries(vc2(DID_A), [url]), SIGNER_A, loader))
    assert r.status_code == 400, r.text
    assert status_check(r)["outcome"] == "unknown"


@pytest.mark.parametrize("host", ["127.1", "2130706433", "localhost"])
def test_verify_endpoint_refuses_a_did_web_issuer_on_loopback(client_with_hole, loader, host):
    hole = client_with_hole.hole
    before = len(hole.connections)
    did = f"did:web:{host}%3A{hole.port}"
    signed = sign(vc2(did), Ed25519Signer(KEY_B, did + "#key-1"), loader)
    r = verify(client_with_hole, signed)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["verified"] is False
    assert {c["check"]: c["outcome"] for c in body["checks"]}["issuer"] != "ok"
    assert "127.0.0.1" not in r.text  # the address the name resolves to is never told
    time.sleep(0.1)
    assert len(hole.connections) == before


def test_verify_endpoint_answers_within_the_deadline_for_a_black_hole(client_with_hole, loader):
    hole = client_with_hole.hole
    urls = [f"https://127.0.0.1:{hole.port}/status/{i}" for i in range(6)]
    signed = sign(with_entries(vc2(DID_A), urls), SIGNER_A, loader)
    started = time.monotonic()
    r = verify(client_with_hole, signed)
    elapsed = time.monotonic() - started
    assert r.status_code == 400 and r.json()["verdict"] == "unknown", r.text
    assert status_check(r)["outcome"] == "unknown"
    assert elapsed < 2.0 + 1.0, f"{elapsed:.2f} s for a 2 s deadline"


# --- the running service under hostile load ------------------------------------------------------------------


HOSTILE = 45
DEADLINE = 6.0


def test_health_stays_fast_while_45_verifications_wait_on_a_black_hole(loader, tmp_path):
    """A real uvicorn server; 45 concurrent verifications whose issuer's DID document or status lists sit on a
    host that accepts and never answers. /health must keep answering quickly, and the outbound fetches stay within
    the global cap. (Without the cap, /health waits for the verifications' deadline: 40 worker threads, all blocked.
    With it, what /health still waits for is the CPU the 45 verifications share under one GIL: well under 1.5 s.)"""
    hole = BlackHole()
    url = f"sqlite:///{tmp_path / 'mcred.sqlite3'}"
    migrate.upgrade(url)
    did = f"did:web:127.0.0.1%3A{hole.port}"
    by_status = sign(with_entries(vc2(DID_A), [f"https://127.0.0.1:{hole.port}/s/{i}" for i in range(6)]),
                     SIGNER_A, loader)
    by_did = sign(vc2(did), Ed25519Signer(KEY_B, did + "#key-1"), loader)
    latencies, durations = [], []
    with live_server(url, tmp_path / "keys", fetch_allow=(f"127.0.0.1:{hole.port}",),
                     verify_deadline_seconds=DEADLINE) as app:
        origin = app.state.services.settings.public_origin

        def hostile(i):
            with httpx.Client(base_url=origin, timeout=60) as c:
                started = time.monotonic()
                r = c.post("/credentials/verify", json={"verifiableCredential": by_status if i % 2 else by_did})
                durations.append(time.monotonic() - started)
                return r.status_code, r.headers.get("retry-after")

        with ThreadPoolExecutor(HOSTILE) as pool, httpx.Client(base_url=origin, timeout=60) as probe:
            futures = [pool.submit(hostile, i) for i in range(HOSTILE)]
            time.sleep(0.3)
            while not all(f.done() for f in futures):
                started = time.monotonic()
                assert probe.get("/health").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.05)
            statuses = [f.result() for f in futures]
    hole.close()
    print(f"\n/health under {HOSTILE} hostile verifications: n={len(latencies)} "
          f"p50 {statistics.median(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms; "
          f"verifications p50 {statistics.median(durations):.2f} s, max {max(durations):.2f} s; "
          f"connections to the black hole: {len(hole.connections)}")
    # each one either ran to its deadline (400, status unknown) or was refused by admission control, which says
    # when to come back (503 + Retry-After): none hangs, none is a 500
    assert all(code == 400 or (code == 503 and retry) for code, retry in statuses), statuses
    assert any(code == 400 for code, _ in statuses)
    assert len(latencies) >= 10
    assert max(latencies) < 1.5
    assert max(durations) < DEADLINE + 3.0
    assert len(hole.connections) < HOSTILE  # the global cap (16 fetches at once), not one or more per verification
