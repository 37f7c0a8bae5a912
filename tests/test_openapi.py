"""The OpenAPI document describes what the service really accepts and sends.

Real requests to every route, successes and refusals: each answer's status and media type must be documented for
its operation and its body must validate (JSON Schema 2020-12, jsonschema) against the documented schema; each
request body the service accepted must validate against the documented request body, and each one the service's
model refused must not. Every error is documented as problem+json, never FastAPI's ``{"detail": …}``; every body
a route reads and every JSON answer has a schema of its own; the API key is a security scheme.
(tests/test_schemathesis.py checks the same conformance on generated requests.)
"""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import quote, unquote

import jsonschema
import pytest

from app.api.problems import is_oauth_path
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import DID_A, ORIGIN, SIGNER_A, SIGNER_B, auth, did_of, new_tenant, sign
from tests.test_verify_api import vc2
from tests.test_w3c_rules import presentation, sign_presentation

PROBLEM_REF = "#/components/schemas/Problem"


@pytest.fixture(scope="module")
def doc(client) -> dict:
    return client.get("/openapi.json").json()


def operation(doc: dict, method: str, path: str) -> tuple[str, dict]:
    """The operation whose path template matches ``path``."""
    for template, methods in doc["paths"].items():
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path.split("?")[0]) and method in methods:
            return template, methods[method]
    raise AssertionError(f"{method.upper()} {path} is not documented")


def validate(doc: dict, schema: dict, instance) -> None:
    jsonschema.Draft202012Validator({**schema, "components": doc["components"]}).validate(instance)


def is_valid(doc: dict, schema: dict, instance) -> bool:
    return jsonschema.Draft202012Validator({**schema, "components": doc["components"]}).is_valid(instance)


class Recorder:
    """Sends requests and checks each answer (and accepted body) against the document; remembers what it saw."""

    def __init__(self, client, doc):
        self.client, self.doc, self.seen = client, doc, set()

    def __call__(self, method: str, path: str, expect: int, *, body=None, raw: bytes | None = None,
                 headers: dict | None = None, schema_refuses: bool = False):
        kwargs = {"headers": headers or {}}
        if raw is not None:
            kwargs["content"] = raw
        elif body is not None:
            kwargs["json"] = body
        r = self.client.request(method.upper(), path, follow_redirects=False, **kwargs)
        assert r.status_code == expect, f"{method.upper()} {path}: {r.status_code} {r.text[:300]}"
        template, op = operation(self.doc, method, path)
        self.seen.add((method, template, r.status_code))
        documented = op["responses"].get(str(r.status_code))
        assert documented, f"{method.upper()} {template}: {r.status_code} is not documented"
        ctype = r.headers.get("content-type", "").split(";")[0]
        if r.content:
            assert ctype in documented.get("content", {}), f"{template} {r.status_code}: {ctype} not documented"
            schema = documented["content"][ctype].get("schema")
            if ctype.endswith("json"):
                assert schema, f"{template} {r.status_code} {ctype}: no schema"
                validate(self.doc, schema, r.json())
        if body is not None and "requestBody" in op:
            request_schema = op["requestBody"]["content"]["application/json"]["schema"]
            if 200 <= r.status_code < 300:
                validate(self.doc, request_schema, body)  # what the service accepts, the document accepts
            if schema_refuses:
                assert r.status_code == 422
                assert not is_valid(self.doc, request_schema, body), f"the document accepts what {template} refused"
        return r


def test_every_answer_is_as_documented(client, doc, loader):
    slug, key = new_tenant(client, suspension_enabled=True)
    _, bare_key = new_tenant(client, registration=None)  # an institution whose profile lacks its registration
    a = auth(key)
    call = Recorder(client, doc)
    mc = copy.deepcopy(EXAMPLE)

    # issuing
    issued = call("post", "/credentials/issue", 201, body={"microCredential": mc}, headers=a).json()
    call("post", "/credentials/issue", 201, body={"credential": vc2(did_of(client, slug))}, headers=a)
    call("post", "/credentials/issue", 422, body={"microCredential": mc, "credential": {}}, headers=a,
         schema_refuses=True)
    call("post", "/credentials/issue", 422, body={"microCredential": {k: v for k, v in mc.items() if k != "title"}},
         headers=a, schema_refuses=True)
    call("post", "/credentials/issue", 401, body={"microCredential": mc})
    call("post", "/credentials/issue", 400, raw=b'{"microCredential": ', headers=a)
    call("post", "/credentials/issue", 415, raw=b"<xml/>", headers={**a, "Content-Type": "application/xml"})
    call("post", "/credentials/issue", 413, raw=b'{"x": "' + b"a" * 3_000_000 + b'"}',
         headers={**a, "Content-Type": "application/json"})
    call("post", "/credentials/issue", 409, body={"microCredential": mc}, headers=auth(bare_key))
    cohort = call("post", "/credentials/cohorts", 201, body={"microCredentials": [mc, mc]}, headers=a).json()
    call("post", "/credentials/cohorts", 422, body={"microCredentials": []}, headers=a, schema_refuses=True)
    batch = call("post", "/credentials/batches", 202, body={"items": [mc, mc], "mode": "partial"}, headers=a).json()
    call("post", "/credentials/batches", 422, body={"items": [mc], "mode": "some"}, headers=a, schema_refuses=True)
    call("post", "/credentials/batches", 409, body={"items": [mc]}, headers=auth(bare_key))
    call("get", f"/batches/{batch['id']}?status=pending&limit=1", 200, headers=a)
    call("get", "/batches/nothing", 404, headers=a)

    # reading
    cid = issued["id"]
    call("get", "/credentials", 200, headers=a)
    call("get", "/credentials?limit=0", 422, headers=a)
    call("get", f"/credentials/{cid}", 200, headers=a)
    call("get", "/credentials/no-such-id", 404, headers=a)
    call("get", f"/credentials/{cid}", 401)
    call("get", f"/credentials/{cid}/events", 200, headers=a)

    # status
    other = cohort["credentials"][0]["id"]
    call("post", f"/credentials/{cid}/revoke", 422, body={}, headers=a, schema_refuses=True)
    call("post", f"/credentials/{cid}/revoke", 422, body={"reason": "bored"}, headers=a, schema_refuses=True)
    call("post", f"/credentials/{cid}/revoke", 200, body={"reason": "fraud", "note": "n"}, headers=a)
    call("post", f"/credentials/{cid}/reinstate", 409, headers=a)
    call("post", f"/credentials/{other}/suspend", 200, headers=a)
    call("post", f"/credentials/{other}/reinstate", 200, body={}, headers=a)
    call("post", "/credentials/no-such-id/suspend", 404, body={"reason": "under-investigation"}, headers=a)
    update = {"credentialId": other, "credentialStatus": [{"type": "BitstringStatusListEntry",
                                                           "statusPurpose": "suspension", "status": True}]}
    call("post", "/credentials/status", 200, body=update, headers=a)
    call("post", "/credentials/status", 422, body={**update, "credentialStatus": [{"statusPurpose": "fun"}]},
         headers=a, schema_refuses=True)
    call("post", "/credentials/status", 404, body={**update, "credentialId": "urn:uuid:nothing"}, headers=a)

    # verifying
    vc = issued["verifiableCredential"]
    call("post", "/credentials/verify", 200, body={"verifiableCredential": cohort["credentials"][1][
        "verifiableCredential"]})
    body = call("post", "/credentials/verify", 400, body={"verifiableCredential": vc}).json()  # revoked
    assert body["verdict"] == "revoked" and body["type"].endswith("credential-revoked")
    call("post", "/credentials/verify", 422, body={"credential": vc}, schema_refuses=True)
    vp = sign_presentation(presentation(credentials=[sign(vc2(DID_A), SIGNER_A, loader)]), SIGNER_B, loader)
    call("post", "/presentations/verify", 200,
         body={"verifiablePresentation": vp, "options": {"challenge": "c-123", "domain": "verifier.example"}})
    call("post", "/presentations/verify", 400, body={"verifiablePresentation": vp, "options": {"challenge": "other"}})
    call("post", "/presentations/verify", 422, body={"verifiablePresentation": vp, "options": {"challenge": 5}},
         schema_refuses=True)

    # public documents
    status_list = vc["credentialStatus"]
    status_list = (status_list if isinstance(status_list, list) else [status_list])[0]["statusListCredential"]
    listed = call("get", status_list.removeprefix(ORIGIN), 200)
    call("get", status_list.removeprefix(ORIGIN), 304, headers={"If-None-Match": listed.headers["etag"]})
    call("get", f"/status/{slug}/revocation/999", 404)
    call("get", f"/status/{slug}/revocation/first", 422)
    call("get", f"/institutions/{slug}/did.json", 200)
    call("get", "/institutions/no-such-institution/did.json", 404)
    call("get", "/health", 200)
    call("get", "/ready", 200)

    # the institution's API keys
    _, spare = new_tenant(client)
    keys = call("get", "/api-keys", 200, headers=auth(spare)).json()["apiKeys"]
    call("post", f"/api-keys/{keys[0]['prefix']}/revoke", 200, headers=auth(spare))
    call("post", "/api-keys/0000000000ff/revoke", 404, headers=a)

    # the pages
    links = issued["links"]
    for name in ("verification", "qrCode", "download", "credentialFile", "certificate"):
        call("get", links[name].removeprefix(ORIGIN), 200)
    call("get", links["download"].removeprefix(ORIGIN), 200, headers={"Accept": "application/ld+json"})
    call("get", links["verification"].removeprefix(ORIGIN) + "/qr.svg", 200)
    for path in ("/v/nothing", "/download/nothing", "/v/nothing/certificate.pdf"):
        call("get", path, 404)
    call("get", "/download/nothing", 404, headers={"Accept": "application/json"})
    call("get", "/v/nothing/qr.png", 404)
    call("get", "/download/%00", 400)
    call("get", "/verify", 200)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    call("post", "/verify", 400, raw=b"credential=", headers=form)
    call("post", "/verify", 200, raw=b"lang=en&credential=" + quote(json.dumps(vc)).encode(), headers=form)

    # wallets (OpenID4VCI): discovery, the offer, token, nonce, credential; the institution's and learner's offers
    from tests.test_wallet import Wallet
    fresh = call("post", "/credentials/issue", 201, body={"microCredential": mc}, headers=a).json()
    issuer = f"/issuers/{slug}"
    call("get", f"/.well-known/openid-credential-issuer{issuer}", 200)
    call("get", f"/.well-known/oauth-authorization-server{issuer}", 200)
    call("get", "/.well-known/openid-credential-issuer/issuers/nobody", 404)
    offer_uri = unquote(fresh["links"]["walletOffer"].split("credential_offer_uri=")[1])
    offer = call("get", offer_uri.removeprefix(ORIGIN), 200).json()
    call("get", f"{issuer}/offers/nothing", 404)
    code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
    grant = f"grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code&pre-authorized_code={code}"
    call("post", f"{issuer}/token", 400, raw=grant.encode(), headers=form)
    access = call("post", f"{issuer}/token", 200, raw=f"{grant}&tx_code={fresh['txCode']}".encode(),
                  headers=form).json()["access_token"]
    c_nonce = call("post", f"{issuer}/nonce", 200).json()["c_nonce"]
    request = {"credential_configuration_id": offer["credential_configuration_ids"][0],
               "proofs": {"jwt": [Wallet().proof(aud=ORIGIN + issuer, nonce=c_nonce)]}}
    call("post", f"{issuer}/credential", 401, body=request)
    call("post", f"{issuer}/credential", 400, body={"credential_configuration_id": "x"},
         headers={"Authorization": f"Bearer {access}"})
    call("post", f"{issuer}/credential", 200, body=request, headers={"Authorization": f"Bearer {access}"})
    call("get", f"/credentials/{fresh['id']}/wallet-offers", 200, headers=a)
    call("post", f"/credentials/{fresh['id']}/wallet-offers", 201, headers=a)
    call("post", f"/credentials/{fresh['id']}/wallet-offers/withdraw", 200, headers=a)
    call("post", fresh["links"]["download"].removeprefix(ORIGIN) + "/wallet-offer", 200)
    call("get", fresh["links"]["download"].removeprefix(ORIGIN) + "/wallet-offer.svg", 200)
    call("post", f"/credentials/{fresh['id']}/wallet-offers/withdraw", 200, headers=a)
    call("get", fresh["links"]["download"].removeprefix(ORIGIN) + "/wallet-offer.svg", 404)
    call("post", "/download/nothing/wallet-offer", 404)

    # every operation was exercised with its success
    for template, methods in doc["paths"].items():
        for method, op in methods.items():
            ok = [int(s) for s in op["responses"] if s.startswith("2")]
            assert any((method, template, s) in call.seen for s in ok), f"{method.upper()} {template} not exercised"


def test_errors_are_problems_and_bodies_have_schemas(doc):
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
    assert {"instance", "errors"} <= set(schemas["Problem"]["properties"])
    for template, methods in doc["paths"].items():
        for method, op in methods.items():
            where = f"{method.upper()} {template}"
            assert "500" in op["responses"], where
            for status, response in op["responses"].items():
                content = response.get("content", {})
                if is_oauth_path(template) and status.startswith("4"):  # OAuth's errors (RFC 6749 5.2)
                    assert set(content) == {"application/json"}, (where, status)
                    assert content["application/json"]["schema"]["$ref"].endswith("/OAuthError"), (where, status)
                elif status.startswith(("4", "5")):
                    assert set(content) <= {"application/problem+json", "text/html"} and content, (where, status)
                    if "application/problem+json" in content:
                        assert PROBLEM_REF in str(content["application/problem+json"]["schema"]), (where, status)
                if status.startswith("2"):
                    for media, body in content.items():
                        if media.endswith("json"):
                            assert body.get("schema", {}).get("$ref"), (where, media)  # a model, not "string"
            no_json = ("/verify", "/api-keys/{prefix}/revoke", "/issuers/{slug}/nonce", "/issuers/{slug}/token",
                       "/credentials/{credential_id}/wallet-offers", "/credentials/{credential_id}/wallet-offers/withdraw",
                       "/download/{token}/wallet-offer")
            if method == "post" and template == "/issuers/{slug}/token":  # a form, RFC 6749 section 4.1.3
                form = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["$ref"]
                assert form.rsplit("/", 1)[1] in schemas, where
            if method == "post" and template not in no_json:  # these read no JSON
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in schemas, where
    reasons = schemas["RevokeRequest"]["properties"]["reason"]["enum"]
    assert "issued-in-error" in reasons and schemas["RevokeRequest"]["required"] == ["reason"]


def test_the_api_key_is_a_security_scheme_either_way(client, doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKeyHeader"]["in"] == "header" and schemes["apiKeyHeader"]["name"] == "X-API-Key"
    protected = {(m, t) for t, ms in doc["paths"].items() for m, op in ms.items() if op.get("security")}
    assert ("post", "/credentials/issue") in protected and ("get", "/credentials") in protected
    assert ("post", "/credentials/verify") not in protected and ("get", "/v/{token}") not in protected
    _, key = new_tenant(client)
    assert client.get("/credentials", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/credentials", headers=auth(key)).status_code == 200
    assert client.get("/credentials", headers={"Authorization": f"Basic {key}"}).status_code == 401
