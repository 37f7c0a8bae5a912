"""What a JSON-LD document says in RDF: its statements and their canonical form, for Data Integrity proofs.

Implements what Data Integrity (VC Data Integrity 1.0, section 4 "Algorithms") needs after expansion
(app.domain.jsonld.expand, which refuses undefined terms):

- ``to_dataset``: Node Map Generation (JSON-LD 1.1 API, section 7.2) and Deserialize JSON-LD to RDF (section 8.1)
  on that expansion. Written here rather than taken from pyld because pyld deduplicates values with a linear scan
  (a document with thousands of values of one property costs seconds) and silently skips what it cannot express in
  RDF (relative IRIs, blank-node predicates); here every such statement is a refusal, because a signature would
  not cover it (VC Data Integrity 1.0, section 2.4.3). A base direction (``@direction``, VCDM 2.0 section 11.1)
  is signed as the ``i18n-datatype`` form (JSON-LD 1.1 API, section 8.2 with ``rdfDirection``), as Digital
  Bazaar's cryptosuites do: ``"text"^^<https://www.w3.org/ns/i18n#ar_rtl>``, never dropped.
- ``canonize``: RDF Dataset Canonicalization (RDFC-1.0, pyld's ``URDNA2015``; pyld's *default* is the older
  URGNA2012), whose N-degree hashing of blank nodes is exponential for hostile graphs.
- ``statements`` / ``canonicalize``: the whole pipeline, expansion to canonical N-Quads, within one ``Deadline``
  and the input ``Limits`` (statements, values per property).

app.domain.rdf then reads the statements (indexed by IRI) and rebuilds the view people are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyld import jsonld as pyld
from pyld.canon import URDNA2015

from app.domain.deadline import Deadline, earliest
from app.domain.iris import RDF_TYPE
from app.domain.jsonld import (
    DEFAULT_LIMITS,
    UNDEFINED,
    DocumentLoader,
    Limits,
    expand,
    is_absolute,
    refuse_dropped,
)
from app.errors import LimitExceeded

# --- the node map and the RDF statements ----------------------------------------------------------------------


class _Refused(Exception):
    pass


@dataclass
class _NodeMap:
    """JSON-LD 1.1 API section 7.2 Node Map Generation, with constant-time duplicate detection."""

    deadline: Deadline
    limits: Limits
    graphs: dict[str, dict[str, dict]] = field(default_factory=lambda: {"@default": {}})
    _seen: set = field(default_factory=set)  # (graph, subject, property, value key) already added
    _checked: dict = field(default_factory=dict)  # IRI -> whether it may be signed (IRIs recur: check once)
    _blank: dict = field(default_factory=dict)
    _done: set = field(default_factory=set)  # (graph, id(node object)) of named, blank-free objects already added
    _free: dict = field(default_factory=dict)  # id(node object) -> whether its subtree is blank-free
    _statements: int = 0
    _ticks: int = 0

    def blank(self, label: str | None = None) -> str:
        if label is None:
            label = f"_:anon{len(self._blank)}"
        if label not in self._blank:
            self._blank[label] = f"_:b{len(self._blank)}"
        return self._blank[label]

    def _signable(self, iri: str) -> bool:
        ok = self._checked.get(iri)
        if ok is None:
            ok = self._checked[iri] = is_absolute(iri) and not iri.startswith(UNDEFINED)
        return ok

    def _add(self, graph: str, node: dict, prop: str, value: Any, key: Any) -> None:
        if prop != "@type" and not self._signable(prop):
            raise _Refused(f"property {prop!r}")
        if key is not None:
            seen = (graph, node["@id"], prop, key)
            if seen in self._seen:
                return
            self._seen.add(seen)
        values = node.setdefault(prop, [])
        if len(values) >= self.limits.max_values_per_property:
            raise LimitExceeded(f"A property has more than {self.limits.max_values_per_property} values.",
                                slug="too-many-values")
        self._statements += 1
        if self._statements > self.limits.max_statements:
            raise LimitExceeded(f"The document makes more than {self.limits.max_statements} statements.",
                                slug="too-many-statements")
        values.append(value)

    def _blank_free(self, element: dict) -> bool:
        """Whether adding ``element`` (an expanded node object) again would add nothing new: it and every node
        object under it are named by IRIs (no blank node, which every occurrence would make anew) and it holds no
        list, reverse property, graph or included block (list nodes are new each time too)."""
        memo = self._free

        def free(item: Any) -> bool:
            kind = type(item)
            if kind is list:
                return all(free(i) for i in item)
            if kind is not dict or "@value" in item:
                return True
            known = memo.get(id(item))
            if known is None:
                node_id = item.get("@id")
                known = memo[id(item)] = (
                    isinstance(node_id, str) and not node_id.startswith("_:")
                    and not any(k in item for k in ("@list", "@reverse", "@graph", "@included", "@set"))
                    and all(free(v) for k, v in item.items() if k not in ("@id", "@type", "@index")))
            return known

        return free(element)

    def _id(self, value: Any) -> str:
        if not isinstance(value, str):
            raise _Refused("an @id that is not a string")
        if value.startswith("_:"):
            return self.blank(value)
        if not self._signable(value):
            raise _Refused(f"relative IRI {value!r}")
        return value

    def add(self, element: Any, graph: str, subject: dict | None = None, prop: str | None = None,
            reverse_of: dict | None = None, list_: list | None = None) -> None:
        stack: list[tuple] = [(element, graph, subject, prop, reverse_of, list_)]
        while stack:
            self._ticks += 1
            if not self._ticks & 255:
                self.deadline.check()
            element, graph, subject, prop, reverse_of, list_ = stack.pop()
            if isinstance(element, list):
                # reversed: the stack pops the last first, and list members must keep their order
                stack.extend((e, graph, subject, prop, reverse_of, list_) for e in reversed(element))
                continue
            if not isinstance(element, dict):
                raise _Refused("a value that is not an object after expansion")
            if "@value" in element:
                if "@direction" in element and not isinstance(element["@value"], str):
                    raise _Refused("@direction on a value that is not a string")  # RDF would drop it
                dtype = element.get("@type")
                if dtype is not None and dtype != "@json" and not self._signable(dtype):
                    raise _Refused(f"datatype {dtype!r}")
                if list_ is not None:
                    list_.append(element)
                elif subject is not None:
                    self._add(graph, subject, prop, element, None)  # equal literals are merged in to_dataset
                continue
            if "@list" in element:
                items: list = []
                if list_ is not None:
                    list_.append({"@list": items})
                elif subject is not None:
                    self._add(graph, subject, prop, {"@list": items}, None)
                # process the members now, in order, into ``items`` (they are pushed last, so popped first)
                stack.append((element["@list"], graph, subject, prop, None, items))
                continue
            node_id = self._id(element["@id"]) if "@id" in element else self.blank()
            nodes = self.graphs.setdefault(graph, {})
            node = nodes.setdefault(node_id, {"@id": node_id})
            if reverse_of is not None:
                self._add(graph, node, prop, {"@id": reverse_of["@id"]}, ("i", reverse_of["@id"]))
            elif list_ is not None:
                list_.append({"@id": node_id})
            elif subject is not None:
                self._add(graph, subject, prop, {"@id": node_id}, ("i", node_id))
            # The expansion hands out one object for equal subtrees (app.domain.jsonld remembers them): the same
            # named, blank-free object met again in this graph has already said all it says (its references are
            # deduplicated and its literals would only be merged again in to_dataset).
            if "@id" in element and not node_id.startswith("_:"):
                done = (graph, id(element))
                if done in self._done:
                    continue
                if self._blank_free(element):
                    self._done.add(done)
            pending = []
            for key in sorted(element):
                value = element[key]
                if key == "@id":
                    continue
                if key == "@type":
                    for t in value:
                        t = self._id(t)
                        self._add(graph, node, "@type", t, ("t", t))
                elif key == "@reverse":
                    for rprop, items in value.items():
                        pending.append((items, graph, None, rprop, node, None))
                elif key == "@graph":
                    self.graphs.setdefault(node_id, {})
                    pending.append((value, node_id, None, None, None, None))
                elif key == "@included":
                    pending.append((value, graph, None, None, None, None))
                elif key == "@index":
                    continue
                elif key.startswith("@"):
                    raise _Refused(f"the keyword {key}")
                else:
                    if not value:
                        node.setdefault(key, [])
                    pending.append((value, graph, node, self._id(key) if key.startswith("_:") else key, None,
                                    None))
            stack.extend(reversed(pending))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
I18N = "https://www.w3.org/ns/i18n#"  # JSON-LD 1.1 section 10.1: "<language>_<direction>" datatypes


def _object(value: Any, prop: str) -> dict | None:
    """The RDF term of the commonest objects (a type, a node reference, a string literal), exactly as pyld's
    Object to RDF Conversion (JSON-LD 1.1 API, section 8.2) makes it; None for every other case, which pyld
    converts (numbers, booleans, lists, JSON literals, doubles written as strings)."""
    if prop == "@type":
        return {"type": "blank node" if value.startswith("_:") else "IRI", "value": value}
    if "@id" in value:
        node_id = value["@id"]
        return {"type": "blank node" if node_id.startswith("_:") else "IRI", "value": node_id}
    literal = value.get("@value")
    if not isinstance(literal, str):
        return None
    datatype = value.get("@type")
    if datatype in (_XSD_DOUBLE, "@json"):
        return None
    if "@direction" in value:  # rdfDirection "i18n-datatype", the language lower-cased as jsonld.js does
        return {"type": "literal", "value": literal,
                "datatype": f"{I18N}{value.get('@language', '').lower()}_{value['@direction']}"}
    if "@language" in value:
        return {"type": "literal", "value": literal, "datatype": datatype or _RDF_LANGSTRING,
                "language": value["@language"]}
    return {"type": "literal", "value": literal, "datatype": datatype or _XSD_STRING}


def to_dataset(expanded: list, *, deadline: Deadline, limits: Limits = DEFAULT_LIMITS) -> dict[str, list]:
    """The RDF dataset (pyld's form: graph name -> triples) of an expanded document; refuses (JsonLdRefused)
    what the sentinel vocabulary revealed (undefined terms), any statement RDF would drop, and (LimitExceeded)
    more than ``limits`` allow."""
    node_map = _NodeMap(deadline, limits)
    processor = pyld.JsonLdProcessor()
    options = {"produceGeneralizedRdf": False, "processingMode": "json-ld-1.1", "rdfDirection": "i18n-datatype"}
    issuer = pyld.IdentifierIssuer("_:l")  # list nodes; all other blank nodes are labelled by the node map
    try:
        node_map.add(expanded, "@default")
        dataset: dict[str, list] = {}
        for name, graph in sorted(node_map.graphs.items()):
            if name != "@default" and not (name.startswith("_:") or is_absolute(name)):
                raise _Refused(f"graph name {name!r}")
            triples: list[dict] = []
            seen: set = set()
            for node_id, node in sorted(graph.items()):
                deadline.check()
                subject = {"type": "blank node" if node_id.startswith("_:") else "IRI", "value": node_id}
                for prop, values in sorted(node.items()):
                    if prop == "@id":
                        continue
                    if prop.startswith("_:"):
                        raise _Refused("a blank-node property")
                    predicate = {"type": "IRI", "value": RDF_TYPE if prop == "@type" else prop}
                    for value in values:
                        obj = _object(value, prop) or processor._object_to_rdf(value, issuer, triples, options)
                        if obj is None:
                            raise _Refused("an object that is not expressible in RDF")
                        # an RDF dataset is a set: JSON values that differ (1 and 1.0) may be the same literal
                        key = (node_id, predicate["value"], obj["type"], obj["value"], obj.get("datatype"),
                               obj.get("language"))
                        if key not in seen:
                            seen.add(key)
                            triples.append({"subject": subject, "predicate": predicate, "object": obj})
            if triples:
                dataset[name] = triples
    except _Refused as refusal:
        raise refuse_dropped(expanded, str(refusal)) from None
    except RecursionError as exc:
        raise LimitExceeded("The document is nested too deeply.", slug="too-deep") from exc
    return dataset


# --- canonicalization --------------------------------------------------------------------------------------------


class _DeadlineCanonicalizer(URDNA2015):
    """RDFC-1.0 that gives up at a deadline: the N-degree hashing of blank nodes is the exponential part."""

    def __init__(self, deadline: Deadline):
        super().__init__()
        self._deadline = deadline

    def hash_n_degree_quads(self, id_, issuer):
        self._deadline.check()
        return super().hash_n_degree_quads(id_, issuer)

    def hash_first_degree_quads(self, id_):
        self._deadline.check()
        return super().hash_first_degree_quads(id_)


def canonize(dataset: dict[str, list], deadline: Deadline) -> str:
    """RDFC-1.0 canonical N-Quads of ``dataset`` (relabels its blank nodes in place to the canonical labels)."""
    return _DeadlineCanonicalizer(deadline).main(dataset, {"format": "application/n-quads"})


# --- the whole pipeline -------------------------------------------------------------------------------------------


@dataclass
class Statements:
    """What a JSON-LD document says in RDF, computed once: the dataset and its canonical N-Quads."""

    dataset: dict[str, list]
    nquads: str


def statements(doc: dict, loader: DocumentLoader, *, deadline: Deadline | None = None,
               limits: Limits = DEFAULT_LIMITS, checked: bool = False) -> Statements:
    """Expand ``doc`` once, refuse what would be dropped, build its RDF dataset and canonicalize it, within
    ``deadline`` (the whole work's) and at most ``limits.max_seconds`` for this document (``checked``: see
    app.domain.jsonld.expand)."""
    deadline = earliest(deadline, limits.deadline())
    dataset = to_dataset(expand(doc, loader, deadline=deadline, limits=limits, checked=checked), deadline=deadline,
                         limits=limits)
    return Statements(dataset, canonize(dataset, deadline))


def canonicalize(doc: dict, loader: DocumentLoader, limits: Limits = DEFAULT_LIMITS) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (refusing documents that would lose data)."""
    return statements(doc, loader, limits=limits).nquads


