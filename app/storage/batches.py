"""Batches and their items: the persisted work of background issuing (see app.batches).

A batch is ``checking`` (its request kept, not yet its items), then ``queued``, ``running`` and ``done``, or
``refused`` (all or nothing, an item invalid: every item failed). An item moves from ``pending`` to ``issued`` or
``failed`` once: every change is an UPDATE guarded by
``state = 'pending'``, and the batch's counts change in the same transaction, so they are exact whatever runs twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session, defer

from app.db.models import Batch, BatchItem, Credential
from app.errors import NotFound


def create(session: Session, batch: Batch) -> Batch:
    """A batch accepted ``checking``: its items are stored when it is checked (``store_items``)."""
    session.add(batch)
    session.flush()
    return batch


def lock_checking(session: Session, batch_id: str) -> Batch | None:
    """The batch, if it is still ``checking``, locked until the transaction ends (the UPDATE first: a row lock on
    PostgreSQL, the write lock on SQLite), so a second run of its check job waits, then finds nothing to do."""
    locked = session.execute(update(Batch).where(Batch.id == batch_id, Batch.state == "checking")
                             .values(state="checking"))
    return session.get(Batch, batch_id, populate_existing=True) if locked.rowcount == 1 else None


def request_of(session: Session, batch: Batch) -> bytes:
    """The kept request of a ``checking`` batch (deferred: a batch read for its counts never loads it)."""
    return session.scalar(select(Batch.request).where(Batch.id == batch.id))


def store_items(session: Session, batch: Batch, items: list[dict], *, failed: int, now: datetime,
                state: str | None = None) -> None:
    """A checked batch's items (BatchItem columns: seq, credential_id, state, input, errors, learner_ref; inserted
    in one go), ``failed`` of them failed; the batch is then ``state`` (default:
    ``queued``, or ``done`` when nothing is left to issue) and no longer keeps its request."""
    if items:
        session.execute(insert(BatchItem), [{"batch_id": batch.id, "attempts": 0, **item} for item in items])
    batch.failed, batch.request = failed, None
    batch.state = state or ("queued" if failed < batch.total else "done")
    if batch.state != "queued":
        batch.finished_at = now
    session.flush()


def get(session: Session, batch_id: str) -> Batch | None:
    return session.get(Batch, batch_id, populate_existing=True)


def for_institution(session: Session, institution_id: int, batch_id: str) -> Batch:
    """A batch of this institution; another institution's batch is simply not found."""
    batch = session.scalar(select(Batch).where(Batch.id == batch_id, Batch.institution_id == institution_id)
                           .execution_options(populate_existing=True))
    if batch is None:
        raise NotFound(f"No batch {batch_id!r} of this institution.")
    return batch


def lock_pending(session: Session, batch_id: str, start: int, stop: int) -> list[BatchItem]:
    """The pending items with ``start <= seq < stop``, each attempt counted; the UPDATE comes first so that the
    items stay locked until the transaction ends (a row lock on PostgreSQL, the write lock on SQLite): two runs of
    one chunk claim its status slots one after the other, never side by side."""
    chunk = (BatchItem.batch_id == batch_id, BatchItem.seq >= start, BatchItem.seq < stop,
             BatchItem.state == "pending")
    session.execute(update(BatchItem).where(*chunk).values(attempts=BatchItem.attempts + 1))
    return list(session.scalars(select(BatchItem).where(*chunk).order_by(BatchItem.seq)
                                .execution_options(populate_existing=True)))


def mark_started(session: Session, batch_id: str, now: datetime) -> None:
    session.execute(update(Batch).where(Batch.id == batch_id, Batch.state == "queued")
                    .values(state="running", started_at=now))


def mark_issued(session: Session, item_ids: list[int]) -> set[int]:
    """pending -> issued (their input is no longer kept); returns the items that were still pending (the others
    were issued by another run of the same job)."""
    if not item_ids:
        return set()
    return set(session.scalars(update(BatchItem).where(BatchItem.id.in_(item_ids), BatchItem.state == "pending")
                               .values(state="issued", input=None).returning(BatchItem.id)))


def mark_failed(session: Session, item_id: int, errors: list[dict]) -> bool:
    """pending -> failed with its errors; False when the item was no longer pending."""
    result = session.execute(update(BatchItem).where(BatchItem.id == item_id, BatchItem.state == "pending")
                             .values(state="failed", errors=errors))
    return result.rowcount == 1


def count(session: Session, batch_id: str, issued: int, failed: int, now: datetime) -> None:
    """Add to the batch's counts; the transaction that completes the batch marks it done."""
    done = Batch.issued + issued + Batch.failed + failed >= Batch.total
    session.execute(update(Batch).where(Batch.id == batch_id).values(
        issued=Batch.issued + issued, failed=Batch.failed + failed,
        state=case((done, "done"), else_=Batch.state),
        finished_at=case((done, now), else_=Batch.finished_at)))


FINAL = ("done", "refused")


def unfinished(session: Session) -> list[Batch]:
    return list(session.scalars(select(Batch).where(Batch.state.not_in(FINAL))
                                .order_by(Batch.created_at, Batch.id)))


def pending_chunks(session: Session, batch: Batch) -> list[int]:
    """The numbers of the batch's chunks (items [k * chunk_size, (k + 1) * chunk_size)) with pending items."""
    k = BatchItem.seq // batch.chunk_size
    return list(session.scalars(select(k).where(BatchItem.batch_id == batch.id, BatchItem.state == "pending")
                                .group_by(k).order_by(k)))


def items_page(session: Session, batch_id: str, *, state: str | None, offset: int,
               limit: int) -> list[tuple[BatchItem, Credential | None]]:
    """A page of the batch's items in order, each with its credential once issued. Neither the item's input nor the
    signed document is read (a page of 100 would parse ~4 MB of JSON for every poll): they load if asked for."""
    query = (select(BatchItem, Credential).outerjoin(Credential, Credential.id == BatchItem.credential_id)
             .where(BatchItem.batch_id == batch_id).options(defer(BatchItem.input), defer(Credential.document)))
    if state is not None:
        query = query.where(BatchItem.state == state)
    return [(item, cred) for item, cred in session.execute(query.order_by(BatchItem.seq).offset(offset).limit(limit))]


def count_items(session: Session, batch_id: str, state: str | None = None) -> int:
    query = select(func.count()).select_from(BatchItem).where(BatchItem.batch_id == batch_id)
    if state is not None:
        query = query.where(BatchItem.state == state)
    return session.scalar(query)
