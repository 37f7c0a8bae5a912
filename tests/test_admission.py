"""Admission control of verification (app.admission, issue 16 "a crowd stalls everyone"): the bounded pool, cheap
requests first, the per-client work budget, the deadline counting queue time; and over HTTP, 429/503 problem
details with Retry-After while an ordinary verification still succeeds."""

from __future__ import annotations

import threading
import time

import pytest

from app.admission import CHEAP, EXPENSIVE, Admission, Policy, document_nodes
from app.errors import ServiceSaturated, TooManyRequests
from tests.apphelpers import auth, issue_ok, new_tenant


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


FAR = time.monotonic() + 1e7  # a deadline that does not matter (also past the fake clock's 1000.0)


def hold(admission: Admission, client: str, *, cheap: bool, deadline_at: float = FAR):
    """Take a slot in a thread and keep it until the returned event is set; (started, release, outcome)."""
    started, release, outcome = threading.Event(), threading.Event(), {}

    def run():
        try:
            with admission.slot(client, cheap=cheap, deadline_at=deadline_at) as kind:
                outcome["kind"], outcome["at"] = kind, time.perf_counter()
                started.set()
                release.wait(10)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            outcome["error"] = exc
            started.set()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return started, release, outcome, t


def test_pool_is_bounded_and_keeps_a_slot_for_cheap_requests():
    a = Admission(Policy(workers=2, expensive_workers=1, queue_limit=4, max_queue_seconds=5))
    s1, r1, o1, t1 = hold(a, "ip:a", cheap=False)
    assert s1.wait(2) and o1["kind"] == EXPENSIVE
    s2, r2, o2, t2 = hold(a, "ip:b", cheap=False)  # the expensive share is taken: waits
    assert not s2.wait(0.3)
    s3, r3, o3, t3 = hold(a, "ip:c", cheap=True)  # the kept slot: runs at once
    assert s3.wait(2) and o3["kind"] == CHEAP
    assert a.stats() == {"running": [1, 1], "waiting": 1}
    r1.set()
    assert s2.wait(2) and o2["kind"] == EXPENSIVE
    for r, t in ((r2, t2), (r3, t3)):
        r.set()
        t.join()


def test_cheap_requests_leave_the_queue_before_expensive_ones():
    a = Admission(Policy(workers=1, expensive_workers=1, queue_limit=4, max_queue_seconds=5))
    s0, r0, _, t0 = hold(a, "ip:first", cheap=True)
    assert s0.wait(2)
    s1, r1, o1, t1 = hold(a, "ip:heavy", cheap=False)  # queued first
    time.sleep(0.1)
    s2, r2, o2, t2 = hold(a, "ip:light", cheap=True)  # queued second
    time.sleep(0.1)
    assert a.stats()["waiting"] == 2
    r0.set()
    assert s2.wait(2) and not s1.is_set()
    r2.set()
    assert s1.wait(2) and o2["at"] < o1["at"]
    r1.set()
    for t in (t0, t1, t2):
        t.join()


def test_a_client_that_spent_its_budget_gets_429_and_others_do_not():
    clock = FakeClock()
    a = Admission(Policy(workers=2, expensive_workers=1, client_burst_seconds=4, client_rate=0.25), clock)
    with a.slot("ip:greedy", cheap=False, deadline_at=FAR):
        clock.t += 5  # five seconds of JSON-LD work: one second in debt
    with pytest.raises(TooManyRequests) as refused:
        with a.slot("ip:greedy", cheap=False, deadline_at=FAR):
            pass
    assert refused.value.status == 429 and refused.value.retry_after == 4  # 1 s of debt at 0.25 s per second
    with a.slot("ip:other", cheap=False, deadline_at=FAR) as kind:
        assert kind == EXPENSIVE
    with a.slot("ip:greedy", cheap=True, deadline_at=FAR) as kind:  # a small document: admitted, without priority
        assert kind == EXPENSIVE
    with pytest.raises(TooManyRequests):
        a.precheck("ip:greedy", maybe_cheap=False)
    clock.t += 4.1
    a.precheck("ip:greedy", maybe_cheap=False)
    with a.slot("ip:greedy", cheap=True, deadline_at=FAR) as kind:
        assert kind == CHEAP


def test_queue_time_counts_against_the_deadline():
    clock = FakeClock()
    a = Admission(Policy(workers=1, expensive_workers=1, queue_limit=4, max_queue_seconds=30,
                         expensive_need_seconds=2.0), clock)
    s0, r0, _, t0 = hold(a, "ip:busy", cheap=True)
    assert s0.wait(2)
    # deadline in 2.5 s, 2 s needed: it may wait 0.5 s
    s1, r1, o1, t1 = hold(a, "ip:late", cheap=False, deadline_at=clock.t + 2.5)
    time.sleep(0.2)
    assert not s1.is_set() and a.stats()["waiting"] == 1
    clock.t += 0.6
    assert s1.wait(2) and isinstance(o1.get("error"), ServiceSaturated)
    assert o1["error"].status == 503 and o1["error"].retry_after >= 1
    assert a.stats()["waiting"] == 0
    # one that could not finish anyway is refused at once, not queued
    with pytest.raises(ServiceSaturated):
        with a.slot("ip:late", cheap=False, deadline_at=clock.t + 1.0):
            pass
    r0.set()
    t0.join()
    t1.join()


def test_a_full_queue_is_503():
    a = Admission(Policy(workers=1, expensive_workers=1, queue_limit=1, max_queue_seconds=5))
    s0, r0, _, t0 = hold(a, "ip:a", cheap=True)
    assert s0.wait(2)
    s1, r1, _, t1 = hold(a, "ip:b", cheap=False)
    time.sleep(0.1)
    with pytest.raises(ServiceSaturated):
        with a.slot("ip:c", cheap=False, deadline_at=FAR):
            pass
    with pytest.raises(ServiceSaturated):
        a.precheck("ip:c", maybe_cheap=False)
    r0.set()
    r1.set()
    t0.join()
    t1.join()


def test_document_nodes_counts_objects_and_arrays_up_to_a_bound():
    assert document_nodes({"a": [1, {"b": [2]}], "c": "x"}, 100) == 4
    assert document_nodes([[[]] * 50] * 50, 10) <= 12


# --- over HTTP ------------------------------------------------------------------------------------------------------

V2 = "https://www.w3.org/ns/credentials/v2"


def expensive_doc() -> dict:
    """~220 kB within the limits: 1,000 small nodes, each activating one of 100 type-scoped contexts."""
    scoped = {f"T{k}": {"@id": f"https://example.org/T{k}",
                        "@context": {f"p{j}": f"https://example.org/p{j}" for j in range(50)}} for k in range(100)}
    return {"@context": [V2, scoped], "id": "urn:uuid:0e0a1b2c-3d4e-4f50-8a9b-000000000001",
            "type": "VerifiableCredential", "issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "proof": {"type": "DataIntegrityProof"},
            "credentialSubject": [{"id": f"did:example:{i}", "type": f"T{i % 100}", "p1": "v"} for i in range(1000)]}


@pytest.fixture
def pool(client):
    """The app's admission replaced by a small one (restored afterwards)."""
    previous = getattr(client.app.state, "admission", None)

    def install(**policy) -> Admission:
        client.app.state.admission = Admission(Policy(**policy))
        return client.app.state.admission

    yield install
    client.app.state.admission = previous


@pytest.fixture(scope="module")
def own_credential(client):
    _, key = new_tenant(client)
    return issue_ok(client, key)["verifiableCredential"]


def assert_busy_problem(r, status: int):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["Retry-After"]) >= 1
    body = r.json()
    assert body["status"] == status and body["retryAfter"] == int(r.headers["Retry-After"])


def test_busy_pool_refuses_expensive_with_503_and_still_verifies_an_ordinary_credential(client, pool, own_credential):
    a = pool(workers=2, expensive_workers=1, queue_limit=2, max_queue_seconds=0.3)
    started, release, _, t = hold(a, "ip:somebody-else", cheap=False)  # the expensive share is busy
    assert started.wait(2)
    try:
        r = client.post("/credentials/verify", json={"verifiableCredential": expensive_doc()})
        assert_busy_problem(r, 503)
        assert r.json()["type"].endswith("/service-saturated")
        t0 = time.perf_counter()
        ok = client.post("/credentials/verify", json={"verifiableCredential": own_credential})
        assert ok.status_code == 200 and ok.json()["verdict"] == "verified", ok.text
        assert time.perf_counter() - t0 < 0.3 * 3  # it did not wait for the busy slot
    finally:
        release.set()
        t.join()


def test_flood_of_expensive_documents_gets_503_and_429(client, pool, in_threads, own_credential):
    pool(workers=2, expensive_workers=1, queue_limit=1, max_queue_seconds=0.2, client_burst_seconds=0.05,
         client_rate=0.01)
    answers = []
    body = {"verifiableCredential": expensive_doc()}
    errors = in_threads(lambda: answers.append(client.post("/credentials/verify", json=body)), [()] * 6)
    assert not errors
    statuses = sorted(r.status_code for r in answers)
    assert any(s in (503, 429) for s in statuses), statuses
    for r in answers:
        if r.status_code in (429, 503):
            assert_busy_problem(r, r.status_code)
    # the flood spent this client's budget: its next expensive document is 429 ...
    r = client.post("/credentials/verify", json=body)
    assert_busy_problem(r, 429)
    assert r.json()["type"].endswith("/too-many-requests")
    # ... while its ordinary verification still goes through
    ok = client.post("/credentials/verify", json={"verifiableCredential": own_credential})
    assert ok.status_code == 200, ok.text
    # and a client with its own API key has its own budget
    _, key = new_tenant(client)
    r = client.post("/credentials/verify", json=body, headers=auth(key))
    assert r.status_code not in (429, 503), r.text


def test_a_request_queued_past_its_json_ld_budget_gets_503_not_a_late_answer(client, pool, own_credential):
    """The 2 s JSON-LD budget (VERIFY_LIMITS) counts from the request's arrival: queued behind a busy pool, an
    ordinary request is answered 503 once less than `cheap_need_seconds` of it would be left."""
    a = pool(workers=1, expensive_workers=1, queue_limit=4, max_queue_seconds=30, cheap_need_seconds=0.25)
    started, release, _, t = hold(a, "ip:somebody-else", cheap=True)
    assert started.wait(2)
    try:
        t0 = time.perf_counter()
        r = client.post("/credentials/verify", json={"verifiableCredential": own_credential})
        waited = time.perf_counter() - t0
        assert_busy_problem(r, 503)
        assert 1.5 < waited < 3.0, waited
    finally:
        release.set()
        t.join()
