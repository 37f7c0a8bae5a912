"""Multibase and multicodec encodings of Ed25519 keys and signatures.

Implements:
- base58btc (the Bitcoin alphabet; draft-msporny-base58-03);
- Multibase (draft-multiformats-multibase-08) for the two prefixes Data Integrity uses: ``z`` (base58btc) and
  ``u`` (base64url without padding);
- Controlled Identifiers 1.0, section 2.2.2 "Multikey": a multibase string of a multicodec varint header followed
  by the raw key. Ed25519 public keys use header 0xed 0x01 (varint of 0xed, so every such key starts "z6Mk"),
  Ed25519 private keys (the 32-byte seed) header 0x80 0x26 (varint of 0x1300).
"""

from __future__ import annotations

import base64
import binascii

from app.errors import InvalidInput

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {c: i for i, c in enumerate(BASE58_ALPHABET)}

ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"
ED25519_KEY_LENGTH = 32


class MultibaseError(InvalidInput):
    """A string that should be multibase-encoded is not (unknown prefix, characters outside the alphabet)."""

    slug = "invalid-multibase"
    title = "Invalid multibase value"


class KeyFormatError(InvalidInput):
    """A key is not an encoding of an Ed25519 key this service accepts (wrong header, wrong length)."""

    slug = "invalid-key"
    title = "Invalid key"


def b58encode(data: bytes) -> str:
    # Each leading zero byte is written as one '1': the big-integer conversion below would lose them.
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rem = divmod(number, 58)
        digits.append(BASE58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    if not isinstance(text, str):
        raise MultibaseError("A base58btc value must be a string.")
    number = 0
    for ch in text:
        digit = _BASE58_INDEX.get(ch)
        if digit is None:
            raise MultibaseError(f"{ch!r} is not a base58btc character.")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    # Multibase 'u' is unpadded; refuse '=' and the standard alphabet so one value has exactly one encoding.
    if not isinstance(text, str) or "=" in text or "+" in text or "/" in text:
        raise MultibaseError("A base64url value must be an unpadded string in the URL-safe alphabet.")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MultibaseError("The value is not valid base64url.") from exc


def multibase_encode(data: bytes, base: str = "z") -> str:
    if base == "z":
        return "z" + b58encode(data)
    if base == "u":
        return "u" + b64url_encode(data)
    raise MultibaseError(f"Multibase prefix {base!r} is not supported; use 'z' (base58btc) or 'u' (base64url).")


def multibase_decode(text: str, *, allowed: str = "zu") -> bytes:
    """Decode a multibase string whose prefix is one of ``allowed`` (suites pin their encoding, e.g. only 'z')."""
    if not isinstance(text, str) or not text:
        raise MultibaseError("A multibase value must be a non-empty string.")
    prefix, body = text[0], text[1:]
    if prefix not in allowed:
        raise MultibaseError(
            f"Multibase prefix {prefix!r} is not accepted here; expected one of {', '.join(map(repr, allowed))}."
        )
    if prefix == "z":
        return b58decode(body)
    if prefix == "u":
        return b64url_decode(body)
    raise MultibaseError(f"Multibase prefix {prefix!r} is not supported.")


def _decode_multikey(text: str, header: bytes, what: str) -> bytes:
    try:
        data = multibase_decode(text, allowed="z")
    except MultibaseError as exc:
        raise KeyFormatError(f"The {what} is not a base58btc multibase string ('z...'): {exc.detail}") from exc
    if not data.startswith(header):
        raise KeyFormatError(
            f"The {what} does not carry the Ed25519 multicodec header 0x{header.hex()} "
            f"(it starts 0x{data[:2].hex()}); only Ed25519 keys are supported."
        )
    raw = data[len(header):]
    if len(raw) != ED25519_KEY_LENGTH:
        raise KeyFormatError(f"The {what} holds {len(raw)} bytes after its header; an Ed25519 key has 32.")
    return raw


def _check_raw(raw: bytes, what: str) -> None:
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != ED25519_KEY_LENGTH:
        raise KeyFormatError(f"An Ed25519 {what} is 32 raw bytes.")


def encode_multikey_public(raw32: bytes) -> str:
    """Raw Ed25519 public key -> Multikey ``publicKeyMultibase`` ("z6Mk...")."""
    _check_raw(raw32, "public key")
    return multibase_encode(ED25519_PUB_HEADER + bytes(raw32), "z")


def decode_multikey_public(text: str) -> bytes:
    """Multikey ``publicKeyMultibase`` -> the 32 raw bytes of the Ed25519 public key."""
    return _decode_multikey(text, ED25519_PUB_HEADER, "public key")


