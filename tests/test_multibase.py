"""base58btc, multibase and Multikey encodings against published vectors (base58 draft, multibase spec)."""

from __future__ import annotations

import os

import pytest

from app.domain.multibase import (
    KeyFormatError,
    MultibaseError,
    b58decode,
    b58encode,
    decode_multikey_public,
    encode_multikey_public,
    multibase_decode,
    multibase_encode,
)
from tests.apphelpers import decode_multikey_private, encode_multikey_private

BASE58_VECTORS = [
    (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
    (b"The quick brown fox jumps over the lazy dog.", "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"),
    (bytes.fromhex("0000287fb4cd"), "11233QC4"),
    (b"", ""),
    (b"\0", "1"),
    (b"\0\0\0", "111"),
]


@pytest.mark.parametrize("raw,encoded", BASE58_VECTORS)
def test_base58btc_vectors(raw, encoded):
    assert b58encode(raw) == encoded
    assert b58decode(encoded) == raw


def test_base58_round_trip_random():
    for n in (1, 2, 31, 32, 34, 64, 100):
        for prefix in (b"", b"\0", b"\0\0"):
            data = prefix + os.urandom(n)
            assert b58decode(b58encode(data)) == data


@pytest.mark.parametrize("bad", ["0", "O", "I", "l", "abc+", "2NEpo7TZRRrLZSi2U "])
def test_base58_refuses_characters_outside_alphabet(bad):
    with pytest.raises(MultibaseError):
        b58decode(bad)


def test_multibase_spec_vectors():
    assert multibase_encode(b"yes mani !", "z") == "z7paNL19xttacUY"
    assert multibase_encode(b"yes mani !", "u") == "ueWVzIG1hbmkgIQ"
    assert multibase_encode(b"Multibase is awesome! \\o/", "z") == "zYAjKoNbau5KiqmHPmSxYCvn66dA1vLmwbt"
    assert multibase_decode("z7paNL19xttacUY") == b"yes mani !"
    assert multibase_decode("ueWVzIG1hbmkgIQ") == b"yes mani !"


def test_multibase_refusals():
    for bad in ("", "f796573", "ueWVzIG1hbmkgIQ==", "u+/8", "uA"):
        with pytest.raises(MultibaseError):
            multibase_decode(bad)
    with pytest.raises(MultibaseError):
        multibase_decode("ueWVzIG1hbmkgIQ", allowed="z")
    with pytest.raises(MultibaseError):
        multibase_encode(b"x", "f")


def test_multikey_vector_and_headers():
    # Ed25519 public Multikeys start "z6Mk", private ones "z3u2" (headers 0xed01 and 0x8026).
    pub = decode_multikey_public("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
    assert len(pub) == 32
    assert encode_multikey_public(pub) == "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert multibase_decode(encode_multikey_public(pub))[:2] == b"\xed\x01"
    seed = decode_multikey_private("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    assert encode_multikey_private(seed) == "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
    assert encode_multikey_public(bytes(32)).startswith("z6Mk")
    assert encode_multikey_private(bytes(32)).startswith("z3u2")


def test_multikey_refusals():
    pub = decode_multikey_public("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
    cases = [
        "z" + b58encode(b"\xed\x01" + pub[:31]),  # too short
        "z" + b58encode(b"\xed\x01" + pub + b"\0"),  # too long
        "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",  # P-256 (0x8024)
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",  # a private key where a public one is expected
        "u" + "7QE" + "A" * 43,  # right bytes, wrong base
        "not multibase",
    ]
    for bad in cases:
        with pytest.raises(KeyFormatError) as info:
            decode_multikey_public(bad)
        assert info.value.slug == "invalid-key" and info.value.status == 422
    with pytest.raises(KeyFormatError, match="0x8024"):
        decode_multikey_public("zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169")
    with pytest.raises(KeyFormatError):
        encode_multikey_public(b"\1" * 31)
