"""E-mail delivery of the learner's link (issue 19), on SQLite and on the real PostgreSQL, through a real SMTP server
running in this process (aiosmtpd): what arrives (Latvian and English, the links that work), exactly once even
when the worker and the sender run again, per-item failures from a refusing server and their retry, and the batch's
results as CSV (``Accept: text/csv``)."""

from __future__ import annotations

import copy
import csv
import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from app import batches, delivery, jobs
from app.batch_results import COLUMNS
from app.db.models import Delivery
from app.domain.microcredential import EXAMPLE
from app.domain.timefmt import utcnow
from tests.apphelpers import auth, make_client, new_tenant

ADDRESSES = ["anna@students.example.lv", "janis@students.example.lv", "liga@students.example.lv"]


@pytest.fixture
def mailing(database_url, tmp_path, smtp_server):
    """The app with delivery on, its retries an hour apart (a test moves the clock); yields (client, mailbox)."""
    url, mailbox = smtp_server
    with make_client(database_url, tmp_path / "keys", batch_chunk=2, smtp_url=url,
                     smtp_from="Mikrokvalifikācijas <noreply@mcred.example.lv>", smtp_retry_seconds=3600) as client:
        yield client, mailbox


def items() -> list[dict]:
    out = []
    for n, (given, family) in enumerate([("Anna", "Bērziņa"), ("Jānis", "Ozoliņš"), ("Līga", "Kalniņa"),
                                         ("=HYPERLINK(\"http://x\")", "Bez-pasta")]):
        item = copy.deepcopy(EXAMPLE)
        item["learner"] = {"givenName": given, "familyName": family, "reference": f"ST-{n:03d}"}
        if n < len(ADDRESSES):
            item["learner"]["email"] = ADDRESSES[n]
        out.append(item)
    return out


def batch_json(client, key, batch_id) -> dict:
    r = client.get(f"/batches/{batch_id}", headers=auth(key))
    assert r.status_code == 200, r.text
    return r.json()


def batch_csv(client, key, batch_id) -> list[dict]:
    r = client.get(f"/batches/{batch_id}", headers={**auth(key), "Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8", r.text
    assert r.content.startswith("\ufeff".encode()) and "batch-" in r.headers["content-disposition"]
    reader = csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames) == COLUMNS
    return list(reader)


def send(client, *, later: timedelta = timedelta()) -> int:
    settings = client.app.state.services.settings
    return delivery.send_due(client.app.state.session_factory, settings, lambda: utcnow() + later)


def test_learners_get_their_link_once_and_a_refusing_server_is_retried(mailing, in_threads):
    client, mailbox = mailing
    _, key = new_tenant(client, email="studijas@example.lv")
    mailbox.refuse = 2  # the first two recipients are refused (451): those items report it, and are retried
    accepted = client.post("/credentials/batches", json={"items": items(), "mode": "partial"}, headers=auth(key))
    assert accepted.status_code == 202, accepted.text
    batch_id = accepted.json()["id"]
    settings = client.app.state.services.settings
    jobs.work(settings, processes=1, until_batch=batch_id)
    send(client)  # whatever the worker's sender had not reached yet

    state = batch_json(client, key, batch_id)
    assert state["counts"] == {"total": 4, "issued": 4, "failed": 0, "pending": 0}
    by_status = {}
    for item in state["items"][:3]:
        by_status.setdefault(item["delivery"]["status"], []).append(item)
    assert len(by_status["pending"]) == 2 and len(by_status["sent"]) == 1, state["items"]
    for item in by_status["pending"]:
        assert item["delivery"]["attempts"] == 1 and "451" in item["delivery"]["error"]
        assert item["delivery"]["nextAttemptAt"]
    assert state["items"][3]["delivery"] is None  # no address, no e-mail
    rows = batch_csv(client, key, batch_id)
    assert [r["email_status"] for r in rows] == [i["delivery"]["status"] for i in state["items"][:3]] + [""]
    assert sum("451" in r["email_error"] for r in rows) == 2
    assert rows[3]["learner_name"].startswith("'=HYPERLINK")  # a spreadsheet does not run it as a formula

    assert send(client, later=timedelta(hours=2)) == 2  # the retries, once due
    state = batch_json(client, key, batch_id)
    assert [i["delivery"]["status"] for i in state["items"][:3]] == ["sent"] * 3
    assert all(i["delivery"]["sentAt"] and not i["delivery"]["error"] for i in state["items"][:3])
    assert mailbox.refused == 2 and sorted(m.envelope_to[0] for m in mailbox.messages) == sorted(ADDRESSES)

    # run again, as a retried job or a second worker would: nothing is recorded or sent a second time
    runtime = jobs.Runtime(settings, processes=1)
    try:
        batches.check(runtime, batch_id)
        batches.run_chunk(runtime, batch_id, 0, 2)
    finally:
        runtime.close()
    jobs.work(settings, processes=1, until_batch=batch_id)
    assert in_threads(lambda: send(client, later=timedelta(days=1)), [()] * 3) == []
    assert len(mailbox.messages) == 3
    assert [r["email_status"] for r in batch_csv(client, key, batch_id)] == ["sent"] * 3 + [""]

    # what arrived: one message per learner, in Latvian and English, with the links that work
    for item, address in zip(state["items"], ADDRESSES):
        (message,) = [m for m in mailbox.messages if m.envelope_to == [address]]
        assert message["To"] == address and message["Reply-To"].endswith("<studijas@example.lv>")
        assert message["Subject"] == "Jūsu mikrokvalifikācija / Your micro-credential: Datu analīze ar Python"
        text = message.get_content()
        assert "Labdien" in text and "Jums ir izsniegta mikrokvalifikācija „Datu analīze ar Python”" in text
        assert "Hello" in text and 'has issued you the micro-credential "Data analysis with Python"' in text
        assert item["links"]["download"] in text.split() and item["links"]["verification"] in text.split()
        page = client.get(urlsplit(item["links"]["download"]).path)
        assert page.status_code == 200
        assert client.get(urlsplit(item["links"]["verification"]).path).status_code == 200


def test_a_permanent_refusal_fails_at_once_and_an_interrupted_send_is_never_repeated(mailing):
    client, mailbox = mailing
    _, key = new_tenant(client)
    batch_id = client.post("/credentials/batches", json={"items": items()[:2]}, headers=auth(key)).json()["id"]
    settings = client.app.state.services.settings
    factory = client.app.state.session_factory
    with factory() as session:  # no worker has run: the deliveries are recorded once the items are issued
        assert session.scalars(select(Delivery).where(Delivery.batch_id == batch_id)).all() == []

    async def no_such_mailbox(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"

    mailbox.handle_RCPT = no_such_mailbox
    runtime = jobs.Runtime(settings, processes=1)
    try:
        batches.check(runtime, batch_id)
        batches.run_chunk(runtime, batch_id, 0, 2)
    finally:
        runtime.close()
    with factory() as session:  # one taken for sending by a sender that then died (its lease ran out)
        first = session.scalars(select(Delivery).where(Delivery.batch_id == batch_id).order_by(Delivery.id)).first()
        session.execute(update(Delivery).where(Delivery.id == first.id).values(
            state="sending", attempts=1, lease_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    send(client)
    items_ = batch_json(client, key, batch_id)["items"]
    assert [i["delivery"]["status"] for i in items_] == ["failed", "failed"]
    assert "may have arrived" in items_[0]["delivery"]["error"]  # never sent twice: given up, and said so
    assert "550" in items_[1]["delivery"]["error"] and items_[1]["delivery"]["attempts"] == 1
    assert mailbox.messages == []
    assert send(client, later=timedelta(days=30)) == 0


def test_a_wrong_smtp_setting_stops_the_worker_at_start(database_url, tmp_path):
    from dataclasses import replace

    from app.errors import ConfigurationError

    with make_client(database_url, tmp_path / "keys") as client:
        settings = client.app.state.services.settings
    with pytest.raises(ConfigurationError, match="MCRED_SMTP_FROM"):
        jobs.work(replace(settings, smtp_url="smtp://127.0.0.1:1"), until_batch="none")
    with pytest.raises(ConfigurationError, match="smtps://"):
        jobs.work(replace(settings, smtp_url="http://mail.example", smtp_from="a@b.lv"), until_batch="none")
