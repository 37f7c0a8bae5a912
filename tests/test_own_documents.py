"""A credential of this service sent back unchanged is verified from its template (app.domain.rdf_templates, as it
was signed); anything else has its statements computed afresh, and a template that gets a document wrong can only
cost time, never a verdict (app.domain.verification.credential, app.verifying.Resolvers.issued_here)."""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from app.db.models import Credential
from app.domain import rdf_templates, rdfc
from app.domain.json_digest import digest
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import auth, issue_ok


@pytest.fixture
def computed(monkeypatch):
    """The VC ids of the documents whose statements were computed in full ("full") and from a template
    ("templated") since the fixture was asked for."""
    seen: dict[str, list] = {"full": [], "templated": []}
    full, templated = rdfc.statements, rdf_templates.statements

    def watch(kind, compute):
        def watched(doc, *args, **kwargs):
            seen[kind].append(doc.get("id") if isinstance(doc, dict) else None)
            return compute(doc, *args, **kwargs)
        return watched

    monkeypatch.setattr(rdfc, "statements", watch("full", full))
    monkeypatch.setattr(rdf_templates, "statements", watch("templated", templated))
    return seen


def issued(client, key: str, n: int = 3) -> list[dict]:
    """``n`` credentials of one shape: from the second on, this process signs them from a template."""
    return [issue_ok(client, key, learner={**EXAMPLE["learner"], "givenName": f"Anna{k}", "reference": f"OWN-{k}"})
            for k in range(n)]


def verify(client, credential):
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def test_the_services_own_credential_sent_back_unchanged_is_verified_from_its_template(client, tenant, computed):
    answers = issued(client, tenant[1])
    cred = answers[-1]["verifiableCredential"]
    computed["full"].clear()
    r = verify(client, cred)
    assert r.status_code == 200 and r.json()["verified"] is True, r.text
    assert cred["id"] in computed["templated"]
    assert cred["id"] not in computed["full"], "the stored document's statements were computed in full"
    # the page of the same credential too
    computed["templated"].clear()
    page = client.get(urlsplit(answers[-1]["links"]["verification"]).path)
    assert page.status_code == 200 and 'data-verdict="verified"' in page.text
    assert cred["id"] not in computed["full"]


@pytest.mark.parametrize("change,verified", [
    ("learner", False), ("space-in-a-name", False), ("zero-for-false", False), ("proof", False),
    # the ELM context types `page` as xsd:integer, and JSON-LD writes 1.0 there as "1": the same statements
    ("double-for-an-integer", True)])
def test_anything_but_the_stored_document_is_computed_afresh(client, tenant, computed, change, verified):
    cred = copy.deepcopy(issued(client, tenant[1])[-1]["verifiableCredential"])
    subject = cred["credentialSubject"]
    if change == "learner":
        subject["givenName"] = {"lv": "Marta"}
    elif change == "space-in-a-name":
        subject["familyName"] = {key: text + " " for key, text in subject["familyName"].items()}
    elif change == "double-for-an-integer":  # equal in Python (1 == 1.0), not in JSON-LD (xsd:double)
        cred["displayParameter"]["individualDisplay"][0]["displayDetail"]["page"] = 1.0
    elif change == "zero-for-false":  # equal in Python (False == 0), not in JSON-LD (xsd:integer)
        subject["hasClaim"]["specifiedBy"]["isPartialQualification"] = 0
    else:
        cred["proof"]["created"] = "2026-01-01T00:00:00Z"
    r = verify(client, cred)
    assert r.status_code == (200 if verified else 400) and r.json()["verified"] is verified, r.text
    assert cred["id"] in computed["full"] and cred["id"] not in computed["templated"]


def test_a_revoked_credential_sent_back_unchanged_is_revoked(client, tenant, computed):
    answer = issued(client, tenant[1])[-1]
    cred = answer["verifiableCredential"]
    assert client.post(f"/credentials/{answer['id']}/revoke", json={"reason": "issued-in-error"},
                       headers=auth(tenant[1])).status_code == 200
    r = verify(client, cred)
    assert r.status_code == 400 and r.json()["verdict"] == "revoked", r.text
    assert cred["id"] in computed["templated"]


def test_a_template_that_gets_the_document_wrong_only_costs_the_full_computation(client, tenant, monkeypatch):
    cred = issued(client, tenant[1])[-1]["verifiableCredential"]
    real = rdf_templates.statements
    wrong = []

    def mistaken(doc, *args, **kwargs):
        found = real(doc, *args, **kwargs)
        if doc.get("id") == cred["id"]:
            wrong.append(doc["id"])
            return rdfc.Statements(found.dataset, found.nquads.replace("Anna2", "Anna3"))  # another learner
        return found

    monkeypatch.setattr(rdf_templates, "statements", mistaken)
    r = verify(client, cred)
    assert wrong == [cred["id"]], "the template was not asked"
    assert r.status_code == 200 and r.json()["verified"] is True, r.text


def test_a_credential_stored_before_its_digest_was_kept_is_verified_as_any_document(client, tenant, computed):
    answer = issued(client, tenant[1])[-1]
    with client.app.state.session_factory() as session:
        session.execute(update(Credential).where(Credential.id == answer["id"]).values(document_digest=None))
        session.commit()
    computed["full"].clear()
    r = verify(client, answer["verifiableCredential"])
    assert r.status_code == 200 and r.json()["verified"] is True, r.text
    assert answer["verifiableCredential"]["id"] in computed["full"]
    assert answer["verifiableCredential"]["id"] not in computed["templated"]


def test_the_digest_tells_json_types_and_key_orders_apart():
    assert len({digest(1), digest(1.0), digest(True), digest("1"), digest(None), digest(0)}) == 6
    assert digest({"a": 1, "b": [1, "ā"]}) == digest({"a": 1, "b": [1, "ā"]})
    assert digest({"a": 1, "b": 2}) != digest({"b": 2, "a": 1})
    assert digest({"a": [1, 2]}) != digest({"a": [2, 1]})


def test_a_credential_sent_back_in_another_key_order_is_verified_as_any_document(client, tenant, computed):
    cred = issued(client, tenant[1])[-1]["verifiableCredential"]
    reordered = dict(reversed(list(cred.items())))
    r = verify(client, reordered)
    assert r.status_code == 200 and r.json()["verified"] is True, r.text
    assert cred["id"] in computed["full"] and cred["id"] not in computed["templated"]


def test_the_digest_kept_is_that_of_the_document_stored(client, tenant):
    answer = issued(client, tenant[1], n=1)[0]
    with client.app.state.session_factory() as session:
        row = session.get(Credential, answer["id"])
        assert row.document_digest == digest(row.document) == digest(answer["verifiableCredential"])
