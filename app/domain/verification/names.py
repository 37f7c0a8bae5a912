"""Whether a credential names its issuer and awarding body as the institution this service recognises.

A recognised institution signs; what a page then shows as the issuer or the awarding body must be that
institution, in every language and every form. So every name the credential gives its issuer node and every
awarding body (ELM ``awardingBody``, wherever it occurs): legal names, alternative and hidden labels, schema.org,
FOAF, SKOS and RDFS names, each language, is compared with the recognised names after Unicode normalisation
(NFKC, case folding, whitespace folded: Unicode TR15 and the Unicode Standard, section 5.18). A name holding an
invisible or formatting character (zero-width spaces and joiners, bidirectional controls, soft hyphens, word
joiners, the byte order mark: general category Cf, and other default-ignorable code points) is never a match:
it can make two different names look alike, or one name look like another.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from app.domain import iris
from app.domain.rdf import Graph, literal_language
from app.domain.verification.results import RecognisedIssuer

# Default-ignorable code points outside category Cf (Unicode DerivedCoreProperties, Default_Ignorable_Code_Point).
_IGNORABLE = frozenset({0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, *range(0x180B, 0x1810),
                        *range(0xFE00, 0xFE10)})


def invisible(text: str) -> list[str]:
    """The invisible or formatting characters in ``text``, as U+XXXX."""
    return [f"U+{ord(c):04X}" for c in text
            if unicodedata.category(c) in ("Cf", "Co", "Cs", "Cn") or ord(c) in _IGNORABLE
            or (unicodedata.category(c) == "Cc" and c not in "\t\n\r")
            or 0xE0000 <= ord(c) <= 0xE0FFF]


def normalised(text: str) -> str:
    """NFKC, case folded, whitespace runs as one space, trimmed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def _texts(value) -> Iterable[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)
    elif isinstance(value, str):
        yield value


def named_nodes(graph: Graph, credential: str) -> list[tuple[str, str]]:
    """(role, node) of the credential's issuer and of every awarding body the graph states."""
    out = [("issuer", node) for node in graph.iris(credential, iris.ISSUER)]
    for subject in graph.subjects():
        for body in graph.iris(subject, iris.AWARDING_BODY):
            if ("awardingBody", body) not in out:
                out.append(("awardingBody", body))
    return out


def differing_names(graph: Graph, credential: str, recognised: RecognisedIssuer) -> list[dict]:
    """Every name of the issuer or an awarding body that is not one of ``recognised``'s names: [{"field",
    "name", "language", "reason"}] (reason "differs" or "invisible-characters"). Empty when all match."""
    known = {normalised(t) for t in _texts(recognised.name) if t.strip() and not invisible(t)}
    out: list[dict] = []
    for role, node in named_nodes(graph, credential):
        for predicate in iris.NAME_PREDICATES:
            for o in graph.objects(node, predicate):
                if o["type"] != "literal":
                    continue
                text = o["value"]
                hidden = invisible(text)
                if not hidden and normalised(text) in known:
                    continue
                entry = {"field": role, "property": iris.local_name(predicate), "name": text,
                         "reason": "invisible-characters" if hidden else "differs"}
                if literal_language(o):
                    entry["language"] = literal_language(o)
                if hidden:
                    entry["characters"] = hidden
                out.append(entry)
    return out
