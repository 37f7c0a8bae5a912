"""JSON-LD processing for credentials: an offline document loader, input limits, safe expansion and RDFC-1.0.

Implements what Data Integrity (VC Data Integrity 1.0, section 4 "Algorithms") needs from JSON-LD:
- a document loader that serves only pinned documents (section 2.4 "Contexts and Vocabularies": verifiers must not
  load arbitrary contexts from the network);
- "safe mode" expansion: pyld silently drops terms that no context defines, and drops triples whose IRIs are
  relative; a signature over such a document would not cover those data, so we refuse them;
- RDF Dataset Canonicalization (RDFC-1.0, which pyld calls URDNA2015; pyld's *default* is the older URGNA2012),
  bounded by a deadline, because hostile blank-node graphs make canonicalization exponential.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from pyld import jsonld
from pyld.canon import URDNA2015

from app.errors import JsonLdRefused, LimitExceeded

DocumentLoader = Callable[[str, dict], dict]

# pyld keeps module-wide caches (resolved contexts) that are not thread-safe: under concurrent requests another
# thread can evict an entry between pyld's check and its read (a KeyError that would surface as a bogus 422).
# Expansion is CPU-bound Python, so serialising it costs no throughput under the GIL.
_PYLD_LOCK = threading.Lock()

# IRIs under this prefix only ever appear when a term was undefined: see find_undefined_terms().
_UNDEFINED = "urn:mcred:undefined-term:"


@dataclass(frozen=True)
class Limits:
    """Hard limits against hostile input; the defaults fit real credentials (the EU sample is ~110 kB)."""

    max_bytes: int = 1_000_000
    max_depth: int = 40
    max_nodes: int = 20_000
    max_seconds: float = 5.0


DEFAULT_LIMITS = Limits()


def as_list(value: Any) -> list:
    """A JSON-LD value that may be one item or an array (``@context``, ``type``, ...), as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def make_document_loader(documents: dict[str, Any], fallback: Callable[[str], Any] | None = None) -> DocumentLoader:
    """A pyld document loader that serves ``documents`` (URL -> parsed JSON) and refuses every other URL.

    ``fallback`` may resolve further URLs (e.g. DID URLs during verification); it returns a document or None.
    """

    def load(url: str, options: dict | None = None) -> dict:
        doc = documents.get(url)
        if doc is None and fallback is not None:
            doc = fallback(url)
        if doc is None:
            raise JsonLdRefused(
                f"The JSON-LD document {url!r} is not one this service knows; only pinned contexts are loaded.",
                slug="unknown-context",
                url=url,
            )
        return {"contextUrl": None, "documentUrl": url, "document": doc}

    return load


def check_limits(doc: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse documents nested deeper or holding more nodes than ``limits`` allow (iteratively: no recursion)."""
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
            stack.extend((v, depth + 1) for v in value)
        else:
            continue
        if nodes > limits.max_nodes:
            raise LimitExceeded(f"The document has more than {limits.max_nodes} objects and arrays.", slug="too-many-nodes")


def _options(loader: DocumentLoader, **extra) -> dict:
    # base None: relative IRIs stay relative (and are refused); pyld would otherwise resolve them against
    # its made-up default base http://example.org/base/, which jsonld.js does not do.
    return {"documentLoader": loader, "base": None, **extra}


def _jsonld_error(exc: Exception) -> JsonLdRefused:
    # pyld wraps the loader's own refusal; surface that one so the client learns which URL was refused.
    cause = exc
    while cause is not None:
        if isinstance(cause, (JsonLdRefused, LimitExceeded)):
            return cause
        cause = cause.__cause__ or getattr(cause, "cause", None) or cause.__context__
    details = getattr(exc, "details", None) or {}
    reason = details.get("code") or getattr(exc, "code", None) or str(exc)
    return JsonLdRefused(f"The document is not valid JSON-LD: {reason}.", slug="invalid-jsonld")


def expand(doc: dict, loader: DocumentLoader) -> list:
    try:
        with _PYLD_LOCK:
            return jsonld.expand(copy.deepcopy(doc), _options(loader))
    except (JsonLdRefused, LimitExceeded):
        raise
    except Exception as exc:  # pyld raises JsonLdError and, on odd input, plain TypeError/KeyError
        raise _jsonld_error(exc) from exc


def find_undefined_terms(doc: dict, loader: DocumentLoader) -> list[str]:
    """Terms and types in ``doc`` that no context defines, and relative IRIs: what pyld would silently drop.

    Works like jsonld.js "safe mode": expand once more with a sentinel ``@vocab`` *prepended* to the document's
    top-level context. A term the document's contexts define keeps its IRI; any ``@vocab`` those contexts set
    (VC 2.0's issuer-dependent vocabulary, the examples contexts) comes later and wins, so nothing is lost there;
    a term that nothing defines falls through to the sentinel instead of vanishing, and so becomes visible.
    """
    probe = copy.deepcopy(doc)
    probe["@context"] = [{"@vocab": _UNDEFINED}, *as_list(probe.get("@context"))]
    expanded = expand(probe, loader)
    found: list[str] = []

    def note(term: str) -> None:
        if term not in found:
            found.append(term)

    def check_iri(value: Any) -> None:
        if isinstance(value, str) and not value.startswith("_:") and ":" not in value:
            note(f"relative IRI {value!r}")

    stack: list[Any] = [expanded]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key.startswith(_UNDEFINED):
                    note(key[len(_UNDEFINED):])
                if key == "@type":
                    for t in item if isinstance(item, list) else [item]:
                        if isinstance(t, str) and t.startswith(_UNDEFINED):
                            note(t[len(_UNDEFINED):])
                        elif "@value" not in value:
                            check_iri(t)
                elif key == "@id":
                    check_iri(item)
                if isinstance(item, (dict, list)):
                    stack.append(item)
    return found


def ensure_no_dropped_terms(doc: dict, loader: DocumentLoader) -> None:
    """Refuse a document in which JSON-LD processing would drop data (see find_undefined_terms)."""
    undefined = find_undefined_terms(doc, loader)
    if undefined:
        raise JsonLdRefused(
            "These terms are not defined by any of the document's @context entries, so a signature would not "
            "cover them: " + ", ".join(undefined) + ". Add a context that defines them or remove them.",
            slug="undefined-terms",
            errors=[{"field": term, "message": "not defined by the document's @context"} for term in undefined],
        )


class _DeadlineCanonicalizer(URDNA2015):
    """RDFC-1.0 that gives up at a deadline: the N-degree hashing of blank nodes is the exponential part."""

    def __init__(self, deadline: float):
        super().__init__()
        self._deadline = deadline

    def hash_n_degree_quads(self, id_, issuer):
        if time.monotonic() > self._deadline:
            raise LimitExceeded("Canonicalizing the document took too long.", slug="canonicalization-timeout")
        return super().hash_n_degree_quads(id_, issuer)

    def hash_first_degree_quads(self, id_):
        if time.monotonic() > self._deadline:
            raise LimitExceeded("Canonicalizing the document took too long.", slug="canonicalization-timeout")
        return super().hash_first_degree_quads(id_)


def canonicalize(doc: dict, loader: DocumentLoader, limits: Limits = DEFAULT_LIMITS) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    check_limits(doc, limits)
    deadline = time.monotonic() + limits.max_seconds
    try:
        with _PYLD_LOCK:
            dataset = jsonld.to_rdf(copy.deepcopy(doc), _options(loader, produceGeneralizedRdf=False))
        return _DeadlineCanonicalizer(deadline).main(dataset, {"format": "application/n-quads"})
    except (JsonLdRefused, LimitExceeded):
        raise
    except Exception as exc:
        raise _jsonld_error(exc) from exc
