"""Background work: the jobs that issue batches, and the worker process (``mcred worker``) that runs them.

A batch's check job validates its items and queues its chunks (``app.batches.check``); a chunk job issues one
chunk of a batch (``app.batches.run_chunk``). Both databases run the same job functions:

* PostgreSQL: the jobs are procrastinate jobs (a maintained PostgreSQL job queue, schema created by migration
  0004), deferred in the transaction that accepts the batch (app.queue), so a batch and its jobs exist together or
  not at all. Any number of ``mcred worker`` processes, on any number of machines, share them. A worker that stops
  sending heartbeats (killed) is taken for dead after ``MCRED_WORKER_STALLED_SECONDS``, and every worker runs the
  dead worker's unfinished jobs again (``_retry_stalled``).
* SQLite (the embedded default, one machine): no queue table; the batch items are the persisted work. One worker
  per database runs the chunks with pending items in process (a lock file beside the database keeps a second one
  waiting), so a restarted worker simply carries on.

In a worker, ``concurrency`` jobs run at once in threads (one stores while another's items are signed) and share one
pool of signing processes (app.signing_pool), one per core (processes, not threads: the JSON-LD work is CPU-bound
and holds the GIL).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

import procrastinate
from sqlalchemy.engine import make_url

from app import batches, composition, delivery, process_gc, signing_pool
from app.config import Settings
from app.queue import CHECK_TASK, JOB_ATTEMPTS, JOB_RETRY_WAIT, QUEUE, TASK, is_postgres
from app.storage import batches as stored

log = logging.getLogger("mcred.jobs")

# --- the job ------------------------------------------------------------------------------------------------------


def _chunk_job(context: procrastinate.JobContext, batch_id: str, start: int, stop: int) -> None:
    batches.run_chunk(context.additional_context["runtime"], batch_id, start, stop)


def _check_job(context: procrastinate.JobContext, batch_id: str) -> None:
    # the chunk jobs go to the check job's own queue (``mcred issue-csv`` runs a queue of its own)
    batches.check(context.additional_context["runtime"], batch_id, queue=context.job.queue)


def procrastinate_app(connector: procrastinate.BaseConnector) -> procrastinate.App:
    app = procrastinate.App(connector=connector)
    retry = procrastinate.RetryStrategy(max_attempts=JOB_ATTEMPTS, wait=JOB_RETRY_WAIT)
    app.task(name=TASK, queue=QUEUE, pass_context=True, retry=retry)(_chunk_job)
    app.task(name=CHECK_TASK, queue=QUEUE, pass_context=True, retry=retry)(_check_job)
    return app


# --- the worker ---------------------------------------------------------------------------------------------------


class Runtime:
    """What a worker's jobs share: the process's database and services (app.composition) and the pool of signing
    processes."""

    def __init__(self, settings: Settings, *, processes: int | None = None):
        self.settings = settings
        self._built = composition.build(settings)
        self.services = self._built.services
        self.engine = self._built.engine
        self.session_factory = self._built.session_factory
        self.processes = processes or settings.worker_processes or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: a fresh interpreter, never a fork of a process with threads and open connections
                self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=signing_pool.init_signing_process,
                                                 initargs=(self.settings, os.getpid()))
            return self._pool

    def sign_many(self, issuer: batches.Issuer, works: list[batches.Work]) -> list[batches.Signed]:
        pool = self._get_pool()
        try:
            return list(pool.map(partial(signing_pool.sign_item, issuer), works,
                                 chunksize=max(1, len(works) // (4 * self.processes))))
        except BrokenProcessPool:
            with self._lock:  # a signing process died: the next job gets a new pool, this one is run again
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
        self._built.close()


def work(settings: Settings, *, processes: int | None = None, concurrency: int = 2, until_batch: str | None = None,
         queue: str | None = None) -> None:
    """Run batch jobs: forever (``mcred worker``, until SIGTERM or SIGINT), or until ``until_batch`` is done."""
    runtime = Runtime(settings, processes=processes)
    if settings.gc_settle:
        process_gc.settle()
    try:
        sweeper = delivery.Sweeper(settings, runtime.session_factory)  # the learners' e-mails, when that is on
    except BaseException:  # a wrong MCRED_SMTP_URL stops the worker at start
        runtime.close()
        raise
    try:
        if is_postgres(settings.database_url):
            asyncio.run(_work_postgres(runtime, concurrency, until_batch, queue))
        else:
            _work_sqlite(runtime, concurrency, until_batch)
    finally:
        sweeper.close()  # before the database it sends with
        runtime.close()


def _batch_done(runtime: Runtime, batch_id: str) -> bool:
    with runtime.session_factory() as session:
        batch = stored.get(session, batch_id)
        return batch is None or batch.state in stored.FINAL


async def _retry_stalled(app: procrastinate.App, settings: Settings) -> None:
    """Run again the jobs of workers that sent no heartbeat for ``worker_stalled_seconds`` (killed workers)."""
    while True:
        for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.worker_stalled_seconds):
            try:
                await app.job_manager.retry_job(job)
                log.warning("job %s (%s) of a stalled worker is run again", job.id, job.task_kwargs)
            except procrastinate.exceptions.ProcrastinateException:
                pass  # another worker retried it first
        await asyncio.sleep(settings.worker_heartbeat_seconds)


async def _work_postgres(runtime: Runtime, concurrency: int, until_batch: str | None, queue: str | None) -> None:
    url = make_url(runtime.settings.database_url).set(drivername="postgresql")
    app = procrastinate_app(procrastinate.PsycopgConnector(conninfo=url.render_as_string(hide_password=False)))
    options = {"concurrency": concurrency, "additional_context": {"runtime": runtime}, "delete_jobs": "successful",
               "update_heartbeat_interval": runtime.settings.worker_heartbeat_seconds,
               "stalled_worker_timeout": runtime.settings.worker_stalled_seconds,
               "queues": [queue] if queue else None, "name": f"mcred-worker-{os.getpid()}"}
    async with app.open_async():
        reaper = asyncio.create_task(_retry_stalled(app, runtime.settings))
        try:
            if until_batch is None:
                await app.run_worker_async(**options)
                return
            # until the batch is done: work while there are jobs, then look again (a job retried later, or run by
            # another worker, finishes the batch too)
            while not await asyncio.to_thread(_batch_done, runtime, until_batch):
                await app.run_worker_async(wait=False, install_signal_handlers=False, **options)
                await asyncio.sleep(0.5)
        finally:
            reaper.cancel()


def _sqlite_lock_path(url: str) -> Path:
    return Path(make_url(url).database + ".worker.lock")


def _work_sqlite(runtime: Runtime, concurrency: int, until_batch: str | None) -> None:
    stop = threading.Event()
    if until_batch is None and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    path = _sqlite_lock_path(runtime.settings.database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        while True:  # one worker per SQLite database: the others wait (the lock goes with its process, even killed)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if stop.is_set() or (until_batch and _batch_done(runtime, until_batch)):
                    return
                stop.wait(1)
        log.info("worker %d runs the batches of %s", os.getpid(), runtime.settings.database_url)
        with ThreadPoolExecutor(concurrency, thread_name_prefix="chunk") as threads:
            while not stop.is_set():
                with runtime.session_factory() as session:
                    unfinished = [b for b in stored.unfinished(session) if until_batch in (None, b.id)]
                    checking = [b.id for b in unfinished if b.state == "checking"]
                    todo = [(b.id, k * b.chunk_size, (k + 1) * b.chunk_size) for b in unfinished
                            if b.state != "checking" for k in stored.pending_chunks(session, b)]
                if checking:  # checked first, one after another (each a transaction: the write lock)
                    if not all(_sqlite_job(stop, batches.check, (runtime, batch_id),
                                           f"batch {batch_id} could not be checked; it is checked again")
                               for batch_id in checking):
                        stop.wait(JOB_RETRY_WAIT)
                    continue
                if until_batch and not todo and _batch_done(runtime, until_batch):
                    return
                if not todo:
                    stop.wait(1)
                    continue
                failed = False
                for future in [threads.submit(_sqlite_job, stop, batches.run_chunk, (runtime, batch_id, start, end),
                                              f"batch {batch_id} items {start}-{end - 1} failed; they are run again")
                               for batch_id, start, end in todo]:
                    failed |= not future.result()
                if failed:
                    stop.wait(JOB_RETRY_WAIT)


def _sqlite_job(stop: threading.Event, work, args: tuple, failure: str) -> bool:
    """``work(*args)`` unless the worker is stopping; an exception is logged (``failure``) and the work is left as
    it was, to be run again: False."""
    if stop.is_set():
        return True
    try:
        work(*args)
        return True
    except Exception:
        log.exception(failure)
        return False
