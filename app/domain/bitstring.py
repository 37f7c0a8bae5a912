"""The bitstring of W3C Bitstring Status List v1.0, section 3.2 "Bitstring Encoding".

``encodedList`` is the multibase (``u``, base64url without padding) of the GZIP-compressed bitstring.
Bit 0 is the left-most (most significant) bit of the first byte. The list holds at least 131,072 entries
(16 KiB) so that a verifier's fetch reveals nothing about which credential it checks (section 6.1 "Herd Privacy").
"""

from __future__ import annotations

import base64
import gzip
import io

from app.errors import InvalidInput

MIN_ENTRIES = 131_072


class StatusListFormatError(InvalidInput):
    slug = "invalid-status-list"
    title = "Invalid status list"


def new_bitstring(entries: int = MIN_ENTRIES) -> bytearray:
    if entries % 8:
        raise ValueError("a status list holds a whole number of bytes")
    return bytearray(entries // 8)


def get_bit(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListFormatError(f"Status list index {index} is outside the list of {len(bits) * 8} entries.")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytearray, index: int, value: bool) -> None:
    if not 0 <= index < len(bits) * 8:
        raise StatusListFormatError(f"Status list index {index} is outside the list of {len(bits) * 8} entries.")
    if value:
        bits[index // 8] |= 0x80 >> (index % 8)
    else:
        bits[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF


def encode(bits: bytes) -> str:
    # mtime=0: the same list always encodes to the same string, so ETags and signatures are stable.
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        gz.write(bytes(bits))
    return "u" + base64.urlsafe_b64encode(buf.getvalue()).rstrip(b"=").decode()


def decode(encoded: str, *, max_bytes: int = 16 * 1024 * 1024) -> bytes:
    """Decode ``encodedList``; refuses anything that is not multibase base64url GZIP, or that inflates past
    ``max_bytes`` (a zip bomb must not exhaust the verifier)."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListFormatError("encodedList must be a multibase base64url string (prefix 'u').")
    body = encoded[1:]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, TypeError) as exc:
        raise StatusListFormatError("encodedList is not valid base64url.") from exc
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
            bits = gz.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise StatusListFormatError("encodedList is not GZIP-compressed.") from exc
    if len(bits) > max_bytes:
        raise StatusListFormatError("The status list is larger than this verifier accepts.")
    return bits
