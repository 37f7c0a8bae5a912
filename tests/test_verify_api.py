"""POST /credentials/verify: one result per check (proof, issuer, format, validity, status), on SQLite and PostgreSQL.

Own credentials are issued through the API; other issuers' credentials (did:key, did:web of another host) are
signed here, and their did:web documents and status lists are served by an httpx.MockTransport: no test reaches
the real network.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime, timezone

import httpx
import pytest

from app.domain import bitstring, eddsa_rdfc_2022
from app.domain.deadline import Deadline
from app.domain.jsonld import Limits
from app.domain.rdfc import canonicalize
from app.domain.multibase import b58encode
from app.domain.verification import verify_credential
from app.errors import LimitExceeded
from app.remote_fetch import InsecureUrl, RemoteFetcher
from tests.apphelpers import (
    DID_A,
    KEY_A,
    NOW,
    OTHER_DID,
    OTHER_DID_URL,
    OTHER_LIST,
    OTHER_SIGNER,
    SIGNER_A,
    SIGNER_B,
    auth,
    issue_expired,
    issue_ok,
    new_tenant,
    other_did_document,
    sign,
    signed_status_list,
    verification_method_id,
    with_status,
)

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
ED2020 = "https://w3id.org/security/suites/ed25519-2020/v1"

# --- fixtures and helpers -----------------------------------------------------------------------------------------


def verify(client, credential, **options):
    body = {"verifiableCredential": credential}
    if options:
        body["options"] = options
    return client.post("/credentials/verify", json=body)


def checks(response) -> dict[str, tuple[str, str]]:
    body = response.json()
    assert [c["check"] for c in body["checks"]] == ["proof", "issuer", "format", "validity", "status"]
    for c in body["checks"]:
        assert c["outcome"] in ("ok", "failed", "unknown")
        assert c["message"]["lv"] and c["message"]["en"] and c["message"]["lv"] != c["message"]["en"]
    return {c["check"]: (c["outcome"], c["code"]) for c in body["checks"]}


def assert_not_verified(response, slug: str) -> dict:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == f"https://mcred.eu/problems/{slug}"
    assert body["status"] == 400 and body["title"] and body["detail"]
    assert body["verified"] is False
    assert body["errors"], "the failed or unknown checks are listed as problem errors"
    return body


def vc2(issuer: str, **extra) -> dict:
    return {"@context": [VC2], "id": "urn:uuid:0c8a1f3e-4f7b-4c43-9a39-000000000001",
            "type": ["VerifiableCredential"], "issuer": issuer, "validFrom": "2024-01-01T00:00:00Z",
            "name": "Test credential",
            "credentialSubject": {"id": "did:example:learner", "name": "Jānis Bērziņš"}, **extra}


def sign_2020(doc: dict, loader, key=KEY_A, did=DID_A) -> dict:
    """Ed25519Signature2020, built step by step from the suite's definition (not through the verifier's code)."""
    proof = {"type": "Ed25519Signature2020", "created": NOW, "verificationMethod": verification_method_id(did),
             "proofPurpose": "assertionMethod"}
    c14n_proof = canonicalize({"@context": doc["@context"], **proof}, loader)
    c14n_doc = canonicalize(doc, loader)
    data = hashlib.sha256(c14n_proof.encode()).digest() + hashlib.sha256(c14n_doc.encode()).digest()
    return {**doc, "proof": {**proof, "proofValue": "z" + b58encode(key.sign(data))}}


# --- own credentials ----------------------------------------------------------------------------------------------


def test_own_credential_verifies_with_every_check_ok(client, tenant):
    cred = issue_ok(client, tenant[1])["verifiableCredential"]
    r = verify(client, cred)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verified"] is True and body["verdict"] == "verified"
    assert checks(r) == {"proof": ("ok", "proof-valid"), "issuer": ("ok", "issuer-key-valid"),
                         "format": ("ok", "well-formed"), "validity": ("ok", "no-expiry"),
                         "status": ("ok", "not-revoked")}
    assert body["warnings"] == []
    status = next(c for c in body["checks"] if c["check"] == "status")
    assert status["checkedPurposes"] == ["revocation", "suspension"]


def test_unknown_options_are_tolerated(client, tenant):
    cred = issue_ok(client, tenant[1])["verifiableCredential"]
    r = verify(client, cred, challenge="abc", domain="example.lv", somethingNew={"x": [1, 2]}, checks=["proof"])
    assert r.status_code == 200 and r.json()["verified"] is True


@pytest.mark.parametrize("tamper", ["title", "learner", "issuer-name", "proof-created", "valid-from"])
def test_tampered_credential_fails_the_proof_check(client, tenant, tamper):
    cred = copy.deepcopy(issue_ok(client, tenant[1])["verifiableCredential"])
    if tamper == "title":
        claim = cred["credentialSubject"]["hasClaim"]
        claim = claim[0] if isinstance(claim, list) else claim
        claim["title"]["en"] = "Rocket science"
    elif tamper == "learner":
        cred["credentialSubject"]["familyName"] = {"lv": "Ozoliņa"}
    elif tamper == "issuer-name":
        cred["issuer"]["legalName"] = {"en": "Harvard University"}
    elif tamper == "proof-created":
        cred["proof"]["created"] = "2024-01-01T00:00:00Z"
    else:
        cred["validFrom"] = "2020-01-01T00:00:00Z"
    r = verify(client, cred)
    body = assert_not_verified(r, "verification-failed")
    result = checks(r)
    assert result["proof"] == ("failed", "signature-invalid")
    assert result["issuer"] == ("ok", "issuer-key-valid")  # the key is the issuer's: only the data changed
    assert body["verdict"] == "invalid"
    assert {"field": "proof", "code": "signature-invalid", "outcome": "failed"}.items() <= body["errors"][0].items()


def test_expired_credential_is_expired_not_forged(client, tenant):
    cred = issue_expired(client, tenant[1])["verifiableCredential"]
    assert (cred.get("validUntil") or cred.get("expirationDate", "")).startswith("2024-12-31")
    r = verify(client, cred)
    body = assert_not_verified(r, "credential-expired")
    result = checks(r)
    assert result["validity"] == ("failed", "expired")
    assert result["proof"] == ("ok", "proof-valid") and result["issuer"] == ("ok", "issuer-key-valid")
    assert result["status"] == ("ok", "not-revoked")
    assert body["verdict"] == "expired"


def test_revoked_credential(client, tenant):
    issued = issue_ok(client, tenant[1])
    r = client.post(f"/credentials/{issued['id']}/revoke", json={"reason": "issued-in-error", "note": "test"},
                    headers=auth(tenant[1]))
    assert r.status_code == 200, r.text
    r = verify(client, issued["verifiableCredential"])
    body = assert_not_verified(r, "credential-revoked")
    result = checks(r)
    assert result["status"] == ("failed", "revoked")
    assert result["proof"] == ("ok", "proof-valid")
    assert body["verdict"] == "revoked"


def test_suspended_then_reinstated(client, tenant):
    issued = issue_ok(client, tenant[1])
    cid = issued["id"]
    assert client.post(f"/credentials/{cid}/suspend", json={}, headers=auth(tenant[1])).status_code == 200
    r = verify(client, issued["verifiableCredential"])
    assert_not_verified(r, "credential-suspended")
    assert checks(r)["status"] == ("failed", "suspended")
    assert client.post(f"/credentials/{cid}/reinstate", json={}, headers=auth(tenant[1])).status_code == 200
    r = verify(client, issued["verifiableCredential"])
    assert r.status_code == 200 and checks(r)["status"] == ("ok", "not-revoked")


def test_own_status_lists_and_dids_are_read_without_http(client, tenant, remote):
    cred = issue_ok(client, tenant[1])["verifiableCredential"]
    assert verify(client, cred).status_code == 200
    assert remote.requested == []


def test_unknown_context_fails_the_format_check(client, tenant):
    cred = copy.deepcopy(issue_ok(client, tenant[1])["verifiableCredential"])
    cred["@context"].append("https://evil.example/context.jsonld")
    r = verify(client, cred)
    assert_not_verified(r, "verification-failed")
    result = checks(r)
    assert result["format"] == ("failed", "unknown-context")
    assert result["proof"][0] != "ok"


def test_undefined_term_fails_the_format_check(client, tenant):
    cred = copy.deepcopy(issue_ok(client, tenant[1])["verifiableCredential"])
    cred["credentialSubject"]["favouriteColour"] = "blue"  # no context defines it: a signature would not cover it
    r = verify(client, cred)
    body = assert_not_verified(r, "verification-failed")
    assert checks(r)["format"] == ("failed", "undefined-terms")
    fmt = next(c for c in body["checks"] if c["check"] == "format")
    assert "favouriteColour" in fmt["terms"]


def test_elm_credential_missing_micro_credential_elements_is_a_warning(client, loader):
    """An ELM credential, correctly signed, that lacks Annex I elements (here: no learning outcomes)."""
    slug, key = new_tenant(client)
    cred = copy.deepcopy(issue_ok(client, key)["verifiableCredential"])
    cred.pop("proof")
    cred.pop("credentialStatus")
    cred["issuer"]["id"] = DID_A

    def strip(node):
        if isinstance(node, dict):
            node.pop("learningOutcome", None)
            for v in node.values():
                strip(v)
        elif isinstance(node, list):
            for v in node:
                strip(v)
    strip(cred)
    r = verify(client, sign(cred, SIGNER_A, loader))
    # Genuine but incomplete: the checks hold, the lacking Annex I elements are a warning (and did:key A is not
    # an issuer this service recognises, so the verdict is not "verified").
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verified"] is True and body["verdict"] == "unrecognised-issuer"
    assert checks(r)["format"] == ("ok", "well-formed")
    missing = next(w for w in body["warnings"] if w["code"] == "elm-elements-missing")
    assert missing["missing"] == ["learningOutcomes"]


# --- other issuers: did:key, did:web, Ed25519Signature2020, VC 2.0 ------------------------------------------------


def test_vc2_data_integrity_credential_from_did_key(client, loader, remote):
    r = verify(client, sign(vc2(DID_A, validUntil="2099-01-01T00:00:00Z"), SIGNER_A, loader))
    assert r.status_code == 200, r.text
    assert checks(r) == {"proof": ("ok", "proof-valid"), "issuer": ("ok", "issuer-key-valid"),
                         "format": ("ok", "well-formed"), "validity": ("ok", "valid-period"),
                         "status": ("ok", "no-status")}
    assert [w["code"] for w in r.json()["warnings"]] == ["no-status", "issuer-not-recognised"]
    assert r.json()["verdict"] == "unrecognised-issuer"
    assert remote.requested == []  # did:key needs no network


def test_ed25519_signature_2020_credential(client, loader):
    doc = {"@context": [VC1, ED2020], "id": "urn:uuid:0c8a1f3e-4f7b-4c43-9a39-000000000002",
           "type": ["VerifiableCredential"], "issuer": DID_A, "issuanceDate": "2024-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:learner"}}
    signed = sign_2020(doc, loader)
    r = verify(client, signed)
    assert r.status_code == 200, r.text
    proof = next(c for c in r.json()["checks"] if c["check"] == "proof")
    assert (proof["outcome"], proof["proofType"]) == ("ok", "Ed25519Signature2020")
    signed["issuanceDate"] = "2023-01-01T00:00:00Z"
    r = verify(client, signed)
    assert_not_verified(r, "verification-failed")
    assert checks(r)["proof"] == ("failed", "signature-invalid")


def test_key_of_someone_else_fails_the_issuer_check(client, loader):
    """Signed correctly, but by B's key while claiming A as the issuer."""
    r = verify(client, sign(vc2(DID_A), SIGNER_B, loader))
    assert_not_verified(r, "verification-failed")
    result = checks(r)
    assert result["proof"] == ("ok", "proof-valid")
    assert result["issuer"] == ("failed", "key-not-issuers")


def test_wrong_proof_purpose_fails_the_proof_check(client, loader):
    signed = eddsa_rdfc_2022.create_proof(vc2(DID_A), SIGNER_A, loader=loader, created=NOW,
                                          proof_purpose="authentication")
    r = verify(client, signed)
    assert checks(r)["proof"] == ("failed", "proof-purpose-mismatch")


def test_proof_created_in_the_future_fails(client, loader):
    signed = eddsa_rdfc_2022.create_proof(vc2(DID_A), SIGNER_A, loader=loader, created="2099-01-01T00:00:00Z")
    assert checks(verify(client, signed))["proof"] == ("failed", "proof-created-in-future")


def test_missing_proof(client):
    r = verify(client, vc2(DID_A))
    assert_not_verified(r, "verification-failed")
    assert checks(r)["proof"] == ("failed", "proof-missing")


def test_did_web_of_another_host_with_status_list(client, loader, remote):
    remote.docs[OTHER_DID_URL] = other_did_document()
    remote.docs[OTHER_LIST] = signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader, set_bits=[7])
    good = sign(with_status(vc2(OTHER_DID), index=42), OTHER_SIGNER, loader)
    r = verify(client, good)
    assert r.status_code == 200, r.text
    assert checks(r)["status"] == ("ok", "not-revoked") and checks(r)["issuer"] == ("ok", "issuer-key-valid")
    assert set(remote.requested) == {OTHER_DID_URL, OTHER_LIST}

    revoked = sign(with_status(vc2(OTHER_DID), index=7), OTHER_SIGNER, loader)
    r = verify(client, revoked)
    assert_not_verified(r, "credential-revoked")
    assert checks(r)["status"] == ("failed", "revoked")

    # the short cache: the DID document and the list were fetched once for both verifications
    assert remote.requested.count(OTHER_DID_URL) == 1 and remote.requested.count(OTHER_LIST) == 1


def test_unreachable_status_list_is_unknown_never_not_revoked(client, loader, remote):
    remote.docs[OTHER_DID_URL] = other_did_document()
    remote.docs[OTHER_LIST] = httpx.ConnectError("connection refused")
    r = verify(client, sign(with_status(vc2(OTHER_DID)), OTHER_SIGNER, loader))
    body = assert_not_verified(r, "verification-incomplete")
    result = checks(r)
    assert result["status"] == ("unknown", "status-list-unavailable")
    assert result["proof"] == ("ok", "proof-valid")
    assert body["verdict"] == "unknown"
    assert {w["code"] for w in body["warnings"]} >= {"status-list-unavailable", "verification-incomplete"}
    assert "not-revoked" not in json.dumps(body)

    remote.docs[OTHER_LIST] = httpx.Response(503)
    remote.requested.clear()
    client.app.state.remote_fetcher.clear()
    assert checks(verify(client, sign(with_status(vc2(OTHER_DID)), OTHER_SIGNER, loader)))["status"] == \
        ("unknown", "status-list-unavailable")


def test_status_list_of_another_issuer_is_not_trusted(client, loader, remote):
    remote.docs[OTHER_DID_URL] = other_did_document()
    # the list says "not revoked", but it is signed by A, not by the credential's issuer
    remote.docs[OTHER_LIST] = signed_status_list(OTHER_LIST, DID_A, SIGNER_A, loader)
    r = verify(client, sign(with_status(vc2(OTHER_DID)), OTHER_SIGNER, loader))
    assert_not_verified(r, "verification-incomplete")
    assert checks(r)["status"] == ("unknown", "status-list-issuer-mismatch")


def test_status_list_with_a_forged_proof_is_not_trusted(client, loader, remote):
    remote.docs[OTHER_DID_URL] = other_did_document()
    forged = signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader, set_bits=[42])
    forged["credentialSubject"]["encodedList"] = bitstring.encode(bitstring.new_bitstring())  # "un-revoke"
    remote.docs[OTHER_LIST] = forged
    r = verify(client, sign(with_status(vc2(OTHER_DID), index=42), OTHER_SIGNER, loader))
    assert checks(r)["status"] == ("unknown", "status-list-invalid")
    assert r.json()["verified"] is False


def test_plain_http_status_list_is_refused(client, loader, remote):
    remote.docs[OTHER_DID_URL] = other_did_document()
    http_list = "http://issuer.example/status/1"
    remote.docs[http_list] = signed_status_list(http_list, OTHER_DID, OTHER_SIGNER, loader)
    r = verify(client, sign(with_status(vc2(OTHER_DID), url=http_list), OTHER_SIGNER, loader))
    assert_not_verified(r, "verification-incomplete")
    assert checks(r)["status"] == ("unknown", "insecure-url")
    assert http_list not in remote.requested


def test_unreachable_did_document_is_unknown(client, loader, remote):
    remote.docs[OTHER_DID_URL] = httpx.ReadTimeout("timed out")
    r = verify(client, sign(vc2(OTHER_DID), OTHER_SIGNER, loader))
    assert_not_verified(r, "verification-incomplete")
    result = checks(r)
    assert result["proof"] == ("unknown", "did-unavailable")
    assert result["issuer"] == ("unknown", "did-unavailable")


def test_did_web_document_of_another_did_is_refused(client, loader, remote):
    remote.docs[OTHER_DID_URL] = other_did_document(controller="did:web:attacker.example")
    r = verify(client, sign(vc2(OTHER_DID), OTHER_SIGNER, loader))
    assert_not_verified(r, "verification-failed")
    assert checks(r)["issuer"][0] == "failed"


def test_remote_fetcher_limits():
    """The URL's shape (the address rule, with real sockets, is in test_remote_fetch.py) and the size cap."""
    for url in ("http://issuer.example/did.json", "ftp://issuer.example/x", "https://user:pw@issuer.example/x",
                "https:///x", "https://issuer.example:99999/x", 42):
        with pytest.raises(InsecureUrl):
            RemoteFetcher.check_url(url)
    RemoteFetcher.check_url("https://issuer.example/did.json")
    RemoteFetcher.check_url("https://issuer.example:8443/did.json")

    big = RemoteFetcher(transport=httpx.MockTransport(lambda req: httpx.Response(200, content=b"[" + b"0," * 400_000 + b"0]")),
                        max_bytes=100_000)
    with pytest.raises(LimitExceeded):
        big.get_json("https://issuer.example/big.json", Deadline(5))
    big.close()


# --- hostile input ------------------------------------------------------------------------------------------------


def test_oversize_body_is_413(client):
    cred = vc2(DID_A, padding="x" * 1_100_000)
    r = verify(client, cred)
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/body-too-large")


def test_too_deep_is_413(client):
    deep: dict = {"leaf": 1}
    for _ in range(200):
        deep = {"n": deep}
    r = verify(client, vc2(DID_A, credentialSubject={"id": "did:example:x", "deep": deep}))
    assert r.status_code == 413, r.text
    assert r.json()["type"].endswith("/too-deep") and "40" in r.json()["detail"]


def test_too_many_nodes_is_413(client):
    items = [[{"a": i} for i in range(1_000)] for _ in range(25)]
    r = verify(client, vc2(DID_A, credentialSubject={"id": "did:example:x", "items": items}))
    assert r.status_code == 413, r.text
    assert r.json()["type"].endswith("/too-many-nodes")
    r = verify(client, vc2(DID_A, credentialSubject={"id": "did:example:x", "items": list(range(1_001))}))
    assert r.status_code == 413, r.text
    assert r.json()["type"].endswith("/too-many-values")
    assert client.get("/health").status_code == 200  # and the service still answers


def test_verification_deadline_is_a_limit(loader):
    signed = sign(vc2(DID_A), SIGNER_A, loader)
    with pytest.raises(LimitExceeded) as caught:
        verify_credential(signed, loader=loader, resolve_did=lambda d: None, fetch_status_lists=lambda u: {},
                          now=datetime.now(timezone.utc), limits=Limits(max_seconds=0.0))
    assert caught.value.slug == "verification-timeout" and caught.value.status == 413


@pytest.mark.parametrize("body", [{}, {"verifiableCredential": "text"}, {"verifiableCredential": {}, "options": 3},
                                  [1, 2]])
def test_malformed_requests(client, body):
    r = client.post("/credentials/verify", json=body)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


def test_not_json_is_400(client):
    r = client.post("/credentials/verify", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
