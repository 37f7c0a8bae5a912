"""mcred's own RDF conversion (node map, RDF statements) and its memoised pyld expansion against pyld's plain
``normalize`` (expansion, toRdf with rdfDirection "i18n-datatype", URDNA2015), on generated documents using
keywords and containers of every kind: the canonical N-Quads must be byte-identical whenever nothing is dropped."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld

from app.domain import jsonld, rdfc

V2 = "https://www.w3.org/ns/credentials/v2"
SCOPED = {"Scoped": {"@id": "https://example.org/Scoped",
                     "@context": {"inner": "https://example.org/inner", "ref": {"@id": "https://example.org/ref",
                                                                                "@type": "@id"}}},
          "items": {"@id": "https://example.org/items", "@container": "@list"},
          "tags": {"@id": "https://example.org/tags", "@container": "@set"},
          "label": {"@id": "https://example.org/label", "@container": "@language"},
          "when": {"@id": "https://example.org/when", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
          # maps, whose expanded items pyld changes in place (@id, @type, the index property)
          "byId": {"@id": "https://example.org/byId", "@container": "@id"},
          "byType": {"@id": "https://example.org/byType", "@container": "@type"},
          "byProp": {"@id": "https://example.org/byProp", "@container": "@index", "@index": "https://example.org/key"}}

iris = st.sampled_from(["did:example:a", "did:example:b", "urn:uuid:1", "https://example.org/x", "_:b1", "_:b2"])
texts = st.text(alphabet="aāb č\"\\\n😀", max_size=6)
literals = st.one_of(texts, st.integers(-10**6, 10**6), st.booleans(),
                     st.floats(allow_nan=False, allow_infinity=False, width=32),
                     st.builds(lambda v, lang: {"@value": v, "@language": lang}, texts, st.sampled_from(["lv", "en"])),
                     # a base direction, with a language (in either case) or without one
                     st.builds(lambda v, lang, d: {"@value": v, **lang, "@direction": d}, texts,
                               st.sampled_from([{}, {"@language": "ar"}, {"@language": "LV-lv"}]),
                               st.sampled_from(["ltr", "rtl"])))


def nodes(children):
    props = st.dictionaries(
        st.sampled_from(["name", "description", "inner", "ref", "items", "tags", "label", "when",
                         "https://example.org/full", "@included", "byId", "byType", "byProp"]),
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
        for prop, keys in (("byId", ["urn:uuid:m1", "urn:uuid:m2"]), ("byType", ["Scoped", "https://example.org/T"]),
                           ("byProp", ["k1", "k2"])):
            if prop in node:  # the same value under two keys: equal subtrees, changed in place by the map
                value = node[prop] if isinstance(node[prop], dict) and "@value" not in node[prop] else {"name": "m"}
                node[prop] = {key: value for key in keys}
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
    # rdfDirection "i18n-datatype": what VC Data Integrity's cryptosuites sign a base direction as (jsonld.js in
    # Digital Bazaar's eddsa-rdfc-2022 and jsonld-signatures); pyld's default drops it
    return pyld.normalize(copy.deepcopy(doc), {"algorithm": "URDNA2015", "format": "application/n-quads",
                                               "documentLoader": load, "base": None, "rdfDirection": "i18n-datatype"})


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(body=documents, wrap=st.sampled_from(["plain", "graph"]))
def test_own_statements_equal_pyld(loader, body, wrap):
    doc = {"@context": [V2, SCOPED], **body} if wrap == "plain" else {"@context": [V2, SCOPED], "@graph": [body]}
    before = copy.deepcopy(doc)
    assert rdfc.canonicalize(doc, loader) == reference(doc, loader)
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
        assert rdfc.canonicalize(docs[n], loader) == expected[n], n


def test_the_expansion_memos_stay_bounded(context_documents, monkeypatch):
    """Documents with contexts of their own make new active contexts every time, and every document may bring new
    subtrees and texts: the memos start again rather than grow without end, and long texts are never kept."""
    monkeypatch.setattr(jsonld._Caches, "MAX_IRIS", 40)
    monkeypatch.setattr(jsonld._Caches, "MAX_SCOPED", 3)
    monkeypatch.setattr(jsonld._Caches, "MAX_CHARS", 20_000)
    loader = jsonld.make_document_loader(context_documents)
    kept = []
    for n in range(30):
        doc = _own_context_document(str(n))
        doc["part"]["motto"] = [f"{n}-{k}-" + "x" * 800 for k in range(10)]
        doc["motto"] = {"https://example.org/long": "y" * 5_000}
        rdfc.canonicalize(doc, loader)
        caches = loader.checkout_cache()
        assert len(caches.iris) <= 40 and len(caches.scoped) <= 3 and caches.chars <= 20_000
        kept += [tok for shape in caches.shapes for _, tok in shape if isinstance(tok, str)]
        loader.checkin_cache(caches)
    assert kept and max(map(len, kept)) <= jsonld._Caches.LONG_TEXT


MAPS = {"byId": {"@id": "https://example.org/byId", "@container": "@id"},
        "byType": {"@id": "https://example.org/byType", "@container": "@type"},
        "byProp": {"@id": "https://example.org/byProp", "@container": "@index", "@index": "https://example.org/key"},
        "byGraph": {"@id": "https://example.org/byGraph", "@container": "@graph"},
        "viaA": {"@id": "https://example.org/viaA", "@context": {"part": "https://example.org/a/part"}},
        "viaB": {"@id": "https://example.org/viaB", "@context": {"part": "https://example.org/b/part"}},
        "asJson": {"@id": "https://example.org/asJson", "@type": "@json"}}


def test_remembered_subtrees_are_copies(loader):
    """Equal subtrees expand once (equal as JSON, not as Python values); pyld then adds @id, @type or a property to
    the expanded items of maps in place, so what is remembered must never be what was handed out."""
    def same():
        return {"name": "same", "https://example.org/part": {"name": "part"}}

    doc = {"@context": [V2, MAPS], "id": "urn:uuid:root",
           "byId": {"urn:uuid:a": same(), "urn:uuid:b": same()},
           "byType": {"https://example.org/T1": same(), "https://example.org/T2": same()},
           "byProp": {"k1": same(), "k2": same()},
           "byGraph": [same(), same()],
           "https://example.org/plain": [same(), same()],
           # the same subtree under two properties whose scoped contexts define its term differently
           "viaA": {"part": "x"}, "viaB": {"part": "x"},
           # ... and under a property that takes it as a JSON literal
           "asJson": same(),
           # subtrees Python finds equal and JSON-LD does not (1 == 1.0 == True, 0.0 == -0.0)
           "https://example.org/typed": [{"https://example.org/v": v} for v in (1, 1.0, True, "1", 0.0, -0.0)]}
    expected = reference(doc, loader)
    for _ in range(3):
        assert rdfc.canonicalize(doc, loader) == expected


def test_an_equal_named_subtree_is_added_once(loader):
    """The expansion hands out one object for equal subtrees; the node map adds a named, blank-free one once (its
    statements are all there after the first time), and the statements stay exactly pyld's, blank nodes and lists
    under equal subtrees included (those are added every time: each occurrence is a new blank node)."""
    def org(n: str):
        return {"id": "did:example:org", "name": n, "https://example.org/part": {"id": "did:example:p", "name": "p"}}

    def blank():
        return {"name": "anon", "items": ["a", "b"]}

    named = {"@context": [V2, SCOPED], "id": "urn:uuid:root",
             "https://example.org/a": [org("x"), org("x"), org("x")], "https://example.org/b": org("x")}
    with_blank = {**named, "https://example.org/c": [blank(), blank()], "https://example.org/d": blank()}
    for doc in (named, with_blank):
        assert rdfc.canonicalize(doc, loader) == reference(doc, loader)
    def statements(doc) -> int:
        node_map = rdfc._NodeMap(jsonld.DEFAULT_LIMITS.deadline(), jsonld.DEFAULT_LIMITS)
        node_map.add(jsonld.expand(doc, loader), "@default")
        return node_map._statements

    thrice = {"@context": [V2, SCOPED], "id": "urn:uuid:root", "https://example.org/a": [org("x")] * 3}
    assert statements(thrice) == statements({**thrice, "https://example.org/a": org("x")})
