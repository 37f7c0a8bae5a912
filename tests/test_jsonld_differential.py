"""mcred's own RDF conversion (node map, RDF statements) and its memoised pyld expansion against pyld's plain
``normalize`` (expansion, toRdf, URDNA2015), on generated documents using keywords and containers of every kind:
the canonical N-Quads must be byte-identical whenever nothing is dropped."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld

from app.domain import jsonld

V2 = "https://www.w3.org/ns/credentials/v2"
SCOPED = {"Scoped": {"@id": "https://example.org/Scoped",
                     "@context": {"inner": "https://example.org/inner", "ref": {"@id": "https://example.org/ref",
                                                                                "@type": "@id"}}},
          "items": {"@id": "https://example.org/items", "@container": "@list"},
          "tags": {"@id": "https://example.org/tags", "@container": "@set"},
          "label": {"@id": "https://example.org/label", "@container": "@language"},
          "when": {"@id": "https://example.org/when", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}}

iris = st.sampled_from(["did:example:a", "did:example:b", "urn:uuid:1", "https://example.org/x", "_:b1", "_:b2"])
texts = st.text(alphabet="aāb č\"\\\n😀", max_size=6)
literals = st.one_of(texts, st.integers(-10**6, 10**6), st.booleans(),
                     st.floats(allow_nan=False, allow_infinity=False, width=32),
                     st.builds(lambda v, lang: {"@value": v, "@language": lang}, texts, st.sampled_from(["lv", "en"])))


def nodes(children):
    props = st.dictionaries(
        st.sampled_from(["name", "description", "inner", "ref", "items", "tags", "label", "when",
                         "https://example.org/full", "@included"]),
        st.one_of(literals, children, st.lists(st.one_of(literals, children), max_size=3)), max_size=4)

    def build(node_id, types, properties, reverse):
        # inner and ref are defined by the context of the type Scoped only
        node = {k: v for k, v in properties.items() if k not in ("inner", "ref") or "Scoped" in types}
        if node_id is not None:
            node["id"] = node_id
        if types:
            node["type"] = types
        if "label" in node:
            node["label"] = {"lv": "teksts", "en": "text"}
        if "when" in node:
            node["when"] = "2024-05-01T10:00:00Z"
        if "ref" in node:
            node["ref"] = "did:example:ref"
        if "@included" in node:
            node["@included"] = [{"id": "urn:uuid:inc", "name": "x"}]
        if reverse:
            node["@reverse"] = {"https://example.org/rev": {"id": "did:example:r", "name": "r"}}
        return node

    return st.builds(build, st.one_of(st.none(), iris), st.lists(st.sampled_from(["Scoped", "VerifiableCredential"]),
                                                                 max_size=2, unique=True), props, st.booleans())


documents = st.recursive(st.builds(lambda v: {"name": v}, literals), nodes, max_leaves=12)


def reference(doc, loader) -> str:
    def load(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": loader.documents[url]}
    return pyld.normalize(copy.deepcopy(doc), {"algorithm": "URDNA2015", "format": "application/n-quads",
                                               "documentLoader": load, "base": None})


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(body=documents, wrap=st.sampled_from(["plain", "graph"]))
def test_own_statements_equal_pyld(loader, body, wrap):
    doc = {"@context": [V2, SCOPED], **body} if wrap == "plain" else {"@context": [V2, SCOPED], "@graph": [body]}
    before = copy.deepcopy(doc)
    assert jsonld.canonicalize(doc, loader) == reference(doc, loader)
    assert doc == before  # the expansion reads the document, it never changes it


def _own_context_document(n: str) -> dict:
    """A document whose own context gives ``motto``, ``Gadget`` and Gadget's scoped ``part`` meanings of its own."""
    return {"@context": [V2, {"motto": f"https://example.org/{n}/motto",
                              "Gadget": {"@id": f"https://example.org/{n}/Gadget",
                                        "@context": {"part": f"https://example.org/{n}/part"}}}],
            "id": "urn:uuid:1", "type": "Gadget", "motto": "x", "part": {"id": "urn:uuid:2", "motto": "y"}}


def test_what_one_expansion_remembers_never_changes_the_next(loader, elm_sample):
    """The expansion memos outlive one document (signing a cohort reuses them): a term another document's own
    context defines differently expands to that document's meaning, in any order."""
    docs = [_own_context_document("a"), _own_context_document("b"), elm_sample, {"@context": [V2, SCOPED], **{
        "id": "urn:uuid:1", "type": "Scoped", "inner": "z", "name": "x"}}]
    expected = [reference(doc, loader) for doc in docs]
    assert len(set(expected)) == len(docs)
    for n in [0, 1, 2, 3, 1, 0, 3, 2, 0, 1]:
        assert jsonld.canonicalize(docs[n], loader) == expected[n], n


def test_the_expansion_memos_stay_bounded(context_documents, monkeypatch):
    """Documents with contexts of their own make new active contexts every time: the memos start again rather
    than grow without end."""
    monkeypatch.setattr(jsonld._Caches, "MAX_IRIS", 40)
    monkeypatch.setattr(jsonld._Caches, "MAX_SCOPED", 3)
    loader = jsonld.make_document_loader(context_documents)
    for n in range(30):
        jsonld.canonicalize(_own_context_document(str(n)), loader)
        caches = loader.checkout_cache()
        assert len(caches.iris) <= 40 and len(caches.scoped) <= 3
        loader.checkin_cache(caches)
