"""Records from before (issue 19): an institution moving its earlier records in issues credentials whose date of
issue and expiry are both past (issued expired, and the answer says so); an EQF level that contradicts the LKI
level is refused with both named."""

from __future__ import annotations

import copy

from app.domain.microcredential import EXAMPLE
from tests.apphelpers import auth, new_tenant


def issue(client, key, **changes):
    return client.post("/credentials/issue", json={"microCredential": {**copy.deepcopy(EXAMPLE), **changes}},
                       headers=auth(key))


def test_a_record_from_before_is_issued_expired_and_said_so(client):
    _, key = new_tenant(client)
    r = issue(client, key, dateOfIssue="2019-06-28", validUntil="2021-06-30")
    assert r.status_code == 201, r.text
    body = r.json()
    vc = body["verifiableCredential"]
    assert vc["validFrom"] == vc["issuanceDate"] == "2019-06-28T00:00:00Z"
    assert vc["validUntil"] == vc["expirationDate"] == "2021-06-30T23:59:59Z"
    assert [w["code"] for w in body["warnings"]] == ["issued-expired"]
    assert body["warnings"][0]["field"] == "validUntil" and "2021-06-30" in body["warnings"][0]["detail"]
    verified = client.post("/credentials/verify", json={"verifiableCredential": vc})
    assert verified.json()["verdict"] == "expired", verified.text

    current = issue(client, key, dateOfIssue="2019-06-28", validUntil="2099-06-30")
    assert current.status_code == 201 and "warnings" not in current.json()


def test_a_past_expiry_needs_the_past_date_of_issue(client):
    _, key = new_tenant(client)
    mc = {k: v for k, v in EXAMPLE.items() if k != "dateOfIssue"}
    r = client.post("/credentials/issue", json={"microCredential": {**mc, "validUntil": "2021-06-30"}},
                    headers=auth(key))
    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert error["field"] == "validUntil" and "dateOfIssue" in error["message"]
    before = issue(client, key, dateOfIssue="2021-07-01", validUntil="2021-06-30")  # expiry before the issue
    assert before.status_code == 422 and before.json()["errors"][0]["field"] == "validUntil"


def test_an_eqf_level_contradicting_the_lki_level_is_refused_naming_both(client):
    _, key = new_tenant(client)
    r = issue(client, key, eqfLevel=6, nqfLevel=5)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["nqfLevel"]
    assert "LKI level 5" in errors[0]["message"] and "EQF level 6" in errors[0]["message"]
    assert issue(client, key, eqfLevel=5, nqfLevel=5).status_code == 201
    assert issue(client, key, eqfLevel=5, nqfLevel=None).status_code == 201  # no LKI level: nothing to contradict


def test_a_batch_of_records_from_before_says_which_were_issued_expired(client):
    import csv
    import io

    from app import jobs

    _, key = new_tenant(client)
    old = {**copy.deepcopy(EXAMPLE), "dateOfIssue": "2019-06-28", "validUntil": "2021-06-30"}
    current = {**copy.deepcopy(EXAMPLE), "dateOfIssue": "2019-06-28", "validUntil": "2099-06-30"}
    batch_id = client.post("/credentials/batches", json={"items": [old, current]}, headers=auth(key)).json()["id"]
    jobs.work(client.app.state.services.settings, processes=1, until_batch=batch_id)
    answer = client.get(f"/batches/{batch_id}", headers={**auth(key), "Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    assert [(r["status"], r["message"]) for r in rows] == [
        ("issued", "issued expired: valid until 2021-06-30"), ("issued", "")]
