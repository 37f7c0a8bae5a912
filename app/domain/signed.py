"""The signed view: what a credential (or presentation) says, read from its RDF statements by full IRIs.

Issuing (a ready VC, app.issuing) and verifying (app.domain.verification) both read documents through this module
and neither imports the other. ``read`` computes the statements once (pinned contexts only, nothing dropped) and
returns a ``Signed``: the statements (``document``, for the proof check), the node, readers by IRI for everything
a decision rests on (issuer, types, subjects, validity, status entries; VC Data Model 2.0 sections 4.4-4.10,
Bitstring Status List v1.0 section 2.1) and, for people only, ``view``: a JSON tree with the fixed labels of
app.domain.rdf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain import iris
from app.domain.deadline import Deadline
from app.domain.jsonld import DocumentLoader, Limits, as_list
from app.domain.proof_checks import SecuredDocument, take_apart
from app.domain.rdf import Graph, labels
from app.domain.timefmt import parse_datetime_stamp
from app.errors import JsonLdRefused

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
ELM_CONTEXTS = ("http://data.europa.eu/snb/model/context/edc-ap", "https://data.europa.eu/snb/model/context/edc-ap")


class NotReadable(Exception):
    """The document cannot be read as what it claims to be: a failed format check."""

    def __init__(self, code: str, detail: str, data: dict | None = None):
        super().__init__(detail)
        self.code, self.detail, self.data = code, detail, data or {}


@dataclass(frozen=True)
class StatusEntry:
    purpose: str
    url: str
    index: int
    node: str = ""


class StatusUnknown(Exception):
    """A status entry this service cannot read (a check outcome ``unknown``, never "not revoked")."""

    def __init__(self, code: str, detail: str, unknown_type: bool = False):
        super().__init__(detail)
        self.code, self.detail, self.unknown_type = code, detail, unknown_type


@dataclass(frozen=True)
class Validity:
    """Every validity statement (VCDM 1.1 and 2.0 IRIs alike): (IRI, lexical value) pairs; non-literal objects are
    kept as their IRI, and fail to parse."""

    starts: tuple[tuple[str, str], ...]
    ends: tuple[tuple[str, str], ...]

    def parsed(self) -> tuple[list[tuple[str, str, Any]], list[tuple[str, str, Any]]]:
        """(name, value, datetime) of each start and end; raises ValueError for a value that is not a dateTime."""
        return ([(iris.local_name(p), v, parse_datetime_stamp(v)) for p, v in self.starts],
                [(iris.local_name(p), v, parse_datetime_stamp(v)) for p, v in self.ends])


@dataclass(frozen=True)
class Signed:
    document: SecuredDocument | None
    graph: Graph
    node: str
    view: dict

    # --- the node and its neighbours, by IRI ---------------------------------------------------------------
    @property
    def id(self) -> str | None:
        return None if self.node.startswith("_:") else self.node

    def types(self, node: str | None = None) -> list[str]:
        return self.graph.types(node or self.node)

    def values(self, predicate: str, node: str | None = None) -> list[dict]:
        return self.graph.objects(node or self.node, predicate)

    def issuers(self) -> list[dict]:
        return self.values(iris.ISSUER)

    def issuer(self) -> str | None:
        """The one issuer, an IRI (not a blank node, not a literal); None otherwise (VCDM 2.0 section 4.7)."""
        found = self.issuers()
        if len(found) == 1 and found[0]["type"] == "IRI" and not found[0]["value"].startswith("_:"):
            return found[0]["value"]
        return None

    def subjects(self) -> list[str]:
        return self.graph.iris(self.node, iris.CREDENTIAL_SUBJECT)

    def validity(self) -> Validity:
        def pairs(predicates):
            return tuple((p, o["value"]) for p in predicates for o in self.values(p))
        return Validity(pairs(iris.VALIDITY_STARTS), pairs(iris.VALIDITY_ENDS))

    def status_entries(self) -> list[StatusEntry | StatusUnknown]:
        return [_entry(self.graph, node) for node in self.graph.iris(self.node, iris.CREDENTIAL_STATUS)] + [
            StatusUnknown("status-list-invalid", "A credentialStatus is a literal, not an entry.")
            for o in self.values(iris.CREDENTIAL_STATUS) if o["type"] == "literal"]

    def is_elm(self) -> bool:
        return iris.EUROPEAN_DIGITAL_CREDENTIAL in self.types()


def _one(graph: Graph, node: str, predicates: tuple[str, ...]) -> list[dict]:
    return [o for p in predicates for o in graph.objects(node, p)]


def _entry(graph: Graph, node: str) -> StatusEntry | StatusUnknown:
    """One status entry, read by the IRIs of its type (Bitstring Status List v1.0 section 2.1; StatusList2021)."""
    types = graph.types(node)
    if not any(t in iris.STATUS_ENTRY_TYPES for t in types):
        shown = [iris.local_name(t) for t in types]
        return StatusUnknown("unsupported-status-type", f"Status entry type {shown!r} is not supported.",
                             unknown_type=True)
    purposes = [o["value"] for o in _one(graph, node, iris.STATUS_PURPOSE) if o["type"] == "literal"]
    urls = [o["value"] for o in _one(graph, node, iris.STATUS_LIST_CREDENTIAL)]
    indexes = [o for o in _one(graph, node, iris.STATUS_LIST_INDEX)]
    sizes = [o["value"] for o in _one(graph, node, iris.STATUS_SIZE)]
    if len(purposes) != 1 or purposes[0] not in ("revocation", "suspension"):
        return StatusUnknown("unsupported-status-type", f"Status purpose {purposes!r} is not supported.")
    if sizes and sizes != ["1"]:
        return StatusUnknown("unsupported-status-type", "Only 1-bit status entries are supported.")
    if len(urls) != 1 or len(indexes) != 1 or indexes[0]["type"] != "literal" or not _index_ok(indexes[0]["value"]):
        return StatusUnknown("status-list-invalid", "The status entry lacks a single list URL and index.")
    return StatusEntry(purposes[0], urls[0], int(indexes[0]["value"]), node)


def _index_ok(text: str) -> bool:
    # a non-negative decimal integer of sane length (the lists hold at most a few million entries)
    return 0 < len(text) <= 12 and text.isascii() and text.isdigit()


def read(secured: dict, type_iri: str, loader: DocumentLoader, deadline: Deadline, limits: Limits,
         not_code: str = "not-a-credential", *, templated: bool = False) -> Signed:
    """The document's statements and its one node of ``type_iri`` (a credential or a presentation). Raises
    NotReadable for a document that cannot be processed or is not one such node. ``templated``: see
    app.domain.proof_checks.take_apart."""
    try:
        document = take_apart(secured, loader, deadline=deadline, limits=limits, templated=templated)
    except JsonLdRefused as exc:
        code = exc.slug if exc.slug in ("unknown-context", "undefined-terms") else "invalid-jsonld"
        raise NotReadable(code, exc.detail, {"terms": exc.extra["terms"]} if exc.extra.get("terms") else None) from exc
    context = as_list(secured.get("@context"))
    if not context or context[0] not in (VC1, VC2):
        raise NotReadable(not_code, f"The first @context must be {VC1} or {VC2}.")
    graph = Graph.default_graph(document.statements.dataset)
    nodes = graph.subjects_of_type(type_iri)
    if len(nodes) != 1:
        raise NotReadable(not_code, f"The document states {len(nodes)} nodes of type {iris.local_name(type_iri)}, "
                              "not exactly one.")
    return Signed(document, graph, nodes[0], graph.view(nodes[0], labels(loader.documents)))


def credential_problems(signed: Signed, credential: dict | None = None) -> list[str]:
    """What the VC Data Model forbids, judged on the statements; ``credential`` (the JSON, given when issuing) adds
    the rules about the JSON itself (a refusal can only make the verdict stricter, never more lenient)."""
    graph, problems = signed.graph, []
    if credential is not None and any(isinstance(s, str) for s in as_list(credential.get("credentialSubject"))):
        # VCDM 2.0 section 4.8: credentialSubject holds one or more objects (a string is only an identifier)
        problems.append("credentialSubject must be an object (or a list of objects), not a string")
    if iris.VERIFIABLE_CREDENTIAL not in signed.types():
        problems.append("the type must include VerifiableCredential")
    subjects = signed.values(iris.CREDENTIAL_SUBJECT)
    if not subjects:
        problems.append("the credential has no credentialSubject")
    for subject in subjects:
        # {} is a blank node about which nothing is said; a subject named by an id alone is a claim about it
        if subject["type"] == "literal" or (subject["value"].startswith("_:")
                                            and not graph.predicates(subject["value"])):
            problems.append("every credentialSubject must be a non-empty object")
            break
    for predicate in iris.TYPED_OBJECTS:
        for o in signed.values(predicate):
            if o["type"] == "literal" or not graph.types(o["value"]):
                problems.append(f"every {iris.local_name(predicate)} must have a type")
                break
    for o in signed.values(iris.CREDENTIAL_SCHEMA):
        if o["type"] == "literal" or o["value"].startswith("_:"):
            # VCDM 2.0 section 5.2: each credentialSchema has an id (the schema's URL)
            problems.append("every credentialSchema must have an id")
            break
    entries = credential.get("relatedResource") if credential is not None else None
    json_ids = [e.get("id") for e in as_list(entries) if isinstance(e, dict)]
    if len(set(map(str, json_ids))) != len(json_ids):  # the statements cannot show a repeated entry
        problems.append("every relatedResource needs its own id")
    related = signed.values(iris.RELATED_RESOURCE)
    ids = [o["value"] for o in related]
    # VCDM 2.0 section 5.3: one object or several, each with its own id and a digest
    if related and (any(o["type"] == "literal" or o["value"].startswith("_:") for o in related)
                    or len(set(ids)) != len(ids)
                    or any(not (graph.objects(i, iris.DIGEST_SRI) or graph.objects(i, iris.DIGEST_MULTIBASE))
                           for i in ids)):
        problems.append("every relatedResource needs its own id and a digestSRI or digestMultibase")
    return problems


def is_elm(credential: dict, signed: Signed | None) -> bool:
    return any(c in ELM_CONTEXTS for c in as_list(credential.get("@context"))) or bool(signed and signed.is_elm())
