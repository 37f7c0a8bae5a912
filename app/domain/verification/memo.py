"""Verification work already done, remembered by the exact input it was done for."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any


class Memo:
    """A bounded, thread-safe map from a key (digests of the documents the result depends on) to the result. A
    different document, a rotated key, or an entry past its own ``until`` simply misses."""

    def __init__(self, max_entries: int = 512):
        self._entries: dict[tuple, tuple[Any, datetime | None]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: tuple | None, now: datetime) -> Any:
        if key is None:
            return None
        with self._lock:
            hit = self._entries.get(key)
        return hit[0] if hit and (hit[1] is None or now < hit[1]) else None

    def put(self, key: tuple | None, value: Any, until: datetime | None = None) -> None:
        if key is None:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (value, until)

