"""eddsa-rdfc-2022 against the test vectors of "Data Integrity EdDSA Cryptosuites v1.0" (appendix A.1).

The vectors are read from ../shared at test time. The "employ" vector's document uses the context
https://w3id.org/citizenship/v4rc1, which is not pinned, so that vector is checked from its canonical forms on.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from app.domain import eddsa_rdfc_2022 as suite
from app.domain.did_key import did_key_for, resolve_did_key
from app.domain.keys import Ed25519Signer, public_key_multibase
from app.domain.multibase import b58encode
from app.errors import JsonLdRefused
from tests.apphelpers import private_key_from_multibase, verification_method_id, verify_proof

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

VECTORS = SHARED / "test-vectors"
ALUMNI = VECTORS / "eddsa-rdfc-2022"
EMPLOY = ALUMNI / "employ"
CREATED = "2023-02-24T23:36:38Z"


def text(path) -> str:
    return path.read_text(encoding="utf-8")


def as_json(path):
    return json.loads(text(path))


@pytest.fixture(scope="module")
def signer() -> Ed25519Signer:
    pair = as_json(VECTORS / "keyPair.json")
    key = private_key_from_multibase(pair["privateKeyMultibase"])
    assert public_key_multibase(key) == pair["publicKeyMultibase"]
    return Ed25519Signer(key, verification_method_id(did_key_for(pair["publicKeyMultibase"])))


@pytest.fixture(scope="module")
def unsigned() -> dict:
    return as_json(VECTORS / "unsigned.json")


def test_signer_names_the_vector_verification_method(signer):
    expected = as_json(ALUMNI / "proofConfigDataInt.json")["verificationMethod"]
    assert signer.verification_method == expected


def test_transformation_is_the_canonical_document(unsigned, loader):
    canonical = suite.transform(unsigned, loader=loader)
    assert canonical == text(ALUMNI / "canonDocDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == text(ALUMNI / "docHashDataInt.txt").strip()


def test_proof_configuration_json_and_canonical_form(unsigned, signer, loader):
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": CREATED,
        "verificationMethod": signer.verification_method,
        "proofPurpose": "assertionMethod",
    }
    config = suite.proof_config(options, unsigned)
    assert json.dumps(config, indent=2) == text(ALUMNI / "proofConfigDataInt.json")
    canonical = suite.canonical_proof_config(config, loader=loader)
    assert canonical == text(ALUMNI / "proofCanonDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == text(ALUMNI / "proofHashDataInt.txt").strip()


def test_hash_data_puts_the_proof_hash_first():
    combined = suite.hash_data(text(ALUMNI / "canonDocDataInt.txt"), text(ALUMNI / "proofCanonDataInt.txt"))
    assert combined.hex() == text(ALUMNI / "combinedHashDataInt.txt").strip()
    assert combined[:32].hex() == text(ALUMNI / "proofHashDataInt.txt").strip()


def test_signature_matches_hex_and_base58(signer):
    combined = suite.hash_data(text(ALUMNI / "canonDocDataInt.txt"), text(ALUMNI / "proofCanonDataInt.txt"))
    signature = suite.serialize_proof(combined, signer)
    assert signature.hex() == text(ALUMNI / "sigHexDataInt.txt").strip()
    assert "z" + b58encode(signature) == text(ALUMNI / "sigBTC58DataInt.txt").strip()


def test_create_proof_reproduces_signed_document_byte_for_byte(unsigned, signer, loader):
    before = json.dumps(unsigned)
    signed = suite.create_proof(unsigned, signer, loader=loader, created=CREATED)
    assert json.dumps(signed, indent=2) == text(ALUMNI / "signedDataInt.json")
    assert signed["proof"]["proofValue"] == text(ALUMNI / "sigBTC58DataInt.txt").strip()
    assert json.dumps(unsigned) == before, "create_proof must not modify its input"


def test_vector_signed_document_verifies(loader):
    result = verify_proof(as_json(ALUMNI / "signedDataInt.json"), suite.SUITE, loader=loader,
                          resolve_verification_method=resolve_did_key)
    assert (result.verified, result.code) == (True, "ok")
    assert result.verification_method == as_json(ALUMNI / "proofConfigDataInt.json")["verificationMethod"]


def test_employ_vector_context_is_not_pinned(loader):
    # If this starts failing, the citizenship context got pinned: extend the employ tests to create_proof.
    with pytest.raises(JsonLdRefused) as info:
        suite.transform(as_json(VECTORS / "employmentAuth.json"), loader=loader)
    assert "https://w3id.org/citizenship/v4rc1" in info.value.detail


def test_employ_vector_from_canonical_forms(signer):
    canon_doc, canon_proof = text(EMPLOY / "canonDocDataInt.txt"), text(EMPLOY / "proofCanonDataInt.txt")
    assert hashlib.sha256(canon_doc.encode()).hexdigest() == text(EMPLOY / "docHashDataInt.txt").strip()
    combined = suite.hash_data(canon_doc, canon_proof)
    assert combined.hex() == text(EMPLOY / "combinedHashDataInt.txt").strip()
    signature = suite.serialize_proof(combined, signer)
    assert signature.hex() == text(EMPLOY / "sigHexDataInt.txt").strip()
    proof_value = "z" + b58encode(signature)
    assert proof_value == text(EMPLOY / "sigBTC58DataInt.txt").strip()

    config = suite.proof_config(
        {k: v for k, v in as_json(EMPLOY / "proofConfigDataInt.json").items() if k != "@context"},
        as_json(VECTORS / "employmentAuth.json"),
    )
    assert json.dumps(config, indent=2) == text(EMPLOY / "proofConfigDataInt.json")
    signed = {**as_json(VECTORS / "employmentAuth.json"),
              "proof": {**{k: v for k, v in config.items() if k != "@context"}, "proofValue": proof_value}}
    assert json.dumps(signed, indent=2) == text(EMPLOY / "signedDataInt.json")
