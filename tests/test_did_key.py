"""did:key (Ed25519) creation and resolution, and the Ed25519 key helpers behind it."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.did_key import DidKeyError, did_key_for, resolve_did_key
from app.domain.keys import (
    Ed25519Signer,
    generate_private_key,
    multikey_document,
    public_key_from_multibase,
    public_key_multibase,
    verify_signature,
)
from app.domain.multibase import KeyFormatError
from tests.apphelpers import (
    private_key_from_multibase,
    private_key_from_seed,
    private_key_multibase,
    verification_method_id,
)

SPEC_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
SPEC_KEY = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

# RFC 8032, section 7.1, TEST 1
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIG = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)

def test_spec_example_resolves():
    doc = resolve_did_key(SPEC_DID)
    vm_id = f"{SPEC_DID}#{SPEC_KEY}"
    assert doc == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": SPEC_DID,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": SPEC_DID, "publicKeyMultibase": SPEC_KEY}
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }
    assert verification_method_id(SPEC_DID) == vm_id
    assert resolve_did_key(vm_id) == {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": vm_id,
        "type": "Multikey",
        "controller": SPEC_DID,
        "publicKeyMultibase": SPEC_KEY,
    }


def test_round_trip_from_a_key():
    key = generate_private_key()
    mb = public_key_multibase(key)
    did = did_key_for(mb)
    assert did == "did:key:" + mb and mb.startswith("z6Mk")
    vm = resolve_did_key(verification_method_id(did))
    public = public_key_from_multibase(vm["publicKeyMultibase"])
    assert public.public_bytes_raw() == key.public_key().public_bytes_raw()


def test_rfc8032_key_and_signature():
    key = private_key_from_seed(RFC8032_SECRET)
    assert key.public_key().public_bytes_raw() == RFC8032_PUBLIC
    signer = Ed25519Signer(key, verification_method_id(did_key_for(public_key_multibase(key))))
    assert signer.sign(b"") == RFC8032_SIG
    public = public_key_from_multibase(signer.public_key_multibase)
    assert verify_signature(public, RFC8032_SIG, b"") is True
    assert verify_signature(public, RFC8032_SIG, b"x") is False
    assert verify_signature(public, RFC8032_SIG[:-1] + b"\0", b"") is False
    assert verify_signature(public, b"short", b"") is False
    assert private_key_from_multibase(private_key_multibase(key)).private_bytes_raw() == RFC8032_SECRET


def test_signer_is_immutable_and_quiet():
    signer = Ed25519Signer(private_key_from_seed(RFC8032_SECRET), "did:example:1#k")
    with pytest.raises(AttributeError):
        signer.verification_method = "did:example:2#k"
    assert RFC8032_SECRET.hex() not in repr(signer) and "did:example:1#k" in repr(signer)
    assert signer.public_key_multibase == public_key_multibase(signer.public_key)
    with pytest.raises(KeyFormatError):
        Ed25519Signer("not a key", "did:example:1#k")
    with pytest.raises(KeyFormatError):
        Ed25519Signer(Ed25519PrivateKey.generate(), "")
    with pytest.raises(KeyFormatError):
        private_key_from_seed(b"\1" * 31)


def test_multikey_document():
    assert multikey_document("did:web:x#k", "did:web:x", SPEC_KEY) == {
        "id": "did:web:x#k", "type": "Multikey", "controller": "did:web:x", "publicKeyMultibase": SPEC_KEY
    }
    with pytest.raises(KeyFormatError):
        multikey_document("did:web:x#k", "did:web:x", "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169")


@pytest.mark.parametrize(
    "did,slug",
    [
        ("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "unsupported-did-key"),  # P-256
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "unsupported-did-key"),  # secp256k1
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do", "unsupported-did-key"),  # truncated
        ("did:web:example.com", "invalid-did"),
        ("did:key:", "invalid-did"),
        ("did:key:1:" + SPEC_KEY, "invalid-did"),
        (f"{SPEC_DID}#wrong", "unknown-verification-method"),
    ],
)
def test_refusals(did, slug):
    with pytest.raises(DidKeyError) as info:
        resolve_did_key(did)
    assert info.value.slug == slug


def test_non_ed25519_message_is_clear():
    with pytest.raises(DidKeyError, match="not an Ed25519 key.*0x8024"):
        resolve_did_key("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169")
