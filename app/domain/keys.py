"""Ed25519 keys as Data Integrity uses them: a signer bound to its verification method, and Multikey documents.

Implements the key side of "Data Integrity EdDSA Cryptosuites v1.0", section 2.1 "Multikey" (Ed25519 public keys
as ``publicKeyMultibase``) and Controlled Identifiers 1.0, section 2.2.2 (the Multikey verification method), with
Ed25519 (RFC 8032) from ``cryptography``. Where the private key lives (file, KMS, database) is not this module's
business: callers build the key and hand it in.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.domain.multibase import KeyFormatError, decode_multikey_public, encode_multikey_public

_RAW = serialization.Encoding.Raw


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _public(key: Ed25519PrivateKey | Ed25519PublicKey) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key
    raise KeyFormatError(f"Expected an Ed25519 key, got {type(key).__name__}.")


def public_key_multibase(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase`` ("z6Mk...") of a private or public Ed25519 key."""
    return encode_multikey_public(_public(key).public_bytes(_RAW, serialization.PublicFormat.Raw))


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    raw = decode_multikey_public(text)
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise KeyFormatError("The public key bytes are not an Ed25519 public key.") from exc


def verify_signature(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """True iff ``signature`` is a valid Ed25519 signature of ``data``; a bad signature is an answer, not an error."""
    try:
        public_key.verify(bytes(signature), bytes(data))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def multikey_document(vm_id: str, controller: str, public_multibase: str) -> dict:
    """A Multikey verification method (Controlled Identifiers 1.0, section 2.2.2)."""
    decode_multikey_public(public_multibase)  # refuse publishing something that is not an Ed25519 Multikey
    return {"id": vm_id, "type": "Multikey", "controller": controller, "publicKeyMultibase": public_multibase}


class Ed25519Signer:
    """An Ed25519 private key together with the verification method (DID URL) that names its public key.

    Immutable after construction: a proof's ``verificationMethod`` must always name the key that signed it.
    """

    __slots__ = ("_private_key", "_verification_method", "_public_multibase")

    def __init__(self, private_key: Ed25519PrivateKey, verification_method: str):
        if not isinstance(private_key, Ed25519PrivateKey):
            raise KeyFormatError(f"Ed25519Signer needs an Ed25519PrivateKey, got {type(private_key).__name__}.")
        if not isinstance(verification_method, str) or not verification_method:
            raise KeyFormatError("Ed25519Signer needs the verification method id (a DID URL) of its key.")
        object.__setattr__(self, "_private_key", private_key)
        object.__setattr__(self, "_verification_method", verification_method)
        object.__setattr__(self, "_public_multibase", public_key_multibase(private_key))

    def __setattr__(self, name, value):
        raise AttributeError("Ed25519Signer is immutable")

    @property
    def verification_method(self) -> str:
        return self._verification_method

    @property
    def public_key_multibase(self) -> str:
        return self._public_multibase

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._private_key.public_key()

    def sign(self, data: bytes) -> bytes:
        return self._private_key.sign(bytes(data))

    def __repr__(self) -> str:  # never print key material
        return f"Ed25519Signer(verification_method={self._verification_method!r})"
