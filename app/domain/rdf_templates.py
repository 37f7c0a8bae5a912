"""The canonical statements of a document from a template: those of an earlier document of the same shape, with its
values swapped in. For signing (app.domain.proof_checks.sign), and for verifying a document that is, value for value,
one this service signed and stored (app.domain.verification.credential: if its proof then fails, it is verified
again from statements computed afresh); anything else a verifier is sent has its statements computed afresh.

A cohort's credentials differ in their values (names, dates, ids), not in their shape, and JSON-LD 1.1 Expansion
(JSON-LD 1.1 API, section 5.1) treats most values without looking at them: a string in a literal position becomes
``{"@value": s}`` whatever ``s`` says (section 5.3.2 Value Expansion: what is added around it comes from the term
definition), and an absolute IRI in an ``@id`` position is kept as it is (section 5.2.2 IRI Expansion) unless its
scheme is a prefix or the IRI itself a term of the active context. So the expansion, the node map (section 7.2)
and the RDF statements (section 8.1) of a document are those of its *skeleton* (the document with such values
replaced by placeholders) with the values put back. RDFC-1.0 then labels the blank nodes of the real statements
(their labels depend on the values); the statements without blank nodes take no part in that (RDFC-1.0 section 4.4)
and those without values are written once, with the template.

What makes this exact, not probably right:

- The skeleton keeps every key, every number and boolean, the @context, and every string it cannot prove to be
  value-blind. Which strings are value-blind is *read off the skeleton's own expansion*: a placeholder counts only
  where it comes out verbatim as a whole ``@value`` (no ``@json``/``xsd:double`` datatype) or a whole ``@id``;
  anywhere else (a type, so a type-scoped context; a vocabulary-expanded term; a language; embedded in another
  IRI; dropped) its real value goes back into the skeleton and the skeleton is expanded again, until every
  placeholder left is verbatim. The real values of those kept strings are part of the template's key.
- A placeholder for an IRI has the real IRI's scheme and its ``//`` (the two things IRI Expansion looks at before
  the prefix table), the real IRI must match the absolute-IRI test pyld uses and may not be a term of any pinned
  context (the only terms an active context can hold here: documents with a nested @context, or one that is not
  pinned, are not templated), nor a blank node label (those name nodes by equality, not by value).
- Equal strings get one placeholder, so nodes merge in the skeleton exactly where they merge in the document; an
  IRI value equal to a constant IRI of the template would merge where the skeleton does not, and is refused.
- Anything else (a document holding the placeholder marker, a skeleton that cannot be expanded or signed) falls
  back to the full computation, which then decides (and refuses) as always.

tests/test_rdf_templates.py compares every path with app.domain.rdfc.statements on documents built to break it.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from pyld.nquads import escape, serialize_nquad

from app.domain import rdfc
from app.domain.deadline import Deadline, earliest
from app.domain.iris import RDF_TYPE
from app.domain.jsonld import (
    DEFAULT_LIMITS,
    UNDEFINED,
    DocumentLoader,
    Limits,
    PinnedLoader,
    as_list,
    expand,
)
from app.errors import JsonLdRefused, LimitExceeded

MARKER = "mcredslot7f3a"  # lower-case ASCII: survives anything expansion does to a string
_SLOT = re.compile(MARKER + r"(\d+)")
_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*):([^\s]*)$")  # pyld's absolute-IRI test (jsonld._ABSOLUTE_IRI)
_XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
_VALUE_KEYS = frozenset(("@value", "@type", "@language", "@direction"))
_MAX_TEMPLATES = 64  # of each table below
_MAX_ROUNDS = 6
_MISSING = object()
_SMALL = 4_000  # characters of JSON: a proof configuration is ~400
_MAX_CLASSES = 50_000  # strings whose class is remembered (then forgotten all at once)


@dataclass(frozen=True)
class _Template:
    """The skeleton's statements (default graph only): the N-Quads of those that neither hold a slot nor a blank
    node, written once; the triples (terms: constants or slot numbers) of the others."""

    lines: tuple[str, ...]  # N-Quads of the constant triples without blank nodes
    plain: tuple[tuple, ...]  # statements with a slot and no blank node: (subject slot, object slot, literal?, pieces)
    blank: tuple[tuple, ...]  # triples with a blank node (RDFC-1.0 labels them)
    constant_iris: frozenset  # every IRI of the template that is not a slot
    slots: frozenset  # the slots that occur
    triples: tuple[tuple, ...]  # the triples of ``lines`` and ``plain`` in the skeleton's order, as ``blank``'s


class _Cache:
    def __init__(self, documents: dict) -> None:
        self.terms = _terms(documents)
        self.pinned = frozenset(documents)
        self.fixed: OrderedDict = OrderedDict()  # shape -> the slots whose real values the skeleton keeps
        self.templates: OrderedDict = OrderedDict()  # (shape, fixed, their values) -> _Template | None
        self.seen: OrderedDict = OrderedDict()  # template keys met once: the second document builds the template
        self.configs: OrderedDict = OrderedDict()  # the exact JSON of a small document -> its statements
        self.classes: dict[str, tuple] = {}  # a string -> its class (_class): the vocabulary's recur in every document
        self.lock = threading.Lock()

    def remember(self, table: OrderedDict, key: Any, value: Any) -> None:
        with self.lock:
            table[key] = value
            table.move_to_end(key)
            while len(table) > _MAX_TEMPLATES:
                table.popitem(last=False)


_caches: "weakref.WeakKeyDictionary[PinnedLoader, _Cache]" = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache_for(loader: PinnedLoader) -> _Cache:
    cache = _caches.get(loader)
    if cache is None:
        with _caches_lock:
            cache = _caches.get(loader)
            if cache is None:
                cache = _caches[loader] = _Cache(loader.documents)
    return cache


def _terms(documents: dict) -> frozenset:
    """Every key of every object in the pinned documents: a superset of the terms any active context can have."""
    found: set[str] = set()
    stack: list[Any] = list(documents.values())
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found.update(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return frozenset(found)


# --- the skeleton ----------------------------------------------------------------------------------------------------


@dataclass
class _Shape:
    key: tuple  # (the @context, the JSON structure with each string as its slot, each slot's class)
    values: list[str]  # slot -> its string
    classes: list[tuple]  # slot -> ("s",) text, ("i", scheme, "//"?) an IRI, ("b",) kept as it is


_OPEN, _LIST, _CLOSE = object(), object(), object()  # structure marks in a shape (never equal to a key or a value)


_MARKED = ("marked",)  # a string holding the placeholder marker: the document is not templated


def _class(text: str, terms: frozenset) -> tuple:
    """("s",) text, ("i", scheme, "//"?) an absolute IRI that is no term, ("b",) a blank node label (kept as it is)."""
    if MARKER in text:
        return _MARKED
    if text.startswith("_:"):
        return ("b",)
    m = _IRI.match(text)
    if m is None or text in terms or text.startswith(UNDEFINED):
        return ("s",)
    return ("i", m.group(1), m.group(2).startswith("//"))


def _shape(doc: dict, cache: _Cache, limits: Limits) -> _Shape | None:
    """The document's shape, or None when it cannot be templated (see the module docstring) or may break one of
    ``limits`` (the full computation then refuses it as it always does)."""
    entries = as_list(doc.get("@context"))
    if not entries or not all(isinstance(e, str) and e in cache.pinned for e in entries):
        return None
    slots: dict[str, int] = {}
    values: list[str] = []
    classes: list[tuple] = []
    terms, out = cache.terms, []
    append, known = out.append, slots.get
    max_depth, max_nodes, max_items = limits.max_depth - 1, limits.max_nodes, limits.max_values_per_property
    nodes = 0

    remembered = cache.classes
    if len(remembered) > _MAX_CLASSES:
        remembered.clear()

    def slot(text: str) -> int:
        n = slots[text] = len(values)
        values.append(text)
        cls = remembered.get(text)
        if cls is None:
            cls = remembered[text] = _class(text, terms)
        if cls is _MARKED:
            raise _NotTemplated
        classes.append(cls)
        return n

    def walk(value: Any, depth: int) -> None:
        nonlocal nodes
        nodes += 1
        if depth > max_depth or nodes > max_nodes:
            raise _NotTemplated
        if type(value) is dict:
            append(_OPEN)
            items = value.items()
        else:
            if len(value) > max_items:
                raise _NotTemplated
            append(_LIST)
            items = enumerate(value)
        for key, item in items:
            if type(key) is str:
                if key == "@context" or MARKER in key:
                    raise _NotTemplated
                append(key)
            kind = type(item)
            if kind is str:
                n = known(item)
                append(slot(item) if n is None else n)
            elif kind is dict or kind is list:
                walk(item, depth + 1)
            else:
                append((kind.__name__, repr(item)))  # 1, 1.0 and true differ in JSON-LD
        append(_CLOSE)

    try:
        walk({k: v for k, v in doc.items() if k != "@context"}, 1)
    except _NotTemplated:
        return None
    return _Shape((tuple(entries), tuple(out), tuple(classes)), values, classes)


class _NotTemplated(Exception):
    pass


def _placeholder(n: int, cls: tuple) -> str:
    if cls[0] == "i":
        return f"{cls[1]}://{MARKER}{n}" if cls[2] else f"{cls[1]}:{MARKER}{n}"
    return f"{MARKER}{n}"


def _placeholders(shape: _Shape, fixed: frozenset) -> dict[int, str]:
    """The placeholder of every slot not in ``fixed``."""
    return {n: _placeholder(n, cls) for n, cls in enumerate(shape.classes) if n not in fixed}


def _skeleton(doc: dict, shape: _Shape, placeholders: dict[int, str]) -> dict:
    """``doc`` with every string of a slot that has a placeholder replaced by it (``_shape`` refused documents with
    a nested @context, so only the top one is kept as it is)."""
    swap = {shape.values[n]: text for n, text in placeholders.items()}

    def walk(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return swap.get(value, value)
        if kind is dict:
            return {k: walk(v) for k, v in value.items()}
        if kind is list:
            return [walk(item) for item in value]
        return value

    return {k: (v if k == "@context" else walk(v)) for k, v in doc.items()}


def _misplaced(expanded: Any, shape: _Shape, placeholders: dict[int, str]) -> set[int]:
    """The slots whose placeholders are not all verbatim whole ``@value``s or whole ``@id``s of IRIs."""
    good: set[int] = set()
    bad: set[int] = set()

    def exact(text: str, role: str) -> None:
        m = _SLOT.search(text)
        if m is None:
            return
        n = int(m.group(1))
        ok = text == placeholders.get(n) and (role == "value" or shape.classes[n][0] == "i")
        (good if ok else bad).add(n)
        for other in _SLOT.finditer(text):  # a second placeholder in one string: both embedded
            if int(other.group(1)) != n:
                bad.update((n, int(other.group(1))))

    def scan(text: Any) -> None:
        if isinstance(text, str):
            bad.update(int(m.group(1)) for m in _SLOT.finditer(text))

    stack = [expanded]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
            continue
        if not isinstance(value, dict):
            scan(value)
            continue
        if "@value" in value:
            literal, datatype = value["@value"], value.get("@type")
            if isinstance(literal, str) and set(value) <= _VALUE_KEYS and datatype not in ("@json", _XSD_DOUBLE) \
                    and all(isinstance(value.get(k), (str, type(None))) for k in ("@type", "@language")):
                exact(literal, "value")
                for k in ("@type", "@language", "@direction"):
                    scan(value.get(k))
                continue
        for key, item in value.items():
            scan(key)
            if key == "@id" and isinstance(item, str):
                exact(item, "id")
            else:
                stack.append(item)
    return bad | (set(placeholders) - good)


_S, _O = "\x01", "\x02"  # where a slot's value goes in a statement's line (no IRI or escaped literal holds them)


def _template(dataset: dict[str, list], placeholders: dict[int, str]) -> _Template | None:
    """The skeleton's statements as a template. A statement with slots and no blank node is kept as its N-Quads
    line cut where the values go: (subject slot, object slot, whether the object is a literal, the pieces)."""
    slot_of = {text: n for n, text in placeholders.items()}
    constants: set[str] = set()
    used: set[int] = set()
    if set(dataset) - {"@default"}:
        return None  # named graphs: computed in full

    def term(t: dict) -> tuple:
        n = slot_of.get(t["value"])
        if n is None:
            if MARKER in t["value"]:
                raise _NotTemplated
            if t["type"] == "IRI":
                constants.add(t["value"])
            return ("c", t)
        used.add(n)
        return ("s", n, t)

    lines, plain, blank, triples = [], [], [], []
    try:
        for t in dataset.get("@default", []):
            subject, obj = term(t["subject"]), term(t["object"])
            if "blank node" in (t["subject"]["type"], t["object"]["type"]):
                blank.append((subject, t["predicate"], obj))
            elif subject[0] == "c" and obj[0] == "c":
                lines.append(serialize_nquad(t))
                triples.append((subject, t["predicate"], obj))
            else:
                cut = serialize_nquad({
                    "subject": t["subject"] if subject[0] == "c" else {**t["subject"], "value": _S},
                    "predicate": t["predicate"],
                    "object": t["object"] if obj[0] == "c" else {**t["object"], "value": _O}})
                if cut.count(_S) != (subject[0] == "s") or cut.count(_O) != (obj[0] == "s"):
                    return None  # a constant of the statement holds a cut mark: computed in full
                head, _, rest = cut.partition(_S) if subject[0] == "s" else ("", "", cut)
                middle, _, tail = rest.partition(_O) if obj[0] == "s" else (rest, "", "")
                plain.append((subject[1] if subject[0] == "s" else None, obj[1] if obj[0] == "s" else None,
                              t["object"]["type"] == "literal", head, middle, tail))
                triples.append((subject, t["predicate"], obj))
    except _NotTemplated:
        return None
    return _Template(tuple(lines), tuple(plain), tuple(blank), frozenset(constants), frozenset(used),
                     tuple(triples))


def _fill(template: _Template, values: list[str], deadline: Deadline, limits: Limits,
          with_dataset: bool) -> rdfc.Statements | str | None:
    """RDFC-1.0 of the template with the document's values: only the statements with blank nodes are
    canonicalized (no other statement takes part in labelling them, section 4.4); the rest are written as they are.
    The lines of an RDF dataset are a set: equal ones (a value that became equal to another) are written once.
    ``with_dataset``: the Statements, the dataset in app.domain.rdfc.to_dataset's order (by subject, then
    predicate, each one's objects in the document's order); else only the N-Quads."""
    for n in template.slots:
        if values[n] in template.constant_iris:
            return None  # the document would merge nodes the skeleton keeps apart

    def fresh(t: tuple) -> dict:
        return dict(t[1]) if t[0] == "c" else {**t[2], "value": values[t[1]]}

    lines = set(template.lines)
    add = lines.add
    for s, o, literal, head, middle, tail in template.plain:
        add(head + (values[s] if s is not None else "") + middle
            + ((escape(values[o]) if literal else values[o]) if o is not None else "") + tail)
    blank, seen = [], set()
    for s, p, o in template.blank:
        triple = {"subject": fresh(s), "predicate": p, "object": fresh(o)}
        key = (triple["subject"]["value"], p["value"], *triple["object"].values())  # labels: still the skeleton's
        if key not in seen:
            seen.add(key)
            blank.append(triple)
    if len(lines) + len(blank) > limits.max_statements:
        return None
    if blank:
        lines.update(rdfc.canonize({"@default": blank}, deadline).splitlines(keepends=True))  # relabels ``blank``
    nquads = "".join(sorted(lines))
    if not with_dataset:
        return nquads
    triples, kept = [], set()
    for s, p, o in template.triples:  # constants are shared: the dataset is read, never changed
        subject = s[1] if s[0] == "c" else {**s[2], "value": values[s[1]]}
        obj = o[1] if o[0] == "c" else {**o[2], "value": values[o[1]]}
        key = (subject["value"], p["value"], obj["type"], obj["value"], obj.get("datatype"), obj.get("language"))
        if key not in kept:  # as to_dataset merges them
            kept.add(key)
            triples.append({"subject": subject, "predicate": p, "object": obj})
    triples.extend(blank)
    triples.sort(key=_statement_order)
    return rdfc.Statements({"@default": triples} if triples else {}, nquads)


def _statement_order(t: dict) -> tuple[str, str]:
    """to_dataset's order: subjects sorted, then the node map's properties sorted (``@type`` first)."""
    predicate = t["predicate"]["value"]
    return t["subject"]["value"], ("@type" if predicate == RDF_TYPE else predicate)


def _build(doc: dict, shape: _Shape, fixed: frozenset, loader: DocumentLoader, deadline: Deadline,
           limits: Limits) -> tuple[frozenset, _Template | None]:
    """Expand skeletons until every placeholder left is verbatim; the template of the last one (None: refused)."""
    fixed = frozenset(fixed | {n for n, cls in enumerate(shape.classes) if cls[0] == "b"})
    for _ in range(_MAX_ROUNDS):
        placeholders = _placeholders(shape, fixed)
        try:
            expanded = expand(_skeleton(doc, shape, placeholders), loader, deadline=deadline, limits=limits)
        except (JsonLdRefused, LimitExceeded):
            return fixed, None
        misplaced = _misplaced(expanded, shape, placeholders)
        if not misplaced:
            try:
                dataset = rdfc.to_dataset(expanded, deadline=deadline, limits=limits)
            except (JsonLdRefused, LimitExceeded):
                return fixed, None
            return fixed, _template(dataset, placeholders)
        fixed = fixed | misplaced
    return fixed, None


def remembered(doc: dict, loader: DocumentLoader, *, deadline: Deadline | None = None,
               limits: Limits = DEFAULT_LIMITS) -> rdfc.Statements:
    """``rdfc.statements(doc, loader)`` of a small document met again as it is (a proof configuration: the same
    key, purpose and second of ``created`` for a whole chunk of a batch), remembered by its exact JSON. The result is
    shared: read it, never change it."""
    if not isinstance(loader, PinnedLoader):
        return rdfc.statements(doc, loader, deadline=deadline, limits=limits)
    cache = _cache_for(loader)
    key = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    found = cache.configs.get(key) if len(key) <= _SMALL else None
    if found is None:
        found = rdfc.statements(doc, loader, deadline=deadline, limits=limits)
        if len(key) <= _SMALL:
            cache.remember(cache.configs, key, found)
    return found


def nquads(doc: dict, loader: DocumentLoader, *, deadline: Deadline | None = None,
           limits: Limits = DEFAULT_LIMITS) -> str:
    """``rdfc.statements(doc, loader).nquads``: the same canonical N-Quads, from a template where one fits. For
    signing."""
    return _templated(doc, loader, deadline, limits, with_dataset=False)


def statements(doc: dict, loader: DocumentLoader, *, deadline: Deadline | None = None,
               limits: Limits = DEFAULT_LIMITS) -> rdfc.Statements:
    """``rdfc.statements(doc, loader)``, dataset and N-Quads, from a template where one fits. For verifying only
    a document this service signed and stored itself, as it is (app.domain.verification.credential): anything
    else a verifier is shown has its statements computed afresh."""
    return _templated(doc, loader, deadline, limits, with_dataset=True)


def _templated(doc: dict, loader: DocumentLoader, deadline: Deadline | None, limits: Limits,
               with_dataset: bool) -> Any:
    def full(checked: bool = True) -> Any:  # checked: the walk of ``_shape`` held the document to the limits
        found = rdfc.statements(doc, loader, deadline=deadline, limits=limits, checked=checked)
        return found if with_dataset else found.nquads

    if not isinstance(loader, PinnedLoader) or not isinstance(doc, dict):
        return full(False)
    deadline = earliest(deadline, limits.deadline())
    cache = _cache_for(loader)
    shape = _shape(doc, cache, limits)
    if shape is None:
        return full(False)
    fixed = cache.fixed.get(shape.key, frozenset())
    key = (shape.key, fixed, tuple(shape.values[n] for n in sorted(fixed)))
    template = cache.templates.get(key, _MISSING)
    if template is _MISSING and key not in cache.seen:
        # A shape met once (a caller's own VC, say) costs nothing but the walk: a template costs two or three
        # expansions, and pays from the second document of a shape on (a cohort, a course).
        cache.remember(cache.seen, key, True)
        return full()
    if template is _MISSING:
        learned, template = _build(doc, shape, fixed, loader, deadline, limits)
        cache.remember(cache.fixed, shape.key, learned)
        key = (shape.key, learned, tuple(shape.values[n] for n in sorted(learned)))
        cache.remember(cache.templates, key, template)
    found = _fill(template, shape.values, deadline, limits, with_dataset) if template is not None else None
    return full() if found is None else found
