"""Recognised issuers: a genuine signature by a key this service does not vouch for is never shown as a genuine
credential of the institution it names; the operator's trust list (reloaded when it changes) extends the
service's own institutions; names that differ from the recognised institution's are flagged."""

from __future__ import annotations

import copy
import html
import json
import os
import re
import time

import pytest

from app.trust import TrustList, TrustListError
from tests.apphelpers import DID_A, issue, new_tenant, sign, SIGNER_A

UL = {"lv": "Latvijas Universitāte", "en": "University of Latvia"}


def verify(client, credential):
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def page(client, credential, lang="en") -> tuple[str, str]:
    r = client.post("/verify", data={"credential": json.dumps(credential), "lang": lang})
    return re.search(r'data-verdict="([^"]+)"', r.text).group(1), html.unescape(r.text)


@pytest.fixture(scope="module")
def forged_ul(client, loader):
    """A micro-credential that names the University of Latvia as issuer and awarding body, genuinely signed by
    did:key A (anyone can make such a key)."""
    slug, key = new_tenant(client)
    cred = copy.deepcopy(issue(client, key).json()["verifiableCredential"])
    for name in ("proof", "credentialStatus"):
        cred.pop(name)
    cred["issuer"]["id"] = DID_A
    cred["issuer"]["legalName"] = dict(UL)
    every_awarding_body(cred, cred["issuer"])
    return sign(cred, SIGNER_A, loader)


def every_awarding_body(node, body) -> None:
    """Make ``body`` the awarding body of every awarding process in ``node`` (the claim's, the assessment's...)."""
    if isinstance(node, list):
        for item in node:
            every_awarding_body(item, body)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "awardingBody":
                node[key] = copy.deepcopy(body)
            else:
                every_awarding_body(value, body)


def test_own_institution_is_recognised(client):
    slug, key = new_tenant(client)
    issued = issue(client, key).json()
    body = verify(client, issued["verifiableCredential"]).json()
    assert body["verdict"] == "verified"
    assert body["issuer"]["recognised"] is True and body["issuer"]["source"] == "institution"
    assert body["issuer"]["name"]["en"] == f"Institution {slug}"


def test_a_genuine_signature_by_an_unknown_key_is_not_a_genuine_credential(client, forged_ul):
    r = verify(client, forged_ul)
    assert r.status_code == 200  # VC API: proof, status and validity held
    body = r.json()
    assert body["verified"] is True and body["verdict"] == "unrecognised-issuer"
    assert body["issuer"] == {"id": DID_A, "recognised": False}
    assert "issuer-not-recognised" in {w["code"] for w in body["warnings"]}
    for lang, claim in (("en", "only the credential's own claim"), ("lv", "tikai paša apliecinājuma apgalvojums")):
        verdict, text = page(client, forged_ul, lang)
        assert verdict == "unrecognised-issuer"
        assert "genuine and valid" not in text and "ir īsts un derīgs" not in text
        assert claim in text


def test_the_operators_trust_list_recognises_an_issuer_and_is_reloaded(trusted_client, forged_ul):
    client, path = trusted_client
    body = verify(client, forged_ul).json()
    assert body["verdict"] == "verified"
    assert body["issuer"]["source"] == "trust-list" and body["issuer"]["homepage"] == "https://www.lu.lv"

    # the operator renames the entry: the credential's names no longer match and are flagged
    time.sleep(0.01)
    path.write_text(json.dumps({"issuers": [{"did": DID_A, "name": {"en": "Riga Stradiņš University"}}]}))
    os.utime(path, ns=(time.time_ns(), time.time_ns()))
    body = verify(client, forged_ul).json()
    assert body["verdict"] == "unrecognised-issuer"
    mismatch = next(w for w in body["warnings"] if w["code"] == "issuer-name-mismatch")
    assert mismatch["fields"] == ["issuer", "awardingBody"]

    # a broken edit is reported and the last good list stays in force
    path.write_text("{not json")
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert verify(client, forged_ul).json()["issuer"]["source"] == "trust-list"


def test_an_awarding_body_named_differently_from_the_issuer_is_flagged(trusted_client, forged_ul, loader):
    client, _ = trusted_client
    cred = copy.deepcopy(forged_ul)
    cred.pop("proof")
    cred["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"] = {
        **cred["issuer"], "id": "urn:uuid:9b6f0d3e-2e7e-4d0a-9b0c-1f1f1f1f1f1f",
        "legalName": {"en": "Harvard University"}}
    body = verify(client, sign(cred, SIGNER_A, loader)).json()
    assert body["verdict"] == "unrecognised-issuer"
    assert next(w for w in body["warnings"] if w["code"] == "issuer-name-mismatch")["fields"] == ["awardingBody"]


@pytest.mark.parametrize("content,message", [
    ("[]", '"issuers" list'),
    ('{"issuers": [{"did": "https://x", "name": {"en": "X"}}]}', '"did" must be a DID'),
    ('{"issuers": [{"did": "did:web:x", "name": "X"}]}', '"name" must be a language map'),
    ('{"issuers": [{"did": "did:web:x", "name": {"en": "X"}}, {"did": "did:web:x", "name": {"en": "Y"}}]}',
     "listed twice"),
])
def test_an_invalid_trust_list_stops_the_service_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "trust.json"
    path.write_text(content)
    with pytest.raises(TrustListError, match=re.escape(message)):
        TrustList(path)
