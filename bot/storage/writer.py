"""A bounded queue of database writes and the one thread that performs them, so no caller ever waits."""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, exc
from sqlalchemy.sql.dml import Insert

log = logging.getLogger("il2bot.storage")


@dataclass(frozen=True, slots=True)
class Row:
    """One row for a plain INSERT; rows of the same statement in a batch go in one executemany."""

    insert: Insert
    values: dict[str, Any]


Write = Callable[[Connection], None] | Row

QUEUE_SIZE = 10_000  # writes waiting; more are dropped (counted and logged), never waited for
BATCH_SIZE = 200  # writes committed in one transaction
RETRY_FIRST_S = 0.1  # backoff while the database is down: 0.1 s, doubling ...
RETRY_MAX_S = 5.0  # ... up to 5 s between attempts ...
RETRY_BUDGET_S = 60.0  # ... for at most 60 s a batch; then the batch is dropped
PURGE_EVERY_S = 3600.0
DROP_LOG_EVERY = 100  # log a dropped write once, then every 100th, not each one
_STOP = object()


@dataclass
class WriterStats:
    """What the writer did: writes committed, dropped (queue full, database down or refused), retries."""

    written: int = 0
    dropped: int = 0
    retries: int = 0
    purges: int = 0


class Writer:
    """Runs writes on one thread, in batches; retries a batch while the database is down, within bounds."""

    def __init__(self, engine: Engine, *, maxsize: int = QUEUE_SIZE, retry_budget: float = RETRY_BUDGET_S,
                 purge: Callable[[], object] | None = None, purge_every: float = PURGE_EVERY_S) -> None:
        self.engine = engine
        self.retry_budget = retry_budget
        self.stats = WriterStats()
        self._queue: queue.Queue[object] = queue.Queue(maxsize=maxsize)
        self._purge = purge
        self._purge_every = purge_every
        self._next_purge = time.monotonic()  # at start-up, then every purge_every
        self._idle = threading.Condition()
        self._pending = 0
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="il2bot-storage-writer", daemon=True)
        self._thread.start()

    def enqueue(self, write: Write) -> bool:
        """Queue a write and return at once; False (and counted) when the queue is full or closed."""
        if self._closing.is_set():
            self._drop(1, "storage is closed")
            return False
        with self._idle:
            self._pending += 1
        try:
            self._queue.put_nowait(write)
        except queue.Full:
            self._done(1)
            self._drop(1, "the write queue is full")
            return False
        return True

    def pending(self) -> int:
        """Writes queued or in progress."""
        with self._idle:
            return self._pending

    def wait_idle(self, timeout: float) -> bool:
        """Wait (bounded) until every queued write is committed or dropped; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, deadline: float) -> bool:
        """Flush what is queued within `deadline` seconds, then stop; True if every queued write landed.

        While closing, a write the database cannot take is dropped at once (counted), not retried.
        """
        dropped_before = self.stats.dropped
        self._closing.set()
        flushed = self.wait_idle(deadline)
        self._queue.put(_STOP)
        self._thread.join(max(0.0, min(deadline, 1.0)))
        if not flushed:
            left = self.pending()
            self._drop(left, f"shutdown after {deadline:g} s")
            with self._idle:
                self._pending = 0
        return flushed and self.stats.dropped == dropped_before

    def _drop(self, n: int, why: str) -> None:
        before = self.stats.dropped
        self.stats.dropped += n
        if before == 0 or before // DROP_LOG_EVERY != self.stats.dropped // DROP_LOG_EVERY:
            log.warning("storage: dropped %d write(s): %s (%d dropped so far)", n, why, self.stats.dropped)

    def _done(self, n: int) -> None:
        with self._idle:
            self._pending -= n
            if self._pending <= 0:
                self._idle.notify_all()

    def _run(self) -> None:
        while True:
            timeout = max(0.0, self._next_purge - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                self._run_purge()
                continue
            if item is _STOP:
                return
            batch: list[Write] = [item]  # type: ignore[list-item]
            stop = False
            while len(batch) < BATCH_SIZE:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                batch.append(nxt)  # type: ignore[arg-type]
            self._write(batch)
            self._done(len(batch))
            if stop:
                return
            if time.monotonic() >= self._next_purge:
                self._run_purge()

    def _run_purge(self) -> None:
        self._next_purge = time.monotonic() + self._purge_every
        if self._purge is None:
            return
        try:
            self._purge()
            self.stats.purges += 1
        except exc.SQLAlchemyError as e:
            log.warning("storage: retention purge failed, will try again: %s", _first_line(e))

    def _write(self, batch: list[Write]) -> None:
        give_up = time.monotonic() + self.retry_budget
        wait = RETRY_FIRST_S
        while True:
            try:
                with self.engine.begin() as conn:
                    apply_writes(conn, batch)
                self.stats.written += len(batch)
                return
            except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError) as e:
                if self._closing.is_set() or time.monotonic() + wait > give_up:
                    self._drop(len(batch), f"database unavailable: {_first_line(e)}")
                    return
                self.stats.retries += 1
                if self.stats.retries == 1 or wait >= RETRY_MAX_S:
                    log.warning("storage: database unavailable, retrying in %.1f s: %s", wait, _first_line(e))
                self._closing.wait(wait)
                wait = min(wait * 2, RETRY_MAX_S)
            except exc.SQLAlchemyError:
                self._one_by_one(batch)
                return

    def _one_by_one(self, batch: list[Write]) -> None:
        """A write the database refuses (not an outage) must not take its batch with it."""
        for write in batch:
            try:
                with self.engine.begin() as conn:
                    apply_writes(conn, [write])
                self.stats.written += 1
            except exc.SQLAlchemyError as e:
                self._drop(1, f"the database refused it: {_first_line(e)}")


def apply_writes(conn: Connection, batch: list[Write]) -> None:
    """Run a batch in order: consecutive rows of one INSERT as one executemany, other writes one by one."""
    for key, group in itertools.groupby(batch, key=lambda w: w.insert if isinstance(w, Row) else None):
        if key is not None:
            conn.execute(key, [w.values for w in group if isinstance(w, Row)])
            continue
        for write in group:
            if not isinstance(write, Row):
                write(conn)


def _first_line(error: BaseException) -> str:
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0][:200] if lines else type(error).__name__
