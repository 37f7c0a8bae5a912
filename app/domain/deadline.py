"""One time budget for a whole piece of work (a verification, an issue), shared by every step that takes time.

Every JSON-LD step (expansion, RDF conversion, canonicalization) and every remote look-up checks the same
deadline, so a hostile document or a slow host costs at most the budget, never a budget per step. Pure: the clock
is passed in (``time.monotonic`` by default). When the time is up, whatever still depends on a remote document is
reported ``unknown`` (Bitstring Status List v1.0 section 3.2 leaves a list that cannot be retrieved to the
verifier's policy; this service never reads "could not check" as "not revoked").
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


def earliest(*deadlines: "Deadline | None") -> "Deadline":
    """The one of ``deadlines`` (None ignored) that runs out first."""
    return min((d for d in deadlines if d is not None), key=lambda d: d.at)
