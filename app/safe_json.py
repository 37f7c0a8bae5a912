"""Untrusted JSON and text: parsed as RFC 8259 JSON, refusing what the service cannot store, sign or send back.

Python's ``json`` module accepts more than RFC 8259 and yields values the rest of the service cannot carry:
``NaN``/``Infinity`` are not JSON numbers (RFC 8259 section 6), a number such as ``1e999`` becomes infinity, an integer
beyond Python's int-string limit (4,300 digits) raises deep inside the parser, a lone surrogate such as ``"\\ud800"``
is not Unicode and cannot be encoded as UTF-8 (section 8.2), and PostgreSQL text cannot hold a NUL character. Each is
refused here, once, with the JSON path of the first offence in document order, before anything else reads the value.
"""

from __future__ import annotations

import gc
import json
import math
import re
import sys
from contextlib import contextmanager

from app.errors import LimitExceeded, MalformedRequest

UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
_MAX_KEY_IN_PATH = 80


class _Refused:
    """A number the parser does not keep; ``first_offence`` reports it with its path."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a JSON number")


def _integer(text: str) -> int | _Refused:
    try:
        return int(text)
    except ValueError:  # only the int-string limit: the parser hands over valid integer literals
        return _Refused(f"the integer has more than {sys.get_int_max_str_digits()} digits")


def _number(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused("the number is out of range")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored or encoded (a NUL character or a lone surrogate), or None."""
    found = UNSAFE_TEXT.search(text)
    if found is None:
        return None
    return "contains a NUL character" if found.group() == "\x00" else "contains a lone surrogate (not Unicode text)"


def _shown(key: str) -> str:
    """``key`` as it can be shown in a path: offending characters escaped, long keys cut."""
    shown = UNSAFE_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", key)
    return shown if len(shown) <= _MAX_KEY_IN_PATH else shown[:_MAX_KEY_IN_PATH] + "…"


def first_offence(value: object) -> tuple[str, str] | None:
    """(path, reason) of the first key or value, in document order, that cannot be carried further; else None.

    Iterative, so a deeply nested document cannot exhaust the stack. Paths read like ``credentialSubject.name``
    and ``microCredentials[1].title``; the document itself is ``body``.
    """
    stack: list[tuple[str, object, bool]] = [("", value, False)]
    while stack:
        path, node, is_key = stack.pop()
        if isinstance(node, _Refused):
            return path or "body", node.reason
        if isinstance(node, str):
            reason = text_problem(node)
            if reason:
                return path or "body", f"the key {reason}" if is_key else reason
        elif isinstance(node, dict):
            members = []
            for key, child in node.items():
                child_path = f"{path}.{_shown(key)}" if path else _shown(key)
                members += [(child_path, key, True), (child_path, child, False)]
            stack.extend(reversed(members))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{path or 'body'}[{n}]", child, False) for n, child in enumerate(node)]))
    return None


# Where a NUL or a lone surrogate can come from in what json.loads makes of UTF-8 (or of text): an escape (\u0000,
# \ud800-\udfff: a surrogate pair is two such escapes), the UTF-8 form of a surrogate (ED A0-BF, which json.loads
# decodes with "surrogatepass"), or, in text, the character itself (a raw NUL is refused by the parser). A match is
# only a suspicion (an escaped backslash, a valid pair): the document is then walked.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89abcdefABCDEF])")
_SUSPECT_UTF8 = re.compile(rb"\xed[\xa0-\xbf]")
_SUSPECT_TEXT = re.compile(r"\\u(?:0000|[dD][89abcdefABCDEF])|[\x00\ud800-\udfff]")


def _suspect(raw: bytes | str) -> bool:
    if isinstance(raw, str):
        return _SUSPECT_TEXT.search(raw) is not None
    if json.detect_encoding(raw) != "utf-8":
        return True
    # two searches, each with a literal start the regex engine scans for quickly
    return _SUSPECT_ESCAPE.search(raw) is not None or (b"\xed" in raw and _SUSPECT_UTF8.search(raw) is not None)


# A JSON tree has no reference cycles: collecting while one is built frees nothing, and each collection of the
# older generations walks the tree built so far (measured: a batch of 20,000 items, 63 MB, parsed in 1.35 s in a
# serving process, 0.4 s without its collections).
LARGE = 1_000_000


@contextmanager
def _collector_paused(paused: bool):
    """The garbage collector off for a large parse. Threads that overlap leave it as the first one found it."""
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse(raw: bytes | str) -> object:
    """``raw`` parsed as JSON; a 4xx McredError for anything but JSON the service can carry.

    The value is walked for its first offence only when the text or a number hook says there may be one (a
    batch's body is tens of MB: walking it costs several times the parse)."""
    refused: list[_Refused] = []

    def note(value):
        if isinstance(value, _Refused):
            refused.append(value)
        return value

    try:
        with _collector_paused(len(raw) > LARGE):
            value = json.loads(raw, parse_constant=lambda n: note(_constant(n)),
                               parse_int=lambda t: note(_integer(t)), parse_float=lambda t: note(_number(t)))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRequest(f"The document is not valid JSON: {exc}.") from exc
    except RecursionError as exc:
        raise LimitExceeded("The document is nested too deeply.", slug="too-deep") from exc
    offence = first_offence(value) if refused or _suspect(raw) else None
    if offence:
        path, reason = offence
        raise MalformedRequest(f"The JSON document cannot be accepted: {path} {reason}.",
                               errors=[{"field": path, "message": reason}])
    return value
