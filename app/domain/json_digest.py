"""The digest of a JSON value as written: SHA-256 of its JSON text (``json.dumps``: keys in their order, every
character beyond ASCII escaped, so the text is ASCII, which is what every later step, pickling from a signing
process and writing to the database, handles fastest). Equal digests, equal texts: the same values, keys in the same
order.

Python's ``==`` says ``1 == 1.0 == True`` and ignores the order of keys; JSON-LD tells the first three apart (an
integer, a double and a boolean are three different literals) and so does this text (``1``, ``1.0``, ``true``).
Key order only decides whether a digest is found again, never what it stands for: a document sent back in another
order is simply not recognised (and is verified as any other document). Used to remember verifications (the exact
document they were done for) and to know a document this service stored (``credentials.document_digest``: the
digest of the text it stored, computed with that text where it was signed).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def text(value: Any) -> str:
    """The JSON text of ``value`` the digests are of (and the service stores its signed documents as)."""
    return json.dumps(value)


def of_text(json_text: str) -> str:
    return hashlib.sha256(json_text.encode()).hexdigest()


def digest(value: Any) -> str:
    return of_text(text(value))
