"""In-process records used when the database cannot be read: handled events and thread context."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

V = TypeVar("V")


class Bounded(Generic[V]):
    """At most `max_entries` values for `ttl` seconds each, oldest dropped first; thread-safe."""

    def __init__(self, max_entries: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self.clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def get(self, key: str) -> V | None:
        """The value if present and not expired."""
        with self._lock:
            self._expire(self.clock())
            item = self._items.get(key)
            return item[1] if item else None

    def put(self, key: str, value: V) -> None:
        """Store a value (newest)."""
        with self._lock:
            self._put(key, value, self.clock())

    def first_time(self, keys: Iterable[str], value: V) -> bool:
        """Record the keys; True unless any of them is present (SeenEvents' contract)."""
        now = self.clock()
        keys = [k for k in keys if k]
        with self._lock:
            self._expire(now)
            fresh = not any(k in self._items for k in keys)
            for k in keys:
                self._put(k, value, now)
            return fresh

    def _put(self, key: str, value: V, now: float) -> None:
        self._items[key] = (now, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def _expire(self, now: float) -> None:
        while self._items:
            at, _ = next(iter(self._items.values()))
            if now - at < self.ttl:
                break
            self._items.popitem(last=False)
