"""Batch issuing over the API (POST /credentials/batches, GET /batches/{id}), on SQLite and on the real PostgreSQL;
the batches are issued by the real worker code (app.jobs.work) in this process, signing in real child processes."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from app import batches, jobs
from app.db.models import Batch, Credential, IdempotencyKey
from app.domain.json_digest import digest
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import ORIGIN, assert_problem, auth, count, make_client, new_tenant, resolver, verify_proof


@pytest.fixture(scope="module")
def client(database_url, tmp_path_factory):
    with make_client(database_url, tmp_path_factory.mktemp("keys"), batch_chunk=2) as c:
        yield c


def learners(*names: str) -> list[dict]:
    items = []
    for n, name in enumerate(names):
        item = copy.deepcopy(EXAMPLE)
        given, family = name.split()
        item["learner"] = {"givenName": given, "familyName": family, "reference": f"ST-{n:03d}"}
        items.append(item)
    return items


def batches_of(client, slug: str) -> int:
    from app.storage import institutions

    with client.app.state.session_factory() as session:
        inst = institutions.by_slug(session, slug)
        return session.scalar(select(func.count()).select_from(Batch).where(Batch.institution_id == inst.id))


def post(client, key, body, **headers):
    return client.post("/credentials/batches", json=body, headers={**auth(key), **headers})


def run(client, batch_id):
    jobs.work(client.app.state.services.settings, processes=1, until_batch=batch_id)


def test_partial_batch_issues_the_valid_items_and_reports_the_others(client, loader):
    _, key = new_tenant(client, suspension_enabled=True)
    items = learners("Jānis Ozols", "Līga Kalniņa", "Pēteris Liepa", "Ērika Šmite", "Ilze Ābele")
    del items[1]["qualityAssurance"]
    items[3]["eqfLevel"] = 9
    response = post(client, key, {"items": items, "mode": "partial"})
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert response.headers["location"] == f"{ORIGIN}/batches/{accepted['id']}" == accepted["links"]["self"]
    # accepted before its items are checked: the answer does not wait for work that grows with the batch
    assert accepted["state"] == "checking" and accepted["items"] == []
    assert accepted["counts"] == {"total": 5, "issued": 0, "failed": 0, "pending": 5}
    assert client.get(f"/batches/{accepted['id']}", headers=auth(key)).json()["items"] == []
    assert count(client, key) == 0  # accepted, not yet issued

    run(client, accepted["id"])
    batch = client.get(accepted["links"]["self"].removeprefix(ORIGIN), headers=auth(key)).json()
    assert [(i["index"], i["learnerRef"], [e["field"] for e in i["errors"]]) for i in batch["items"]
            if i["status"] == "failed"] == [(1, "ST-001", ["items[1].qualityAssurance"]),
                                             (3, "ST-003", ["items[3].eqfLevel"])]
    assert batch["state"] == "done" and batch["progress"] == 1.0 and batch["finishedAt"]
    assert batch["counts"] == {"total": 5, "issued": 3, "failed": 2, "pending": 0}
    assert [(i["index"], i["status"]) for i in batch["items"]] == [
        (0, "issued"), (1, "failed"), (2, "issued"), (3, "failed"), (4, "issued")]
    assert batch["items"][3]["errors"][0]["message"].startswith("must be a whole number from 1 to 8")
    assert count(client, key) == 3
    for item in (i for i in batch["items"] if i["status"] == "issued"):
        stored = client.get(item["links"]["credential"].removeprefix(ORIGIN), headers=auth(key)).json()
        vc = stored["verifiableCredential"]
        assert stored["batchId"] == batch["id"] and stored["learnerRef"] == item["learnerRef"]
        assert vc["id"] == f"urn:uuid:{item['id']}"
        with client.app.state.session_factory() as session:  # the digest of the text its signing process made
            assert session.get(Credential, item["id"]).document_digest == digest(vc)
        assert [e["statusPurpose"] for e in vc["credentialStatus"]] == ["revocation", "suspension"]
        assert verify_proof(vc, loader=loader, resolve_verification_method=resolver(client)).verified
        download = client.get(item["links"]["credentialFile"].removeprefix(ORIGIN))
        assert download.status_code == 200 and download.json() == vc
        # the row holds the JSON text its signing process made, and offers the credential to the learner's wallet
        assert item["links"]["walletOffer"].startswith("openid-credential-offer://")

    failed = client.get(f"/batches/{batch['id']}?status=failed&limit=1", headers=auth(key)).json()
    assert [i["index"] for i in failed["items"]] == [1]
    assert failed["page"]["total"] == 2 and "status=failed" in failed["page"]["next"]


def test_all_or_nothing_refuses_the_whole_batch(client):
    slug, key = new_tenant(client)
    items = learners("Jānis Ozols", "Līga Kalniņa", "Pēteris Liepa")
    del items[2]["learner"]["givenName"]
    accepted = post(client, key, {"items": items})  # all-or-nothing by default
    assert accepted.status_code == 202 and accepted.json()["state"] == "checking", accepted.text
    run(client, accepted.json()["id"])
    refused = client.get(f"/batches/{accepted.json()['id']}", headers=auth(key)).json()
    assert refused["state"] == "refused" and refused["finishedAt"] and refused["progress"] == 1.0
    assert refused["counts"] == {"total": 3, "issued": 0, "failed": 3, "pending": 0}
    assert [(i["index"], i["status"], [e["field"] for e in i["errors"]]) for i in refused["items"]] == [
        (0, "failed", ["items[0]"]), (1, "failed", ["items[1]"]), (2, "failed", ["items[2].learner.givenName"])]
    assert refused["items"][0]["errors"][0]["message"] == batches.NOT_ISSUED
    assert count(client, key) == 0
    with client.app.state.session_factory() as session:  # the request is not kept once checked
        assert session.scalar(select(Batch.request).where(Batch.id == refused["id"])) is None

    del items[2]
    accepted = post(client, key, {"items": items, "mode": "all-or-nothing"})
    assert accepted.status_code == 202 and accepted.json()["counts"]["pending"] == 2
    run(client, accepted.json()["id"])
    assert count(client, key) == 2
    assert batches_of(client, slug) == 2


def test_what_only_the_builder_refuses_refuses_the_batch_before_anything_is_issued(client):
    """A batch's items are checked, not built, before any is issued: the builder's own refusals (a Latvian region
    for an issuer abroad, an expiry before the date of issue) still refuse the batch then."""
    slug, key = new_tenant(client)
    items = learners("Jānis Ozols", "Līga Kalniņa", "Pēteris Liepa")
    items[0]["country"], items[0]["region"] = "EST", "LV006"
    items[2]["validUntil"] = "2020-01-01"
    accepted = post(client, key, {"items": items}).json()
    run(client, accepted["id"])
    refused = client.get(f"/batches/{accepted['id']}?status=failed", headers=auth(key)).json()
    assert refused["state"] == "refused"
    assert sorted(e["field"] for i in refused["items"] for e in i["errors"] if e["message"] != batches.NOT_ISSUED
                  ) == ["items[0].region", "items[2].validUntil"], refused
    assert count(client, key) == 0


def test_the_answer_does_no_work_per_item(client, monkeypatch):
    """Accepting a batch validates no item (the check job does, in the background): the POST's work does not grow
    with the batch beyond reading and storing its JSON."""
    from app import issuing

    _, key = new_tenant(client)
    checked = []
    real = issuing.check_micro_credential
    monkeypatch.setattr(issuing, "check_micro_credential", lambda *a, **k: checked.append(1) or real(*a, **k))
    accepted = post(client, key, {"items": learners("Anna Bērziņa", "Kārlis Žagars", "Ilze Ābele")}).json()
    assert checked == [] and accepted["state"] == "checking"
    run(client, accepted["id"])
    assert checked == [1, 1, 1] and count(client, key) == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_the_request_is_kept_as_it_came_until_the_batch_is_checked(client, encoding):
    import json
    import zlib

    _, key = new_tenant(client)
    text = json.dumps({"mode": "partial", "items": learners("Anna Bērziņa")}, ensure_ascii=False, indent=1)
    response = client.post("/credentials/batches", content=text.encode(encoding),
                           headers={**auth(key), "Content-Type": "application/json"})
    assert response.status_code == 202, response.text
    with client.app.state.session_factory() as session:
        kept = zlib.decompress(session.scalar(select(Batch.request).where(Batch.id == response.json()["id"])))
    # UTF-8 as it came; another encoding written again as UTF-8
    assert kept == text.encode() if encoding == "utf-8" else json.loads(kept) == {
        "items": json.loads(text)["items"], "mode": "partial"}
    run(client, response.json()["id"])
    assert count(client, key) == 1


def test_an_institution_that_can_no_longer_issue_when_its_batch_is_checked_has_it_refused(client):
    """A Conflict of no item in particular (the profile lost its registration since the batch was accepted) refuses
    the batch, every item with that reason, whatever the mode."""
    from app.db.models import Institution
    from app.storage import institutions

    slug, key = new_tenant(client)
    accepted = post(client, key, {"items": learners("Anna Bērziņa", "Kārlis Žagars"), "mode": "partial"}).json()
    with client.app.state.session_factory() as session:
        inst = institutions.by_slug(session, slug)
        session.get(Institution, inst.id).profile = {k: v for k, v in inst.profile.items() if k != "registration"}
        session.commit()
    run(client, accepted["id"])
    refused = client.get(f"/batches/{accepted['id']}", headers=auth(key)).json()
    assert refused["state"] == "refused" and refused["counts"]["failed"] == 2
    assert all("registration number" in i["errors"][0]["message"] for i in refused["items"]), refused
    assert count(client, key) == 0


def test_a_batch_is_checked_once_whatever_runs_twice(client, monkeypatch):
    """The check job is one transaction on a locked ``checking`` batch: run again (a retry, a second worker) it
    finds nothing to do; interrupted, it leaves the batch checking and nothing stored."""
    from app.storage import batches as stored

    _, key = new_tenant(client)
    accepted = post(client, key, {"items": learners("Anna Bērziņa", "Kārlis Žagars"), "mode": "partial"}).json()
    runtime = type("Runtime", (), {"session_factory": client.app.state.session_factory,
                                   "services": client.app.state.services})()
    real = stored.store_items

    def crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the worker died")

    monkeypatch.setattr(stored, "store_items", crash)
    with pytest.raises(RuntimeError):
        batches.check(runtime, accepted["id"])
    monkeypatch.setattr(stored, "store_items", real)
    state = client.get(f"/batches/{accepted['id']}", headers=auth(key)).json()
    assert state["state"] == "checking" and state["items"] == []
    batches.check(runtime, accepted["id"])
    batches.check(runtime, accepted["id"])
    state = client.get(f"/batches/{accepted['id']}", headers=auth(key)).json()
    assert state["state"] == "queued" and [i["index"] for i in state["items"]] == [0, 1]
    run(client, accepted["id"])
    assert count(client, key) == 2


def test_an_idempotency_key_replays_the_first_answer_and_never_issues_twice(client):
    _, key = new_tenant(client)
    _, other = new_tenant(client)
    body = {"items": learners("Anna Bērziņa", "Kārlis Žagars"), "mode": "partial"}
    first = post(client, key, body, **{"Idempotency-Key": "cohort-2025-06"})
    assert first.status_code == 202
    # the same request again, its JSON written differently: the first answer, no second batch
    reordered = {"mode": "partial", "items": body["items"]}
    again = post(client, key, reordered, **{"Idempotency-Key": "cohort-2025-06"})
    assert (again.status_code, again.json(), again.headers["location"]) == (
        202, first.json(), first.headers["location"])
    run(client, first.json()["id"])
    replay = post(client, key, body, **{"Idempotency-Key": "cohort-2025-06"})
    assert replay.json()["id"] == first.json()["id"]
    assert count(client, key) == 2

    changed = copy.deepcopy(body)
    changed["items"][1]["learner"]["givenName"] = "Kārlis Jānis"
    problem = assert_problem(post(client, key, changed, **{"Idempotency-Key": "cohort-2025-06"}), 422,
                             "idempotency-key-reused")
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    # keys are per institution: another institution's request with the same key is its own
    theirs = post(client, other, body, **{"Idempotency-Key": "cohort-2025-06"})
    assert theirs.status_code == 202 and theirs.json()["id"] != first.json()["id"]
    assert count(client, key) == 2
    with client.app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)
                              .where(IdempotencyKey.key == "cohort-2025-06")) == 2


def test_a_batch_is_its_institutions_alone(client):
    _, key = new_tenant(client)
    _, other = new_tenant(client)
    accepted = post(client, key, {"items": learners("Anna Bērziņa")}).json()
    assert client.get(f"/batches/{accepted['id']}", headers=auth(key)).status_code == 200
    assert_problem(client.get(f"/batches/{accepted['id']}", headers=auth(other)), 404, "not-found")
    assert_problem(client.get(f"/batches/{accepted['id']}"), 401)
    run(client, accepted["id"])


def test_batch_limits_and_malformed_requests(database_url, tmp_path):
    with make_client(database_url, tmp_path, max_batch_items=3, max_batch_body_bytes=20_000) as small:
        slug, key = new_tenant(small)
        items = learners("A B", "C D", "E F", "G H")
        body = assert_problem(post(small, key, {"items": items}), 422)
        assert body["errors"] == [{"field": "items", "message": "too many items (at most 3)"}]
        big = {"items": learners("A B", "C D"), "mode": "partial"}
        big["items"][0]["learningOutcomes"] *= 30
        assert_problem(post(small, key, big), 413, "body-too-large")
        for wrong, field in (({"items": []}, "items"), ({"items": items[:1], "mode": "some"}, "mode"),
                             ({"items": items[:1], "Mode": "partial"}, "Mode"), ([1], "")):
            assert assert_problem(post(small, key, wrong), 422)["errors"][0]["field"] == field
        assert_problem(post(small, key, {"items": items[:1]}, **{"Idempotency-Key": " "}), 422)
        assert batches_of(small, slug) == 0


def test_slots_are_claimed_for_a_whole_chunk_at_once_and_never_shared(client, in_threads):
    """status_lists.allocate_many: one INSERT per round for many credentials, writers racing on one small list;
    the unique (list, index) pair settles every race, a nearly full list is closed and the next one used."""
    import threading
    import uuid

    from app.db.models import StatusEntry, StatusList
    from app.domain.timefmt import utcnow
    from app.storage import institutions
    from app.storage import status_lists as lists

    slug, _ = new_tenant(client)
    factory = client.app.state.session_factory
    with factory() as session:
        inst_id = institutions.by_slug(session, slug).id
    barrier = threading.Barrier(4)

    def writer():
        with factory() as session:
            inst = session.get(type(institutions.by_slug(session, slug)), inst_id)
            barrier.wait()
            for _ in range(2):  # two chunks of 35: the second one meets a fuller list
                ids = [str(uuid.uuid4()) for _ in range(35)]
                claimed = lists.allocate_many(session, inst, "revocation", ids, now=utcnow(), size=256)
                assert set(claimed) == set(ids)
                session.commit()

    errors = in_threads(writer, [()] * 4)
    assert not errors, errors
    with factory() as session:
        rows = session.execute(select(StatusList.seq, StatusEntry.idx, StatusEntry.credential_id).join(StatusList)
                               .where(StatusList.institution_id == inst_id)).all()
        full = session.scalars(select(StatusList.full).where(StatusList.institution_id == inst_id)
                               .order_by(StatusList.seq)).all()
    assert len(rows) == 280 and len({(seq, idx) for seq, idx, _ in rows}) == 280
    assert len({cid for *_, cid in rows}) == 280
    per_list = {seq: sum(1 for s, *_ in rows if s == seq) for seq in (1, 2)}
    assert 244 <= per_list[1] <= 256 and per_list[1] + per_list[2] == 280 and full == [True, False]
