"""Batch issuing: up to tens of thousands of micro-credentials in one request, accepted at once, validated and
issued in the background, each exactly once.

Accepting a batch (``submit``) is one transaction: the batch, ``checking``, with its request as it came (compressed),
its check job (app.queue) and the answer to an ``Idempotency-Key`` are committed together; nothing in it grows with
the batch but reading, parsing and keeping the body (and, with an ``Idempotency-Key``, its digest). The check job
(``check``, one transaction) validates every item as issuing it would (app.issuing.check_micro_credential: the input
model and the ELM builder's checks; the document itself is built when the item is signed): in ``all-or-nothing`` mode one invalid item refuses the whole batch (``refused``, every
item failed, nothing issued), in ``partial`` mode the invalid items are stored as failed with their errors. Each
item gets its credential id there, and the chunk jobs that will issue them are queued with the items.
(``mcred issue-csv`` validates in its own transaction instead, ``check_now``, and refuses before storing anything.)

Issuing one chunk of items (``run_chunk``, a job) takes three steps, so that no transaction is open while documents
are signed (SQLite's single write lock is never held while signing):

1. claim, a short transaction: the chunk's pending items are locked and each gets its status list slots (the slots
   an earlier, interrupted attempt claimed for it are its slots again: app.status.claim_entries);
2. sign, outside any transaction, in the worker's signing processes (the JSON-LD work is CPU-bound: one process
   per core, app.signing_pool);
3. store, a short transaction: each item still pending is marked issued and its credential inserted with the
   item's credential id as primary key, and the batch's counts move on.

A crash between the steps loses nothing (the items are still pending and the job runs again) and issues nothing
twice (the guarded UPDATE and the primary key). A slot claimed for an item that is never stored stays claimed and
unset: it is never reused and never published as revoked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from app import delivery, issuing, logs, status
from app.db.models import Batch, BatchItem, Credential, Institution
from app.db.session import JsonText
from app.domain import elm, json_digest
from app.domain.timefmt import to_xsd
from app.errors import InvalidInput, McredError
from app.queue import enqueue, enqueue_check
from app.services import Services
from app.storage import audit, credentials, idempotency, institutions
from app.storage import batches as stored
from app.wallet import offers

log = logging.getLogger("mcred.batches")

ITEMS = "items"
# zlib's fastest level for a request kept until its batch is checked: ~1 GB/s, and a cohort's JSON, whose items share
# their elements, shrinks by an order of magnitude (measured: writing 63 MB to SQLite took most of the answer's time)
REQUEST_COMPRESSION = 1
# An item whose chunk failed this often (the job raised, or its worker died each time) is given up as failed.
MAX_ATTEMPTS = 5


# --- accepting a batch ----------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: dict
    location: str


def request_digest(body: object) -> str:
    """SHA-256 of the request's JSON (keys sorted), so that a retry serialised differently is the same request."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _learner_ref(item: object) -> str | None:
    learner = item.get("learner") if isinstance(item, dict) else None
    ref = learner.get("reference") if isinstance(learner, dict) else None
    return ref[:200] if isinstance(ref, str) else None


def submit(session: Session, services: Services, inst: Institution, items: list, mode: str, *, actor: str,
           idempotency_key: str | None = None, queue: str | None = None, check_now: bool = False,
           request_json: bytes | None = None) -> Answer:
    """Accept a batch of ``items`` in ``mode`` ("all-or-nothing" or "partial") inside the caller's transaction.

    The API's batches are checked in the background (``check_now=False``): the batch is stored ``checking`` with
    its request, and its check job (``check``) validates every item, then stores them and queues their issuing
    (or refuses the batch): the answer does not wait for work that grows with the batch. ``check_now``: every item
    is validated first, here, and an all-or-nothing batch with an invalid item is refused (InvalidInput) with
    nothing stored (``mcred issue-csv``, which reports row by row before anything is issued). ``request_json``:
    the request's body as it came (UTF-8 JSON, ``{"items": [...], ...}``), kept rather than written again."""
    issuing.check_items(items, ITEMS, services.settings.max_batch_items)
    digest = request_digest({"items": items, "mode": mode}) if idempotency_key is not None else None
    if idempotency_key is not None:
        first = idempotency.find(session, inst.id, idempotency_key)
        if first is not None:
            return _replay(first, digest)
    # what refuses every item (the institution's profile lacks an element a credential needs) refuses the request
    elm.can_issue(issuing.issuer_node(inst))
    rows = _checked(services, inst, items, mode) if check_now else None
    now = services.clock()
    if idempotency_key is not None and not idempotency.claim(session, inst.id, idempotency_key, digest, now=now):
        return _replay(idempotency.find(session, inst.id, idempotency_key), digest)
    batch = Batch(id=str(uuid.uuid4()), institution_id=inst.id, mode=mode, actor=actor,
                  chunk_size=services.settings.batch_chunk, total=len(items), issued=0, failed=0, state="checking",
                  created_at=now, request=None if check_now else zlib.compress(
                      request_json or json_digest.text({ITEMS: items, "mode": mode}).encode(), REQUEST_COMPRESSION))
    stored.create(session, batch)
    if check_now:
        _accept(session, services, batch, rows, queue=queue)
    else:
        enqueue_check(session, batch.id, queue=queue)
    origin = services.settings.public_origin
    answer = Answer(202, {**describe(origin, batch), "items": [
        {"index": row["seq"], "status": "failed", "learnerRef": row["learner_ref"], "errors": row["errors"]}
        for row in rows or () if row["errors"]]}, batch_url(origin, batch.id))
    if idempotency_key is not None:
        idempotency.answer(session, inst.id, idempotency_key, status_code=answer.status, response=answer.body,
                           location=answer.location)
    logs.on_commit(session, "batch.accepted", institution=inst.slug, batch_id=batch.id, items=len(items), mode=mode)
    return answer


def _checked(services: Services, inst: Institution, items: list, mode: str) -> list[dict]:
    """Every item validated as issuing it would validate it: the items' rows (pending, or failed with their
    errors). All or nothing with an invalid item: InvalidInput listing every item's errors."""
    rows, refused = [], 0
    for n, row_id, _, errors in issuing.validate_each(services, inst, items, ITEMS, build=False):
        refused += bool(errors)
        rows.append({"seq": n, "credential_id": row_id, "state": "failed" if errors else "pending",
                     "input": None if errors else items[n], "errors": errors or None,
                     "learner_ref": _learner_ref(items[n])})
    if refused and mode == "all-or-nothing":
        raise InvalidInput(f"{refused} of {len(items)} micro-credentials were refused; nothing was issued.",
                           errors=[e for row in rows for e in row["errors"] or ()])
    return rows


def _accept(session: Session, services: Services, batch: Batch, rows: list[dict], *, queue: str | None) -> None:
    """Store a checked batch's items and queue the jobs that issue them (app.queue), in the caller's transaction."""
    refused = sum(row["state"] == "failed" for row in rows)
    now = services.clock()
    stored.store_items(session, batch, rows, failed=refused, now=now)
    size = batch.chunk_size
    enqueue(session, batch.id, [(k, min(k + size, len(rows))) for k in range(0, len(rows), size)
                                if any(r["state"] == "pending" for r in rows[k:k + size])], queue=queue)


def _refuse(session: Session, services: Services, batch: Batch, items: list, refusal: McredError) -> None:
    """An all-or-nothing batch with an invalid item: every item failed, the invalid ones with their own errors,
    the others with the reason nothing was issued; nothing is queued. A refusal of no item in particular (the
    institution's profile changed since the batch was accepted) is every item's error."""
    errors: dict[int, list] = {}
    for error in refusal.errors if isinstance(refusal, InvalidInput) else ():
        errors.setdefault(item_field(error["field"])[0], []).append(error)
    reason = NOT_ISSUED if errors else refusal.detail
    rows = [{"seq": n, "credential_id": str(uuid.uuid4()), "state": "failed", "input": None,
             "errors": errors.get(n) or [{"field": f"{ITEMS}[{n}]", "message": reason}],
             "learner_ref": _learner_ref(item)} for n, item in enumerate(items)]
    stored.store_items(session, batch, rows, failed=len(rows), now=services.clock(), state="refused")


# The error of a valid item of an all-or-nothing batch that another item's errors refused
NOT_ISSUED = "not issued: another item of this all-or-nothing batch was refused"


def check(runtime, batch_id: str, *, queue: str | None = None) -> None:
    """A batch's check job: validate every item of a ``checking`` batch, then store its items and queue their
    issuing, or (all or nothing, an item invalid) refuse it; one transaction, so a crash leaves it ``checking``
    and the job runs again, and a second run finds nothing to do. ``runtime`` gives ``session_factory`` and
    ``services``."""
    t0 = time.perf_counter()
    with runtime.session_factory() as session:
        batch = stored.lock_checking(session, batch_id)
        if batch is None:
            session.commit()
            return
        inst = session.get(Institution, batch.institution_id)
        # parsed and counted when it was accepted
        items = json.loads(zlib.decompress(stored.request_of(session, batch)))[ITEMS]
        services = runtime.services
        try:  # a Conflict (the institution's profile changed since) refuses the batch as an invalid item does
            rows = _checked(services, inst, items, batch.mode)
        except McredError as refusal:
            _refuse(session, services, batch, items, refusal)
            outcome = "refused"
        else:
            _accept(session, services, batch, rows, queue=queue)
            outcome = "queued"
        session.commit()
    log.info("batch %s checked: %d items, %s; %.2f s", batch_id, len(items), outcome, time.perf_counter() - t0)


def _replay(first, digest: str) -> Answer:
    if first.request_digest != digest:
        raise InvalidInput("This Idempotency-Key was used before with a different request; use a new key for a new "
                           "request.", slug="idempotency-key-reused",
                           errors=[{"field": "Idempotency-Key", "message": "already used for another request"}])
    return Answer(first.status_code, first.response, first.location)


# --- reading a batch ------------------------------------------------------------------------------------------------


def batch_url(origin: str, batch_id: str) -> str:
    return f"{origin}/batches/{batch_id}"


def describe(origin: str, batch: Batch) -> dict:
    done = batch.issued + batch.failed
    return {"id": batch.id, "mode": batch.mode, "state": batch.state,
            "counts": {"total": batch.total, "issued": batch.issued, "failed": batch.failed,
                       "pending": batch.total - done},
            "progress": round(done / batch.total, 4) if batch.total else 1.0,
            "createdAt": to_xsd(batch.created_at),
            "startedAt": to_xsd(batch.started_at) if batch.started_at else None,
            "finishedAt": to_xsd(batch.finished_at) if batch.finished_at else None,
            "links": {"self": batch_url(origin, batch.id)}}


def with_wallet(result: dict, wallet: dict) -> dict:
    """An issued item's answer with its open wallet offer's link and transaction code (app.wallet.offers)."""
    link, code = wallet.get(result.get("id"), (None, None))
    if link:
        result["links"]["walletOffer"] = link
    if code:
        result["txCode"] = code
    return result


def item_result(origin: str, item: BatchItem, credential: Credential | None, links) -> dict:
    out = {"index": item.seq, "status": item.state, "learnerRef": item.learner_ref}
    if item.state == "issued" and credential is not None:
        out.update(id=credential.id, links=links(origin, credential))
    elif item.state == "failed":
        out["errors"] = item.errors
    return out


# --- issuing a chunk ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """What the signing processes need of the institution and its active key."""

    id: int
    did: str
    profile: dict
    default_validity_days: int | None
    key_file: str
    verification_method: str


@dataclass(frozen=True)
class Work:
    seq: int
    credential_id: str
    input: dict
    entries: list[dict]


@dataclass
class Signed:
    """A signing process's result: the signed document as its JSON text (parsed and serialised once, where it was
    signed), what its row needs of it, or the item's errors."""

    seq: int
    text: JsonText | None = None
    uri: str | None = None
    validity: tuple = (None, None)
    offerable: bool = False
    learner_ref: str | None = None
    learner_name: str | None = None
    title: str | None = None
    issued_at: datetime | None = None
    errors: list[dict] = field(default_factory=list)
    digest: str | None = None  # app.domain.json_digest.digest of the document


def item_field(field: str) -> tuple[int | None, str]:
    """The item and the element an error names: ``items[3].learner.givenName`` -> (3, "learner.givenName");
    a field of no item -> (None, field)."""
    match = re.fullmatch(rf"{ITEMS}\[(\d+)\]\.?(.*)", field, re.DOTALL)
    return (int(match.group(1)), match.group(2)) if match else (None, field)


def item_errors(exc: McredError, seq: int) -> list[dict]:
    prefix = f"{ITEMS}[{seq}]"
    if isinstance(exc, InvalidInput):
        return issuing._prefixed(exc, prefix)
    return [{"field": prefix, "message": exc.detail}]


def run_chunk(runtime, batch_id: str, start: int, stop: int) -> None:
    """Issue the pending items ``start <= seq < stop`` of a batch: claim, sign, store (see the module docstring).
    ``runtime`` gives ``session_factory``, ``services`` and ``sign_many(issuer, works)``."""
    t0 = time.perf_counter()
    origin = runtime.services.settings.public_origin
    with runtime.session_factory() as session:
        batch = stored.get(session, batch_id)
        items = stored.lock_pending(session, batch_id, start, stop) if batch is not None else []
        if not items:
            session.commit()
            return
        inst = session.get(Institution, batch.institution_id)
        key = institutions.active_key(session, inst)
        stored.mark_started(session, batch_id, runtime.services.clock())
        given_up = [item for item in items if item.attempts > MAX_ATTEMPTS]
        gave_up = sum(stored.mark_failed(session, item.id, [{"field": f"{ITEMS}[{item.seq}]", "message": (
            f"could not be issued in {MAX_ATTEMPTS} attempts (the service's log says why); issue it again in a new "
            "batch")}]) for item in given_up)
        if gave_up:
            stored.count(session, batch_id, 0, gave_up, runtime.services.clock())
        items = [item for item in items if item.attempts <= MAX_ATTEMPTS]
        entries = status.claim_entries(session, origin, inst, [item.credential_id for item in items],
                                       now=runtime.services.clock(),
                                       resume=frozenset(item.credential_id for item in items if item.attempts > 1))
        works = [Work(item.seq, item.credential_id, item.input, entries[item.credential_id]) for item in items]
        issuer = Issuer(inst.id, inst.did, inst.profile, inst.default_validity_days, key.key_file,
                        key.verification_method)
        actor = batch.actor
        session.commit()
    t1 = time.perf_counter()
    results = runtime.sign_many(issuer, works) if works else []
    t2 = time.perf_counter()
    with runtime.session_factory() as session:
        failed = sum(stored.mark_failed(session, item.id, result.errors)
                     for item, result in zip(items, results) if result.errors)
        mine = stored.mark_issued(session, [item.id for item, result in zip(items, results) if not result.errors])
        done = [(item, result) for item, result in zip(items, results) if item.id in mine]
        rows = [issuing.credential_row(
            inst, result.text, row_id=item.credential_id, learner_ref=result.learner_ref,
            learner_name=result.learner_name, title=result.title, now=result.issued_at, batch_id=batch_id,
            validity=result.validity, uri=result.uri, document_digest=result.digest)
            for item, result in done]
        credentials.add_own(session, rows)
        offers.open_offers(session, runtime.services, inst, [row for row, (_, result) in zip(rows, done)
                                                             if result.offerable], actor=actor)
        delivery.record(session, runtime.services.settings, institution_id=inst.id, batch_id=batch_id,
                        issued=[(item.credential_id, item.input) for item, _ in done], now=runtime.services.clock())
        for item, result in done:
            audit.record(session, actor=actor, action="issue", now=result.issued_at, institution_id=inst.id,
                         credential_id=item.credential_id, learner_ref=result.learner_ref, batch_id=batch_id)
            logs.on_commit(session, "credential.issued", institution=inst.slug, credential_id=item.credential_id,
                           batch_id=batch_id)
        issued = len(mine)
        stored.count(session, batch_id, issued, failed, runtime.services.clock())
        session.commit()
    t3 = time.perf_counter()
    log.info("batch %s items %d-%d: %d issued, %d failed; claim %.2f s, sign %.2f s, store %.2f s",
             batch_id, start, stop - 1, issued, failed, t1 - t0, t2 - t1, t3 - t2)
