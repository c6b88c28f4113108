"""Benchmark the storage: how long `enqueue` holds up a caller, how fast the writer empties the queue,
and how long the synchronous dedupe read (`first_time`) takes, on SQLite and on PostgreSQL.

SQLite uses a file in a temporary folder; PostgreSQL a fresh database created on the server named by
--postgres (default $IL2BOT_TEST_DATABASE_URL; `.ci/postgres start DIR` gives one), dropped at the end.

    .venv/bin/python bench/storage_bench.py [--writes 20000] [--events 2000] [--postgres URL] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.storage import open_storage
from bot.storage.store import Storage

SECRET = "bench-user-hash-secret-0123456789"
QUEUE = 50_000  # large enough that no write of the run is dropped
FLUSH_WAIT_S = 300.0


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of values, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] * 1000


def run(url: str, writes: int, events: int) -> dict[str, Any]:
    """Enqueue `writes` question-log rows as fast as possible, then `events` first_time calls."""
    opened = open_storage(url, env={"IL2BOT_USER_HASH_SECRET": SECRET}, start_writer=False)
    storage = Storage(opened.engine, opened.config, queue_size=QUEUE)
    try:
        lat: list[float] = []
        start = time.perf_counter()
        for i in range(writes):
            t = time.perf_counter()
            storage.log_question(user_id=f"U{i % 50}", kind="channel", text=f"question number {i}",
                                 answered=i % 4 != 0, reason="" if i % 4 else "no card", top_card="il-7",
                                 score=80.0, latency_ms=0.3)
            lat.append(time.perf_counter() - t)
        enqueued = time.perf_counter() - start
        assert storage.wait_idle(FLUSH_WAIT_S), "the writer did not empty the queue in time"
        total = time.perf_counter() - start
        stats = storage.stats
        ft: list[float] = []
        for i in range(events):
            t = time.perf_counter()
            storage.first_time([f"Ev{i}", f"C1:{i}.0001"])
            ft.append(time.perf_counter() - t)
        return {
            "writes": writes,
            "enqueue_ms": {"p50": pct(lat, 50), "p99": pct(lat, 99), "max": max(lat) * 1000,
                           "mean": statistics.fmean(lat) * 1000},
            "enqueue_all_s": enqueued,
            "write_throughput_per_s": writes / total,
            "written": stats.written,
            "dropped": stats.dropped,
            "first_time_ms": {"p50": pct(ft, 50), "p99": pct(ft, 99), "max": max(ft) * 1000},
        }
    finally:
        storage.close()


def main() -> int:
    """Run the benchmark on each database and print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--writes", type=int, default=20_000)
    p.add_argument("--events", type=int, default=2_000)
    p.add_argument("--postgres", default=os.environ.get("IL2BOT_TEST_DATABASE_URL", ""))
    p.add_argument("--json", metavar="FILE")
    args = p.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{tmp}/bench.sqlite3", args.writes, args.events)
    if args.postgres:
        admin = create_engine(make_url(args.postgres), isolation_level="AUTOCOMMIT")
        name = f"il2bot_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            results["postgresql"] = run(url, args.writes, args.events)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        print("no PostgreSQL (--postgres or IL2BOT_TEST_DATABASE_URL): SQLite only", file=sys.stderr)
    for db, r in results.items():
        e, f = r["enqueue_ms"], r["first_time_ms"]
        print(f"{db:<10} enqueue p50 {e['p50']:.3f} ms, p99 {e['p99']:.3f} ms, max {e['max']:.1f} ms | "
              f"{r['writes']:,} writes at {r['write_throughput_per_s']:,.0f}/s ({r['dropped']} dropped) | "
              f"first_time p50 {f['p50']:.2f} ms, p99 {f['p99']:.2f} ms, max {f['max']:.1f} ms")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
