"""A bounded record of requests and events already handled: no replay or retry gets a second reply."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

MAX_EVENTS = 10_000  # events remembered (the README's promise)
KEYS_PER_EVENT = 3  # the signed request (a replay), its event_id, and the message (channel and ts)
MAX_ENTRIES = MAX_EVENTS * KEYS_PER_EVENT
TTL_SECONDS = 3600.0


class SeenEvents:
    """Keys seen in the last `ttl` seconds, at most `max_entries` of them (oldest dropped first)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, ttl: float = TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def first_time(self, keys: Iterable[str]) -> bool:
        """Record the keys; True unless any of them was seen within the TTL."""
        now = self.clock()
        keys = [k for k in keys if k]
        with self._lock:
            self._expire(now)
            fresh = not any(k in self._seen for k in keys)
            for k in keys:
                self._seen[k] = now
                self._seen.move_to_end(k)
            while len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)
            return fresh

    def _expire(self, now: float) -> None:
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if now - at < self.ttl:
                break
            del self._seen[key]
