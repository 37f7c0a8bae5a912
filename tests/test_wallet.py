"""OpenID4VCI (app.wallet, app.api.oid4vci): the pre-authorized code flow as a wallet drives it, and every refusal
in OAuth's error format: wrong and reused transaction codes, the lock-out (and the learner's page saying so), a
replayed nonce, a wrong audience, an old proof, an expired offer, two wallets racing for one offer, and a copy
revoked through its record."""

from __future__ import annotations

import json
import time
from base64 import urlsafe_b64encode
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey

from app.domain.microcredential import EXAMPLE
from tests.apphelpers import ORIGIN, auth, new_tenant

PRE = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def _b64(data: bytes) -> str:
    return urlsafe_b64encode(data).decode().rstrip("=")


class Wallet:
    """A wallet's key (Ed25519 or P-256) named by did:key, did:jwk or a bare jwk header."""

    def __init__(self, curve: str = "Ed25519", method: str = "did:key"):
        self.key = OKPKey.generate_key("Ed25519") if curve == "Ed25519" else ECKey.generate_key("P-256")
        self.alg = "EdDSA" if curve == "Ed25519" else "ES256"
        public = self.key.as_dict(private=False)
        self.method = method
        if method == "did:key":
            if curve == "Ed25519":
                raw = b"\xed\x01" + OKPKey.import_key(public).public_key.public_bytes_raw()
            else:
                from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
                raw = b"\x80\x24" + self.key.public_key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
            from app.domain.multibase import multibase_encode
            self.did = "did:key:" + multibase_encode(raw)
            self.kid = f"{self.did}#{self.did[8:]}"
        else:
            members = {k: public[k] for k in sorted(public) if k in ("crv", "kty", "x", "y")}
            self.did = "did:jwk:" + _b64(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
            self.kid = f"{self.did}#0"
        self.public = public

    def proof(self, *, aud: str, nonce: str | None, iat: int | None = None, typ="openid4vci-proof+jwt",
              header: dict | None = None) -> str:
        head = {"alg": self.alg, "typ": typ, **({"jwk": self.public} if self.method == "jwk" else {"kid": self.kid})}
        claims = {"aud": aud, "iat": int(time.time()) if iat is None else iat}
        if nonce is not None:
            claims["nonce"] = nonce
        return jws.serialize_compact({**head, **(header or {})}, json.dumps(claims).encode(), self.key,
                                     algorithms=[self.alg])


def issue(client, key, **extra):
    r = client.post("/credentials/issue", json={"microCredential": EXAMPLE, **extra}, headers=auth(key))
    assert r.status_code == 201, r.text
    return r.json()


def offer_of(client, link: str) -> dict:
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    r = client.get(uri)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store", r.text
    return r.json()


def token(client, offer: dict, tx_code: str | None = None):
    grant = offer["grants"][PRE]
    data = {"grant_type": PRE, "pre-authorized_code": grant["pre-authorized_code"]}
    if tx_code is not None:
        data["tx_code"] = tx_code
    return client.post(_path(offer["credential_issuer"]) + "/token", data=data)


def _path(url: str) -> str:
    return url[len(ORIGIN):]


def nonce(client, issuer: str) -> str:
    r = client.post(_path(issuer) + "/nonce")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    return r.json()["c_nonce"]


def credential(client, offer: dict, access_token: str, proof: str | None):
    body = {"credential_configuration_id": offer["credential_configuration_ids"][0]}
    if proof is not None:
        body["proofs"] = {"jwt": [proof]}
    return client.post(_path(offer["credential_issuer"]) + "/credential", json=body,
                       headers={"Authorization": f"Bearer {access_token}"})


def oauth_error(r, status: int, error: str):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json"), r.headers["content-type"]
    body = r.json()
    assert body["error"] == error and isinstance(body.get("error_description"), str), body
    assert set(body) == {"error", "error_description"}
    return body


@pytest.fixture(scope="module")
def tenant(client):
    return new_tenant(client)


def pick_up(client, answer: dict, wallet: Wallet):
    offer = offer_of(client, answer["links"]["walletOffer"])
    r = token(client, offer, answer.get("txCode"))
    assert r.status_code == 200, r.text
    access = r.json()["access_token"]
    proof = wallet.proof(aud=offer["credential_issuer"], nonce=nonce(client, offer["credential_issuer"]))
    r = credential(client, offer, access, proof)
    assert r.status_code == 200, r.text
    return r.json()["credentials"][0]["credential"]


# --- the flow ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("curve,method", [("Ed25519", "did:key"), ("P-256", "did:key"), ("Ed25519", "did:jwk"),
                                          ("P-256", "jwk")])
def test_pickup_binds_holder_and_shares_status(client, tenant, curve, method):
    slug, key = tenant
    answer = issue(client, key)
    assert answer["txCode"].isdigit() and len(answer["txCode"]) == 6
    wallet = Wallet(curve, method)
    vc = pick_up(client, answer, wallet)
    record = answer["verifiableCredential"]
    assert vc["credentialSubject"]["id"] == wallet.did
    assert vc["id"] != record["id"] and vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert vc["credentialStatus"] == record["credentialStatus"]
    listed = client.get(f"/credentials/{answer['id']}", headers=auth(key)).json()
    assert [(c["holder"], c["credentialId"]) for c in listed["walletCopies"]] == [(wallet.did, vc["id"])]
    assert listed["walletOffers"][0]["state"] == "picked-up" and listed["walletOffers"][0].get("txCode") is None
    # the copy verifies with the service's own verifier
    r = client.post("/credentials/verify", json={"verifiableCredential": vc})
    assert r.status_code == 200 and r.json()["verified"], r.text


def test_metadata_and_discovery(client, tenant):
    slug, _ = tenant
    issuer = f"{ORIGIN}/issuers/{slug}"
    meta = client.get(f"/.well-known/openid-credential-issuer/issuers/{slug}").json()
    assert meta["credential_issuer"] == issuer and meta["nonce_endpoint"] == issuer + "/nonce"
    assert {d["locale"] for d in meta["display"]} == {"lv", "en"}
    assert meta["display"][0]["name"] == f"Iestāde {slug}"
    config = meta["credential_configurations_supported"]["EuropeanDigitalCredential_ldp_vc"]
    assert config["format"] == "ldp_vc" and config["proof_types_supported"]["jwt"][
        "proof_signing_alg_values_supported"] == ["EdDSA", "ES256"]
    assert config["credential_definition"]["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    as_meta = client.get(f"/.well-known/oauth-authorization-server/issuers/{slug}").json()
    assert as_meta["issuer"] == issuer and as_meta["token_endpoint"] == issuer + "/token"
    assert as_meta["pre-authorized_grant_anonymous_access_supported"] is True
    oauth_error(client.get("/.well-known/openid-credential-issuer/issuers/nobody"), 404, "invalid_request")


# --- transaction codes ------------------------------------------------------------------------------------------


def test_wrong_missing_and_reused_tx_code(client, tenant):
    _, key = tenant
    answer = issue(client, key)
    offer = offer_of(client, answer["links"]["walletOffer"])
    assert offer["grants"][PRE]["tx_code"]["length"] == 6
    oauth_error(token(client, offer), 400, "invalid_request")
    wrong = "000000" if answer["txCode"] != "000000" else "111111"
    assert "4 attempts left" in oauth_error(token(client, offer, wrong), 400, "invalid_grant")["error_description"]
    assert token(client, offer, answer["txCode"]).status_code == 200
    oauth_error(token(client, offer, answer["txCode"]), 400, "invalid_grant")  # reused: picked up already


def test_no_tx_code_when_the_request_says_so(client, tenant):
    _, key = tenant
    answer = issue(client, key, walletTxCode=False)
    assert "txCode" not in answer
    offer = offer_of(client, answer["links"]["walletOffer"])
    assert "tx_code" not in offer["grants"][PRE]
    oauth_error(token(client, offer, "123456"), 400, "invalid_request")
    assert token(client, offer).status_code == 200


def test_lock_out_after_attempts_and_learner_page_says_so(client, tenant):
    _, key = tenant
    answer = issue(client, key)
    offer = offer_of(client, answer["links"]["walletOffer"])
    wrong = "000000" if answer["txCode"] != "000000" else "111111"
    for _ in range(4):
        oauth_error(token(client, offer, wrong), 400, "invalid_grant")
    assert "locked" in oauth_error(token(client, offer, wrong), 400, "invalid_grant")["error_description"]
    # the right code no longer helps
    assert "locked" in oauth_error(token(client, offer, answer["txCode"]), 400, "invalid_grant")["error_description"]
    page = client.get(answer["links"]["download"] + "?lang=en")
    assert 'data-wallet-state="locked"' in page.text and "a wrong code was entered too many times" in page.text
    assert "data-wallet-offer" not in page.text
    lv = client.get(answer["links"]["download"] + "?lang=lv").text
    assert "pārāk daudz reižu ievadīts nepareizs kods" in lv
    # a new offer from the learner's page: a fresh code, shown once, and a working offer
    made = client.post(urlsplit(answer["links"]["download"]).path + "/wallet-offer?lang=en")
    assert made.status_code == 200 and "data-wallet-offer" in made.text
    code = made.text.split("data-tx-code>")[1].split("<")[0]
    link = made.text.split('href="openid-credential-offer://')[1].split('"')[0]
    fresh = offer_of(client, "openid-credential-offer://" + link.replace("&amp;", "&"))
    assert "data-tx-code" not in client.get(answer["links"]["download"]).text  # shown once
    qr = client.get(urlsplit(answer["links"]["download"]).path + "/wallet-offer.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    from app.api.verify_pages import qr_svg  # the QR code of the verification link, decoded in test_qr_pages
    assert qr.text == qr_svg("openid-credential-offer://" + link.replace("&amp;", "&"))
    assert token(client, fresh, code).status_code == 200
    assert client.get(urlsplit(answer["links"]["download"]).path + "/wallet-offer.svg").status_code == 404


def test_learner_post_from_another_site_is_refused(client, tenant):
    _, key = tenant
    answer = issue(client, key)
    r = client.post(urlsplit(answer["links"]["download"]).path + "/wallet-offer",
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


# --- offers ---------------------------------------------------------------------------------------------------


def test_expired_offer(client, tenant):
    _, key = tenant
    answer = issue(client, key)
    offer = offer_of(client, answer["links"]["walletOffer"])
    services = client.app.state.services
    clock = services.clock
    services.clock = lambda: clock() + timedelta(seconds=services.settings.wallet_offer_seconds + 1)
    try:
        assert "expired" in oauth_error(token(client, offer, answer["txCode"]), 400,
                                        "invalid_grant")["error_description"]
    finally:
        services.clock = clock


def test_two_wallets_one_offer(client, tenant, in_threads):
    _, key = tenant
    answer = issue(client, key)
    offer = offer_of(client, answer["links"]["walletOffer"])
    results = []
    errors = in_threads(lambda: results.append(token(client, offer, answer["txCode"])), [()] * 2)
    assert errors == []
    assert sorted(r.status_code for r in results) == [200, 400]
    oauth_error(next(r for r in results if r.status_code == 400), 400, "invalid_grant")


def test_withdrawn_offer(client, tenant):
    _, key = tenant
    answer = issue(client, key)
    offer = offer_of(client, answer["links"]["walletOffer"])
    r = client.post(f"/credentials/{answer['id']}/wallet-offers/withdraw", headers=auth(key))
    assert r.status_code == 200 and r.json()["withdrawn"] == 1 and r.json()["offers"][0]["state"] == "withdrawn"
    assert "withdrawn" in oauth_error(token(client, offer, answer["txCode"]), 400,
                                      "invalid_grant")["error_description"]
    made = client.post(f"/credentials/{answer['id']}/wallet-offers?txCode=false", headers=auth(key))
    assert made.status_code == 201
    newest = made.json()["offers"][0]
    assert newest["state"] == "open" and newest["txCodeRequired"] is False
    assert token(client, offer_of(client, newest["walletOffer"])).status_code == 200


# --- the credential request -------------------------------------------------------------------------------------


def grant(client, key):
    """(offer, access token) of a fresh credential."""
    answer = issue(client, key)
    offer = offer_of(client, answer["links"]["walletOffer"])
    return offer, token(client, offer, answer["txCode"]).json()["access_token"]


@pytest.fixture
def granted(client, tenant):
    return grant(client, tenant[1])


def test_replayed_nonce(client, tenant):
    first, second = grant(client, tenant[1]), grant(client, tenant[1])
    wallet = Wallet()
    issuer = first[0]["credential_issuer"]
    used = nonce(client, issuer)
    assert credential(client, *first, wallet.proof(aud=issuer, nonce=used)).status_code == 200
    oauth_error(credential(client, *second, wallet.proof(aud=issuer, nonce=used)), 400, "invalid_nonce")
    oauth_error(credential(client, *second, wallet.proof(aud=issuer, nonce="made-up")), 400, "invalid_nonce")
    oauth_error(credential(client, *second, wallet.proof(aud=issuer, nonce=None)), 400, "invalid_nonce")
    # the token is still good for a request with a fresh nonce, once
    assert credential(client, *second, wallet.proof(aud=issuer, nonce=nonce(client, issuer))).status_code == 200
    oauth_error(credential(client, *second, wallet.proof(aud=issuer, nonce=nonce(client, issuer))), 401,
                "invalid_token")


def test_wrong_audience_old_and_future_proofs(client, granted):
    offer, access = granted
    wallet = Wallet()
    issuer = offer["credential_issuer"]
    cases = [dict(aud=f"{ORIGIN}/issuers/someone-else"), dict(aud=issuer, iat=int(time.time()) - 3600),
             dict(aud=issuer, iat=int(time.time()) + 3600), dict(aud=issuer, typ="JWT")]
    for case in cases:
        proof = wallet.proof(nonce=nonce(client, issuer), **{"aud": issuer, **case})
        oauth_error(credential(client, offer, access, proof), 400, "invalid_proof")
    # signed by another key than the one it names
    forged = Wallet().proof(aud=issuer, nonce=nonce(client, issuer), header={"kid": wallet.kid})
    oauth_error(credential(client, offer, access, forged), 400, "invalid_proof")
    oauth_error(credential(client, offer, access, None), 400, "invalid_proof")
    oauth_error(credential(client, offer, "not-a-token", wallet.proof(aud=issuer, nonce=nonce(client, issuer))), 401,
                "invalid_token")
    assert credential(client, offer, access, wallet.proof(aud=issuer, nonce=nonce(client, issuer))).status_code == 200


def test_copy_revoked_through_its_record(client, tenant):
    _, key = tenant
    answer = issue(client, key)
    vc = pick_up(client, answer, Wallet())
    r = client.post(f"/credentials/{answer['id']}/revoke", json={"reason": "issued-in-error"}, headers=auth(key))
    assert r.status_code == 200, r.text
    result = client.post("/credentials/verify", json={"verifiableCredential": vc})
    assert result.status_code == 400 and result.json()["verdict"] == "revoked", result.text


# --- where offers come from -----------------------------------------------------------------------------------


def test_institution_default_and_batch_items(client):
    from app import admin, jobs
    from app.storage import institutions

    slug, key = new_tenant(client)
    services = client.app.state.services
    with client.app.state.session_factory() as session:
        admin.update_institution(session, services, institutions.by_slug(session, slug), wallet_tx_code=False)
        session.commit()
    answer = issue(client, key)
    assert "txCode" not in answer and token(client, offer_of(client, answer["links"]["walletOffer"])).status_code == 200
    assert "txCode" in issue(client, key, walletTxCode=True)  # the request overrides the default
    with client.app.state.session_factory() as session:
        admin.update_institution(session, services, institutions.by_slug(session, slug), wallet_tx_code=True)
        session.commit()
    batch = client.post("/credentials/batches", json={"items": [EXAMPLE, EXAMPLE]}, headers=auth(key)).json()
    jobs.work(services.settings, processes=1, until_batch=batch["id"])
    items = client.get(f"/batches/{batch['id']}", headers=auth(key)).json()["items"]
    assert [i["status"] for i in items] == ["issued", "issued"]
    assert all(i["links"]["walletOffer"].startswith("openid-credential-offer://") and len(i["txCode"]) == 6
               for i in items)
    first = items[0]
    vc = pick_up(client, first, Wallet("P-256"))
    assert vc["credentialSubject"]["id"].startswith("did:key:zDn")
    again = client.get(f"/batches/{batch['id']}", headers=auth(key)).json()["items"][0]
    assert again["links"].get("walletOffer") is None and again.get("txCode") is None  # picked up: nothing to deliver


def test_ready_vc2_is_offered_in_its_own_configuration(client, tenant):
    from tests.apphelpers import did_of
    from tests.test_verify_api import vc2

    slug, key = tenant
    r = client.post("/credentials/issue", json={"credential": vc2(did_of(client, slug))}, headers=auth(key))
    assert r.status_code == 201, r.text
    answer = r.json()
    offer = offer_of(client, answer["links"]["walletOffer"])
    assert offer["credential_configuration_ids"] == ["VerifiableCredential_v2_ldp_vc"]
    wallet = Wallet("P-256", "did:jwk")
    vc = pick_up(client, answer, wallet)
    assert vc["credentialSubject"]["id"] == wallet.did
    assert client.post("/credentials/verify", json={"verifiableCredential": vc}).json()["verified"]


def test_cohort_members_carry_their_offers(client, tenant):
    _, key = tenant
    r = client.post("/credentials/cohorts", json={"microCredentials": [EXAMPLE, EXAMPLE]}, headers=auth(key))
    assert r.status_code == 201, r.text
    members = r.json()["credentials"]
    assert len({m["links"]["walletOffer"] for m in members}) == 2 and all(len(m["txCode"]) == 6 for m in members)
    assert pick_up(client, members[1], Wallet())["credentialSubject"]["id"].startswith("did:key:z6Mk")


def test_expired_nonce_and_token(client, tenant):
    offer, access = grant(client, tenant[1])
    issuer = offer["credential_issuer"]
    old = nonce(client, issuer)
    services = client.app.state.services
    clock = services.clock
    later = services.settings.wallet_nonce_seconds + 1
    services.clock = lambda: clock() + timedelta(seconds=later)
    try:
        proof = Wallet().proof(aud=issuer, nonce=old, iat=int(time.time()) + later)
        # the access token has expired (it lives MCRED_WALLET_TOKEN_SECONDS)
        oauth_error(credential(client, offer, access, proof), 401, "invalid_token")
    finally:
        services.clock = clock
    offer3, access3 = grant(client, tenant[1])
    stale = nonce(client, issuer)
    from sqlalchemy import update

    from app.db.models import WalletNonce
    from app.wallet.offers import digest
    with client.app.state.session_factory() as session:  # the nonce's lifetime ran out, the token's has not
        session.execute(update(WalletNonce).where(WalletNonce.nonce_hash == digest(stale))
                        .values(expires_at=clock() - timedelta(seconds=1)))
        session.commit()
    oauth_error(credential(client, offer3, access3, Wallet().proof(aud=issuer, nonce=stale)), 400, "invalid_nonce")


def test_suspended_record_suspends_the_copy(client):
    _, key = new_tenant(client, suspension_enabled=True)
    answer = issue(client, key)
    vc = pick_up(client, answer, Wallet("P-256", "did:jwk"))
    assert client.post(f"/credentials/{answer['id']}/suspend", json={}, headers=auth(key)).status_code == 200
    assert client.post("/credentials/verify", json={"verifiableCredential": vc}).json()["verdict"] == "suspended"
    assert client.post(f"/credentials/{answer['id']}/reinstate", json={}, headers=auth(key)).status_code == 200
    assert client.post("/credentials/verify", json={"verifiableCredential": vc}).json()["verified"]
