"""Revocation and suspension through W3C Bitstring Status Lists, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import copy
import threading

from sqlalchemy import func, select

from app import status
from app.db.models import AuditEvent, Credential, Institution, StatusEntry, StatusList
from app.domain import bitstring
from app.domain.microcredential import EXAMPLE
from app.domain.timefmt import parse_xsd, utcnow
from app.storage import institutions
from app.storage import status_lists as lists
from tests.apphelpers import ORIGIN, assert_problem, auth, issue, new_tenant, resolver, verify_proof


def issue_cohort(client, key: str, size: int) -> dict:
    """Issue ``size`` copies of the example, one per (made-up) learner, as one cohort."""
    mcs = [{**copy.deepcopy(EXAMPLE), "learner": {"givenName": f"L{n}", "familyName": "Test"}} for n in range(size)]
    response = client.post("/credentials/cohorts", json={"microCredentials": mcs}, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


def get_list(client, entry: dict, **headers):
    return client.get(entry["statusListCredential"].removeprefix(ORIGIN), headers=headers)


def bit(client, entry: dict) -> bool:
    listed = get_list(client, entry).json()
    return bitstring.get_bit(bitstring.decode(listed["credentialSubject"]["encodedList"]),
                             int(entry["statusListIndex"]))


def test_status_list_credential_is_signed_cached_and_private(client, loader):
    slug, key = new_tenant(client)
    entry = issue(client, key).json()["verifiableCredential"]["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == f"{ORIGIN}/status/{slug}/revocation/1"
    response = get_list(client, entry)
    assert response.status_code == 200
    slc = response.json()
    assert slc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert slc["issuer"] == f"did:web:127.0.0.1%3A8765:institutions:{slug}"
    assert slc["credentialSubject"]["statusPurpose"] == "revocation"
    assert slc["credentialSubject"]["encodedList"].startswith("u")
    bits = bitstring.decode(slc["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == 131_072 and not any(bits)
    assert verify_proof(slc, loader=loader, resolve_verification_method=resolver(client)).verified
    # Caching headers follow the list's validity; a revalidation with the ETag is a 304.
    cache = response.headers["cache-control"]
    max_age = int(cache.split("max-age=")[1])
    valid_for = (parse_xsd(slc["validUntil"]) - utcnow()).total_seconds()
    assert 0 < max_age <= min(300, valid_for)
    assert get_list(client, entry, **{"If-None-Match": response.headers["etag"]}).status_code == 304
    # Unchanged list: the same signed document is served again (not re-signed on every request).
    assert get_list(client, entry).json() == slc


def test_revocation_is_published_final_and_audited(client):
    slug, key = new_tenant(client)
    body = issue(client, key).json()
    cid, entry = body["id"], body["verifiableCredential"]["credentialStatus"]
    etag = get_list(client, entry).headers["etag"]
    assert not bit(client, entry)

    assert_problem(client.post(f"/credentials/{cid}/revoke", json={}, headers=auth(key)), 422)
    assert_problem(client.post(f"/credentials/{cid}/revoke", json={"reason": "bored"}, headers=auth(key)), 422)
    r = client.post(f"/credentials/{cid}/revoke", json={"reason": "issued-in-error", "note": "wrong learner"},
                    headers=auth(key))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "revoked"
    assert bit(client, entry)
    assert get_list(client, entry, **{"If-None-Match": etag}).status_code == 200  # the list changed

    # Idempotent, and final.
    assert client.post(f"/credentials/{cid}/revoke", json={"reason": "fraud"}, headers=auth(key)).status_code == 200
    assert_problem(client.post(f"/credentials/{cid}/reinstate", headers=auth(key)), 409)
    assert_problem(client.post("/credentials/status", json={"credentialId": cid, "credentialStatus": [
        {"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "status": False}]}, headers=auth(key)), 422)
    assert bit(client, entry)

    with client.app.state.session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.credential_id == cid)
                                 .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["issue", "status.revoke"]
    assert events[1].actor.startswith("api-key:") and events[1].details["reason"] == "issued-in-error"
    assert events[1].details["note"] == "wrong learner"


def test_suspension_only_where_enabled(client):
    _, key = new_tenant(client, suspension_enabled=True)
    body = issue(client, key).json()
    cid, entries = body["id"], body["verifiableCredential"]["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    suspension = entries[1]
    assert client.post(f"/credentials/{cid}/suspend", json={"reason": "under-investigation"},
                       headers=auth(key)).json()["status"] == "suspended"
    assert bit(client, suspension) and not bit(client, entries[0])
    assert client.post(f"/credentials/{cid}/reinstate", headers=auth(key)).json()["status"] == "active"
    assert not bit(client, suspension)
    # The VC API status operation does the same.
    r = client.post("/credentials/status", json={"credentialId": cid, "credentialStatus": [
        {"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": True}]}, headers=auth(key))
    assert r.status_code == 200 and r.json()["status"] == "suspended" and bit(client, suspension)

    _, plain_key = new_tenant(client)
    plain = issue(client, plain_key).json()
    assert isinstance(plain["verifiableCredential"]["credentialStatus"], dict)
    assert_problem(client.post(f"/credentials/{plain['id']}/suspend", headers=auth(plain_key)), 409,
                   "suspension-unavailable")


def test_indexes_are_random_and_distinct(client):
    _, key = new_tenant(client)
    out = issue_cohort(client, key, 40)
    indexes = [int(c["verifiableCredential"]["credentialStatus"]["statusListIndex"]) for c in out["credentials"]]
    assert len(set(indexes)) == 40
    assert indexes != sorted(indexes)  # not handed out in order
    assert max(indexes) - min(indexes) > 10_000  # spread over the list (fails with p ~ 1e-30 if random)


def _credential_rows(session, inst, n: int) -> list[str]:
    import secrets
    import uuid

    ids = []
    for _ in range(n):
        cid = str(uuid.uuid4())
        session.add(Credential(id=cid, uri=f"urn:uuid:{cid}", institution_id=inst.id, document={},
                               issued_at=utcnow(), download_token=secrets.token_urlsafe(16),
                               verify_token=secrets.token_urlsafe(16), created_at=utcnow(), status="active"))
        ids.append(cid)
    session.flush()
    return ids


def test_a_new_list_starts_when_one_fills(client):
    slug, _ = new_tenant(client)
    with client.app.state.session_factory() as session:
        inst = institutions.by_slug(session, slug)
        ids = _credential_rows(session, inst, 40)
        claimed = [lists.allocate(session, inst, "revocation", cid, now=utcnow(), size=16) for cid in ids]
        session.commit()
        seqs = sorted({lst.seq for lst, _ in claimed})
        assert seqs == [1, 2, 3]
        for seq in (1, 2):
            assert sorted(i for lst, i in claimed if lst.seq == seq) == list(range(16))
        assert session.scalars(select(StatusList.full).where(StatusList.institution_id == inst.id)
                               .order_by(StatusList.seq)).all() == [True, True, False]


def test_one_credentials_slots_are_claimed_together_and_never_shared(client):
    """allocate_each (one credential's slots, one probe per purpose in one INSERT): on lists of 16 the probes keep
    hitting used slots and the draw goes on in ``allocate``; every slot is still given once, lists fill and close,
    and each credential gets one slot of each purpose."""
    slug, _ = new_tenant(client)
    with client.app.state.session_factory() as session:
        inst = institutions.by_slug(session, slug)
        ids = _credential_rows(session, inst, 40)
        claimed = {cid: lists.allocate_each(session, inst, ["revocation", "suspension"], cid, now=utcnow(), size=16)
                   for cid in ids}
        session.commit()
        for n, purpose in enumerate(["revocation", "suspension"]):
            slots = [(c[n][0].seq, c[n][1]) for c in claimed.values()]
            assert {c[n][0].purpose for c in claimed.values()} == {purpose}
            assert len(set(slots)) == 40
            for seq in (1, 2):
                assert sorted(i for s, i in slots if s == seq) == list(range(16))
        rows = session.execute(select(StatusEntry.credential_id, StatusList.purpose).join(StatusList)
                               .where(StatusList.institution_id == inst.id)).all()
        assert sorted(rows) == sorted((cid, p) for cid in ids for p in ("revocation", "suspension"))


def test_concurrent_allocation_never_shares_an_index(client, in_threads):
    """Many writers at once on one small list: the unique (list, index) constraint settles every race."""
    slug, _ = new_tenant(client)
    factory = client.app.state.session_factory
    with factory() as session:
        inst = institutions.by_slug(session, slug)
        ids = _credential_rows(session, inst, 8 * 40)
        session.commit()
        inst_id = inst.id
    barrier = threading.Barrier(8)

    def worker(chunk):
        with factory() as session:
            me = session.get(type(inst), inst_id)
            barrier.wait()
            for cid in chunk:
                lists.allocate(session, me, "revocation", cid, now=utcnow(), size=256)
                session.commit()

    errors = in_threads(worker, [(ids[n::8],) for n in range(8)])
    assert not errors, errors
    with factory() as session:
        rows = session.execute(select(StatusList.seq, StatusEntry.idx).join(StatusList)
                               .where(StatusList.institution_id == inst_id)).all()
        assert len(rows) == 320 and len(set(rows)) == 320
        per_list = dict(session.execute(select(StatusList.seq, func.count()).join(StatusEntry)
                                        .where(StatusList.institution_id == inst_id).group_by(StatusList.seq)).all())
    # List 1 is closed once found 95 % used (see status_lists.CLOSE_AT); the rest went to list 2.
    assert 244 <= per_list[1] <= 256 and per_list[1] + per_list[2] == 320


def test_default_validity_and_audit_trail(client):
    from datetime import timedelta

    _, key = new_tenant(client, default_validity_days=365)
    body = issue(client, key).json()
    vc = body["verifiableCredential"]
    until, since = parse_xsd(vc["validUntil"]), parse_xsd(vc["issued"])  # counted from issuing, not the date of issue
    assert timedelta(days=364) < until - since <= timedelta(days=366)
    assert vc["expirationDate"] == vc["validUntil"]  # VC 1.1 verifiers read expirationDate
    listed = client.get("/credentials?expiringWithinDays=366", headers=auth(key)).json()["credentials"]
    assert [c["id"] for c in listed] == [body["id"]]

    cid = body["id"]
    client.post(f"/credentials/{cid}/revoke", json={"reason": "superseded", "note": "new version"}, headers=auth(key))
    events = client.get(f"/credentials/{cid}/events", headers=auth(key)).json()["events"]
    assert [e["action"] for e in events] == ["issue", "status.revoke"]
    assert events[1]["reason"] == "superseded" and events[1]["note"] == "new version"
    assert events[1]["actor"].startswith("api-key:") and parse_xsd(events[1]["at"]) is not None
    _, other = new_tenant(client)
    assert_problem(client.get(f"/credentials/{cid}/events", headers=auth(other)), 404)


def test_concurrent_status_changes_are_all_published(client, in_threads):
    """Several staff members revoking at once on one list: no change may overwrite another."""
    _, key = new_tenant(client)
    out = issue_cohort(client, key, 24)
    creds = out["credentials"]
    factory = client.app.state.session_factory
    barrier = threading.Barrier(6)

    def worker(chunk):
        barrier.wait()
        for c in chunk:
            with factory() as session:
                row = session.get(Credential, c["id"])
                inst = session.get(Institution, row.institution_id)
                status.change(session, inst, row, "revoke", actor="test", reason="fraud", now=utcnow())
                session.commit()

    errors = in_threads(worker, [(creds[n::6],) for n in range(6)])
    assert not errors, errors
    entry = creds[0]["verifiableCredential"]["credentialStatus"]
    bits = bitstring.decode(get_list(client, entry).json()["credentialSubject"]["encodedList"])
    indexes = [int(c["verifiableCredential"]["credentialStatus"]["statusListIndex"]) for c in creds]
    assert all(bitstring.get_bit(bits, i) for i in indexes)
    assert sum(bin(b).count("1") for b in bits) == 24
    with factory() as session:
        assert session.scalar(select(StatusList.version).where(StatusList.id == session.scalar(
            select(StatusEntry.list_id).where(StatusEntry.credential_id == creds[0]["id"])))) == 1 + 24


def test_a_rolled_back_allocation_leaves_nothing(client):
    """Allocation as the first write of a transaction must still roll back with it (no early commit)."""
    slug, _ = new_tenant(client)
    factory = client.app.state.session_factory
    with factory() as session:
        inst = institutions.by_slug(session, slug)
        ids = _credential_rows(session, inst, 3)
        session.commit()
    for cid in ids:
        with factory() as session:
            lists.allocate(session, institutions.by_slug(session, slug), "revocation", cid, now=utcnow())
            session.rollback()
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(StatusEntry)
                              .where(StatusEntry.credential_id.in_(ids))) == 0


def test_a_reinstate_racing_a_revoke_never_leaves_the_credential_active(client, monkeypatch):
    """The reinstate reads the credential (suspended), the revoke commits, then the reinstate goes on: revocation
    stays final, and the credential's row says what its status lists say."""
    from app.errors import Conflict

    _, key = new_tenant(client, suspension_enabled=True)
    body = issue(client, key).json()
    cid, (revocation, suspension) = body["id"], body["verifiableCredential"]["credentialStatus"]
    assert client.post(f"/credentials/{cid}/suspend", headers=auth(key)).json()["status"] == "suspended"
    factory = client.app.state.session_factory
    read, revoked, outcome = threading.Event(), threading.Event(), {}
    entries_of = lists.entries_of

    def entries_of_then_wait(session, credential_id):
        # The pause between the reinstate's read and its write (test-only): the revoke runs in it.
        found = entries_of(session, credential_id)
        if threading.current_thread().name == "reinstate":
            read.set()
            assert revoked.wait(20)
        return found

    monkeypatch.setattr(lists, "entries_of", entries_of_then_wait)

    def change(action: str, reason: str | None = None):
        with factory() as session:
            row = session.get(Credential, cid)
            try:
                status.change(session, session.get(Institution, row.institution_id), row, action, actor="test",
                              reason=reason, now=utcnow())
                session.commit()
                outcome[action] = row.status
            except Conflict as exc:
                outcome[action] = exc.slug

    reinstate = threading.Thread(target=change, args=("reinstate",), name="reinstate")
    reinstate.start()
    assert read.wait(20)
    change("revoke", "fraud")
    revoked.set()
    reinstate.join()
    assert outcome == {"revoke": "revoked", "reinstate": "revoked-final"}
    with factory() as session:
        assert session.get(Credential, cid).status == "revoked"
    assert bit(client, revocation) and bit(client, suspension)
    events = client.get(f"/credentials/{cid}/events", headers=auth(key)).json()["events"]
    assert [(e["action"], e["previous"]) for e in events[1:]] == [("status.suspend", "active"),
                                                                  ("status.revoke", "suspended")]
