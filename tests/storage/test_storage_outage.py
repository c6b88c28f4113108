"""The database stopped in the middle of a run: callers never wait, writes are retried, then flushed or counted."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from proxy import Proxy
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.storage import Storage, open_storage, run_migrations
from bot.storage.tables import questions

WAIT = 30.0  # seconds a test waits for queued writes once the database is back
# While the database is down, enqueue must not wait for it (a database timeout is 2-3 s): 99% of calls
# within 5 ms, every call within 0.5 s (room for the OS scheduler on a loaded 2-core machine).
ENQUEUE_P99_S = 0.005
ENQUEUE_MAX_S = 0.5
READ_BOUND_S = 0.1  # a read while the database is known to be down answers from this process at once
USER = "U0A1B2C3D4"


@dataclass
class Outage:
    """A database a test can stop and start: PostgreSQL behind a proxy, SQLite behind an exclusive lock."""

    url: str
    proxy: Proxy | None = None
    lock: sqlite3.Connection | None = None

    def down(self) -> None:
        if self.proxy is not None:
            self.proxy.down()
            return
        self.lock = sqlite3.connect(make_url(self.url).database or "", isolation_level=None)
        self.lock.execute("BEGIN EXCLUSIVE")

    def up(self) -> None:
        if self.proxy is not None:
            self.proxy.up()
            return
        assert self.lock is not None
        self.lock.execute("ROLLBACK")
        self.lock.close()


@pytest.fixture
def outage(db_url: str) -> Iterator[Outage]:
    run_migrations(db_url)
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        yield Outage(db_url)
        return
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield Outage(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy)
    finally:
        proxy.down()


def count(storage: Storage) -> int:
    with storage.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(questions)).scalar_one())


def ask(storage: Storage, i: int) -> bool:
    return storage.log_question(user_id=USER, kind="dm", text=f"question {i}", answered=True, top_card="il-7")


def test_database_stopped_mid_run_writes_wait_then_land_and_callers_never_wait(
        outage: Outage, env: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    opened = open_storage(outage.url, env=env, migrate=False, start_writer=False)
    storage = Storage(opened.engine, opened.config, queue_size=300)  # a small queue, to see drops counted
    try:
        for i in range(100):
            assert ask(storage, i)
        assert storage.wait_idle(WAIT)
        outage.down()
        took: list[float] = []
        accepted = 0
        for i in range(100, 1100):
            t = time.perf_counter()
            accepted += ask(storage, i)
            took.append(time.perf_counter() - t)
        took.sort()
        assert took[989] < ENQUEUE_P99_S
        assert took[-1] < ENQUEUE_MAX_S
        deadline = time.monotonic() + WAIT
        while storage.stats.retries == 0 and time.monotonic() < deadline:
            storage.wait_idle(0.05)
        assert storage.stats.retries >= 1
        outage.up()
        assert storage.wait_idle(WAIT)
        stats = storage.stats
        assert 0 < accepted < 1000
        assert stats.dropped == 1000 - accepted
        assert stats.written == 100 + accepted
        assert count(storage) == 100 + accepted
        assert "database unavailable, retrying" in caplog.text
        assert "the write queue is full" in caplog.text
    finally:
        storage.close()


def test_writes_given_up_after_the_retry_budget_are_counted_and_logged(
        outage: Outage, env: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "il2bot.storage")
    storage = open_storage(outage.url, env=env, migrate=False, start_writer=False)
    storage = Storage(storage.engine, storage.config, retry_budget=0.3)
    try:
        outage.down()
        for i in range(10):
            ask(storage, i)
        assert storage.wait_idle(WAIT)
        assert (storage.stats.written, storage.stats.dropped) == (0, 10)
        # the writer may take the first writes as a batch of their own before the rest are queued:
        # every drop is counted, and the first is logged
        assert re.search(r"dropped \d+ write\(s\): database unavailable", caplog.text), caplog.text
    finally:
        outage.up()
        storage.close()


def test_close_flushes_what_is_queued(outage: Outage, env: dict[str, str]) -> None:
    storage = open_storage(outage.url, env=env, migrate=False)
    for i in range(500):
        ask(storage, i)
    assert storage.close(deadline=WAIT) is True
    check = open_storage(outage.url, env=env, migrate=False, start_writer=False)
    try:
        assert count(check) == 500
    finally:
        check.close()


def test_close_with_the_database_down_returns_by_its_deadline(outage: Outage, env: dict[str, str]) -> None:
    storage = open_storage(outage.url, env=env, migrate=False)
    outage.down()
    try:
        for i in range(20):
            ask(storage, i)
        t = time.monotonic()
        assert storage.close(deadline=1.0) is False
        assert time.monotonic() - t < 1.0 + 3.0  # the deadline, plus one database timeout at most
        assert storage.stats.dropped == 20
    finally:
        outage.up()


def test_reads_fall_back_to_this_process_while_the_database_is_down(outage: Outage, env: dict[str, str]) -> None:
    storage = open_storage(outage.url, env=env, migrate=False)
    storage.read_pause = 0.2
    try:
        storage.remember_thread("C1:1.0", card_id="il-7", subjects=["il-7"])
        assert storage.wait_idle(WAIT)
        outage.down()
        assert storage.first_time(["Ev-down", "C1:2.0"]) is True
        assert storage.first_time(["Ev-down"]) is False  # never answered twice by this replica
        ctx = storage.thread("C1:1.0")
        assert ctx is not None and ctx.card_id == "il-7"
        assert storage.fallbacks >= 1
        outage.up()
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:  # until a read reaches the database again
            before = storage.fallbacks
            storage.first_time([f"Ev-probe-{time.monotonic()}"])
            if storage.fallbacks == before:
                break
            storage.wait_idle(0.05)
        fallbacks = storage.fallbacks
        assert storage.first_time(["Ev-after"]) is True
        assert storage.first_time(["Ev-after"]) is False
        assert storage.fallbacks == fallbacks  # the database decides again
        other = open_storage(outage.url, env=env, migrate=False, start_writer=False)
        try:
            assert other.first_time(["Ev-after"]) is False  # and other replicas see it
        finally:
            other.close()
    finally:
        storage.close()


def test_after_a_failed_read_the_next_reads_do_not_wait(outage: Outage, env: dict[str, str]) -> None:
    storage = open_storage(outage.url, env=env, migrate=False)
    try:
        outage.down()
        storage.first_time(["Ev-0"])  # this one may wait for the database's timeout
        took = []
        for i in range(1, 51):
            t = time.perf_counter()
            assert storage.first_time([f"Ev-{i}"]) is True
            assert storage.thread(f"C1:{i}.0") is None
            took.append(time.perf_counter() - t)
        assert max(took) < READ_BOUND_S
    finally:
        outage.up()
        storage.close()
