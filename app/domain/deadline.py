"""One time budget for a whole piece of work (a verification, an issue), shared by every step that takes time.

Every JSON-LD step (expansion, RDF conversion, canonicalization) and every remote fetch checks the same deadline,
so a hostile document or a slow host costs at most the budget, never a budget per step.
"""

from __future__ import annotations

import time
from typing import Callable

from app.errors import LimitExceeded


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic, *,
                 slug: str = "verification-timeout"):
        self._clock = clock
        self.seconds = seconds
        self.slug = slug
        self.at = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - self._clock())

    @property
    def expired(self) -> bool:
        return self._clock() >= self.at

    def check(self) -> None:
        if self.expired:
            raise LimitExceeded(f"The work did not finish within {self.seconds:g} seconds.",
                                slug=self.slug)
