"""Operating the service: readiness and liveness, request ids, events logged only for what commits, SQL errors
without parameters, API-key administration, list totals, the injected clock, and key files that never outlive a
failed transaction. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

import copy
import logging
import secrets
import stat
import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app import admin, logs
from app.db import migrate
from app.db.models import ApiKey, AuditEvent, Credential, SigningKey, StatusList
from app.db.session import make_engine
from app.domain import eddsa_rdfc_2022
from app.domain.keys import generate_private_key
from app.domain.microcredential import EXAMPLE
from app.errors import Conflict
from app.keystore import KeyStore
from app.storage import institutions
from tests.apphelpers import assert_problem, auth, issue, make_client, new_tenant
from tests.conftest import _fresh_postgres_url
from tests.test_status_lists import issue_cohort

NAMES = {"lv": "Sacensību universitāte", "en": "Race University"}


def events(caplog) -> list[dict]:
    return [r.msg for r in caplog.records if isinstance(r.msg, dict)]


# --- /health and /ready ------------------------------------------------------------------------------------------

def test_ready_needs_the_database_health_does_not(tmp_path):
    url, drop = _fresh_postgres_url()
    dropped = False
    try:
        migrate.upgrade(url)
        with make_client(url, tmp_path / "keys") as client:
            assert client.get("/ready").json() == {"status": "ready"}
            drop()
            dropped = True
            body = assert_problem(client.get("/ready"), 503, "database-unavailable")
            assert body["requestId"]
            assert client.get("/health").json() == {"status": "ok"}
            client.app.state.engine.dispose()
    finally:
        if not dropped:
            drop()


def test_ready_needs_the_schema_at_head(tmp_path):
    with make_client(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path / "keys") as client:
        body = assert_problem(client.get("/ready"), 503, "database-not-migrated")
        assert "mcred migrate" in body["detail"]
        migrate.upgrade(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        assert client.get("/ready").status_code == 200


# --- request ids ---------------------------------------------------------------------------------------------------

def test_unexpected_errors_answer_500_with_the_request_id(database_url, tmp_path, caplog):
    with make_client(database_url, tmp_path / "keys") as client:
        def boom():
            raise RuntimeError("a bug")

        client.app.add_api_route("/boom", boom)
        response = client.get("/boom", headers={"X-Request-ID": "req-500-check"})
    body = assert_problem(response, 500, "internal-error")
    assert body["requestId"] == "req-500-check" == response.headers["x-request-id"]
    failed = [e for e in events(caplog) if e["event"] == "request.failed"]
    assert [(e["path"], e["request_id"]) for e in failed] == [("/boom", "req-500-check")]


# --- events logged on commit only ----------------------------------------------------------------------------------

def test_events_are_logged_only_when_their_transaction_commits(client, caplog):
    caplog.set_level(logging.INFO, logger="mcred")
    session = client.app.state.session_factory()  # one session, reused as a request or command would not
    logs.on_commit(session, "test.rolled_back")
    session.rollback()
    logs.on_commit(session, "test.closed")
    session.close()
    logs.on_commit(session, "test.committed", n=1)
    session.commit()
    session.commit()
    session.close()
    assert [(e["event"], e.get("n")) for e in events(caplog) if e["event"].startswith("test.")] == [
        ("test.committed", 1)]


def test_a_cohort_that_fails_midway_logs_no_issue(client, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="mcred")
    slug, key = new_tenant(client)
    batch = issue_cohort(client, key, 3)
    issued = [e for e in events(caplog) if e["event"] == "credential.issued"]
    assert sorted(e["credential_id"] for e in issued) == sorted(c["id"] for c in batch["credentials"])
    assert {(e["institution"], e["batch_id"]) for e in issued} == {(slug, batch["batchId"])}

    caplog.clear()
    real, calls = eddsa_rdfc_2022.create_proof, []

    def fails_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("signing failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(eddsa_rdfc_2022, "create_proof", fails_second)
    mcs = [copy.deepcopy(EXAMPLE) for _ in range(3)]
    response = client.post("/credentials/cohorts", json={"microCredentials": mcs}, headers=auth(key))
    assert response.status_code == 500 and len(calls) == 2
    assert [e for e in events(caplog) if e["event"] == "credential.issued"] == []


# --- SQL errors ----------------------------------------------------------------------------------------------------

def test_sql_errors_never_carry_their_parameters(database_url):
    engine = make_engine(database_url)
    try:
        with pytest.raises(IntegrityError) as failed, engine.begin() as conn:
            conn.execute(insert(AuditEvent).values(institution_id=2_000_000_000, actor="Anna Bērziņa",
                                                   action="secret-action", details={}, created_at=datetime.now()))
    finally:
        engine.dispose()
    assert "INSERT INTO audit_events" in str(failed.value)
    assert "Bērziņa" not in str(failed.value) and "secret-action" not in str(failed.value)


# --- API keys ------------------------------------------------------------------------------------------------------

def test_institutions_list_and_revoke_their_own_api_keys(client):
    slug, key = new_tenant(client)
    services = client.app.state.services
    with client.app.state.session_factory() as session:
        second = admin.create_api_key(session, services, institutions.by_slug(session, slug), "registry")
        session.commit()
    listed = client.get("/api-keys", headers=auth(key))
    assert listed.status_code == 200
    keys = listed.json()["apiKeys"]
    assert [(k["label"], k["current"], k["revokedAt"]) for k in keys] == [("tests", True, None),
                                                                          ("registry", False, None)]
    assert key not in listed.text and second not in listed.text
    prefix = second.split("_")[1]
    assert keys[1]["prefix"] == prefix

    revoked = client.post(f"/api-keys/{prefix}/revoke", headers=auth(key))
    assert revoked.status_code == 200 and revoked.json()["revokedAt"]
    assert_problem(client.get("/credentials", headers=auth(second)), 401, "unauthorized")
    again = client.post(f"/api-keys/{prefix}/revoke", headers=auth(key))
    assert again.json()["revokedAt"] == revoked.json()["revokedAt"]

    # Another institution cannot see or revoke these keys.
    _other, other_key = new_tenant(client)
    own_prefix = key.split("_")[1]
    assert_problem(client.post(f"/api-keys/{own_prefix}/revoke", headers=auth(other_key)), 404)
    assert client.get("/credentials", headers=auth(key)).status_code == 200
    # A key can revoke itself (a leak noticed while it is in use).
    assert client.post(f"/api-keys/{own_prefix}/revoke", headers=auth(key)).status_code == 200
    assert_problem(client.get("/api-keys", headers=auth(key)), 401)


# --- lists ---------------------------------------------------------------------------------------------------------

def test_credential_list_counts_every_match_not_the_page(client):
    _slug, key = new_tenant(client)
    issue_cohort(client, key, 5)
    page = client.get("/credentials?limit=2&offset=1", headers=auth(key)).json()
    assert (page["count"], page["total"], page["limit"], page["offset"]) == (2, 5, 2, 1)
    assert len(page["credentials"]) == 2
    expiring = client.get("/credentials?limit=1&expiringWithinDays=0", headers=auth(key)).json()
    assert (expiring["count"], expiring["total"]) == (0, 0)


# --- the injected clock --------------------------------------------------------------------------------------------

def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def test_storage_takes_the_time_from_the_injected_clock(database_url, tmp_path):
    fixed = datetime(2031, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    with make_client(database_url, tmp_path / "keys") as client:
        client.app.state.services.clock = lambda: fixed
        slug, key = new_tenant(client)
        mc = {k: v for k, v in EXAMPLE.items() if k not in ("validUntil", "dateOfIssue")}
        issued = issue(client, key, mc)
        assert issued.status_code == 201, issued.text
        cid = issued.json()["id"]
        assert client.post(f"/credentials/{cid}/revoke", json={"reason": "fraud"}, headers=auth(key)).status_code == 200
        assert client.post(f"/api-keys/{key.split('_')[1]}/revoke", headers=auth(key)).status_code == 200
        with client.app.state.session_factory() as session:
            inst = institutions.by_slug(session, slug)
            times = [inst.created_at, session.scalar(select(Credential.issued_at).where(Credential.id == cid))]
            for column, owner in ((SigningKey.created_at, SigningKey.institution_id),
                                  (ApiKey.created_at, ApiKey.institution_id),
                                  (ApiKey.revoked_at, ApiKey.institution_id),
                                  (AuditEvent.created_at, AuditEvent.institution_id),
                                  (StatusList.created_at, StatusList.institution_id)):
                found = list(session.scalars(select(column).where(owner == inst.id)))
                assert found, column
                times += found
    assert {_utc(t) for t in times} == {fixed}


# --- key files and failed transactions -----------------------------------------------------------------------------

def test_a_slug_taken_by_a_concurrent_transaction_leaves_no_key_file(postgres_url, tmp_path):
    migrate.upgrade(postgres_url)
    keys = tmp_path / "keys"
    with make_client(postgres_url, keys) as client:
        services, factory = client.app.state.services, client.app.state.session_factory
        slug = f"race-{secrets.token_hex(4)}"
        first = factory()
        admin.create_institution(first, services, slug=slug, legal_name=NAMES, country="LVA")
        outcome = {}

        def second():
            with factory() as session:
                try:
                    admin.create_institution(session, services, slug=slug, legal_name=NAMES, country="LVA")
                    session.commit()
                    outcome["created"] = True
                except Conflict as exc:
                    outcome["conflict"] = exc.detail

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(1)
        assert thread.is_alive()  # waiting on the first transaction's uncommitted row
        first.commit()
        first.close()
        thread.join(30)
    assert "already exists" in outcome.get("conflict", "")
    assert len(list(keys.glob("*.pem"))) == 1


def test_a_key_file_is_removed_when_recording_its_key_fails(client, tmp_path, monkeypatch):
    store = KeyStore(tmp_path / "keys")
    services = copy.copy(client.app.state.services)
    services.keystore = store

    def broken(*args, **kwargs):
        raise IntegrityError("INSERT INTO signing_keys", {}, Exception("connection lost"))

    monkeypatch.setattr(institutions, "add_key", broken)
    with client.app.state.session_factory() as session, pytest.raises(IntegrityError):
        admin.create_institution(session, services, slug=f"k-{secrets.token_hex(4)}", legal_name=NAMES,
                                 country="LVA")
    assert list((tmp_path / "keys").iterdir()) == []


def test_an_open_key_folder_is_made_owner_only(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    folder.chmod(0o755)
    KeyStore(folder).save_new(generate_private_key(), "x")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
