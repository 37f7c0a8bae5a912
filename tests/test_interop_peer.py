"""Interoperability with an independent implementation: Digital Bazaar's libraries, via the vc-peer Node script.

Skipped when ``node`` or the installed peer (env MCRED_PEER_DIR, default .peer/vc-peer) is missing.
The peer applies VC checks beyond the proof, so the ELM sample is adapted the way a real issuance would:
issuer.id is the signing did:key (it must be the verification method's controller) and, the sample being a
VC 1.1 document, it gets the issuanceDate VC 1.1 requires (= its validFrom).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from app.domain import eddsa_rdfc_2022 as suite
from app.domain.did_key import did_key_for, resolve_did_key
from app.domain.keys import Ed25519Signer, generate_private_key, public_key_multibase
from tests.peer import requires_peer, run_peer
from tests.apphelpers import verification_method_id, verify_proof

pytestmark = requires_peer


@pytest.fixture(scope="module")
def signer() -> Ed25519Signer:
    key = generate_private_key()
    return Ed25519Signer(key, verification_method_id(did_key_for(public_key_multibase(key))))


@pytest.fixture(scope="module")
def signed_by_us(elm_sample, signer, loader) -> dict:
    doc = copy.deepcopy(elm_sample)
    doc["@context"] = [*doc["@context"], "https://w3id.org/security/data-integrity/v2"]
    doc["issuer"]["id"] = signer.verification_method.split("#")[0]
    doc["issuanceDate"] = doc["validFrom"]
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return suite.create_proof(doc, signer, loader=loader, created=created)


def test_peer_verifies_our_signature(signed_by_us, tmp_path):
    result = run_peer("verify", signed_by_us, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["verified"] is True


def test_peer_rejects_our_tampered_credential(signed_by_us, tmp_path):
    doc = copy.deepcopy(signed_by_us)
    doc["credentialSubject"]["givenName"] = {"en": "Mallory"}
    result = run_peer("verify", doc, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert out["verified"] is False and "signature" in out["error"].lower(), out


@pytest.fixture(scope="module")
def issued_by_peer(elm_sample, tmp_path_factory) -> dict:
    doc = copy.deepcopy(elm_sample)
    doc["issuanceDate"] = doc["validFrom"]
    result = run_peer("issue", doc, tmp_path_factory.mktemp("peer"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_we_verify_the_peers_signature(issued_by_peer, loader):
    proof = issued_by_peer["proof"]
    assert (proof["type"], proof["cryptosuite"]) == ("DataIntegrityProof", "eddsa-rdfc-2022")
    assert "https://w3id.org/security/data-integrity/v2" in issued_by_peer["@context"]  # the peer added it too
    result = verify_proof(issued_by_peer, suite.SUITE, loader=loader, resolve_verification_method=resolve_did_key,
                          now=datetime.now(timezone.utc))
    assert (result.verified, result.code) == (True, "ok"), result.message
    assert result.verification_method.startswith(issued_by_peer["issuer"]["id"] + "#z6Mk")


def test_we_reject_the_peers_tampered_credential(issued_by_peer, loader):
    doc = copy.deepcopy(issued_by_peer)
    doc["credentialSubject"]["dateOfBirth"] = "1990-10-01T22:00:00Z"
    result = verify_proof(doc, suite.SUITE, loader=loader, resolve_verification_method=resolve_did_key)
    assert (result.verified, result.code) == (False, "signature-invalid")
