"""Pinned contexts (install from a mirror, refuse altered copies) and safe, bounded JSON-LD processing."""

from __future__ import annotations

import json
import time

import pytest

from app import contexts
from app.domain import jsonld, rdfc
from app.errors import JsonLdRefused, LimitExceeded
from tests.apphelpers import ensure_no_dropped_terms, find_undefined_terms


def test_install_copies_verified_files_and_refuses_altered_ones(tmp_path):
    target = tmp_path / "contexts"
    report = contexts.install(target)
    index = contexts.read_index()
    assert all((target / pin["file"]).is_file() for pin in index.values())
    assert any(line.startswith("installed") for line in report)
    assert set(contexts.load_documents(target)) == set(index)
    assert all(line.startswith("ok") for line in contexts.install(target))

    # A tampered copy stops the service from loading, and a mirror with a wrong file is not used.
    victim = target / index["https://www.w3.org/2018/credentials/v1"]["file"]
    victim.write_text(victim.read_text().replace("VerifiableCredential", "VerifiableCredentiaI"))
    with pytest.raises(contexts.ContextPinError):
        contexts.load_documents(target)
    bad_mirror = tmp_path / "mirror"
    bad_mirror.mkdir()
    (bad_mirror / victim.name).write_text("{}")
    with pytest.raises(contexts.ContextPinError):
        contexts.install(target, mirrors=[bad_mirror])
    # ...but a download that matches the pin is accepted, one that does not is refused.
    good = (contexts.DEFAULT_DIR / victim.name).read_bytes()
    contexts.install(target, mirrors=[bad_mirror], download=lambda url: good)
    assert victim.read_bytes() == good
    victim.unlink()
    with pytest.raises(contexts.ContextPinError):
        contexts.install(target, mirrors=[], download=lambda url: b"{}")


def test_every_needed_context_is_pinned():
    index = contexts.read_index()
    for url in ["https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2",
                "https://w3id.org/security/data-integrity/v1", "https://w3id.org/security/data-integrity/v2",
                "https://w3id.org/security/multikey/v1", "https://www.w3.org/ns/credentials/status/v1",
                "https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/ed25519-2020/v1",
                "http://data.europa.eu/snb/model/context/edc-ap"]:
        assert url in index
        assert len(index[url]["sha256"]) == 64 and index[url]["license"] and index[url]["source"]
    assert "EUPL" in index["http://data.europa.eu/snb/model/context/edc-ap"]["license"]


def test_loader_refuses_every_other_url(loader):
    with pytest.raises(JsonLdRefused) as exc:
        loader("https://example.com/ctx", {})
    assert exc.value.slug == "unknown-context"
    with pytest.raises(JsonLdRefused):
        rdfc.canonicalize({"@context": "https://example.com/ctx", "name": "x"}, loader)


def test_elm_sample_canonicalizes_like_jsonld_js(elm_sample, loader):
    doc = {**elm_sample, "@context": [*elm_sample["@context"], "https://w3id.org/security/data-integrity/v2",
                                      "https://www.w3.org/ns/credentials/status/v1"]}
    nquads = rdfc.canonicalize(doc, loader)
    lines = nquads.splitlines()
    assert len(lines) == len(set(lines)) == 292  # jsonld.js (RDFC-1.0) gives the same 292 quads
    assert lines == sorted(lines)
    assert find_undefined_terms(doc, loader) == []


def test_dropped_terms_are_found(elm_sample, loader):
    doc = json.loads(json.dumps(elm_sample))
    doc["shoeSize"] = 42
    doc["credentialSubject"]["type"] = ["Person", "Superhero"]
    doc["credentialSubject"]["hasClaim"]["id"] = "relative-id"
    found = find_undefined_terms(doc, loader)
    assert "shoeSize" in found and "Superhero" in found and "relative IRI 'relative-id'" in found
    with pytest.raises(JsonLdRefused) as exc:
        ensure_no_dropped_terms(doc, loader)
    assert exc.value.slug == "undefined-terms"
    # Without a context that defines it, a VC 2.0 term is dropped; a context's own @vocab (VC 2.0's
    # undefined-terms context) defines every term, so then nothing is dropped.
    v2 = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
          "issuer": "did:example:1", "credentialSubject": {"favouriteColour": "blue"}}
    assert find_undefined_terms(v2, loader) == ["favouriteColour"]
    v2["@context"].append("https://www.w3.org/ns/credentials/undefined-terms/v2")
    assert find_undefined_terms(v2, loader) == []


def test_hostile_documents_hit_limits(loader):
    deep: dict = {"@context": "https://www.w3.org/ns/credentials/v2"}
    node = deep
    for _ in range(100):
        node["credentialSubject"] = {}
        node = node["credentialSubject"]
    with pytest.raises(LimitExceeded) as exc:
        rdfc.canonicalize(deep, loader)
    assert exc.value.slug == "too-deep"
    wide = {"@context": "https://www.w3.org/ns/credentials/v2",
            "credentialSubject": [[{} for _ in range(1_000)] for _ in range(30)]}
    with pytest.raises(LimitExceeded) as exc:
        rdfc.canonicalize(wide, loader)
    assert exc.value.slug == "too-many-nodes"
    long = {"@context": "https://www.w3.org/ns/credentials/v2", "credentialSubject": [{} for _ in range(1_001)]}
    with pytest.raises(LimitExceeded) as exc:
        rdfc.canonicalize(long, loader)
    assert exc.value.slug == "too-many-values"


def test_canonicalization_has_a_deadline(loader):
    # A graph of interlinked blank nodes makes RDFC-1.0's n-degree hashing explode (the "poison graph").
    ctx = {"@context": {"p": {"@id": "urn:p", "@type": "@id"}}}
    n = 12
    nodes = [{"@id": f"_:b{i}", "p": [f"_:b{j}" for j in range(n) if j != i]} for i in range(n)]
    doc = {**ctx, "@graph": nodes}
    start = time.monotonic()
    with pytest.raises(LimitExceeded) as exc:
        rdfc.canonicalize(doc, loader, jsonld.Limits(max_seconds=0.5))
    assert exc.value.slug == "jsonld-timeout"
    assert time.monotonic() - start < 5


def test_json_ld_processing_is_safe_under_threads(elm_sample, loader, in_threads):
    """pyld's module-wide caches are not thread-safe; FastAPI runs sync routes in a thread pool."""
    import sys

    doc = {**elm_sample, "@context": [*elm_sample["@context"], "https://w3id.org/security/data-integrity/v2"]}
    expected = rdfc.canonicalize(doc, loader)
    results = []

    def work():
        for _ in range(12):
            results.append(rdfc.canonicalize(doc, loader) == expected)
            ensure_no_dropped_terms(doc, loader)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to provoke races
    try:
        errors = in_threads(work, [()] * 8)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors
    assert len(results) == 96 and all(results)


def test_one_documents_json_ld_work_does_not_wait_for_anothers(elm_sample, context_documents):
    """No process-wide lock: while one expansion is stuck (here: in its document loader), another completes."""
    import threading

    release, entered = threading.Event(), threading.Event()

    def slow_fallback(url):
        entered.set()
        release.wait(20)
        return {"@context": {"slow": "https://example.org/slow"}}

    loader = jsonld.make_document_loader(context_documents, fallback=slow_fallback)
    stuck = threading.Thread(target=lambda: rdfc.canonicalize(
        {"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/slow-context"], "slow": "x"},
        loader))
    stuck.start()
    assert entered.wait(10)
    done = []
    other = threading.Thread(target=lambda: done.append(rdfc.canonicalize(elm_sample, loader)))
    other.start()
    other.join(10)
    release.set()
    stuck.join(10)
    assert done and done[0].count("\n") == 292


def test_the_deadline_interrupts_the_expansion_itself(elm_sample, loader, monkeypatch):
    """The time budget covers all JSON-LD work: the expansion stops at the deadline, before any RDF is built."""
    import itertools

    from app.domain.deadline import Deadline

    reached = []
    monkeypatch.setattr(rdfc, "to_dataset", lambda *a, **k: reached.append(1))
    ticks = itertools.count()
    deadline = Deadline(1.0, clock=lambda: next(ticks) * 0.5)  # every look at the clock costs 0.5 s
    with pytest.raises(LimitExceeded) as exc:
        rdfc.statements(elm_sample, loader, deadline=deadline)
    assert exc.value.slug == "verification-timeout" and not reached


def test_the_compiled_absolute_iri_test_answers_as_pyld_does():
    values = ["https://example.org/x", "did:web:a%3A1:b", "urn:uuid:1", "_:b0", "rel/ative", "x", "", " x:y",
              "a b:c", "1a:b", "a+b.c-d:e", "mailto:anna@example.lv", "https ://not-a-url", "http://x/ y", None, 7]
    for value in values:
        assert bool(jsonld.pyld._is_absolute_iri(value)) == bool(jsonld._pyld_is_absolute_iri(value)), value
