"""Several processes on one database: migrations at the same time, each event answered by exactly one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.storage import open_storage, run_migrations
from bot.storage.migrate import head_revision

WORKER = str(Path(__file__).with_name("worker.py"))
TIMEOUT = 120
EVENTS = 1000


def run_together(*argvs: list[str]) -> list[dict[str, Any]]:
    """Start the workers, let them all get ready, say go to all at once, collect what each prints."""
    procs = [subprocess.Popen([sys.executable, WORKER, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for argv in argvs]
    try:
        for p in procs:
            assert p.stdout is not None
            ready = p.stdout.readline()
            assert ready == "ready\n", (ready, p.stderr.read() if p.stderr else "")
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = [p.communicate(timeout=TIMEOUT) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    return [json.loads(out.splitlines()[-1]) for out, _ in outputs]


def test_two_processes_migrating_at_once_upgrade_once(db_url: str) -> None:
    lines = sorted(r["line"] for r in run_together(["migrate", db_url], ["migrate", db_url]))
    assert lines == [
        f"database schema is up to date (revision {head_revision()})",
        f"database schema upgraded from empty to revision {head_revision()}",
    ]


def test_two_processes_answer_each_redelivered_event_exactly_once(db_url: str, env: dict[str, str]) -> None:
    run_migrations(db_url)
    a, b = run_together(["first_time", db_url, str(EVENTS), "1"], ["first_time", db_url, str(EVENTS), "2"])
    assert a["fallbacks"] == 0 and b["fallbacks"] == 0
    assert set(a["won"]) & set(b["won"]) == set()
    assert sorted(a["won"] + b["won"]) == list(range(EVENTS))
    # a third replica receiving any of them later answers none
    storage = open_storage(env=env, migrate=False, start_writer=False)
    try:
        assert [e for e in range(0, EVENTS, 50) if storage.first_time([f"Ev{e:05d}"])] == []
    finally:
        storage.close()
