"""Garbage collection for the service's long-running processes (the server, the worker, its signing processes).

Measured (bench/README.md, 2026-12-04): with CPython's defaults (a collection of the youngest generation every 700
allocations, of the oldest every 100 of those and whenever a quarter more objects have survived), a server process
spent ~1.2 ms of each verification in the collector, most of it in full collections of a heap of ~10^6 objects
(the pinned JSON-LD contexts and their processed forms, the vocabularies, the templates, the verification memo),
each ~30-140 ms, at the end of whichever request allocated last. What lives from start-up to exit is frozen out
of every later collection (``gc.freeze``), and the youngest generation is collected every 10,000 allocations: the
same collector, with fewer and smaller scans (~0.2 ms per verification). Reference cycles are still collected.
"""

from __future__ import annotations

import gc

# (youngest, middle, oldest): a collection of the youngest generation every THRESHOLDS[0] allocations net of
# deallocations, of the next every THRESHOLDS[1] of those, of the oldest every THRESHOLDS[2] of those
THRESHOLDS = (10_000, 10, 10)


def settle() -> None:
    """Call once a process has built what it serves with (app.composition) and before it serves: collects once,
    freezes what is left, and sets THRESHOLDS."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
