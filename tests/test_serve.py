"""``mcred serve`` as a real process: the origin it signs into credentials (``--port``, MCRED_PUBLIC_URL), what
it refuses to start on, its JSON logs (request ids, events, no secrets or personal data) and the files it creates.
"""

from __future__ import annotations

import json
import stat

import httpx
import pytest

from app.domain.did_web import did_to_url
from app.domain.jsonld import as_list
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import auth, issue
from tests.liveserver import free_port, mcred_env, mcred_run, mcred_serve

DEMO = "demo-universitate"


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def api_key(proc) -> str:
    for line in proc.stdout:
        if "API key (shown once)" in line:
            return line.rsplit(" ", 1)[1].strip()
    raise AssertionError("mcred serve --demo printed no API key")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """``mcred serve --demo --port P`` on a fresh folder; what it answered, its logs and its folder."""
    tmp = tmp_path_factory.mktemp("serve")
    env = mcred_env(MCRED_DATABASE_URL=f"sqlite:///{tmp / 'data' / 'mcred.sqlite3'}", MCRED_KEYS_DIR=str(tmp / "keys"))
    port = free_port()
    seen: dict = {"env": env, "port": port, "tmp": tmp}
    with mcred_serve(env, "--demo", port=port) as (proc, base):
        key = seen["key"] = api_key(proc)
        with httpx.Client(base_url=base, headers=auth(key), timeout=30) as http:
            issued = issue(http, headers={"X-Request-ID": "issue-0001"})
            assert issued.status_code == 201, issued.text
            assert issued.headers["x-request-id"] == "issue-0001"
            seen["issued"] = body = issued.json()
            vc = body["verifiableCredential"]
            seen["did_document"] = httpx.get(did_to_url(vc["issuer"]["id"], scheme="http"), timeout=10)
            seen["status_list"] = httpx.get(as_list(vc["credentialStatus"])[0]["statusListCredential"], timeout=10)
            assert http.get(body["links"]["download"]).status_code == 200
            assert http.get(body["links"]["verification"]).status_code == 200
            assert http.post("/credentials/verify", json={"verifiableCredential": vc}).status_code == 200
            assert http.post(f"/credentials/{body['id']}/revoke", json={"reason": "issued-in-error"}).status_code == 200
            seen["missing"] = http.get("/credentials/nope", headers={"X-Request-ID": "missing-0002"})
            seen["generated_id"] = http.get("/health").headers["x-request-id"]
            seen["bad_id"] = http.get("/health", headers={"X-Request-ID": "no spaces\tor tabs"}).headers["x-request-id"]
        seen["healthcheck"] = mcred_run(env, "healthcheck", "--url", f"{base}/health").returncode
    seen["stderr"] = proc.stderr_text
    seen["healthcheck_down"] = mcred_run(env, "healthcheck", "--url", f"{base}/health").returncode
    return seen


def test_serve_port_names_the_origin_of_everything_signed(demo):
    origin = f"http://127.0.0.1:{demo['port']}"
    did = f"did:web:127.0.0.1%3A{demo['port']}:institutions:{DEMO}"
    body = demo["issued"]
    vc = body["verifiableCredential"]
    assert vc["issuer"]["id"] == did
    assert vc["proof"]["verificationMethod"].startswith(did + "#")
    entries = as_list(vc["credentialStatus"])
    assert entries and all(e["statusListCredential"].startswith(f"{origin}/status/{DEMO}/") for e in entries)
    assert all(link.startswith(origin + "/") for link in body["links"].values())
    # ...and those URLs are where this process really answers.
    assert demo["did_document"].status_code == 200 and demo["did_document"].json()["id"] == did
    assert demo["status_list"].status_code == 200
    assert demo["status_list"].json()["issuer"] == did


def test_request_ids_are_echoed_and_in_problems(demo):
    assert demo["missing"].status_code == 404
    assert demo["missing"].json()["requestId"] == "missing-0002" == demo["missing"].headers["x-request-id"]
    assert len(demo["generated_id"]) == 32
    assert demo["bad_id"] != "no spaces\tor tabs" and len(demo["bad_id"]) == 32


def test_logs_are_json_events_without_secrets_or_personal_data(demo):
    text = demo["stderr"]
    lines = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    body = demo["issued"]
    download_token = body["links"]["download"].rsplit("/", 1)[1]
    verify_token = body["links"]["verification"].rsplit("/", 1)[1]
    learner = EXAMPLE["learner"]
    for secret in (download_token, verify_token, demo["key"], learner["givenName"], learner["familyName"],
                   learner["reference"], learner["email"]):
        assert secret not in text
    access = [e for e in lines if e["event"] == "http.request"]
    assert {"/download/<redacted>", "/v/<redacted>"} <= {e["path"] for e in access}
    assert all(e["request_id"] and e["status"] and "client" not in e for e in access)
    assert any(e["request_id"] == "missing-0002" and e["status"] == 404 for e in access)

    issued = [e for e in lines if e["event"] == "credential.issued"]
    assert [(e["credential_id"], e["institution"], e["request_id"]) for e in issued] == [
        (body["id"], DEMO, "issue-0001")]
    changed = [e for e in lines if e["event"] == "credential.status_changed"]
    assert [(e["credential_id"], e["action"], e["reason"]) for e in changed] == [(body["id"], "revoke",
                                                                                   "issued-in-error")]
    verified = [e for e in lines if e["event"] == "credential.verified"]
    # the learner's page (it shows the current status), the verification page, then the API
    assert [e["verdict"] for e in verified] == ["verified", "verified", "verified"]
    assert {c["check"] for c in verified[0]["checks"]} >= {"proof", "status", "validity"}
    assert all(e["level"] and e["timestamp"] for e in lines)


def test_healthcheck_command(demo):
    assert demo["healthcheck"] == 0
    assert demo["healthcheck_down"] == 1


def test_database_and_keys_are_owner_only(demo):
    tmp = demo["tmp"]
    assert mode(tmp / "data" / "mcred.sqlite3") == 0o600
    assert mode(tmp / "data") == 0o700
    assert all(mode(p) == 0o600 for p in (tmp / "data").glob("mcred.sqlite3-*"))  # WAL and shared memory
    assert mode(tmp / "keys") == 0o700
    assert [mode(p) for p in (tmp / "keys").glob("*.pem")] == [0o600]


def test_serve_refuses_identities_of_another_origin(demo):
    env, port = demo["env"], demo["port"]
    moved = mcred_run(env, "serve", "--port", str(free_port()))
    assert moved.returncode == 2
    assert f"did:web:127.0.0.1%3A{port}:institutions:{DEMO}" in moved.stderr
    assert f"127.0.0.1:{port}" in moved.stderr and "MCRED_PUBLIC_URL" in moved.stderr
    public = mcred_run({**env, "MCRED_PUBLIC_URL": "https://mcred.example.lv"}, "serve")
    assert public.returncode == 2 and "did:web:mcred.example.lv:institutions:" in public.stderr


def test_serve_refuses_what_it_cannot_serve_correctly(tmp_path):
    env = mcred_env(MCRED_DATABASE_URL=f"sqlite:///{tmp_path / 'mcred.sqlite3'}", MCRED_KEYS_DIR=str(tmp_path / "k"))
    port = str(free_port())
    unmigrated = mcred_run(env, "serve", "--port", port)
    assert unmigrated.returncode == 2 and "not migrated" in unmigrated.stderr and "mcred migrate" in unmigrated.stderr
    assert mcred_run(env, "migrate").returncode == 0
    # Listening for other machines, or in production: the origin must be said, not guessed.
    everyone = mcred_run(env, "serve", "--host", "0.0.0.0", "--port", port)
    assert everyone.returncode == 2 and "MCRED_PUBLIC_URL" in everyone.stderr
    production = mcred_run({**env, "MCRED_ENV": "production"}, "serve", "--port", port)
    assert production.returncode == 2 and "MCRED_PUBLIC_URL" in production.stderr
    path = mcred_run({**env, "MCRED_PUBLIC_URL": "https://mcred.example.lv/mcred"}, "serve", "--port", port)
    assert path.returncode == 2 and "not an origin" in path.stderr
