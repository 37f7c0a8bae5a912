"""The queue of batch jobs: deferring a batch's check job, and its chunk jobs, in the transaction that accepts it.

PostgreSQL: the jobs are procrastinate jobs (schema created by migration 0004), deferred on the caller's own
connection, so a batch and its jobs exist together or not at all; the worker (app.jobs) runs them. SQLite: no queue
table, the batch items are the persisted work.
"""

from __future__ import annotations

import procrastinate
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

TASK = "mcred.issue_batch_chunk"
CHECK_TASK = "mcred.check_batch"
QUEUE = "batches"
# A chunk job that raised (a database error, a signing process that died) is run again, at most this often.
JOB_ATTEMPTS = 10
JOB_RETRY_WAIT = 5


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


# Deferring uses the caller's own connection (its transaction), never a pool: this app is never opened. It defers by
# the task's name (the task itself is the worker's, app.jobs), so the job rows are the same.
_DEFERRING = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())


def _defer(session: Session, task: str, queue: str | None, jobs: list[dict]) -> None:
    """``jobs`` (their arguments) of ``task`` on the caller's connection, in its transaction (PostgreSQL only)."""
    if not jobs or not is_postgres(str(session.get_bind().url)):
        return
    connection = session.connection().connection.driver_connection
    _DEFERRING.configure_task(task, queue=queue or QUEUE, connection=connection).batch_defer(*jobs)


def enqueue(session: Session, batch_id: str, chunks: list[tuple[int, int]], *, queue: str | None = None) -> None:
    """The chunk jobs of a batch, in the caller's transaction (PostgreSQL); on SQLite the items are the work."""
    _defer(session, TASK, queue, [{"batch_id": batch_id, "start": start, "stop": stop} for start, stop in chunks])


def enqueue_check(session: Session, batch_id: str, *, queue: str | None = None) -> None:
    """The check job of a batch accepted ``checking`` (app.batches.check), in the caller's transaction
    (PostgreSQL); on SQLite the batch's state is the work."""
    _defer(session, CHECK_TASK, queue, [{"batch_id": batch_id}])
