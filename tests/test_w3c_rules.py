"""What the W3C and W3C-CCG conformance suites expect of an issuer and a verifier (VC Data Model 2.0, VC Data
Integrity 1.0 / vc-di-eddsa, VC API), rule by rule: presentations, proof sets and chains, objects that must be
typed, related resources, subjects, issuers, caller-supplied status entries, and issuers that are not DIDs."""

from __future__ import annotations

import copy
import json

import pytest

from app.domain import eddsa_rdfc_2022
from tests.apphelpers import (
    DID_A,
    DID_B,
    KEY_A,
    NOW,
    SIGNER_A,
    SIGNER_B,
    add_proof,
    did_of,
    issue,
    new_tenant,
    sign,
    verification_method_id,
)
from tests.peer import requires_peer, run_peer

VC2 = "https://www.w3.org/ns/credentials/v2"
ED2020 = "https://w3id.org/security/suites/ed25519-2020/v1"


def vc2(issuer=DID_A, **extra) -> dict:
    return {"@context": [VC2], "id": "urn:uuid:7a0c7e1e-1b5e-4b1e-9a4e-0000000000aa", "type": ["VerifiableCredential"],
            "issuer": issuer, "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner", "name": "Līga"}, **extra}


def verify(client, credential):
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def outcomes(response) -> dict:
    return {c["check"]: (c["outcome"], c["code"]) for c in response.json()["checks"]}


# --- presentations ------------------------------------------------------------------------------------------------


def presentation(holder=DID_B, credentials=(), **extra) -> dict:
    return {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder,
            "verifiableCredential": list(credentials), **extra}


def sign_presentation(vp, signer, loader, challenge="c-123", domain="verifier.example"):
    extra = {k: v for k, v in (("challenge", challenge), ("domain", domain)) if v is not None}
    return eddsa_rdfc_2022.create_proof(vp, signer, loader=loader, created=NOW, proof_purpose="authentication",
                                        extra_options=extra)


def verify_vp(client, vp, **options):
    return client.post("/presentations/verify", json={"verifiablePresentation": vp, "options": options})


def test_a_presentation_and_its_credentials_verify(client, loader):
    vp = sign_presentation(presentation(credentials=[sign(vc2(), SIGNER_A, loader)]), SIGNER_B, loader)
    r = verify_vp(client, vp, challenge="c-123", domain="verifier.example")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verified"] is True and body["holder"] == DID_B
    assert {c["check"]: c["code"] for c in body["checks"]} == {"proof": "proof-valid", "holder": "holder-key-valid",
                                                              "format": "well-formed"}
    assert len(body["credentialResults"]) == 1 and body["credentialResults"][0]["verified"] is True


@pytest.mark.parametrize("options,code", [({"challenge": "other"}, "proof-challenge-mismatch"),
                                          ({"domain": "elsewhere.example"}, "proof-domain-mismatch")])
def test_challenge_and_domain_must_be_the_signed_ones(client, loader, options, code):
    vp = sign_presentation(presentation(), SIGNER_B, loader)
    r = verify_vp(client, vp, **options)
    assert r.status_code == 400 and r.json()["verified"] is False
    assert outcomes(r)["proof"] == ("failed", code)


def test_a_presentation_proof_for_assertion_is_not_authentication(client, loader):
    vp = sign(presentation(), SIGNER_B, loader)  # proofPurpose assertionMethod
    assert outcomes(verify_vp(client, vp))["proof"] == ("failed", "proof-purpose-mismatch")


def test_a_presentation_signed_by_someone_else_than_its_holder(client, loader):
    vp = sign_presentation(presentation(holder=DID_B), SIGNER_A, loader)
    r = verify_vp(client, vp, challenge="c-123", domain="verifier.example")
    assert r.json()["verified"] is False and outcomes(r)["holder"][0] == "failed"


def test_a_tampered_credential_inside_a_valid_presentation_fails(client, loader):
    credential = sign(vc2(), SIGNER_A, loader)
    credential["credentialSubject"]["name"] = "Someone else"
    vp = sign_presentation(presentation(credentials=[credential]), SIGNER_B, loader)
    r = verify_vp(client, vp, challenge="c-123", domain="verifier.example")
    assert r.status_code == 400
    body = r.json()
    assert body["verified"] is False and body["verdict"] == "invalid"
    assert outcomes(r)["proof"] == ("ok", "proof-valid")  # the presentation itself is fine
    assert {"field": "verifiableCredential[0].proof", "code": "signature-invalid"}.items() <= body["errors"][0].items()


def test_a_credential_hidden_from_the_json_reader_is_refused(client, loader):
    """The presentation signs a credential under the full IRI of verifiableCredential: a reader of the JSON key
    would see none and verify nothing; the presentation is refused instead."""
    vp = presentation()
    vp["https://www.w3.org/2018/credentials#verifiableCredential"] = {"@graph": sign(vc2(), SIGNER_A, loader)}
    r = verify_vp(client, sign_presentation(vp, SIGNER_B, loader), challenge="c-123", domain="verifier.example")
    assert r.json()["verified"] is False and outcomes(r)["format"] == ("failed", "not-a-presentation")


# --- proof sets and proof chains ----------------------------------------------------------------------------------


def test_a_proof_set_verifies_when_every_proof_does(client, loader):
    signed = add_proof(vc2(), SIGNER_A, loader=loader, created=NOW, proof_id="urn:proof:1")
    signed = add_proof(signed, SIGNER_B, loader=loader, created=NOW, proof_id="urn:proof:2")
    assert len(signed["proof"]) == 2
    r = verify(client, signed)
    assert r.status_code == 200, r.text
    proof = next(c for c in r.json()["checks"] if c["check"] == "proof")
    assert proof["proofs"] == 2
    signed["proof"][1]["proofValue"] = signed["proof"][0]["proofValue"]  # one proof of the set broken
    assert outcomes(verify(client, signed))["proof"] == ("failed", "signature-invalid")


def test_a_proof_chain_verifies_over_the_proofs_it_names(client, loader):
    signed = add_proof(vc2(), SIGNER_A, loader=loader, created=NOW, proof_id="urn:proof:1")
    chained = add_proof(signed, SIGNER_B, loader=loader, created=NOW, proof_id="urn:proof:2",
                                        previous_proof="urn:proof:1")
    assert verify(client, chained).status_code == 200
    # the second proof signed the first: changing the first breaks the chain's link too
    broken = copy.deepcopy(chained)
    broken["proof"][0]["created"] = "2024-01-01T00:00:00Z"
    assert outcomes(verify(client, broken))["proof"] == ("failed", "signature-invalid")
    missing = copy.deepcopy(chained)
    missing["proof"] = [missing["proof"][1]]
    assert outcomes(verify(client, missing))["proof"] == ("failed", "previous-proof-missing")


# --- the data model's rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,value", [
    ("termsOfUse", {"id": "urn:tou:1"}), ("evidence", {"id": "urn:evidence:1"}),
    ("refreshService", {"id": "https://refresh.example/1"}), ("credentialSchema", {"id": "https://schema.example/1"}),
    ("credentialStatus", {"id": "https://status.example/1#3"}),
])
def test_objects_that_must_be_typed_are_refused_without_a_type(client, loader, name, value):
    r = verify(client, sign(vc2(**{name: value}), SIGNER_A, loader))
    assert outcomes(r)["format"] == ("failed", "not-a-credential"), r.text
    assert f"every {name} must have a type" in next(c for c in r.json()["checks"] if c["check"] == "format")["detail"]


@pytest.mark.parametrize("related,ok", [
    ([{"id": "https://a.example/x", "digestSRI": "sha384-abc"}], True),
    ([{"id": "https://a.example/x"}], False),
    ([{"id": "https://a.example/x", "digestMultibase": "uEiA"}, {"id": "https://a.example/x", "digestSRI": "s"}],
     False),
])
def test_related_resources_need_an_id_each_and_a_digest(client, loader, related, ok):
    r = verify(client, sign(vc2(relatedResource=related), SIGNER_A, loader))
    assert (outcomes(r)["format"][0] == "ok") is ok, r.text


def test_an_empty_credential_subject_is_refused(client, loader):
    r = verify(client, sign(vc2(credentialSubject=[{"id": "did:example:1", "name": "x"}, {}]), SIGNER_A, loader))
    assert outcomes(r)["format"] == ("failed", "not-a-credential")


@pytest.mark.parametrize("change", [{"issuer": None}, {"credentialSubject": {"id": ["did:a", "did:b"]}},
                                   {"id": "https ://not-a-url"}, {"credentialSubject": [{"id": "did:x", "name": "a"}, {}]},
                                   {"evidence": {"id": "urn:e:1"}}])
def test_the_issuer_refuses_what_the_data_model_forbids(client, change):
    slug, key = new_tenant(client)
    credential = {**vc2(did_of(client, slug)), **change}
    if change.get("issuer", "") is None:
        credential.pop("issuer")
    r = issue(client, key, credential=credential)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_an_https_issuer_that_no_key_can_be_bound_to_is_reported_not_refused(client, loader):
    """The VC API verifier suite's own positive case: issuer an https URL, Ed25519Signature2020 by a did:key."""
    from tests.test_verify_api import sign_2020

    doc = {"@context": ["https://www.w3.org/2018/credentials/v1", ED2020], "id": "urn:uuid:aa0e0f9e-0000-4000-8000-1",
           "type": ["VerifiableCredential"], "issuer": "https://example.edu/issuers/565049",
           "issuanceDate": "2024-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:learner"}}
    r = verify(client, sign_2020(doc, loader, key=KEY_A, did=DID_A))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verified"] is True and body["verdict"] == "unrecognised-issuer"
    assert outcomes(r)["issuer"] == ("ok", "issuer-unbound")
    assert body["issuer"] == {"id": "https://example.edu/issuers/565049", "recognised": False}
    assert verification_method_id(DID_A) == next(c for c in body["checks"] if c["check"] == "proof")[
        "verificationMethod"]


# --- issue 20: what the conformance suites send an issuer --------------------------------------------------------
# Each test below is the W3C suite's own test, written against POST /credentials/issue (the suites' issuer
# endpoint, VC API "Issue Credential"); the suites send the fixture with `issuer` set to the issuer under test.

STATUS_TYPE_CONTEXT = {"CredentialStatusList2017": "https://example.org/examples#CredentialStatusList2017"}


def suite_credential(issuer: str, context: tuple = (), **extra) -> dict:
    """A vc-data-model-2.0-test-suite fixture: the v2 context (and the fixture's inline context), one type, a
    subject named by its id, and the issuer the suite is testing."""
    return {"@context": [VC2, *context], "type": ["VerifiableCredential"], "issuer": issuer,
            "credentialSubject": {"id": "did:example:subject"}, **extra}


def refused(response, field: str | None = None) -> bool:
    body = response.json()
    ok = response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    return ok and (field is None or any(e.get("field") == field for e in body.get("errors") or []))


@pytest.mark.parametrize("status", [{"id": "did:example:status", "type": "CredentialStatusList2017"},
                                    {"type": "CredentialStatusList2017"}],
                         ids=["credential-status-ok", "credential-status-missing-id-ok"])
def test_a_status_entry_of_another_type_is_signed_with_a_warning(client, fresh_tenant, loader, status):
    """VCDM 2.0 §4.10 Status (vc-data-model-2.0-test-suite 4.10, its four tests: "The type property is
    REQUIRED", "The related normative guidance in Section 4.5 Types MUST be followed", "If present
    (credentialStatus.id), the normative guidance in Section 4.4 Identifiers MUST be followed" and "(If a
    credentialStatus property is present), The type property is REQUIRED..." all issue credential-status-ok or
    credential-status-missing-id-ok): an issuer may carry a status entry of a type it does not itself check; it is
    signed as given, with a warning that this service cannot check it."""
    slug, key = fresh_tenant
    did = did_of(client, slug)
    r = issue(client, key, credential=suite_credential(did, (STATUS_TYPE_CONTEXT,), credentialStatus=status))
    assert r.status_code == 201, r.text
    body = r.json()
    assert [w["code"] for w in body["warnings"]] == ["unchecked-status-type"]
    entries = body["verifiableCredential"]["credentialStatus"]
    assert status in entries and len(entries) == 2  # the given entry, signed as given, beside the service's own
    checked = verify(client, body["verifiableCredential"])
    assert outcomes(checked)["proof"] == ("ok", "proof-valid"), checked.text
    # no warning where there is nothing this service cannot check
    plain = issue(client, key, credential=suite_credential(did))
    assert plain.status_code == 201 and "warnings" not in plain.json()


@pytest.mark.parametrize("status,why", [
    ({"id": "did:example:status"}, "every credentialStatus must have a type"),  # credential-status-missing-type-fail
    ({"id": "did:example:status", "type": 2}, "invalid type value"),  # credential-status-type-nonurl-fail
    ({"type": "CredentialStatusList2017", "id": "https ://not-a-url/statusList/4"},  # -nonurl-id-fail
     "relative IRI 'https ://not-a-url/statusList/4'"),
    ({"type": "CredentialStatusList2017", "id": ["did:example:status:1", "did:example:status:2"]},
     "invalid @id value"),  # credential-status-multiple-id-fail
    ({"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
      "statusListCredential": "https://issuer.example/status/1"}, "lacks a single list URL and index"),
], ids=["missing-type", "type-not-a-url", "id-not-a-url", "two-ids", "bitstring-entry-without-index"])
def test_a_malformed_status_entry_is_refused(client, fresh_tenant, status, why):
    """VCDM 2.0 §4.10 Status with §4.4 Identifiers and §4.5 Types (vc-data-model-2.0-test-suite 4.10, the
    rejecting halves of the same tests), and Bitstring Status List v1.0 §2.1 for an entry of the type this
    service reads: an entry of an unknown type is accepted only when it is well formed."""
    slug, key = fresh_tenant
    did = did_of(client, slug)
    r = issue(client, key, credential=suite_credential(did, (STATUS_TYPE_CONTEXT,), credentialStatus=status))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    assert why in r.text


def test_an_entry_of_another_type_pointing_at_this_services_lists_is_refused(client, fresh_tenant):
    """Bitstring Status List v1.0 §2.1 / VCDM 2.0 §4.10: entries in this service's own lists are assigned by the
    service, whatever type the caller gives them (a warning must not open a way around that)."""
    slug, key = fresh_tenant
    did = did_of(client, slug)
    own = client.app.state.services.settings.public_origin + "/status/1"
    r = issue(client, key, credential=suite_credential(did, (STATUS_TYPE_CONTEXT,), credentialStatus={
        "id": own + "#5", "type": "CredentialStatusList2017"}))
    assert refused(r, "credential") and "this service's status lists" in r.text, r.text


@pytest.mark.parametrize("related,ok", [
    ({"id": "https://a.example/x", "digestSRI": "sha384-abc"}, True),
    ([{"id": "https://a.example/x", "digestSRI": "sha384-abc"}], True),
    ({"digestSRI": "sha384-abc"}, False),
    ([{"id": "https://a.example/x", "digestSRI": "sha384-abc"}, {"digestMultibase": "uEiA"}], False),
    ({"id": "https://a.example/x"}, False),
], ids=["one-object", "a-list", "one-without-id", "one-of-two-without-id", "no-digest"])
def test_related_resources_are_one_or_more_objects_each_with_an_id(client, fresh_tenant, loader, related, ok):
    """VCDM 2.0 §5.3 Integrity of Related Resources: "The value of the relatedResource property MUST be one or
    more objects", each with an `id` and a `digestSRI` or `digestMultibase` (vc-data-model-2.0-test-suite 5.3,
    its two tests): one object is as good as a list of one, and an object without `id` is refused, on issue and
    on verification alike."""
    slug, key = fresh_tenant
    did = did_of(client, slug)
    r = issue(client, key, credential=suite_credential(did, relatedResource=related))
    assert (r.status_code == 201) is ok, r.text
    if not ok:
        assert refused(r, "credential")
    verified = verify(client, sign(vc2(relatedResource=related), SIGNER_A, loader))
    assert (outcomes(verified)["format"][0] == "ok") is ok, verified.text


@pytest.mark.parametrize("schema,ok", [
    ({"id": "https://example.org/examples/degree.json", "type": "JsonSchema"}, True),  # credential-schema-ok
    ({"type": "https://example.org/#ExampleTestSuiteSchema"}, False),  # credential-schema-no-id-fail
], ids=["with-id", "without-id"])
def test_a_credential_schema_needs_an_id(client, fresh_tenant, loader, schema, ok):
    """VCDM 2.0 §4.11 Data Schemas: "The value of the credentialSchema property MUST be one or more data schemas
    that provide verifiers with enough information to determine whether the provided data conforms to the
    provided schema(s). Each credentialSchema MUST specify its type ... and an id property" (vc-data-model-2.0-
    test-suite 4.11, credential-schema-no-id-fail.json)."""
    slug, key = fresh_tenant
    did = did_of(client, slug)
    r = issue(client, key, credential=suite_credential(did, credentialSchema=schema))
    assert (r.status_code == 201) is ok, r.text
    if not ok:
        assert refused(r, "credential") and "credentialSchema must have an id" in r.text
    verified = verify(client, sign(vc2(credentialSchema=schema), SIGNER_A, loader))
    assert (outcomes(verified)["format"][0] == "ok") is ok, verified.text


@pytest.mark.parametrize("subject", ["did:example:subject", ["did:example:subject"]], ids=["string", "strings"])
def test_a_credential_subject_is_an_object(client, fresh_tenant, subject):
    """VCDM 2.0 §4.8 Credential Subject: "The value of the credentialSubject property is a set of objects" — a
    string (which JSON-LD would read as the subject's IRI) is not one (vc-data-model-2.0-test-suite 4.8)."""
    slug, key = fresh_tenant
    did = did_of(client, slug)
    r = issue(client, key, credential=suite_credential(did, credentialSubject=subject))
    assert refused(r, "credential"), r.text
    assert "credentialSubject must be an object" in r.text


# --- base direction (issue 20: four tests of vc-data-model-2.0-test-suite 4.6) ------------------------------------

EN_LTR = {"@value": "Example Credential", "@language": "en", "@direction": "ltr"}
AR_RTL = {"@value": "شهادة", "@language": "ar", "@direction": "rtl"}


def with_direction(issuer: str, where: str, prop: str, value: dict, base=suite_credential) -> dict:
    """A credential whose ``prop`` (name or description), on the credential or on its issuer, is ``value``."""
    doc = base(issuer)
    if where == "issuer":
        doc["issuer"] = {"id": issuer, prop: value}
    else:
        doc[prop] = value
    return doc


DIRECTION_CASES = [("credential", "name"), ("credential", "description"), ("issuer", "name"),
                   ("issuer", "description")]


@pytest.mark.parametrize("where,prop", DIRECTION_CASES, ids=[f"{w}-{p}" for w, p in DIRECTION_CASES])
def test_a_language_value_object_with_a_direction_is_issued_and_verified(client, fresh_tenant, where, prop):
    """VCDM 2.0 §4.6 Names and Descriptions and §11.1 Language and Base Direction (vc-data-model-2.0-test-suite
    4.6, credential-/issuer-{name,description}-language-direction-en-ok.json): a language value object may carry
    `@direction`. VC Data Integrity 1.0 §2.4.3 forbids signing less than the document says, so the direction is
    signed (as the RDF literal "…"^^<https://www.w3.org/ns/i18n#en_ltr>, the `i18n-datatype` form the
    eddsa-rdfc-2022 implementations use): changing it breaks the signature. An object with any other member is
    refused (the suite's -extra-prop-en-fail.json)."""
    slug, key = fresh_tenant
    did = did_of(client, slug)
    r = issue(client, key, credential=with_direction(did, where, prop, EN_LTR))
    assert r.status_code == 201, r.text
    signed = r.json()["verifiableCredential"]
    checked = verify(client, signed)
    assert checked.status_code == 200 and outcomes(checked)["proof"] == ("ok", "proof-valid"), checked.text
    turned = copy.deepcopy(signed)
    target = turned["issuer"] if where == "issuer" else turned
    target[prop]["@direction"] = "rtl"
    assert outcomes(verify(client, turned))["proof"] == ("failed", "signature-invalid")
    extra = issue(client, key, credential=with_direction(did, where, prop, {**EN_LTR, "url": "did:example:credential"}))
    assert extra.status_code == 422, extra.text


@pytest.mark.parametrize("value", [{"@value": "x", "@direction": "up"}, {"@value": 5, "@direction": "rtl"},
                                   {"@value": "x", "@direction": "rtl",
                                    "@type": "http://www.w3.org/2001/XMLSchema#string"}],
                         ids=["not-a-direction", "not-a-string", "typed"])
def test_a_direction_that_cannot_be_signed_is_refused(client, fresh_tenant, value):
    """JSON-LD 1.1 §4.2.4 / VC Data Integrity 1.0 §2.4.3: a base direction is "ltr" or "rtl" on a string; anything
    else would be dropped from the signed statements, so it is refused."""
    slug, key = fresh_tenant
    did = did_of(client, slug)
    r = issue(client, key, credential=with_direction(did, "credential", "name", value))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text


def test_a_direction_is_shown_as_its_language(loader):
    """VCDM 2.0 §11.1: the language of a direction-tagged name is still its language for the people reading it."""
    from app.domain.deadline import Deadline
    from app.domain.jsonld import DEFAULT_LIMITS
    from app.domain.signed import read

    doc = {**vc2(), "name": [AR_RTL, {"@value": "Apliecība", "@language": "lv"}]}
    view = read(doc, "https://www.w3.org/2018/credentials#VerifiableCredential", loader, Deadline(5),
                DEFAULT_LIMITS).view
    assert view["name"] == {"ar": "شهادة", "lv": "Apliecība"}


@pytest.mark.parametrize("where,prop", DIRECTION_CASES, ids=[f"{w}-{p}" for w, p in DIRECTION_CASES])
def test_digital_bazaars_verifier_and_this_one_agree_on_directions(client, loader, tmp_path, where, prop):
    """VC-DI-EDDSA §3.3 (eddsa-rdfc-2022 Transformation: RDFC-1.0 of the JSON-LD's RDF): Digital Bazaar's
    verifier (jsonld.js with rdfDirection "i18n-datatype", ../shared/tools/vc-peer) verifies a credential with
    `@direction` that this service signed and refuses it once the direction is turned; this service verifies the
    one the peer signed and refuses it turned, both ways the same statements."""
    def turned(doc):
        doc = copy.deepcopy(doc)
        target = doc["issuer"] if where == "issuer" else doc
        target[prop]["@direction"] = "ltr" if target[prop]["@direction"] == "rtl" else "rtl"
        return doc

    ours = sign(with_direction(DID_A, where, prop, AR_RTL, base=vc2), SIGNER_A, loader)
    there = run_peer("verify", ours, tmp_path)
    assert json.loads(there.stdout)["verified"] is True, there.stdout + there.stderr
    there = run_peer("verify", turned(ours), tmp_path)
    assert json.loads(there.stdout)["verified"] is False, there.stdout

    issued = run_peer("issue", with_direction(DID_A, where, prop, AR_RTL, base=vc2), tmp_path)
    assert issued.returncode == 0, issued.stderr
    theirs = json.loads(issued.stdout)
    assert (theirs["issuer"]["id"] if where == "issuer" else theirs["issuer"]).startswith("did:key:")
    assert outcomes(verify(client, theirs))["proof"] == ("ok", "proof-valid")
    assert outcomes(verify(client, turned(theirs)))["proof"] == ("failed", "signature-invalid")


for _mark in requires_peer:  # node and the installed peer, as tests/test_interop_peer.py
    test_digital_bazaars_verifier_and_this_one_agree_on_directions = _mark(
        test_digital_bazaars_verifier_and_this_one_agree_on_directions)
