"""Shared fixtures. The contexts are installed (from the mirror) once per session before anything loads them.

MCRED_STRICT_TESTS=1 (set by scripts/test.sh, so in CI): a skipped test fails. Skips stay for developers' runs on
machines without node, the vc-peer or Chromium; the test script installs all of them, so a skip there means a test
that proved nothing.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from pathlib import Path

import pytest

STRICT = os.environ.get("MCRED_STRICT_TESTS") == "1"
# The tests' own process builds and drops hundreds of apps: app.process_gc.settle() would freeze each one's
# objects for good. tests/test_process_gc.py runs the processes that settle with it on.
os.environ["MCRED_GC_SETTLE"] = "0"


def _fail_skip(report) -> None:
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, and MCRED_STRICT_TESTS=1 makes a skip a failure: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skip(outcome.get_result())

from app import contexts
from app.domain.jsonld import make_document_loader

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def in_threads():
    """``in_threads(work, args_list)``: ``work(*args)`` for every ``args``, each in a thread of its own, all running
    at once; returns the exceptions they raised (a race then fails the test instead of printing a thread's
    traceback)."""
    def run(work, args_list) -> list[Exception]:
        errors: list[Exception] = []

        def guarded(*args):
            try:
                work(*args)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=guarded, args=args) for args in args_list]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return errors
    return run


@pytest.fixture(scope="session")
def context_documents() -> dict:
    contexts.install()
    return contexts.load_documents()


@pytest.fixture(scope="session")
def loader(context_documents):
    return make_document_loader(context_documents)


@pytest.fixture(scope="session")
def elm_sample() -> dict:
    return json.loads((SHARED / "elm" / "sample-mc-annex1-unsigned.jsonld").read_text())


@pytest.fixture(scope="session")
def elm_sealed_sample() -> dict:
    """The EU's sealed Annex I sample: the credential inside its JAdES envelope (it has `issued` and the issuer's
    eIDAS identifier, which the unsigned file lacks)."""
    envelope = json.loads((SHARED / "elm" / "sample-mc-annex1-signed.jsonld").read_text())
    return json.loads(envelope["payload"])


@pytest.fixture(scope="session")
def rdf_tree(loader):
    """tree(doc) -> the credential rebuilt from its RDF statements, as the verifier reads it: the document's context
    terms, language maps, one value or a list, IRIs as nodes embedded with their properties (each once per branch)."""
    from pyld import jsonld

    from app.domain.rdfc import canonicalize

    def tree(doc: dict) -> dict:
        expanded = jsonld.from_rdf(canonicalize(doc, loader), {"format": "application/n-quads"})
        compacted = jsonld.compact(expanded, {"@context": doc["@context"]}, {"documentLoader": loader, "base": None})
        nodes = {n["id"]: n for n in compacted.get("@graph", [compacted]) if isinstance(n.get("id"), str)}

        def embed(value, seen: frozenset):
            if isinstance(value, list):
                return [embed(v, seen) for v in value]
            if isinstance(value, str) and value in nodes and value not in seen:
                value = {"id": value}  # an IRI-typed term compacts to a string: the verifier's tree has a node
            if isinstance(value, dict):
                if set(value) == {"id"} and value["id"] in nodes and value["id"] not in seen:
                    value = nodes[value["id"]]
                here = seen | {value.get("id")}
                return {k: (v if k in ("id", "type", "@context") else embed(v, here)) for k, v in value.items()}
            return value

        return embed(nodes[doc["id"]], frozenset())

    return tree


# --- the EU's SHACL shapes for European Digital Credentials, applied as EDC applies them -------------------------
# EDC validates against edc-generic-full together with the edc-generic-no-cv shapes it imports (owl:imports), both
# loaded into one shapes graph, over the credential's RDF (here: its RDFC-1.0 N-Quads from the offline loader, all
# graphs merged, so a proof graph is part of the data as it is of the credential). No ontology graph and no
# inference: the EU's own sealed sample conforms exactly so (with ELM.ttl as ontology and RDFS inference it would
# not). The full shapes check a concept's scheme (skos:inScheme, typed skos:ConceptScheme) inside the credential,
# where ELM credentials carry it, so the controlled vocabularies themselves (XSD lists in cv/) are not needed.
# The one EDC constraint no W3C credential with a status list can meet: EDC wants credentialStatus as at most one
# literal xsd:anyURI, and a Bitstring Status List entry is a node (two with suspension). edc_violations() leaves
# out exactly the results on that path and nothing else; test_elm_shacl.py shows the clash is real.
CREDENTIAL_STATUS = "https://www.w3.org/2018/credentials#credentialStatus"


@pytest.fixture(scope="session")
def edc_shapes():
    import rdflib

    shapes = rdflib.Graph()
    for name in ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl"):
        shapes.parse(SHARED / "elm" / name, format="turtle")
    return shapes


@pytest.fixture(scope="session")
def edc_report(edc_shapes, loader):
    """shacl(doc) -> the top-level SHACL results as dicts (path, component, focus, shape, message)."""
    import pyshacl
    import rdflib

    from app.domain.rdfc import canonicalize

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")

    def shacl(doc: dict) -> list[dict]:
        dataset = rdflib.Dataset()
        with warnings.catch_warnings():  # rdflib's own N-Quads parser uses its deprecated default_context
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(data=canonicalize(doc, loader), format="nquads")
        data = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            data.add((s, p, o))
        _, report, _ = pyshacl.validate(data, shacl_graph=edc_shapes)
        root = next(report.subjects(rdflib.RDF.type, sh.ValidationReport))
        return [
            {key: str(report.value(r, getattr(sh, name))) for key, name in (
                ("path", "resultPath"), ("component", "sourceConstraintComponent"), ("focus", "focusNode"),
                ("shape", "sourceShape"), ("message", "resultMessage"))}
            for r in report.objects(root, sh.result)
        ]

    return shacl


@pytest.fixture(scope="session")
def edc_violations(edc_report):
    """violations(doc) -> the EDC SHACL results, less the documented credentialStatus clash."""
    return lambda doc: [r for r in edc_report(doc) if r["path"] != CREDENTIAL_STATUS]


# --- databases: every schema is built by the Alembic migrations, on SQLite and on the real PostgreSQL ---------

import secrets as _secrets

from sqlalchemy import create_engine, text

POSTGRES_ADMIN_URL = os.environ.get("MCRED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _fresh_postgres_url() -> tuple[str, callable]:
    """A new, empty PostgreSQL database for this test session, dropped afterwards."""
    name = f"mcred_test_{_secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def postgres_url():
    url, drop = _fresh_postgres_url()
    yield url
    drop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request, tmp_path_factory):
    """Both backends, each migrated once per session; tests isolate themselves by creating their own tenants."""
    from app.db import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'mcred.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def client(database_url, tmp_path_factory):
    """The app (in-process TestClient) on each database backend, with its own key directory per test module."""
    from tests.apphelpers import make_client

    with make_client(database_url, tmp_path_factory.mktemp("keys")) as c:
        yield c


@pytest.fixture(scope="module")
def tenant(client) -> tuple[str, str]:
    """(slug, API key) of an institution that revokes and suspends, shared by the tests of a module."""
    from tests.apphelpers import new_tenant

    return new_tenant(client, suspension_enabled=True)


@pytest.fixture
def fresh_tenant(client) -> tuple[str, str]:
    """(slug, API key) of an institution of this test alone (nothing issued yet) that only revokes."""
    from tests.apphelpers import new_tenant

    return new_tenant(client)


@pytest.fixture
def trusted_client(database_url, tmp_path):
    """The app with an operator's trust list naming did:key A the University of Latvia; yields (client, the trust
    list's path) so a test can change the list."""
    import json

    from tests.apphelpers import DID_A, make_client

    path = tmp_path / "trust-list.json"
    path.write_text(json.dumps({"issuers": [{"did": DID_A, "name": {"lv": "Latvijas Universitāte",
                                                                    "en": "University of Latvia"},
                                             "homepage": "https://www.lu.lv"}]}))
    with make_client(database_url, tmp_path / "keys", trust_list=path) as c:
        yield c, path


@pytest.fixture(scope="module")
def live_app(database_url, tmp_path_factory):
    """The app served by a real uvicorn on a free port, on each database backend (its public URL is the real one)."""
    from tests.liveserver import live_server

    with live_server(database_url, tmp_path_factory.mktemp("keys")) as app:
        yield app


@pytest.fixture(scope="module")
def live_http(live_app):
    """An HTTP client of ``live_app``."""
    import httpx

    with httpx.Client(base_url=live_app.state.services.settings.public_origin, timeout=30) as client:
        yield client


class Remote:
    """A fake internet for the verifier: URL -> JSON document (or an exception), with a log of requests."""

    def __init__(self):
        self.docs: dict[str, object] = {}
        self.requested: list[str] = []

    def handler(self, request):
        import httpx

        url = str(request.url)
        self.requested.append(url)
        doc = self.docs.get(url)
        if isinstance(doc, Exception):
            raise doc
        if doc is None:
            return httpx.Response(404)
        if isinstance(doc, httpx.Response):
            return doc
        return httpx.Response(200, json=doc)


@pytest.fixture
def remote(client):
    """The app's remote fetcher replaced by one on an httpx.MockTransport serving ``remote.docs``."""
    import httpx

    from app.remote_fetch import RemoteFetcher

    fake = Remote()
    previous = client.app.state.remote_fetcher
    client.app.state.remote_fetcher = fetcher = RemoteFetcher(transport=httpx.MockTransport(fake.handler))
    yield fake
    client.app.state.remote_fetcher = previous
    fetcher.close()


OPERATOR = {"operator_name_lv": "Akadēmiskās informācijas centrs", "operator_name_en": "Academic Information Centre",
            "operator_url": "https://www.aic.lv", "operator_contact": "mcred@aic.lv"}


@pytest.fixture(scope="module")
def operated_client(database_url, tmp_path_factory):
    """The app with its operator configured (``OPERATOR``) and a trust list naming did:key A the University of
    Latvia: who vouches, on every page."""
    import json

    from tests.apphelpers import DID_A, make_client

    tmp = tmp_path_factory.mktemp("operated")
    path = tmp / "trust-list.json"
    path.write_text(json.dumps({"issuers": [{"did": DID_A, "name": {"lv": "Latvijas Universitāte",
                                                                    "en": "University of Latvia"},
                                             "homepage": "https://www.lu.lv"}]}))
    with make_client(database_url, tmp / "keys", trust_list=path, **OPERATOR) as c:
        yield c


class Mailbox:
    """What a real SMTP server (aiosmtpd, in this process) received: ``messages`` (email.message.EmailMessage, with
    ``envelope_to``); ``refuse`` recipients in a row are refused with a temporary 451, as a busy server does."""

    def __init__(self):
        self.messages: list = []
        self.refuse = 0
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port for this test: yields (its smtp:// URL, its Mailbox)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()
