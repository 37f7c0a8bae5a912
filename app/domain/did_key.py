"""The did:key method (W3C CCG "The did:key Method v0.7"), Ed25519 keys only.

A did:key DID is its own public key: ``did:key:`` + the Multikey ``publicKeyMultibase`` ("z6Mk..."). Resolution
(section 3.1.2 "Document Creation Algorithm", with the Multikey representation) is a pure function of the
identifier, so no network is involved. The one verification method's fragment is the multibase value itself,
and it is listed under every verification relationship. Other key types (P-256 "zDn...", secp256k1, X25519)
are refused: this service signs and verifies only Ed25519.
"""

from __future__ import annotations

from app.domain.keys import multikey_document
from app.domain.multibase import (
    ED25519_PUB_HEADER,
    KeyFormatError,
    decode_multikey_public,
    multibase_decode,
)
from app.errors import InvalidInput, McredError

PREFIX = "did:key:"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
_RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityDelegation", "capabilityInvocation")


class DidKeyError(InvalidInput):
    """A did:key DID or DID URL that cannot be resolved (malformed, not Ed25519, unknown fragment)."""

    slug = "invalid-did"
    title = "Invalid did:key"


def did_key_for(public_multibase: str) -> str:
    """The did:key DID of an Ed25519 Multikey public key ("z6Mk..." -> "did:key:z6Mk...")."""
    decode_multikey_public(public_multibase)
    return PREFIX + public_multibase


def _key_of(did: str) -> str:
    """The multibase key of a did:key DID (no fragment), after checking it is an Ed25519 key."""
    if not isinstance(did, str) or not did.startswith(PREFIX):
        raise DidKeyError(f"{did!r} is not a did:key DID.")
    key = did[len(PREFIX):]
    if not key or any(c in key for c in ":/?#"):
        # "did:key:<version>:<key>" and paths or queries are not defined for Ed25519 keys we issue or accept.
        raise DidKeyError(f"{did!r} is not a plain did:key DID ('did:key:z6Mk...').")
    try:
        decode_multikey_public(key)
    except KeyFormatError as exc:
        raise DidKeyError(_why_not_ed25519(key, exc), slug="unsupported-did-key") from exc
    return key


def _why_not_ed25519(key: str, exc: McredError) -> str:
    try:
        header = multibase_decode(key, allowed="z")[:2]
    except McredError:
        return f"did:key:{key} is not a base58btc multibase key: {exc.detail}"
    if header != ED25519_PUB_HEADER:
        return f"did:key:{key} is not an Ed25519 key (multicodec header 0x{header.hex()}); only Ed25519 is supported."
    return f"did:key:{key} is not a valid Ed25519 key: {exc.detail}"


def did_document(did: str) -> dict:
    key = _key_of(did)
    vm_id = f"{did}#{key}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [multikey_document(vm_id, did, key)],
        **{rel: [vm_id] for rel in _RELATIONSHIPS},
    }


def resolve_did_key(did_url: str) -> dict:
    """Resolve a did:key DID to its DID document, or a DID URL with fragment to its verification method.

    A verification method is returned as a standalone JSON-LD document (with the Multikey @context), the way
    Data Integrity verifiers dereference ``proof.verificationMethod``.
    """
    if not isinstance(did_url, str):
        raise DidKeyError("A DID URL must be a string.")
    did, sep, fragment = did_url.partition("#")
    if not sep:
        return did_document(did)
    key = _key_of(did)
    if fragment != key:
        raise DidKeyError(
            f"{did_url!r} names no verification method: a did:key has only '#{key}'.", slug="unknown-verification-method"
        )
    return {"@context": MULTIKEY_CONTEXT, **multikey_document(did_url, did, key)}
