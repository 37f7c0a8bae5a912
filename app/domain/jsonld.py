"""JSON-LD processing for credentials: pinned contexts only, nothing silently dropped, bounded in size and time.

The first step of what Data Integrity (VC Data Integrity 1.0, section 4 "Algorithms") needs from JSON-LD:

``expand``: JSON-LD 1.1 Expansion (JSON-LD 1.1 API, section 5.1) with pyld, in "safe mode": a sentinel ``@vocab``
is prepended to the document's context, so a term no context defines becomes visible instead of vanishing (pyld,
like every JSON-LD processor, drops it silently; jsonld.js has a "safe mode" for this). When no sentinel IRI and no
relative IRI appears, the expansion is exactly the one without the sentinel, so one expansion serves both the check
and the statements. The RDF statements of the expansion and their canonical form are app.domain.rdfc.

Expansion checks one ``Deadline``; input limits (size, depth, objects, values per property, statements) bound
the work before it starts. Only pinned contexts are ever loaded (``make_document_loader``): they are handed to
pyld tagged ``static``, so each is processed once per cache, and caches are never shared between threads at the
same time (pyld's caches are not thread-safe), so no lock serialises requests. What expanding one credential
learns (how each term expands in each active context, what each type-scoped context makes of it, and what each
small subtree expands to: a cohort's credentials repeat most of theirs) is kept with the cache for the next one
(``_Caches``), bounded.
"""

from __future__ import annotations

import queue
import re
from dataclasses import dataclass
from typing import Any, Callable

from cachetools import LRUCache
from pyld import jsonld as pyld
from pyld.context_resolver import ContextResolver

from app.domain.deadline import Deadline
from app.errors import JsonLdRefused, LimitExceeded

DocumentLoader = Callable[[str, dict], dict]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# IRIs under this prefix only ever appear when a term was undefined: see expand().
UNDEFINED = "urn:mcred:undefined-term:"
_SENTINEL_CONTEXT = {"@vocab": UNDEFINED}


@dataclass(frozen=True)
class Limits:
    """Hard limits against hostile input; the defaults fit real credentials (the EU sample is ~110 kB, 292
    statements, at most 14 values of one property)."""

    max_bytes: int = 1_000_000
    max_depth: int = 40
    max_nodes: int = 20_000
    max_values_per_property: int = 1_000
    max_statements: int = 20_000
    max_seconds: float = 5.0

    def deadline(self) -> Deadline:
        return Deadline(self.max_seconds, slug="jsonld-timeout")


DEFAULT_LIMITS = Limits()


def as_list(value: Any) -> list:
    """A JSON-LD value that may be one item or an array (``@context``, ``type``, ...), as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# --- the document loader and pyld's context caches ----------------------------------------------------------------


class PinnedLoader:
    """A pyld document loader serving ``documents`` (URL -> parsed JSON) and refusing every other URL.

    Pinned documents are returned with the tag ``static``: pyld then processes each once per cache instead of on
    every call. ``fallback`` may resolve further URLs (e.g. DID URLs); those are not cached.
    """

    def __init__(self, documents: dict[str, Any], fallback: Callable[[str], Any] | None = None):
        self.documents = documents
        self.fallback = fallback
        self._caches: queue.SimpleQueue = queue.SimpleQueue()

    def __call__(self, url: str, options: dict | None = None) -> dict:
        doc = self.documents.get(url)
        if doc is not None:
            return {"contextUrl": None, "documentUrl": url, "document": doc, "tag": "static"}
        if self.fallback is not None:
            doc = self.fallback(url)
        if doc is None:
            raise JsonLdRefused(
                f"The JSON-LD document {url!r} is not one this service knows; only pinned contexts are loaded.",
                slug="unknown-context",
                url=url,
            )
        return {"contextUrl": None, "documentUrl": url, "document": doc}

    def checkout_cache(self) -> "_Caches":
        """Caches no other thread is using (returned with ``checkin_cache``)."""
        try:
            return self._caches.get_nowait()
        except queue.Empty:
            return _Caches()

    def checkin_cache(self, caches: "_Caches") -> None:
        caches.trim()
        self._caches.put(caches)


class _Caches:
    """What expansions on one thread at a time share: pyld's context cache (the pinned contexts, processed once),
    and the memos of ``_Processor``. The active contexts of the pinned contexts come out of pyld's cache as the
    same objects every time, so the memos keyed by them keep hitting from one credential to the next."""

    # A credential needs a few hundred IRIs and a handful of scoped contexts; a document with contexts of its own
    # makes new active contexts (tens of kB each, kept alive by the memos) every time: past these, start again.
    MAX_IRIS = 10_000
    MAX_SCOPED = 100
    # Small subtrees (at most SUBTREE_NODES objects) are remembered by their shape: a cohort's credentials share
    # most of theirs (the vocabulary concepts, the awarding body, the specification), ~100 per credential.
    SUBTREE_NODES = 32
    MAX_SHAPES = 20_000
    MAX_SUBTREES = 20_000
    MAX_CHARS = 2_000_000  # of the text the shapes hold
    LONG_TEXT = 1_000  # a subtree holding a longer string (an image, a rendering) is not remembered

    def __init__(self) -> None:
        self.contexts = LRUCache(maxsize=100)
        self.iris: dict = {}
        self.scoped: dict = {}
        self.shapes: dict = {}
        self.subtrees: dict = {}
        self.chars = 0

    def trim(self) -> None:
        if len(self.iris) > self.MAX_IRIS or len(self.scoped) > self.MAX_SCOPED:
            self.iris.clear()
            self.scoped.clear()
            self.subtrees.clear()  # their keys name active contexts by id(); those may now be freed
        if len(self.shapes) > self.MAX_SHAPES or len(self.subtrees) > self.MAX_SUBTREES \
                or self.chars > self.MAX_CHARS:
            self.shapes.clear()
            self.subtrees.clear()
            self.chars = 0

    def shapes_of(self, doc: Any) -> dict[int, int]:
        """``id(o) -> shape number`` for every object ``o`` in ``doc`` whose subtree holds at most
        ``SUBTREE_NODES`` objects and no string longer than ``LONG_TEXT``: equal numbers, equal JSON (same keys
        in the same order, same values of the same JSON types). Shapes are numbered in ``self.shapes``, so equal
        subtrees of different documents get the same number."""
        table, limit, long_text, found, before = self.shapes, self.SUBTREE_NODES, self.LONG_TEXT, {}, len(self.shapes)
        chars = 0

        def token(value: Any) -> tuple[Any, int]:
            nonlocal chars
            kind = type(value)
            if kind is str:
                if len(value) > long_text:
                    return None, limit + 1
                chars += len(value)
                return value, 0
            if kind is dict:
                size, items = 1, []
                for key, item in value.items():
                    tok, n = token(item)
                    size += n if len(key) <= long_text else limit + 1
                    chars += len(key)
                    items.append((key, tok))
                if size > limit:
                    return None, size
                shape = tuple(items)
                number = table.get(shape)
                if number is None:
                    number = table[shape] = len(table)
                found[id(value)] = number
                return ("{}", number), size
            if kind is list:
                size, items = 0, []
                for item in value:
                    tok, n = token(item)
                    size += n
                    items.append(tok)
                return (("[]", tuple(items)), size) if size <= limit else (None, size)
            # 1, 1.0 and true are equal in Python, not in JSON-LD; -0.0 == 0.0 too: the type and repr() tell
            return (kind.__name__, repr(value)), 0

        token(doc)
        if len(table) > before:  # new shapes may hold any of the document's text
            self.chars += chars
        return found


def make_document_loader(documents: dict[str, Any], fallback: Callable[[str], Any] | None = None) -> PinnedLoader:
    return PinnedLoader(documents, fallback)


class _Processor(pyld.JsonLdProcessor):
    """pyld's processor, checking the deadline on every element it expands (Expansion is recursive per element),
    and remembering (in ``caches``, shared by the expansions of one thread) how each key and type expanded in each
    active context and what each scoped context made of each active context (the same few dozen terms and types
    recur hundreds of times in a credential, and in every credential; the results depend on those inputs only,
    and active contexts are never changed once made)."""

    def __init__(self, deadline: Deadline, caches: _Caches, shapes: dict[int, int]):
        super().__init__()
        self._deadline = deadline
        self._ticks = 0
        self._iris = caches.iris
        self._contexts = caches.scoped
        self._subtrees = caches.subtrees
        self._shapes = shapes

    def expand_unsafe_copy(self, document: dict, options: dict) -> list:
        """JsonLdProcessor.expand (JSON-LD 1.1 API, section 5.1) without its deep copy of the input: expansion only
        reads the document (checked by tests/test_jsonld_differential.py), and our caller hands in a fresh
        top-level object anyway."""
        options = {"isFrame": False, "keepFreeFloatingNodes": False, "extractAllScripts": False,
                   "processingMode": "json-ld-1.1", **options}
        expanded = self._expand(self._get_initial_context(options), None, document, options, inside_list=False)
        if isinstance(expanded, dict) and "@graph" in expanded and len(expanded) == 1:
            expanded = expanded["@graph"]
        elif expanded is None:
            expanded = []
        return pyld.JsonLdProcessor.arrayify(expanded)

    def _expand(self, active_ctx, active_property, element, options, inside_list=False, inside_index=False,
                type_scoped_ctx=None):
        self._ticks += 1
        if not self._ticks & 63:
            self._deadline.check()
        shape = self._shapes.get(id(element)) if type(element) is dict else None
        if shape is None:
            result = super()._expand(active_ctx, active_property, element, options, inside_list, inside_index,
                                     type_scoped_ctx)
        else:
            # Expansion of an element depends on these inputs only (JSON-LD 1.1 API, 5.1.2; the options are the
            # same for every expansion here), so an equal subtree in the same place expands to the same result,
            # handed out as it is: expansion only reads what it gets back, but for index maps (below).
            key = (shape, id(active_ctx), active_property, inside_list, inside_index, id(type_scoped_ctx))
            hit = self._subtrees.get(key)
            if hit is None:
                result = super()._expand(active_ctx, active_property, element, options, inside_list,
                                         inside_index, type_scoped_ctx)
                # the contexts are kept alive with the entry, so their id()s cannot be reused while it is cached
                self._subtrees[key] = (result, active_ctx, type_scoped_ctx)
            else:
                result = hit[0]
        # Index, id and type maps (the only callers with inside_index) add @index, @id, @type or the index property
        # to the items they get back, in place: theirs are copies.
        return _copy(result) if inside_index else result

    def _process_context(self, active_ctx, local_ctx, options, override_protected=False, propagate=True,
                         validate_scoped=True, cycles=None):
        # A type-scoped context is processed again for every node of that type (pyld gives the non-propagated
        # result a fresh identity each time, so its own cache misses): remember the result per input objects.
        if cycles is not None:
            return super()._process_context(active_ctx, local_ctx, options, override_protected, propagate,
                                            validate_scoped, cycles)
        key = (id(active_ctx), id(local_ctx), override_protected, propagate, validate_scoped)
        hit = self._contexts.get(key)
        if hit is None:
            result = super()._process_context(active_ctx, local_ctx, options, override_protected, propagate,
                                              validate_scoped)
            # the inputs are kept alive with the entry, so their id()s cannot be reused while it is cached
            hit = self._contexts[key] = (result, active_ctx, local_ctx)
        return hit[0]

    def _expand_iri(self, active_ctx, value, base=None, vocab=False, local_ctx=None, defined=None):
        if local_ctx is not None or defined is not None or not isinstance(value, str):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        key = (id(active_ctx), value, base, vocab)
        hit = self._iris.get(key)
        if hit is None:
            # the context object is kept alive with the entry, so its id() cannot be reused while cached
            hit = self._iris[key] = (super()._expand_iri(active_ctx, value, base, vocab), active_ctx)
        return hit[0]


def _copy(value: Any) -> Any:
    """A copy of expanded JSON (objects, arrays, scalars), faster than copy.deepcopy."""
    kind = type(value)
    if kind is list:
        return [_copy(item) for item in value]
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    return value


def _jsonld_error(exc: Exception) -> JsonLdRefused | LimitExceeded:
    # pyld wraps the loader's own refusal (and our deadline); surface that one so the client learns why.
    cause = exc
    while cause is not None:
        if isinstance(cause, (JsonLdRefused, LimitExceeded)):
            return cause
        cause = cause.__cause__ or getattr(cause, "cause", None) or cause.__context__
    details = getattr(exc, "details", None) or {}
    reason = details.get("code") or getattr(exc, "code", None) or type(exc).__name__
    return JsonLdRefused(f"The document is not valid JSON-LD: {reason}.", slug="invalid-jsonld")


# --- limits on the JSON before any JSON-LD work ---------------------------------------------------------------------


def check_limits(doc: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse documents nested too deep, with too many objects and arrays, or with too many values in one array
    (iteratively: no recursion)."""
    nodes = 0
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limits.max_depth:
            raise LimitExceeded(f"The document is nested deeper than {limits.max_depth} levels.", slug="too-deep")
        if isinstance(value, dict):
            nodes += 1
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            nodes += 1
            if len(value) > limits.max_values_per_property:
                raise LimitExceeded(f"The document has an array of more than {limits.max_values_per_property} "
                                    "values.", slug="too-many-values")
            stack.extend((v, depth + 1) for v in value)
        else:
            continue
        if nodes > limits.max_nodes:
            raise LimitExceeded(f"The document has more than {limits.max_nodes} objects and arrays.",
                                slug="too-many-nodes")


# --- 1. expansion, refusing what would be dropped -----------------------------------------------------------------


_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")  # pyld's own test, compiled once


def is_absolute(iri: Any) -> bool:
    return isinstance(iri, str) and _ABSOLUTE_IRI.match(iri) is not None


# pyld (pinned exactly: pyproject.toml) tests "absolute IRI" ~900 times per credential with ``re.match(pattern, v)``,
# which looks the pattern up in re's cache every time; the same test on the pattern compiled once is ~6 % of the
# signing time. Same pattern, same answers (tests/test_contexts_jsonld.py compares them).
_pyld_is_absolute_iri = pyld._is_absolute_iri
pyld._is_absolute_iri = lambda v: isinstance(v, str) and _ABSOLUTE_IRI.match(v)


def _dropped(expanded: Any) -> list[str]:
    """What the expansion shows JSON-LD would lose: sentinel IRIs (undefined terms) and relative IRIs."""
    found: list[str] = []

    def note(what: str) -> None:
        if what not in found:
            found.append(what)

    def iri(value: Any) -> None:
        if not isinstance(value, str):
            return
        if value.startswith(UNDEFINED):
            note(value[len(UNDEFINED):])
        elif not value.startswith("_:") and not is_absolute(value):
            note(f"relative IRI {value!r}")

    stack: list[Any] = [expanded]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "@value" or key == "@language" or key == "@index":
                    continue
                if key in ("@id", "@type"):
                    for v in as_list(item):
                        iri(v)
                elif key == "@reverse":
                    for prop, objs in item.items():
                        iri(prop)
                        stack.append(objs)
                    continue
                elif not key.startswith("@"):
                    iri(key)
                if isinstance(item, (dict, list)):
                    stack.append(item)
    return found


def expand(doc: dict, loader: DocumentLoader, *, deadline: Deadline | None = None,
           limits: Limits = DEFAULT_LIMITS, checked: bool = False) -> list:
    """JSON-LD Expansion of ``doc`` with the sentinel vocabulary (``to_dataset`` refuses what it reveals).
    Read-only: parts of it are shared with the memo of remembered subtrees (``_Processor._expand``).
    ``checked``: the caller has already held ``doc`` (or a document holding it) to ``limits`` (check_limits)."""
    if not isinstance(doc, dict):
        raise JsonLdRefused("A JSON-LD document must be a JSON object.", slug="invalid-jsonld")
    if not checked:
        check_limits(doc, limits)
    deadline = deadline or limits.deadline()
    probe = {**doc, "@context": [_SENTINEL_CONTEXT, *as_list(doc.get("@context"))]}
    caches = loader.checkout_cache() if isinstance(loader, PinnedLoader) else _Caches()
    options = {
        "documentLoader": loader,
        # base None: relative IRIs stay relative (and are refused); pyld would otherwise resolve them against
        # its made-up default base http://example.org/base/, which jsonld.js does not do.
        "base": None,
        "contextResolver": ContextResolver(caches.contexts, loader),
    }
    try:
        expanded = _Processor(deadline, caches, caches.shapes_of(doc)).expand_unsafe_copy(probe, options)
    except (JsonLdRefused, LimitExceeded):
        raise
    except RecursionError as exc:
        raise LimitExceeded("The document is nested too deeply.", slug="too-deep") from exc
    except Exception as exc:  # pyld raises JsonLdError and, on odd input, plain TypeError/KeyError
        raise _jsonld_error(exc) from exc
    finally:
        if isinstance(loader, PinnedLoader):
            loader.checkin_cache(caches)
    deadline.check()
    return expanded


def refuse_dropped(expanded: list, refusal: str) -> JsonLdRefused:
    """The refusal of a document that would lose data, naming every undefined term and relative IRI."""
    undefined = _dropped(expanded)
    if not undefined:
        return JsonLdRefused(f"The document holds data that a signature would not cover: {refusal}.",
                             slug="undefined-terms")
    return JsonLdRefused(
        "These terms are not defined by any of the document's @context entries, so a signature would not "
        "cover them: " + ", ".join(undefined) + ". Add a context that defines them or remove them.",
        slug="undefined-terms",
        errors=[{"field": term, "message": "not defined by the document's @context"} for term in undefined],
        terms=undefined,
    )
