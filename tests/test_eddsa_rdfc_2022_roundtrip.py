"""eddsa-rdfc-2022 sign/verify round trip on the ELM micro-credential sample, and every way verification fails."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from app.domain import eddsa_rdfc_2022 as suite
from app.domain.did_key import did_key_for, resolve_did_key
from app.domain.keys import Ed25519Signer
from app.domain.multibase import b58encode, b64url_encode, multibase_decode
from app.errors import InvalidInput, JsonLdRefused
from tests.apphelpers import private_key_from_seed, verification_method_id, verify_proof

CREATED = "2024-05-01T10:00:00Z"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
DI_V2 = "https://w3id.org/security/data-integrity/v2"


def did_key_signer(seed_byte: int) -> Ed25519Signer:
    key = private_key_from_seed(bytes([seed_byte]) * 32)
    probe = Ed25519Signer(key, "did:key:placeholder")
    return Ed25519Signer(key, verification_method_id(did_key_for(probe.public_key_multibase)))


@pytest.fixture(scope="module")
def signer() -> Ed25519Signer:
    return did_key_signer(1)


@pytest.fixture(scope="module")
def unsigned(elm_sample) -> dict:
    doc = copy.deepcopy(elm_sample)
    doc["@context"] = [*doc["@context"], DI_V2]
    return doc


@pytest.fixture(scope="module")
def signed(unsigned, signer, loader) -> dict:
    return suite.create_proof(unsigned, signer, loader=loader, created=CREATED)


def verify(doc, loader, resolver=resolve_did_key, **kw):
    return verify_proof(doc, suite.SUITE, loader=loader, resolve_verification_method=resolver, **kw)


def test_signed_elm_sample_verifies(signed, signer, loader):
    result = verify(signed, loader, now=NOW)
    assert (result.verified, result.code) == (True, "ok"), result.message
    assert result.verification_method == signer.verification_method
    assert result.proof == signed["proof"]
    proof = signed["proof"]
    assert list(proof) == ["type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"]
    assert (proof["type"], proof["cryptosuite"], proof["created"]) == ("DataIntegrityProof", "eddsa-rdfc-2022", CREATED)
    assert len(multibase_decode(proof["proofValue"], allowed="z")) == 64


def test_suite_context_is_appended_when_missing(elm_sample, unsigned, signed, signer, loader):
    assert DI_V2 not in elm_sample["@context"]
    auto = suite.create_proof(elm_sample, signer, loader=loader, created=CREATED)
    assert auto["@context"] == [*elm_sample["@context"], DI_V2]
    assert DI_V2 not in elm_sample["@context"], "the input must not be modified"
    assert auto == signed  # same bytes signed as when the caller adds the context itself
    vc2 = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
           "issuer": "did:example:1", "credentialSubject": {"id": "did:example:2"}}
    assert suite.with_suite_context(vc2)["@context"] == ["https://www.w3.org/ns/credentials/v2"]


def _change_nested_value(doc):
    doc["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"]["groupMemberOf"]["prefLabel"]["en"] = "Other"


def _add_triple(doc):
    doc["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"]["groupMemberOf"]["prefLabel"]["fr"] = "Autre"


def _add_triple_top_level(doc):
    doc["expirationDate"] = "2030-01-01T00:00:00Z"


def _change_created(doc):
    doc["proof"]["created"] = "2024-05-01T10:00:01Z"


def _remove_field(doc):
    del doc["credentialSubject"]["dateOfBirth"]


@pytest.mark.parametrize(
    "tamper", [_change_nested_value, _add_triple, _add_triple_top_level, _change_created, _remove_field]
)
def test_tampering_breaks_the_signature(signed, loader, tamper):
    doc = copy.deepcopy(signed)
    tamper(doc)
    assert doc != signed
    result = verify(doc, loader, now=NOW)
    assert (result.verified, result.code) == (False, "signature-invalid")


def test_wrong_key_fails(signed, loader):
    other = did_key_signer(2)
    # the resolver hands back a different key under the proof's verification method id
    wrong = dict(resolve_did_key(other.verification_method), id=signed["proof"]["verificationMethod"])
    result = verify(signed, loader, resolver=lambda vm: wrong)
    assert (result.verified, result.code) == (False, "signature-invalid")
    # and a proof re-pointed to another did:key does not verify either
    doc = copy.deepcopy(signed)
    doc["proof"]["verificationMethod"] = other.verification_method
    result = verify(doc, loader)
    assert (result.verified, result.code) == (False, "signature-invalid")
    assert result.verification_method == other.verification_method


def test_signature_by_other_key_fails(unsigned, signer, loader):
    impostor = did_key_signer(3)
    forged = Ed25519Signer(impostor._private_key, signer.verification_method)  # claims our key's id
    doc = suite.create_proof(unsigned, forged, loader=loader, created=CREATED)
    assert verify(doc, loader).code == "signature-invalid"


def test_unknown_verification_method(signed, loader):
    assert verify(signed, loader, resolver=lambda vm: None).code == "unknown-verification-method"
    doc = copy.deepcopy(signed)
    vm = doc["proof"]["verificationMethod"]
    doc["proof"]["verificationMethod"] = vm.split("#")[0] + "#other"
    result = verify(doc, loader)
    assert (result.verified, result.code) == (False, "unknown-verification-method")


def test_unsupported_verification_method(signed, loader):
    jwk = {"id": signed["proof"]["verificationMethod"], "type": "JsonWebKey", "publicKeyJwk": {"kty": "OKP"}}
    assert verify(signed, loader, resolver=lambda vm: jwk).code == "unsupported-verification-method"
    p256 = dict(resolve_did_key(signed["proof"]["verificationMethod"]),
                publicKeyMultibase="zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169")
    assert verify(signed, loader, resolver=lambda vm: p256).code == "unsupported-verification-method"


def test_created_in_the_future_fails_only_beyond_clock_skew(unsigned, signer, loader):
    created = datetime(2024, 5, 1, 12, 4, tzinfo=timezone.utc)
    doc = suite.create_proof(unsigned, signer, loader=loader, created=created.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert verify(doc, loader, now=NOW).verified  # 4 minutes ahead: within skew
    late = verify(doc, loader, now=NOW - timedelta(minutes=2))
    assert (late.verified, late.code) == (False, "proof-created-in-future")
    assert verify(doc, loader).verified  # no clock given: no time check


def test_expired_proof(unsigned, signer, loader):
    doc = suite.create_proof(unsigned, signer, loader=loader, created=CREATED,
                             extra_options={"expires": "2024-05-02T00:00:00Z"})
    assert doc["proof"]["expires"] == "2024-05-02T00:00:00Z"
    assert verify(doc, loader, now=NOW).verified
    assert verify(doc, loader, now=NOW + timedelta(days=2)).code == "proof-expired"


@pytest.mark.parametrize("created", ["2024-05-01", "2024-05-01T10:00:00", "yesterday", "2024-02-30T00:00:00Z", 17])
def test_invalid_created(signed, unsigned, signer, loader, created):
    doc = copy.deepcopy(signed)
    doc["proof"]["created"] = created
    assert verify(doc, loader).code == "proof-malformed"
    with pytest.raises(InvalidInput):
        suite.create_proof(unsigned, signer, loader=loader, created=created)


def test_proof_structure_failures(signed, loader):
    def check(mutate, code):
        doc = copy.deepcopy(signed)
        mutate(doc)
        result = verify(doc, loader)
        assert (result.verified, result.code) == (False, code), result.message

    check(lambda d: d.pop("proof"), "proof-missing")
    check(lambda d: d.update(proof=[d["proof"], d["proof"]]), "proof-malformed")  # a set: see verify_all
    check(lambda d: d["proof"].update(cryptosuite="ecdsa-rdfc-2019"), "unsupported-cryptosuite")
    check(lambda d: d["proof"].update(type="Ed25519Signature2020"), "unsupported-cryptosuite")
    check(lambda d: d["proof"].pop("proofValue"), "proof-malformed")
    check(lambda d: d["proof"].update(proofValue="u" + b64url_encode(multibase_decode(d["proof"]["proofValue"]))),
          "proof-malformed")
    check(lambda d: d["proof"].update(proofValue="z" + b58encode(b"\1" * 63)), "proof-malformed")
    check(lambda d: d["proof"].update(proofValue="z0OIl"), "proof-malformed")
    check(lambda d: d["proof"].pop("verificationMethod"), "proof-malformed")
    check(lambda d: d["proof"].update(proofPurpose="authentication"), "proof-purpose-mismatch")
    check(lambda d: d["proof"].update(undefinedOption="x"), "proof-malformed")
    check(lambda d: d["proof"].update({"@context": ["https://www.w3.org/ns/credentials/v2"]}), "proof-context-mismatch")
    # a single proof in a one-element array is still that proof
    doc = copy.deepcopy(signed)
    doc["proof"] = [doc["proof"]]
    assert verify(doc, loader).verified


def test_other_proof_purpose_when_asked_for(unsigned, signer, loader):
    doc = suite.create_proof(unsigned, signer, loader=loader, created=CREATED, proof_purpose="authentication")
    assert verify(doc, loader).code == "proof-purpose-mismatch"
    assert verify(doc, loader, expected_proof_purpose="authentication").verified
    assert verify(doc, loader, expected_proof_purpose=None).verified


def test_document_that_cannot_be_processed_raises(signed, loader):
    doc = copy.deepcopy(signed)
    doc["credentialSubject"]["notInAnyContext"] = "smuggled"
    with pytest.raises(JsonLdRefused):
        verify(doc, loader)
    with pytest.raises(InvalidInput):
        verify(["not", "an", "object"], loader)


def test_create_proof_refusals(signed, unsigned, signer, loader):
    with pytest.raises(InvalidInput, match="already has a proof"):
        suite.create_proof(signed, signer, loader=loader, created=CREATED)
    with pytest.raises(InvalidInput, match="cryptosuite"):
        suite.create_proof(unsigned, signer, loader=loader, created=CREATED, extra_options={"cryptosuite": "x"})
    with pytest.raises(JsonLdRefused):
        suite.create_proof({**unsigned, "undefinedTerm": 1}, signer, loader=loader, created=CREATED)
