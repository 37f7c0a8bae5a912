"""A real wallet client against the running service: the OpenWallet Foundation's ``@openid4vc/openid4vci`` and
``@openid4vc/oauth2`` (tests/wallet/wallet.mjs) drive the whole OpenID4VCI flow over HTTP, from the offer URI to
the stored credential; the independent verifier (Digital Bazaar's, tests/peer.py) then verifies the stored copy
(proof, status list) and its holder, and sees it revoked once the institution revokes the record."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from app.domain.microcredential import EXAMPLE
from tests.apphelpers import auth, new_tenant
from tests.liveserver import live_server
from tests.peer import NODE, peer_verify, requires_peer

WALLET_DIR = Path(__file__).resolve().parent / "wallet"

pytestmark = [*requires_peer, pytest.mark.skipif(
    not (WALLET_DIR / "node_modules" / "@openid4vc" / "openid4vci").is_dir(),
    reason="the wallet's packages are not installed (npm ci --prefix tests/wallet)")]


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    with live_server(database_url, tmp_path_factory.mktemp("keys")) as app:
        yield app


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.state.services.settings.public_origin, timeout=30) as client:
        yield client


def wallet(offer: str, tx_code: str | None, curve: str, method: str, tmp_path: Path) -> dict:
    out = tmp_path / f"stored-{curve}-{method.replace(':', '')}.json"
    done = subprocess.run([NODE, str(WALLET_DIR / "wallet.mjs"), offer, tx_code or "-", curve, method, str(out)],
                          capture_output=True, text=True, timeout=120, cwd=WALLET_DIR)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())


@pytest.mark.parametrize("curve,method", [("Ed25519", "did:key"), ("P-256", "did:jwk")])
def test_wallet_picks_up_a_credential_the_peer_verifies(server, http, tmp_path, curve, method):
    _, key = new_tenant(SimpleNamespace(app=server))
    issued = http.post("/credentials/issue", json={"microCredential": EXAMPLE}, headers=auth(key)).json()
    stored = wallet(issued["links"]["walletOffer"], issued["txCode"], curve, method, tmp_path)
    assert stored["version"] == "V1" and stored["configurationId"] == "EuropeanDigitalCredential_ldp_vc"
    vc = stored["credential"]
    assert vc["credentialSubject"]["id"] == stored["holder"] and stored["holder"].startswith(method)
    assert vc["credentialStatus"] == issued["verifiableCredential"]["credentialStatus"]
    result = peer_verify(vc, tmp_path)
    assert result["verified"], result
    assert [r["status"] for r in result["statusResult"]["results"]] == [False], result  # not revoked
    record = http.get(f"/credentials/{issued['id']}", headers=auth(key)).json()
    assert [c["holder"] for c in record["walletCopies"]] == [stored["holder"]]
    # the offer was for one wallet: a second one is refused (invalid_grant)
    second = subprocess.run([NODE, str(WALLET_DIR / "wallet.mjs"), issued["links"]["walletOffer"], issued["txCode"],
                             curve, method, str(tmp_path / "second.json")], capture_output=True, text=True,
                            timeout=120, cwd=WALLET_DIR)
    assert second.returncode == 1 and "invalid_grant" in second.stderr, second.stderr
    # revoking the record revokes the wallet's copy
    assert http.post(f"/credentials/{issued['id']}/revoke", json={"reason": "issued-in-error"},
                     headers=auth(key)).status_code == 200
    # @digitalbazaar/vc's "verified" covers the proof and the status list; the status is the bit (true = revoked)
    revoked = peer_verify(vc, tmp_path)
    assert revoked["statusResult"]["verified"] is True
    assert [r["status"] for r in revoked["statusResult"]["results"]] == [True], revoked
