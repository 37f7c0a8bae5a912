"""Ed25519Signature2020 verification. No published vector uses only pinned contexts, so the proof is built here
step by step from the suite's definition (RDFC of proof options and document, SHA-256 each, proof hash first),
independently of the verifier's code path."""

from __future__ import annotations

import copy
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain import ed25519_signature_2020 as suite
from app.domain.rdfc import canonicalize
from app.domain.keys import public_key_multibase
from app.domain.multibase import b58encode
from tests.apphelpers import verify_proof

SUITE_CTX = "https://w3id.org/security/suites/ed25519-2020/v1"
ISSUER = "did:example:issuer"
VM = ISSUER + "#key-1"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def key_doc(private_key, vm_type="Ed25519VerificationKey2020"):
    return {"@context": SUITE_CTX, "id": VM, "type": vm_type, "controller": ISSUER,
            "publicKeyMultibase": public_key_multibase(private_key)}


def sign_2020(doc: dict, loader, private_key=KEY) -> dict:
    proof = {"type": "Ed25519Signature2020", "created": "2022-01-01T00:00:00Z", "verificationMethod": VM,
             "proofPurpose": "assertionMethod"}
    c14n_proof = canonicalize({"@context": doc["@context"], **proof}, loader)
    c14n_doc = canonicalize(doc, loader)
    assert "Ed25519Signature2020" in c14n_proof  # the suite context defines the proof type
    data = hashlib.sha256(c14n_proof.encode()).digest() + hashlib.sha256(c14n_doc.encode()).digest()
    return {**doc, "proof": {**proof, "proofValue": "z" + b58encode(private_key.sign(data))}}


@pytest.fixture(scope="module")
def credential() -> dict:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1", "http://data.europa.eu/snb/model/context/edc-ap",
                     SUITE_CTX],
        "id": "urn:uuid:1f0b8f1e-3c5a-4d0e-9d3c-1f1f1f1f1f1f",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "issuanceDate": "2022-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "type": "Person", "givenName": {"en": "Ana"}},
    }


def verify(doc, loader, method):
    return verify_proof(doc, suite.SUITE, loader=loader,
                        resolve_verification_method=lambda vm: method if vm == VM else None)


def test_verifies(credential, loader):
    signed = sign_2020(credential, loader)
    result = verify(signed, loader, key_doc(KEY))
    assert (result.verified, result.code, result.verification_method) == (True, "ok", VM)
    assert verify(signed, loader, key_doc(KEY, "Multikey")).verified


def test_tampered_or_wrong_key_fails(credential, loader):
    signed = sign_2020(credential, loader)
    doc = copy.deepcopy(signed)
    doc["credentialSubject"]["givenName"]["en"] = "Anna"
    assert verify(doc, loader, key_doc(KEY)).code == "signature-invalid"
    doc = copy.deepcopy(signed)
    doc["proof"]["created"] = "2022-01-01T00:00:01Z"
    assert verify(doc, loader, key_doc(KEY)).code == "signature-invalid"
    assert verify(signed, loader, key_doc(OTHER)).code == "signature-invalid"
    assert verify(sign_2020(credential, loader, OTHER), loader, key_doc(KEY)).code == "signature-invalid"


def test_refusals(credential, loader):
    signed = sign_2020(credential, loader)
    no_ctx = {**copy.deepcopy(signed), "@context": signed["@context"][:2]}
    result = verify(no_ctx, loader, key_doc(KEY))
    assert (result.verified, result.code) == (False, "proof-malformed") and SUITE_CTX in result.message
    jwk = {"id": VM, "type": "JsonWebKey2020", "publicKeyJwk": {}}
    assert verify(signed, loader, jwk).code == "unsupported-verification-method"
    assert verify(signed, loader, None).code == "unknown-verification-method"
    di = copy.deepcopy(signed)
    di["proof"]["type"] = "DataIntegrityProof"
    assert verify(di, loader, key_doc(KEY)).code == "unsupported-cryptosuite"
