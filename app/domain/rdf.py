"""Reading what was signed: the RDF statements of a document, indexed, and a JSON view rebuilt from them.

A Data Integrity signature covers RDF statements, not JSON keys: the same statements can be written with terms,
full IRIs, compact IRIs, inline aliases, ``@graph``, ``@reverse``, ``@set``, ``@value`` objects, ``@nest``... Every
check that decides a verdict (issuer, type, subject, validity, status, proof options) therefore reads the
statements, never the document's JSON keys (VC Data Model 2.0, section 4.1: the JSON-LD "compacted" form is one
serialization among many of the same data).

``Graph`` indexes one RDF graph (pyld's triple form, as produced by app.domain.rdfc.to_dataset): the checks
read it by full IRIs (app.domain.iris). ``view()`` rebuilds a JSON tree from it for people and for the ELM reader:
``type`` and ``id``, language-tagged literals (with or without a base direction) as language maps, other literals
as strings (booleans and integers as JSON values), IRIs as ``{"id": …}`` nodes embedded with their own statements.

The view's keys come from one fixed table (``labels``): IRI -> label, built once from the pinned contexts in a
fixed order and one to one (a label names exactly one IRI; an IRI whose label is taken is keyed by itself). The
document's own ``@context`` (its inline, property-scoped and type-scoped definitions, the order of its context
URLs) never decides which IRI a key reads, so no context can make one statement read as another.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class Graph:
    """One RDF graph: subject -> predicate -> objects (pyld's term dicts), in statement order."""

    def __init__(self, triples: Iterable[dict] = ()):
        self._by_subject: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self._by_subject[t["subject"]["value"]][t["predicate"]["value"]].append(t["object"])

    @classmethod
    def default_graph(cls, dataset: dict[str, list]) -> "Graph":
        return cls(dataset.get("@default", ()))

    def __contains__(self, subject: str) -> bool:
        return subject in self._by_subject

    def subjects(self) -> list[str]:
        return list(self._by_subject)

    def predicates(self, subject: str) -> dict[str, list[dict]]:
        return self._by_subject.get(subject, {})

    def objects(self, subject: str, predicate: str) -> list[dict]:
        return list(self._by_subject.get(subject, {}).get(predicate, ()))

    def iris(self, subject: str, predicate: str) -> list[str]:
        """The IRI and blank-node objects of (subject, predicate)."""
        return [o["value"] for o in self.objects(subject, predicate) if o["type"] != "literal"]

    def literals(self, subject: str, predicate: str) -> list[str]:
        return [o["value"] for o in self.objects(subject, predicate) if o["type"] == "literal"]

    def types(self, subject: str) -> list[str]:
        return self.iris(subject, RDF_TYPE)

    def subjects_of_type(self, type_iri: str) -> list[str]:
        return [s for s, props in self._by_subject.items()
                if any(o["value"] == type_iri and o["type"] != "literal" for o in props.get(RDF_TYPE, ()))]

    def view(self, root: str, terms: "Terms") -> dict:
        """The JSON tree of ``root`` (see the module docstring)."""
        return _ViewBuilder(self, terms).node(root)


class Terms:
    """IRI -> label, one to one, from context documents: the first context to name an IRI names it, and a label
    already naming another IRI is not reused (that IRI is keyed by itself)."""

    def __init__(self, contexts: Iterable[Any]):
        self.names: dict[str, str] = {}
        self._taken: set[str] = set()
        for context in contexts:
            self._collect(context, {})

    def _collect(self, context: Any, prefixes: dict[str, str]) -> None:
        for ctx in context if isinstance(context, list) else [context]:
            if not isinstance(ctx, dict):
                continue
            prefixes = dict(prefixes)
            for term, definition in ctx.items():
                iri = definition.get("@id") if isinstance(definition, dict) else definition
                if isinstance(iri, str) and not term.startswith("@") and (iri.endswith(("/", "#", ":"))):
                    prefixes[term] = iri
            for term, definition in ctx.items():
                if term.startswith("@"):
                    continue
                iri = definition.get("@id") if isinstance(definition, dict) else definition
                if not isinstance(iri, str) or iri.startswith("@"):
                    continue
                iri = self._expand(iri, prefixes)
                if iri not in self.names and term not in self._taken and ":" not in term:
                    self.names[iri] = term
                    self._taken.add(term)
                if isinstance(definition, dict) and "@context" in definition:
                    self._collect(definition["@context"], prefixes)

    @staticmethod
    def _expand(iri: str, prefixes: dict[str, str]) -> str:
        prefix, sep, rest = iri.partition(":")
        if sep and not rest.startswith("//") and prefix in prefixes:
            return prefixes[prefix] + rest
        return iri

    def name(self, iri: str) -> str:
        return self.names.get(iri, iri)


# The order the labels are taken in: the contexts of ELM credentials first (whose reader uses the labels), then
# VC 2.0 and the other pinned contexts. A context missing from the documents is skipped.
LABEL_ORDER = (
    "https://www.w3.org/2018/credentials/v1",
    "http://data.europa.eu/snb/model/context/edc-ap",
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://w3id.org/vc/status-list/2021/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
)

_LABELS: dict[int, tuple[dict, Terms]] = {}


def labels(documents: dict[str, dict]) -> Terms:
    """The one label table of a set of pinned context documents (computed once per set)."""
    cached = _LABELS.get(id(documents))
    if cached is None or cached[0] is not documents:
        if len(_LABELS) > 8:
            _LABELS.clear()
        cached = _LABELS[id(documents)] = (
            documents, Terms((documents.get(url) or {}).get("@context") for url in LABEL_ORDER))
    return cached[1]


I18N = "https://www.w3.org/ns/i18n#"


def literal_language(term: dict) -> str | None:
    """The language of a literal: its language tag, or the language of a direction-tagged string, which Data
    Integrity signs with an ``i18n`` datatype (``https://www.w3.org/ns/i18n#lv_rtl``; JSON-LD 1.1, section 10.1;
    app.domain.jsonld). None when it has none."""
    if term.get("language"):
        return term["language"]
    datatype = term.get("datatype") or ""
    if datatype.startswith(I18N):
        return datatype[len(I18N):].rpartition("_")[0] or None
    return None


def literal_value(term: dict) -> Any:
    """A literal as JSON: booleans and integers natively, everything else as its lexical form."""
    value, datatype = term["value"], term.get("datatype")
    if datatype == XSD + "boolean" and value in ("true", "false", "1", "0"):
        return value in ("true", "1")
    if datatype == XSD + "integer" and len(value) <= 30 and value.lstrip("+-").isdigit() and value.isascii():
        return int(value)
    return value


class _ViewBuilder:
    def __init__(self, graph: Graph, terms: Terms):
        self.graph, self.terms = graph, terms
        self.memo: dict[str, dict] = {}
        self.building: set[str] = set()

    def node(self, subject: str) -> dict:
        if subject in self.memo:
            return self.memo[subject]
        if subject in self.building or subject not in self.graph:
            return {"id": subject}
        self.building.add(subject)
        out: dict[str, Any] = {"id": subject}
        for predicate, objects in self.graph.predicates(subject).items():
            if predicate == RDF_TYPE:
                out["type"] = _one_or_many([self.terms.name(o["value"]) for o in objects])
                continue
            name = self.terms.name(predicate)
            languages: dict[str, Any] = {}
            values: list[Any] = []
            for o in objects:
                if o["type"] != "literal":
                    values.append(self.node(o["value"]))
                elif literal_language(o):
                    lang = literal_language(o)
                    languages[lang] = [*_as_list(languages[lang]), o["value"]] if lang in languages else o["value"]
                else:
                    values.append(literal_value(o))
            if languages:
                values.insert(0, languages)
            out[name] = _one_or_many(values)
        self.building.discard(subject)
        self.memo[subject] = out
        return out


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _one_or_many(values: list) -> Any:
    return values[0] if len(values) == 1 else values
