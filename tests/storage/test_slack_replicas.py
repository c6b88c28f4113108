"""Several replicas on one PostgreSQL answer each event once; `il2bot serve` refuses what cannot work."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from slack_harness import SECRET, FakeSlack, SlackClient

from bot.cli import main

REPO = Path(__file__).resolve().parents[2]
EVENTS = 1000  # events, each delivered to both replicas
CONCURRENCY = 16
RUN_BOUND_S = 120.0  # the whole run, sends and answers, within two minutes
START_BOUND_S = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str], port: int, log: Path, *args: str) -> subprocess.Popen[str]:
    """`il2bot serve --http` in a subprocess, its output to a file (a pipe nobody reads would fill up)."""
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--http", "--host", "127.0.0.1", "--port", str(port), *args],
            env=env, stdout=out, stderr=subprocess.STDOUT, text=True)


def _wait_healthy(proc: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + START_BOUND_S
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as resp:
                if resp.read() == b"ok":
                    return
        except OSError:
            pass
        assert proc.poll() is None, "the server exited early"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


def _stop(proc: subprocess.Popen[str], log: Path) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return log.read_text()


def _server_env(env: dict[str, str], fake: FakeSlack, tmp_path: Path) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    out.update(env, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url,
               PYTHONPATH=str(REPO), IL2BOT_ROOT=str(REPO), IL2BOT_CACHE_DIR=str(tmp_path / "cache"),
               IL2BOT_DRAIN_SECONDS="10")
    return out


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_replicas_on_one_postgresql_answer_each_redelivered_event_once(
        env: dict[str, str], fake: FakeSlack, tmp_path: Path) -> None:
    server_env = _server_env(env, fake, tmp_path)
    ports = [_free_port(), _free_port()]
    # Replica A runs two worker processes; replica B one: three processes share the record of events.
    logs = [tmp_path / "replica-a.log", tmp_path / "replica-b.log"]
    procs = [_serve(server_env, ports[0], logs[0], "--workers", "2"), _serve(server_env, ports[1], logs[1])]
    outs: list[str] = []
    try:
        clients = [SlackClient(f"http://127.0.0.1:{p}", fake) for p in ports]
        for proc, client in zip(procs, clients, strict=True):
            _wait_healthy(proc, client.base)
        started = time.monotonic()

        def deliver(i: int) -> list[int]:
            event = {"type": "app_mention", "user": "U0001", "text": "<@UBOT0001> what is aldesleukin",
                     "ts": f"1800000000.{i:06d}", "channel": "C0001"}
            event_id = f"Ev{i:08d}"
            # The same delivery to both replicas at once, as a retry reaching another replica would.
            with ThreadPoolExecutor(2) as pair:
                sent = list(pair.map(lambda c: c.event(event, event_id=event_id,
                                                       headers={"x-slack-retry-num": "1"}), clients))
            return [s.status for s in sent]

        with ThreadPoolExecutor(CONCURRENCY // 2) as pool:
            statuses = [s for pair in pool.map(deliver, range(EVENTS)) for s in pair]
        assert Counter(statuses) == {200: 2 * EVENTS}
        deadline = started + RUN_BOUND_S
        while len(fake.calls("/chat.postMessage")) < EVENTS and time.monotonic() < deadline:
            time.sleep(0.1)
        posts = fake.calls("/chat.postMessage")
        assert len(posts) >= EVENTS, f"{len(posts)} of {EVENTS} events answered within {RUN_BOUND_S}s"
    finally:
        outs = [_stop(p, log) for p, log in zip(procs, logs, strict=True)]
    posts = fake.calls("/chat.postMessage")
    by_message = Counter(p.data["thread_ts"] for p in posts)
    assert len(by_message) == EVENTS, "every event answered"
    assert [ts for ts, n in by_message.items() if n > 1] == [], "no event answered twice"
    assert all(p.returncode == 0 for p in procs), outs
    assert "serving with 2 worker processes" in outs[0]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_workers_above_one_are_refused_with_sqlite(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in {**env, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}.items():
        monkeypatch.setenv(key, value)
    assert main(["serve", "--http", "--workers", "2"]) == 2
    assert capsys.readouterr().err == (
        "il2bot serve: --workers 2 needs PostgreSQL (IL2BOT_DATABASE_URL=postgresql+psycopg://...): "
        "SQLite is for one process\n")


def test_an_unreachable_database_stops_serve_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    closed = _free_port()
    for key, value in {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
                       "IL2BOT_DATA_DIR": str(tmp_path / "data"),
                       "IL2BOT_DATABASE_URL": f"postgresql+psycopg://il2bot@127.0.0.1:{closed}/il2bot"}.items():
        monkeypatch.setenv(key, value)
    assert main(["serve", "--http"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("il2bot serve: ") and err.count("\n") == 1, err
    assert f"127.0.0.1:{closed}" in err
