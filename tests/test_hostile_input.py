"""Odd or hostile input gets a clear 4xx problem, never a 500 (which closes the client's connection), on SQLite and
on the real PostgreSQL: numbers and text that Python's JSON parser lets through but nothing after it can carry, NUL
characters (PostgreSQL text cannot hold them), out-of-range query and path parameters, values of the wrong type."""

from __future__ import annotations

import copy
import json

import pytest

from app import cli
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import ORIGIN, assert_problem, auth, count, issue, issue_vc, new_tenant

# (raw body of POST /credentials/issue, the JSON path the problem must name, a word of its message)
BODIES = {
    "integer beyond the int-string limit": (b'{"microCredential": {"eqfLevel": ' + b"7" * 5000 + b"}}",
                                            "microCredential.eqfLevel", "digits"),
    "NaN": (b'{"microCredential": {"workload": {"ects": NaN}}}', "microCredential.workload.ects", "NaN"),
    "Infinity": (b'{"microCredential": {"workload": {"hours": Infinity}}}', "microCredential.workload.hours",
                 "Infinity"),
    "-Infinity": (b'{"microCredential": {"eqfLevel": -Infinity}}', "microCredential.eqfLevel", "Infinity"),
    "a number beyond float": (b'{"microCredential": {"eqfLevel": 1e999}}', "microCredential.eqfLevel", "range"),
    "escaped lone surrogate": (b'{"microCredential": {"title": {"lv": "a\\ud800"}}}', "microCredential.title.lv",
                               "surrogate"),
    "lone surrogate as bytes": (b'{"microCredential": {"title": {"en": "\xed\xa0\x80"}}}',
                                "microCredential.title.en", "surrogate"),
    "NUL in a value": (b'{"microCredential": {"learningOutcomes": [{"text": {"lv": "x\\u0000"}}]}}',
                       "microCredential.learningOutcomes[0].text.lv", "NUL"),
    "NUL in a key": (b'{"microCredential": {"learner\\u0000": {}}}', "microCredential.learner\\u0000", "key"),
    "root array": (b'[1, "\\u0000"]', "body[1]", "NUL"),
    "NUL in UTF-16": ('{"microCredential": {"title": {"lv": "x\\u0000"}}}'.encode("utf-16"),
                      "microCredential.title.lv", "NUL"),
    "lone surrogate in UTF-16": ('{"microCredential": {"title": {"lv": "\\ud800"}}}'.encode("utf-16"),
                                 "microCredential.title.lv", "surrogate"),
}


@pytest.mark.parametrize("case", BODIES)
def test_json_that_cannot_be_carried_is_a_400_naming_its_path(client, case):
    _, key = new_tenant(client)
    raw, path, word = BODIES[case]
    response = client.post("/credentials/issue", content=raw,
                           headers={**auth(key), "Content-Type": "application/json"})
    body = assert_problem(response, 400, "malformed-request")
    assert body["errors"][0]["field"] == path and word in body["errors"][0]["message"], body
    assert count(client, key) == 0


def test_clean_json_is_not_walked_twice(monkeypatch):
    """A batch's body is tens of MB: what the text and the number hooks show clean is not walked for offences
    (valid surrogate pairs and escaped backslashes are only suspicions, then walked, and accepted)."""
    from app import safe_json

    walked = []
    real = safe_json.first_offence
    monkeypatch.setattr(safe_json, "first_offence", lambda value: walked.append(value) or real(value))
    assert safe_json.parse(json.dumps({"items": [EXAMPLE] * 3}).encode()) == {"items": [EXAMPLE] * 3}
    assert safe_json.parse(json.dumps({"a": "Rīga 😀"}, ensure_ascii=False)) == {"a": "Rīga 😀"}
    assert not walked
    assert safe_json.parse(b'{"a": "\\ud83d\\ude00", "b": "\\\\u0000"}') == {"a": "😀", "b": "\\u0000"}
    assert len(walked) == 1


def test_a_large_body_is_parsed_without_collections(monkeypatch):
    """A JSON tree has no cycles: a large body is parsed with the collector off (a batch's tens of MB parsed three
    times faster in a serving process), which is on again after, and stays off for a parse that found it off."""
    import gc

    from app import safe_json

    collections = []
    callback = lambda phase, info: phase == "start" and collections.append(info["generation"])  # noqa: E731
    gc.callbacks.append(callback)
    try:
        large = json.dumps({"items": [EXAMPLE] * 1_000}).encode()
        assert len(large) > safe_json.LARGE
        gc.collect()
        collections.clear()
        parsed = safe_json.parse(large)
        # once, at most: the allocations counted while it was off start one collection when it is on again
        assert len(collections) <= 1 and gc.isenabled(), collections
        assert parsed["items"][999] == EXAMPLE
        small = json.dumps([{"n": k} for k in range(5_000)]).encode()  # under LARGE: collected as ever
        assert len(small) < safe_json.LARGE
        safe_json.parse(small)
        assert collections, "a small body is parsed with the collector as it was"
        gc.disable()
        safe_json.parse(large)
        assert not gc.isenabled(), "left as it was found"
    finally:
        gc.enable()
        gc.callbacks.remove(callback)


def test_the_first_offence_in_document_order_is_named(client):
    raw = b'{"a": [1, {"b": "\\u0000", "c": NaN}], "d": "\\udfff"}'
    body = assert_problem(client.post("/credentials/verify", content=raw, headers={"Content-Type": "application/json"}),
                          400, "malformed-request")
    assert body["errors"] == [{"field": "a[1].b", "message": "contains a NUL character"}]


def test_names_with_nul_characters_are_refused_not_stored(client):
    """On PostgreSQL a NUL in a learner's name reached the text column and failed there with a 500."""
    _, key = new_tenant(client)
    mc = copy.deepcopy(EXAMPLE)
    mc["learner"]["givenName"] = "An\u0000na"
    body = assert_problem(issue(client, key, mc), 400, "malformed-request")
    assert body["errors"][0]["field"] == "microCredential.learner.givenName"
    cohort = {"microCredentials": [copy.deepcopy(EXAMPLE), mc]}
    body = assert_problem(client.post("/credentials/cohorts", json=cohort, headers=auth(key)), 400)
    assert body["errors"][0]["field"] == "microCredentials[1].learner.givenName"
    assert count(client, key) == 0


def test_every_body_reading_endpoint_refuses_them(client, tenant):
    _, key = tenant
    cid = issue(client, key).json()["id"]
    nan_in_proof = b'{"verifiableCredential": {"type": ["VerifiableCredential"], "proof": {"created": NaN}}}'
    for path, raw in [("/credentials/verify", nan_in_proof),
                      (f"/credentials/{cid}/revoke", b'{"reason": "fraud", "note": "\\u0000"}'),
                      ("/credentials/status", b'{"credentialId": "\\ud83d", "credentialStatus": []}')]:
        response = client.post(path, content=raw, headers={**auth(key), "Content-Type": "application/json"})
        assert_problem(response, 400, "malformed-request")
    assert client.get(f"/credentials/{cid}", headers=auth(key)).json()["verifiableCredential"]  # still there


@pytest.mark.parametrize("pasted", ['{"proof": {"created": NaN}}', '{"name": "\\ud800"}', '{"name": "a\\u0000"}',
                                    '{"n": ' + "1" * 5000 + "}"])
def test_the_verification_form_refuses_them_with_a_page(client, pasted):
    response = client.post("/verify", data={"credential": pasted, "lang": "en"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "not a valid JSON document" in response.text


@pytest.mark.parametrize("url", ["/credentials/%00", "/credentials?learnerRef=a%00", "/credentials/x/events?x=%00",
                                 "/download/%00", "/v/%00", "/v/%00/qr.png", "/institutions/%00/did.json",
                                 "/status/%00/revocation/1"])
def test_nul_characters_in_the_url_are_a_400(client, tenant, url):
    _, key = tenant
    assert_problem(client.get(url, headers=auth(key)), 400, "malformed-request")


@pytest.mark.parametrize("query", [f"offset={2**70}", f"offset={2**31}", "offset=-1", f"limit={2**64}"])
def test_list_parameters_out_of_range_are_a_422(client, tenant, query):
    _, key = tenant
    body = assert_problem(client.get(f"/credentials?{query}", headers=auth(key)), 422, "invalid-input")
    assert body["errors"][0]["field"] == query.split("=")[0]


def test_a_large_offset_within_range_is_an_empty_page(client, tenant):
    _, key = tenant
    response = client.get(f"/credentials?offset={2**31 - 1}", headers=auth(key))
    assert response.status_code == 200 and response.json()["credentials"] == []


@pytest.mark.parametrize("seq", ["0", "99999999999999999999", str(2**31)])
def test_status_list_sequence_out_of_range_is_not_found(client, tenant, seq):
    slug, _ = tenant
    assert_problem(client.get(f"/status/{slug}/revocation/{seq}"), 404)


@pytest.mark.parametrize("subject_id", [["did:example:1"], {"id": "did:example:1"}, 7, True,
                                        "did:example:" + "x" * 200])
def test_credential_subject_id_must_be_one_uri(client, subject_id):
    _, key = new_tenant(client)
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
          "credentialSubject": {"id": subject_id}}
    body = assert_problem(issue_vc(client, key, vc), 422)
    assert "credential.credentialSubject.id" in [e["field"] for e in body["errors"]]
    assert count(client, key) == 0


def test_an_overlong_vc_id_is_refused(client, tenant):
    _, key = tenant
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
          "id": "urn:example:" + "ā" * 1000, "credentialSubject": {"id": "did:example:1"}}
    body = assert_problem(issue_vc(client, key, vc), 422)
    assert [e["field"] for e in body["errors"]] == ["credential.id"]
    vc["id"] = "urn:example:" + "ā" * 990  # 1,992 bytes: indexed fine on PostgreSQL
    assert issue_vc(client, key, vc).status_code == 201


@pytest.mark.parametrize("reason", [["fraud"], {"code": "fraud"}, 3])
def test_a_reason_that_is_not_text_is_a_422(client, tenant, reason):
    _, key = tenant
    cid = issue(client, key).json()["id"]
    body = assert_problem(client.post(f"/credentials/{cid}/revoke", json={"reason": reason}, headers=auth(key)), 422)
    assert body["errors"][0]["field"] == "reason"


def test_long_titles_and_names_are_issued_whole(client, tenant):
    """The listing's copies of title and learner name have a width; the signed credential keeps every character."""
    _, key = tenant
    mc = copy.deepcopy(EXAMPLE)
    mc["title"] = {"lv": "Ā" * 3000, "en": "A" * 3000}
    mc["learner"].update(givenName="G" * 200, familyName="F" * 200)
    response = issue(client, key, mc)
    assert response.status_code == 201, response.text
    listed = client.get(f"/credentials/{response.json()['id']}", headers=auth(key)).json()
    assert listed["title"] == "Ā" * 999 + "…" and len(listed["learnerName"]) == 400
    assert "Ā" * 3000 in json.dumps(listed["verifiableCredential"], ensure_ascii=False)


def test_the_admin_command_refuses_nul_characters_and_undecodable_bytes(database_url, tmp_path, monkeypatch,
                                                                        capsys):
    monkeypatch.setenv("MCRED_DATABASE_URL", database_url)
    monkeypatch.setenv("MCRED_KEYS_DIR", str(tmp_path))
    monkeypatch.setenv("MCRED_PUBLIC_URL", ORIGIN)
    # A NUL cannot pass through a real command line; a byte that is not UTF-8 arrives as a lone surrogate.
    for args, field in [(["--name-lv", "Univer\u0000sitāte"], "legalName"),
                        (["--name-lv", "Universit\udcffte"], "legalName"),
                        (["--name-lv", "Universitāte", "--homepage", "https://x.lv/\u0000"], "homepage"),
                        (["--name-lv", "Universitāte", "--api-key-label", "a\u0000"], "label")]:
        assert cli.main(["create-institution", "nul-test", *args]) == 2
        err = capsys.readouterr().err
        assert f"{field}: contains a" in err and "Traceback" not in err, err
    for slug in ("nul-test", "x\udcff"):  # nothing was stored; an undecodable slug is simply not found
        assert cli.main(["rotate-key", slug]) == 2 and "No institution" in capsys.readouterr().err
