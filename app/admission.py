"""Admission control for the expensive JSON-LD work of verification: a bounded pool, cheap requests first, a cost
budget per client, and a deadline that counts the time spent waiting.

Why: JSON-LD processing is CPU-bound Python; run side by side in threads, a crowd of hostile (but within the
limits) documents shares the one interpreter lock with every ordinary verification, so everyone waits for everyone
(issue 16: 8 clients made an ordinary verification take 2.5 s, 32 clients 6 s). Here:

- **A bounded pool.** At most ``workers`` verifications run at once (default: one per core), and documents of the
  expensive class hold at most ``expensive_workers`` of those slots (default: all but one), so a slot is always
  free soon for an ordinary one.
- **Cheap before expensive.** A document is *cheap* when it is small (at most ``cheap_bytes`` bytes and
  ``cheap_nodes`` JSON objects and arrays, which this service's own credentials are, several times over) and its
  client owes no work; a freed slot goes to the waiting cheap request first, then to the expensive request whose
  client has spent least, then by arrival.
- **A cost budget per client** (by API key when the request carries one, else by client address): a token bucket
  of seconds of verification work, ``client_burst_seconds`` deep and refilled at ``client_rate`` seconds per
  second. The work's wall time is charged when it ends; a client in debt is refused further expensive documents
  with 429 and ``Retry-After`` (the time until its debt is repaid), and its small documents lose their priority.
- **The deadline includes the queue.** The caller gives the instant its time runs out (counted from the request's
  arrival: app.api.admitting gives the end of the JSON-LD budget, which then shrinks by the time waited); a request
  waits at most ``max_queue_seconds`` and never past the instant it could still finish (``deadline - need``:
  ``cheap_need_seconds`` for a cheap document, ``expensive_need_seconds`` for the others). Past it, or when
  ``queue_limit`` requests of its class (or a cheaper one) are already waiting, it is refused with 503 and
  ``Retry-After`` instead of running late.

Pure of the web framework: threads wait on one condition variable; the clock is passed in (tests use a fake one).
RFC 6585 section 4 (429 Too Many Requests), RFC 9110 sections 10.2.3 (Retry-After) and 15.6.4 (503).
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from app.errors import ServiceSaturated, TooManyRequests

CHEAP, EXPENSIVE = 0, 1


@dataclass(frozen=True)
class Policy:
    workers: int = 2
    expensive_workers: int = 1
    queue_limit: int = 8
    max_queue_seconds: float = 2.0
    cheap_bytes: int = 64_000
    cheap_nodes: int = 600
    cheap_need_seconds: float = 0.25
    expensive_need_seconds: float = 1.0
    client_burst_seconds: float = 4.0
    client_rate: float = 0.25


def document_nodes(doc: object, stop: int) -> int:
    """How many JSON objects and arrays ``doc`` holds, counting no further than ``stop``."""
    count, todo = 0, [doc]
    while todo and count <= stop:
        item = todo.pop()
        if isinstance(item, dict):
            count += 1
            todo.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            count += 1
            todo.extend(v for v in item if isinstance(v, (dict, list)))
    return count


@dataclass
class _Bucket:
    tokens: float
    at: float
    active: int = 0


@dataclass(order=True)
class _Waiter:
    key: tuple
    client: str = field(compare=False)
    kind: int = field(compare=False)
    admitted: bool = field(default=False, compare=False)


class Admission:
    """The pool: ``with admission.slot(client, cheap=..., deadline_at=...):`` runs the block in a slot or raises
    TooManyRequests / ServiceSaturated (both carry ``retry_after`` seconds)."""

    def __init__(self, policy: Policy, clock: Callable[[], float] = time.monotonic):
        self.policy, self.clock = policy, clock
        self._lock = threading.Condition()
        self._running = [0, 0]  # cheap, expensive
        self._queue: list[_Waiter] = []
        self._buckets: dict[str, _Bucket] = {}
        self._seq = itertools.count()

    # -- the per-client budget --
    def _bucket(self, client: str) -> _Bucket:
        now, p = self.clock(), self.policy
        b = self._buckets.get(client)
        if b is None:
            if len(self._buckets) > 10_000:  # forget the clients whose budget is full again
                self._buckets = {c: x for c, x in self._buckets.items()
                                 if x.active or x.tokens + (now - x.at) * p.client_rate < p.client_burst_seconds}
            b = self._buckets[client] = _Bucket(p.client_burst_seconds, now)
        b.tokens = min(p.client_burst_seconds, b.tokens + (now - b.at) * p.client_rate)
        b.at = now
        return b

    def owes(self, client: str) -> float:
        """Seconds until ``client`` owes no more work (0 when it does not)."""
        with self._lock:
            b = self._bucket(client)
            return 0.0 if b.tokens > 0 else max(1e-6, -b.tokens / self.policy.client_rate)

    def precheck(self, client: str, *, maybe_cheap: bool) -> None:
        """Refuse before the body is even read: a client in debt sending what cannot be cheap (429), or a full
        queue (503)."""
        owes = self.owes(client)
        if owes and not maybe_cheap:
            raise self._too_many(owes)
        with self._lock:
            if not maybe_cheap and sum(w.kind == EXPENSIVE for w in self._queue) >= self.policy.queue_limit:
                raise self._saturated()

    def _too_many(self, owes: float) -> TooManyRequests:
        wait = max(1, math.ceil(owes - 1e-6))
        return TooManyRequests(f"This client has used its share of verification work; try again in {wait} s.",
                               retry_after=wait)

    def _saturated(self) -> ServiceSaturated:
        p = self.policy
        wait = math.ceil(max(1.0, p.expensive_need_seconds * (len(self._queue) + 1) / max(1, p.expensive_workers)))
        return ServiceSaturated(f"The service is verifying as many documents as it can; try again in {wait} s.",
                                retry_after=wait)

    # -- the pool --
    def _free(self, kind: int) -> bool:
        p = self.policy
        if sum(self._running) >= p.workers:
            return False
        return kind == CHEAP or self._running[EXPENSIVE] < p.expensive_workers

    def _dispatch(self) -> None:
        """Admit waiters, best first, while slots are free for them (an expensive waiter that cannot run does not
        hold back a cheap one behind it)."""
        blocked = []
        while self._queue:
            w = heapq.heappop(self._queue)
            if self._free(w.kind):
                w.admitted = True
                self._running[w.kind] += 1
            else:
                blocked.append(w)
                if w.kind == CHEAP:
                    break
        for w in blocked:
            heapq.heappush(self._queue, w)
        self._lock.notify_all()

    @contextmanager
    def slot(self, client: str, *, cheap: bool, deadline_at: float) -> Iterator[int]:
        """Run the block in a slot; yields the class (CHEAP or EXPENSIVE) it runs in."""
        p = self.policy
        with self._lock:
            b = self._bucket(client)
            kind = CHEAP if cheap and b.tokens > 0 else EXPENSIVE
            if not cheap and b.tokens <= 0:
                raise self._too_many(-b.tokens / p.client_rate)
            need = p.cheap_need_seconds if kind == CHEAP else p.expensive_need_seconds
            start_by = min(self.clock() + p.max_queue_seconds, deadline_at - need)
            ahead = [w for w in self._queue if w.kind <= kind]  # a cheap request does not queue behind expensive
            if not ahead and self._free(kind):
                self._running[kind] += 1
            else:
                if len(ahead) >= p.queue_limit or self.clock() >= start_by:
                    raise self._saturated()
                spent = p.client_burst_seconds - b.tokens + b.active * p.expensive_need_seconds
                w = _Waiter((kind, round(spent, 1) if kind == EXPENSIVE else 0.0, next(self._seq)), client, kind)
                heapq.heappush(self._queue, w)
                self._dispatch()
                while not w.admitted:
                    left = start_by - self.clock()
                    if left <= 0:
                        self._queue.remove(w)
                        heapq.heapify(self._queue)
                        raise self._saturated()
                    self._lock.wait(min(left, 0.05))
            b.active += 1
        t0 = self.clock()
        try:
            yield kind
        finally:
            with self._lock:
                b = self._bucket(client)
                b.active -= 1
                b.tokens -= self.clock() - t0
                self._running[kind] -= 1
                self._dispatch()

    def stats(self) -> dict:
        with self._lock:
            return {"running": list(self._running), "waiting": len(self._queue)}


def policy_from(settings) -> Policy:
    """The Policy of ``settings`` (app.config.Settings; 0 means the default derived from the worker count)."""
    workers = max(1, settings.verify_workers)
    return Policy(workers=workers,
                  expensive_workers=settings.verify_expensive_workers or max(1, workers - 1),
                  queue_limit=settings.verify_queue or 2 * workers,
                  max_queue_seconds=settings.verify_queue_seconds,
                  cheap_bytes=settings.verify_cheap_bytes, cheap_nodes=settings.verify_cheap_nodes,
                  client_burst_seconds=settings.verify_client_burst_seconds,
                  client_rate=settings.verify_client_rate)
