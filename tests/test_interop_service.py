"""The running service against the independent verifier (Digital Bazaar's vc + eddsa-rdfc-2022 + bitstring
status list): credentials issued over HTTP verify there, with did:web and the status list resolved over real HTTP,
fail after any change, and show revocation and suspension."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import httpx
import pytest

from tests.apphelpers import auth, issue_ok, new_tenant
from tests.liveserver import live_server
from tests.peer import peer_verify, requires_peer

pytestmark = requires_peer


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    with live_server(database_url, tmp_path_factory.mktemp("keys")) as app:
        yield app


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.state.services.settings.public_origin, timeout=30) as client:
        yield client


def test_issued_credential_verifies_independently_and_fails_when_changed(server, http, tmp_path):
    _, key = new_tenant(SimpleNamespace(app=server))
    body = issue_ok(http, key)
    vc = body["verifiableCredential"]
    downloaded = http.get(body["links"]["credentialFile"]).json()
    out = peer_verify(downloaded, tmp_path)
    assert out["verified"] is True, out
    # (The peer reports each status entry's bit, in the order of credentialStatus.)
    assert [r["status"] for r in out["statusResult"]["results"]] == [False]

    changes = {
        "title": lambda d: d["credentialSubject"]["hasClaim"].__setitem__("title", {"lv": "Kaut kas cits"}),
        "validFrom": lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00Z"),
        "learner": lambda d: d["credentialSubject"].__setitem__("givenName", {"lv": "Mallory"}),
        "status index": lambda d: d["credentialStatus"].__setitem__("statusListIndex", "7"),
        "proof created": lambda d: d["proof"].__setitem__("created", "2020-01-01T00:00:00Z"),
    }
    for name, change in changes.items():
        tampered = copy.deepcopy(vc)
        change(tampered)
        assert peer_verify(tampered, tmp_path)["verified"] is False, name


def test_revocation_and_suspension_seen_by_independent_verifier(server, http, tmp_path):
    _, key = new_tenant(SimpleNamespace(app=server), suspension_enabled=True)
    revoked, suspended, fine = (issue_ok(http, key) for _ in range(3))
    assert http.post(f"/credentials/{revoked['id']}/revoke", json={"reason": "fraud"},
                     headers=auth(key)).status_code == 200
    assert http.post(f"/credentials/{suspended['id']}/suspend", json={"reason": "under-investigation"},
                     headers=auth(key)).status_code == 200

    out = peer_verify(fine["verifiableCredential"], tmp_path)
    assert out["verified"] is True
    assert [r["status"] for r in out["statusResult"]["results"]] == [False, False]
    # @digitalbazaar/vc's "verified" covers the proofs and that the status list could be read and verified;
    # the credential's status itself is the bit each result reports (true = revoked / suspended).
    out = peer_verify(revoked["verifiableCredential"], tmp_path)
    assert out["statusResult"]["verified"] is True
    assert [r["status"] for r in out["statusResult"]["results"]] == [True, False]
    out = peer_verify(suspended["verifiableCredential"], tmp_path)
    assert [r["status"] for r in out["statusResult"]["results"]] == [False, True]
