"""`mcred worker` as a separate process, on SQLite and on the real PostgreSQL: it issues a batch; killed (SIGKILL)
in the middle of one, a new worker finishes it with every item issued once, nothing missing, no status slot shared,
and no signing process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import AuditEvent, Batch, BatchItem, Credential, StatusEntry, StatusList
from tests.apphelpers import ORIGIN, auth, make_client, new_tenant, resolver, verify_proof
from tests.test_batches import learners

ROOT = Path(__file__).resolve().parent.parent
ITEMS = 80


def start_worker(database_url: str, keys_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "MCRED_DATABASE_URL": database_url, "MCRED_KEYS_DIR": str(keys_dir),
           "MCRED_PUBLIC_URL": ORIGIN, "MCRED_WORKER_HEARTBEAT_SECONDS": "0.5", "MCRED_WORKER_STALLED_SECONDS": "2"}
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--processes", "2"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_for(condition, timeout: float, what: str, worker: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}: {worker.stdout.read()}")
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def client(database_url, tmp_path):
    with make_client(database_url, tmp_path / "keys", batch_chunk=4) as c:
        yield c


def test_a_killed_worker_resumes_with_nothing_twice_and_nothing_lost(client, database_url, tmp_path, loader):
    slug, key = new_tenant(client, suspension_enabled=True)
    names = [f"Students Nr{n}" for n in range(ITEMS)]
    batch_id = client.post("/credentials/batches", json={"items": learners(*names)}, headers=auth(key)).json()["id"]
    session_factory = client.app.state.session_factory

    def issued() -> int:
        with session_factory() as session:
            return session.get(Batch, batch_id, populate_existing=True).issued

    def in_flight() -> set[int]:
        """Items claimed (an attempt counted) and not yet issued: the killed worker's unfinished chunk."""
        with session_factory() as session:
            return set(session.scalars(select(BatchItem.id).where(
                BatchItem.batch_id == batch_id, BatchItem.state == "pending", BatchItem.attempts >= 1)))

    worker = start_worker(database_url, tmp_path / "keys")
    try:
        # kill it with a chunk in flight: frozen first (SIGSTOP), so what is in flight cannot finish while we look
        for _ in range(50):
            wait_for(lambda: issued() >= 8 and in_flight(), 120, "the first chunks were stored", worker)
            worker.send_signal(signal.SIGSTOP)
            unfinished = in_flight()
            if unfinished:
                break
            worker.send_signal(signal.SIGCONT)
        signers = children(worker.pid)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        worker.kill()
    assert unfinished, "no chunk was in flight when the worker was killed"
    done_before = issued()
    assert 8 <= done_before < ITEMS, "the worker was not killed in the middle of the batch"
    assert len(signers) >= 2  # the signing processes (and multiprocessing's resource tracker)
    wait_for(lambda: not any(alive(pid) for pid in signers), 10, "the signing processes to end with their worker")

    restarted = start_worker(database_url, tmp_path / "keys")
    try:
        wait_for(lambda: issued() == ITEMS, 180, "the batch to be finished by the new worker", restarted)
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=60) == 0
    finally:
        restarted.kill()

    with session_factory() as session:
        batch = session.get(Batch, batch_id)
        assert (batch.state, batch.issued, batch.failed) == ("done", ITEMS, 0)
        items = list(session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id)))
        creds = {c.id: c for c in session.scalars(select(Credential).where(Credential.batch_id == batch_id))}
        assert {i.state for i in items} == {"issued"} and set(creds) == {i.credential_id for i in items}
        # the items the killed worker had claimed (slots allocated) were issued by the new one
        assert all(i.attempts >= 2 for i in items if i.id in unfinished)
        issues = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "issue", AuditEvent.credential_id.in_(creds)))
        assert issues == ITEMS
        entries = session.execute(select(StatusEntry.credential_id, StatusList.seq, StatusList.purpose,
                                          StatusEntry.idx, StatusEntry.set).join(StatusList)
                                  .where(StatusList.institution_id == batch.institution_id)).all()
    # every credential carries exactly the slots claimed for it, one per purpose; a slot claimed for a credential
    # that was never stored (there may be none) is unset
    claimed = {(cid, purpose): (seq, idx) for cid, seq, purpose, idx, _ in entries}
    assert len(claimed) == len(entries)
    for cid, cred in creds.items():
        slots = {(e["statusPurpose"], e["statusListCredential"], int(e["statusListIndex"]))
                 for e in cred.document["credentialStatus"]}
        assert slots == {(p, f"{ORIGIN}/status/{slug}/{p}/{claimed[cid, p][0]}", claimed[cid, p][1])
                         for p in ("revocation", "suspension")}
    assert all(not is_set for cid, *_, is_set in entries if cid not in creds)
    for cred in list(creds.values())[::10]:
        assert verify_proof(cred.document, loader=loader,
                                            resolve_verification_method=resolver(client)).verified
