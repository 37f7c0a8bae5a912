"""Issuing through the HTTP API, on SQLite and on the real PostgreSQL (the `database_url` fixture)."""

from __future__ import annotations

import copy
import json
import stat

import pytest

from app.domain import eddsa_rdfc_2022
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import (
    ORIGIN,
    assert_problem,
    auth,
    count,
    did_of,
    issue,
    issue_vc,
    make_client,
    new_tenant,
    resolver,
    verify_proof,
)


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="module")
def client(database_url, keys_dir):
    with make_client(database_url, keys_dir) as c:
        yield c


def test_issue_download_verify_round_trip(client, fresh_tenant, loader):
    slug, key = fresh_tenant
    response = issue(client, key)
    assert response.status_code == 201, response.text
    body = response.json()
    vc = body["verifiableCredential"]
    assert response.headers["location"] == f"{ORIGIN}/credentials/{body['id']}"
    assert vc["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert vc["@context"][:2] == ["https://www.w3.org/2018/credentials/v1",
                                  "http://data.europa.eu/snb/model/context/edc-ap"]
    assert vc["issuer"]["id"] == f"did:web:127.0.0.1%3A8765:institutions:{slug}"
    assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert vc["credentialStatus"]["statusPurpose"] == "revocation"

    stored = client.get(f"/credentials/{body['id']}", headers=auth(key))
    assert stored.status_code == 200 and stored.json()["verifiableCredential"] == vc

    download = client.get(body["links"]["credentialFile"].removeprefix(ORIGIN))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/ld+json")
    assert "attachment" in download.headers["content-disposition"]
    assert ".jsonld" in download.headers["content-disposition"]
    assert json.loads(download.content) == vc
    assert set(body["links"]) == {"credential", "download", "credentialFile", "verification", "qrCode", "certificate",
                                  "walletOffer"}
    for name in ("download", "verification", "certificate", "qrCode"):
        assert client.get(body["links"][name].removeprefix(ORIGIN)).status_code == 200, name

    result = verify_proof(vc, loader=loader, resolve_verification_method=resolver(client))
    assert result.verified, result

    tampered = copy.deepcopy(vc)
    tampered["credentialSubject"]["givenName"] = {"lv": "Mallory"}
    result = verify_proof(tampered, loader=loader, resolve_verification_method=resolver(client))
    assert not result.verified and result.code == "signature-invalid"


MANDATORY = ["learner", "title", "learningOutcomes", "workload", "eqfLevel", "assessment", "participation",
             "qualityAssurance"]


@pytest.mark.parametrize("element", MANDATORY)
def test_missing_mandatory_element_is_refused_and_nothing_stored(client, fresh_tenant, element):
    _, key = fresh_tenant
    mc = copy.deepcopy(EXAMPLE)
    del mc[element]
    body = assert_problem(issue(client, key, mc), 422, "invalid-input")
    assert element in [e["field"] for e in body["errors"]]
    assert count(client, key) == 0


def test_every_problem_is_listed_at_once(client, fresh_tenant):
    _, key = fresh_tenant
    mc = copy.deepcopy(EXAMPLE)
    del mc["title"]
    mc["eqfLevel"] = 9
    mc["learner"].pop("givenName")
    mc["fieldsOfEducation"] = ["9999"]
    fields = {e["field"] for e in assert_problem(issue(client, key, mc), 422)["errors"]}
    assert {"title", "eqfLevel", "learner.givenName"} <= fields
    assert any(f.startswith("fieldsOfEducation") for f in fields)


def test_tenant_isolation(client):
    slug_a, key_a = new_tenant(client)
    _, key_b = new_tenant(client)
    cred_id = issue(client, key_a).json()["id"]
    assert client.get(f"/credentials/{cred_id}", headers=auth(key_a)).status_code == 200
    assert_problem(client.get(f"/credentials/{cred_id}", headers=auth(key_b)), 404)
    assert_problem(client.post(f"/credentials/{cred_id}/revoke", json={"reason": "fraud"}, headers=auth(key_b)), 404)
    assert count(client, key_b) == 0 and count(client, key_a) == 1
    # B cannot issue in A's name either.
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
          "issuer": f"did:web:127.0.0.1%3A8765:institutions:{slug_a}", "credentialSubject": {"id": "did:example:1"}}
    assert_problem(issue(client, key_b, credential=vc), 422)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Bearer mcred_x_y"}])
def test_authentication_required(client, headers):
    assert_problem(issue(client, headers=headers), 401)


def test_malformed_and_hostile_bodies(client, fresh_tenant):
    _, key = fresh_tenant
    h = {**auth(key), "Content-Type": "application/json"}
    assert_problem(client.post("/credentials/issue", content=b"{not json", headers=h), 400, "malformed-request")
    assert_problem(client.post("/credentials/issue", content=b"[1, 2]", headers=h), 422)
    assert_problem(client.post("/credentials/issue", content=b'{"microCredential": 5}', headers=h), 422)
    assert_problem(client.post("/credentials/issue", content=b"x" * 1_100_000, headers=h), 413, "body-too-large")
    deep = b'{"microCredential": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    assert client.post("/credentials/issue", content=deep, headers=h).status_code in (400, 413, 422)
    assert_problem(client.post("/credentials/issue", content=b"<xml/>",
                               headers={**auth(key), "Content-Type": "application/xml"}), 415)
    wrong_types = copy.deepcopy(EXAMPLE)
    wrong_types["workload"] = {"ects": "three"}
    wrong_types["learningOutcomes"] = "all of them"
    assert_problem(issue(client, key, wrong_types), 422)
    assert count(client, key) == 0


def unsigned_vc(context: list[str], issuer: str = "did:example:issuer", **extra) -> dict:
    return {"@context": context, "type": ["VerifiableCredential"], "issuer": issuer,
            "credentialSubject": {"id": "did:example:learner"}, **extra}


def test_ready_unsigned_vc_2_0_and_1_1(client, fresh_tenant, loader):
    slug, key = fresh_tenant
    did = did_of(client, slug)
    v2 = unsigned_vc(["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"], did,
                     credentialSubject={"id": "did:example:learner", "alumniOf": "Latvijas Universitāte"})
    r = issue(client, key, credential=v2, options={"anything": 1})
    assert r.status_code == 201, r.text
    signed = r.json()["verifiableCredential"]
    assert signed["credentialSubject"]["alumniOf"] == "Latvijas Universitāte"
    assert verify_proof(signed, loader=loader, resolve_verification_method=resolver(client)).verified

    # (The VC 1.1 examples context imports ODRL's, which is not pinned; the base context alone is enough here.)
    v1 = unsigned_vc(["https://www.w3.org/2018/credentials/v1"], did, credentialSubject={"id": "did:example:learner"})
    r = issue(client, key, credential=v1)
    assert r.status_code == 201, r.text
    signed = r.json()["verifiableCredential"]
    assert "issuanceDate" in signed
    assert verify_proof(signed, loader=loader, resolve_verification_method=resolver(client)).verified


def test_unknown_context_and_undefined_terms_refused(client, fresh_tenant):
    _, key = fresh_tenant
    bad_ctx = unsigned_vc(["https://www.w3.org/2018/credentials/v1", "https://evil.example/context"])
    body = assert_problem(issue(client, key, credential=bad_ctx), 422,
                          "unknown-context")
    assert "evil.example" in body["detail"]
    undefined = unsigned_vc(["https://www.w3.org/2018/credentials/v1"],
                            credentialSubject={"id": "did:example:x", "favouriteColour": "blue"})
    body = assert_problem(issue(client, key, credential=undefined), 422,
                          "undefined-terms")
    assert "favouriteColour" in body["detail"]
    assert count(client, key) == 0


def test_cohort_is_all_or_nothing(client, fresh_tenant):
    _, key = fresh_tenant
    learners = [("Jānis", "Ozols"), ("Līga", "Kalniņa"), ("Pēteris", "Liepa")]
    items = []
    for given, family in learners:
        mc = copy.deepcopy(EXAMPLE)
        mc["learner"] = {"givenName": given, "familyName": family, "reference": f"ST-{given}"}
        items.append(mc)
    broken = copy.deepcopy(items)
    del broken[1]["qualityAssurance"]
    body = assert_problem(client.post("/credentials/cohorts", json={"microCredentials": broken}, headers=auth(key)), 422)
    assert [e["field"] for e in body["errors"]] == ["microCredentials[1].qualityAssurance"]
    assert count(client, key) == 0

    r = client.post("/credentials/cohorts", json={"microCredentials": items}, headers=auth(key))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["count"] == 3 and len({c["id"] for c in out["credentials"]}) == 3
    assert [c["learnerRef"] for c in out["credentials"]] == ["ST-Jānis", "ST-Līga", "ST-Pēteris"]
    assert count(client, key) == 3


def test_key_rotation_keeps_old_credentials_verifiable(client, loader):
    from app import admin
    from app.storage import institutions

    slug, key = new_tenant(client)
    first = issue(client, key).json()["verifiableCredential"]
    services = client.app.state.services
    with client.app.state.session_factory() as session:
        admin.rotate_key(session, services, institutions.by_slug(session, slug))
        session.commit()
    second = issue(client, key).json()["verifiableCredential"]
    assert first["proof"]["verificationMethod"] != second["proof"]["verificationMethod"]
    doc = client.get(f"/institutions/{slug}/did.json").json()
    assert [m["id"] for m in doc["verificationMethod"]] == [first["proof"]["verificationMethod"],
                                                           second["proof"]["verificationMethod"]]
    assert doc["authentication"] == [second["proof"]["verificationMethod"]]
    for vc in (first, second):
        assert verify_proof(vc, loader=loader, resolve_verification_method=resolver(client)).verified


def test_private_keys_stay_on_disk_with_mode_0600(client, fresh_tenant, keys_dir):
    _, key = fresh_tenant
    vc = issue(client, key).json()["verifiableCredential"]
    files = list(keys_dir.glob("*.pem"))
    assert files
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        assert b"PRIVATE KEY" in f.read_bytes()
    with client.app.state.session_factory() as session:
        from sqlalchemy import text

        for table in ("institutions", "signing_keys", "api_keys", "credentials", "audit_events"):
            dump = json.dumps([list(map(str, row)) for row in session.execute(text(f"SELECT * FROM {table}"))])
            assert "PRIVATE" not in dump and key not in dump
    assert "PRIVATE" not in json.dumps(vc)


def test_a_failure_while_signing_leaves_no_record(client, fresh_tenant, monkeypatch):
    _, key = fresh_tenant

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(eddsa_rdfc_2022, "create_proof", broken)
    body = assert_problem(issue(client, key), 500, "internal-error")
    assert "disk on fire" not in json.dumps(body)
    monkeypatch.undo()
    assert count(client, key) == 0


def test_expiring_soon_listing(client, fresh_tenant):
    _, key = fresh_tenant
    soon = copy.deepcopy(EXAMPLE)
    soon.pop("dateOfIssue", None)
    from datetime import date, timedelta

    soon["validUntil"] = (date.today() + timedelta(days=10)).isoformat()
    later = copy.deepcopy(soon)
    later["validUntil"] = (date.today() + timedelta(days=400)).isoformat()
    never = copy.deepcopy(EXAMPLE)
    ids = [issue(client, key, mc).json()["id"] for mc in (soon, later, never)]
    listed = client.get("/credentials?expiringWithinDays=30", headers=auth(key)).json()["credentials"]
    assert [c["id"] for c in listed] == [ids[0]]
    listed = client.get("/credentials?expiringWithinDays=500", headers=auth(key)).json()["credentials"]
    assert [c["id"] for c in listed] == ids[:2]


def vc_with_id(vc_id: str) -> dict:
    return unsigned_vc(["https://www.w3.org/ns/credentials/v2"], id=vc_id)


def test_vc_ids_are_unique_per_institution_and_say_nothing_about_others(client):
    _, key_a = new_tenant(client)
    _, key_b = new_tenant(client)
    own = issue(client, key_a).json()
    row_id = own["id"]
    assert own["verifiableCredential"]["id"] == f"urn:uuid:{row_id}"  # the service names its own: urn:uuid:<row id>
    taken = vc_with_id(f"urn:uuid:{row_id}")
    body = assert_problem(issue_vc(client, key_a, taken), 409,
                          "credential-id-reused")
    assert body["errors"][0]["field"] == "credential.id"
    assert count(client, key_a) == 1

    # Another institution may use the same VC id: it is issued, on a row id of the service's own.
    other = issue_vc(client, key_b, taken)
    assert other.status_code == 201, other.text
    assert other.json()["verifiableCredential"]["id"] == f"urn:uuid:{row_id}" and other.json()["id"] != row_id
    assert_problem(issue_vc(client, key_b, taken), 409)

    custom = vc_with_id("https://registry.example.lv/credentials/2024/0001")
    for key in (key_a, key_b):
        assert issue_vc(client, key, custom).status_code == 201
        assert_problem(issue_vc(client, key, custom), 409)
    assert count(client, key_a) == 2 and count(client, key_b) == 2

    # Found by row id or by VC id, each institution its own.
    for ref in (row_id, f"urn:uuid:{row_id}"):
        assert client.get(f"/credentials/{ref}", headers=auth(key_a)).json()["id"] == row_id
    assert client.get(f"/credentials/urn:uuid:{row_id}", headers=auth(key_b)).json()["id"] == other.json()["id"]
    assert_problem(client.get(f"/credentials/{row_id}", headers=auth(key_b)), 404)
    revoked = client.post("/credentials/status", headers=auth(key_b), json={
        "credentialId": custom["id"], "credentialStatus": [{"statusPurpose": "revocation", "status": True}]})
    assert revoked.status_code == 200 and revoked.json() == {"credentialId": custom["id"], "status": "revoked"}


def test_concurrent_issues_of_one_vc_id_give_one_credential(client, in_threads):
    """The lookup before the insert sees committed rows only; the unique index settles the race, as a 409."""
    import threading

    from app import issuing
    from app.errors import Conflict
    from app.storage import institutions

    slug, key = new_tenant(client)
    factory, services = client.app.state.session_factory, client.app.state.services
    outcomes, barrier = [], threading.Barrier(4)

    def worker():
        with factory() as session:
            inst = institutions.by_slug(session, slug)
            barrier.wait()
            try:
                issuing.issue_vc(session, services, inst, {**vc_with_id("urn:example:race"), "issuer": inst.did},
                                 actor="test")
                session.commit()
                outcomes.append("issued")
            except Conflict as exc:
                outcomes.append(exc.slug)

    errors = in_threads(worker, [()] * 4)
    assert not errors, errors
    assert sorted(outcomes) == ["credential-id-reused"] * 3 + ["issued"], outcomes
    assert count(client, key) == 1


def test_the_unique_index_guards_a_lookup_that_missed(client, monkeypatch):
    """Two requests that both pass the lookup: the second insert is refused by the index, still as a 409."""
    from app.storage import credentials

    _, key = new_tenant(client)
    vc = vc_with_id("urn:example:guarded")
    assert issue_vc(client, key, vc).status_code == 201
    monkeypatch.setattr(credentials, "uri_taken", lambda *args: False)
    assert_problem(issue_vc(client, key, vc), 409,
                   "credential-id-reused")
    assert count(client, key) == 1
