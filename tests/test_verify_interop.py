"""POST /credentials/verify accepts credentials issued by an independent implementation (Digital Bazaar's
``@digitalbazaar/vc`` with eddsa-rdfc-2022 and a did:key, through the vc-peer Node script) and refuses tampered
ones, each with the right check failing. Skipped without node or the installed peer."""

from __future__ import annotations

import copy
import json

import pytest

from tests.apphelpers import make_client
from tests.peer import requires_peer, run_peer

pytestmark = requires_peer


@pytest.fixture(scope="module")
def client(database_url, tmp_path_factory):
    with make_client(database_url, tmp_path_factory.mktemp("keys")) as c:
        yield c


def peer_issue(doc: dict, tmp_path, *extra) -> dict:
    done = run_peer("issue", doc, tmp_path, *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


QUALITY_ASSURANCE = {"id": "urn:epass:accreditation:1", "type": "Accreditation",
                     "title": {"en": "Accredited higher education institution"},
                     "accreditingAgent": {"id": "urn:epass:org:1", "type": "Organisation"}}


@pytest.fixture(scope="module")
def peer_sample(elm_sample, tmp_path_factory) -> dict:
    """The EU's own Annex I sample as the peer signs it: it carries no type of quality assurance."""
    doc = copy.deepcopy(elm_sample)
    doc["issuanceDate"] = doc["validFrom"]  # VC 1.1 requires it; the EU sample has only validFrom
    return peer_issue(doc, tmp_path_factory.mktemp("peer"))


@pytest.fixture(scope="module")
def peer_elm(elm_sample, tmp_path_factory) -> dict:
    """The EU sample completed with the one Annex I element it lacks (quality assurance, as an accreditation)."""
    doc = copy.deepcopy(elm_sample)
    doc["issuanceDate"] = doc["validFrom"]
    doc["credentialSubject"]["hasClaim"]["specifiedBy"]["accreditation"] = QUALITY_ASSURANCE
    return peer_issue(doc, tmp_path_factory.mktemp("peer"))


def test_peer_signed_eu_sample_verifies_and_says_it_lacks_quality_assurance(client, peer_sample):
    r = verify(client, peer_sample)
    assert r.status_code == 200, r.text
    # genuine and current; signed by the peer's did:key, which this service does not recognise
    assert r.json()["verified"] is True and r.json()["verdict"] == "unrecognised-issuer"
    result = outcomes(r)
    assert result["proof"] == ("ok", "proof-valid") and result["issuer"] == ("ok", "issuer-key-valid")
    assert result["format"] == ("ok", "well-formed")
    missing = next(w for w in r.json()["warnings"] if w["code"] == "elm-elements-missing")
    assert missing["missing"] == ["qualityAssurance"]


@pytest.fixture(scope="module")
def peer_vc2(tmp_path_factory) -> dict:
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
           "id": "urn:uuid:3b0a4e38-21d5-4c6c-9d52-6e0f4bb3e0a1", "type": ["VerifiableCredential", "ExampleCredential"],
           "issuer": "did:example:replaced-by-the-peer", "validFrom": "2024-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:learner", "name": "Līga Kalniņa"}}
    return peer_issue(doc, tmp_path_factory.mktemp("peer"), "2099-01-01T00:00:00Z")


def verify(client, credential):
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def outcomes(response) -> dict:
    return {c["check"]: (c["outcome"], c["code"]) for c in response.json()["checks"]}


def test_peer_elm_credential_verifies(client, peer_elm):
    assert peer_elm["issuer"]["id"].startswith("did:key:z6Mk")
    r = verify(client, peer_elm)
    assert r.status_code == 200, r.text
    assert outcomes(r) == {"proof": ("ok", "proof-valid"), "issuer": ("ok", "issuer-key-valid"),
                           "format": ("ok", "well-formed"), "validity": ("ok", "no-expiry"),
                           "status": ("ok", "no-status")}


def test_peer_vc2_credential_verifies(client, peer_vc2):
    assert peer_vc2["proof"]["cryptosuite"] == "eddsa-rdfc-2022" and peer_vc2["validUntil"] == "2099-01-01T00:00:00Z"
    r = verify(client, peer_vc2)
    assert r.status_code == 200, r.text
    assert outcomes(r)["validity"] == ("ok", "valid-period")


@pytest.mark.parametrize("tamper,check,code", [
    (lambda d: d["credentialSubject"].__setitem__("dateOfBirth", "1990-10-01T22:00:00Z"), "proof", "signature-invalid"),
    (lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00Z"), "proof", "signature-invalid"),
    (lambda d: d["proof"].__setitem__("proofValue", d["proof"]["proofValue"][:-2] + "11"), "proof", "signature-invalid"),
    (lambda d: d["proof"].__setitem__("proofPurpose", "authentication"), "proof", "proof-purpose-mismatch"),
    (lambda d: d["credentialSubject"].__setitem__("nickname", "x"), "format", "undefined-terms"),
    (lambda d: d["issuer"].__setitem__("id", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
     "issuer", "key-not-issuers"),
])
def test_tampered_peer_credential_fails_the_right_check(client, peer_elm, tamper, check, code):
    doc = copy.deepcopy(peer_elm)
    tamper(doc)
    r = verify(client, doc)
    assert r.status_code == 400, r.text
    assert r.json()["verified"] is False
    assert outcomes(r)[check] == ("failed", code)


def test_expired_peer_credential_is_expired_not_forged(client, tmp_path):
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
           "issuer": "did:example:replaced", "validFrom": "2020-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:learner"}}
    signed = peer_issue(doc, tmp_path, "2021-01-01T00:00:00Z")
    r = verify(client, signed)
    assert r.status_code == 400 and r.json()["type"].endswith("/credential-expired")
    assert outcomes(r)["validity"] == ("failed", "expired") and outcomes(r)["proof"] == ("ok", "proof-valid")
