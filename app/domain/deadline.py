"""One deadline for a whole verification: every remote look-up and every waiting step takes its time from it.

Pure: the clock is passed in (``time.monotonic`` by default). When the time is up, whatever still depends on a
remote document is reported ``unknown`` (Bitstring Status List v1.0 section 3.2 leaves a list that cannot be
retrieved to the verifier's policy; this service never reads "could not check" as "not revoked").
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.errors import LimitExceeded


class Deadline:
    """``seconds`` from now on ``clock``; ``remaining()`` never goes below zero."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self.seconds = seconds
        self._end = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def check(self) -> None:
        if self.expired:
            raise LimitExceeded(f"The verification did not finish within {self.seconds:g} seconds.",
                                slug="verification-timeout")
