"""Shared by bench/load.py and bench/soak.py: the real server in a subprocess, a fake Slack, a signed mix.

Everything runs on 127.0.0.1. The server is started through the real entry point
(`il2bot serve --http`), pointed at the fake Slack Web API of tests/slack/slack_harness.py (reused,
not copied), and driven by the harness's SlackClient from a pool of threads. Every reply the fake
records is matched to the request that asked for it, so lost and duplicated replies are counted.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "slack"))

from slack_harness import BOT_USER, SECRET, FakeSlack, Recorded, Scripted, SlackClient  # noqa: E402

from bot.slack.interaction import ACTION_MORE, ACTION_SHARE  # noqa: E402

FAILURE_TEXT = "Sorry, something went wrong while answering"
RETRY_HEADERS = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}


def queries() -> list[str]:
    """What the team types: the golden queries, the abstentions, help."""
    out: list[str] = []
    for path in sorted((ROOT / "tests" / "dev" / "golden").glob("*.yaml")):
        for row in yaml.safe_load(path.read_text()) or []:
            out.append(row["q"] if isinstance(row, dict) else str(row))
    return [*out, "help", ""]


# -- the fake Slack, in a process of its own -------------------------------------------------


def _run_fake(conn: Connection) -> None:
    """The child process: a FakeSlack that answers commands from the pipe (records, reset, close)."""
    fake = FakeSlack()
    conn.send(fake.url)
    while True:
        command = conn.recv()
        if command == "records":
            with fake.lock:
                conn.send(list(fake.requests))
        elif command == "reset":
            fake.reset()
            conn.send(True)
        elif isinstance(command, tuple) and command[0] == "slow":  # ("slow", path, count, delay)
            fake.script(command[1], *[Scripted(200, {"ok": True}, delay=command[3])] * command[2])
            conn.send(True)
        else:
            fake.close()
            conn.send(True)
            return


class RemoteFake:
    """The harness's FakeSlack run in a child process, so that its work does not slow the client."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")  # forked before this process starts any thread
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_run_fake, args=(child,), daemon=True)
        self._proc.start()
        if not self._conn.poll(30):
            raise RuntimeError("the fake Slack did not start")
        self.url: str = self._conn.recv()
        self._lock = threading.Lock()

    def _ask(self, command: Any) -> Any:
        with self._lock:
            self._conn.send(command)
            if not self._conn.poll(60):
                raise RuntimeError(f"the fake Slack did not answer {command!r}")
            return self._conn.recv()

    def response_url(self) -> tuple[str, str]:
        """A fresh response_url on the fake, and its path."""
        path = f"/response/{uuid.uuid4().hex}"
        return self.url.rstrip("/") + path, path

    def records(self) -> list[Recorded]:
        """Every request the fake received so far."""
        return list(self._ask("records"))

    def reset(self) -> None:
        """Forget the recorded requests."""
        self._ask("reset")

    def slow(self, path: str, count: int, delay: float) -> None:
        """Answer the next `count` requests to path after `delay` seconds each."""
        self._ask(("slow", path, count, delay))

    def close(self) -> None:
        """Stop the fake and its process."""
        try:
            self._ask("close")
        finally:
            self._proc.join(timeout=10)
            if self._proc.is_alive():
                self._proc.kill()


# -- the server ------------------------------------------------------------------------------


@dataclass
class Server:
    """`il2bot serve --http` in a subprocess; its output goes to a log file (removed afterwards)."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def pids(self) -> list[int]:
        """The server process and its worker processes (`--workers N`)."""
        children: list[int] = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*/children"):
            children += [int(p) for p in task.read_text().split()]
        return [self.proc.pid, *children]

    def status(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak) of the server's processes (summed), in kB, from /proc."""
        out = {"VmRSS": 0, "VmHWM": 0}
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in out:
                    out[name] += int(value.split()[0])
        return out

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have used, from /proc."""
        total = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def log_lines(self, *needles: str) -> list[str]:
        """Lines of the server's log that contain any of the needles."""
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if any(n in line for n in needles)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(fake: RemoteFake, *, start_timeout: float = 60.0,
                   env_extra: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[Server]:
    """Start `il2bot serve --http` on a free 127.0.0.1 port against the fake; stop it afterwards."""
    work = Path(tempfile.mkdtemp(prefix="il2bot-bench-"))
    exe = shutil.which("il2bot", path=str(Path(sys.executable).parent)) or shutil.which("il2bot")
    cmd = [exe] if exe else [sys.executable, "-m", "bot"]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url,
               IL2BOT_CACHE_DIR=str(work / "cache"), IL2BOT_DATA_DIR=str(work / "data"), PYTHONUNBUFFERED="1",
               **(env_extra or {}))
    log = work / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*cmd, "serve", "--http", "--host", "127.0.0.1", "--port", str(port), *args],
                                cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(server.base + "/healthz", timeout=1) as resp:
                    if resp.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start in time")
            time.sleep(0.1)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


# -- the requests ----------------------------------------------------------------------------


@dataclass
class Job:
    """One signed request to send, and where its replies must land (None: it must add none)."""

    kind: str
    send: Callable[[SlackClient], int]  # sends it; returns the HTTP status of the ack
    key: tuple[str, ...] | None
    expect: int = 1


@dataclass
class Plan:
    """The requests of one run and the replies they must produce."""

    jobs: list[Job] = field(default_factory=list)

    def expected(self) -> Counter[tuple[str, ...]]:
        """Replies expected for each key."""
        want: Counter[tuple[str, ...]] = Counter()
        for job in self.jobs:
            if job.key is not None:
                want[job.key] += job.expect
        return want


def _command(fake: RemoteFake, text: str) -> Job:
    url, path = fake.response_url()

    def send(c: SlackClient) -> int:
        return c.command(text, channel="C0LOAD", trigger_id=f"t.{path[-12:]}", response=(url, path))[0].status

    return Job("command", send, ("url", path))


def _event(kind: str, text: str, n: int) -> tuple[dict[str, Any], tuple[str, ...]]:
    ts = f"1700000000.{n:06d}"
    if kind == "mention":
        event = {"type": "app_mention", "user": "U0001", "text": f"<@{BOT_USER}> {text}", "ts": ts,
                 "channel": "C0LOAD"}
        return event, ("post", "C0LOAD", ts)
    channel = f"D{n:08d}"
    event = {"type": "message", "channel_type": "im", "user": "U0001", "text": text, "ts": ts,
             "channel": channel}
    return event, ("post", channel, "")


def _click(fake: RemoteFake, action: dict[str, Any], ephemeral: bool) -> Job:
    url, path = fake.response_url()
    expect = 2 if action["action_id"] == ACTION_SHARE and ephemeral else 1

    def send(c: SlackClient) -> int:
        return c.click(action, ephemeral=ephemeral, response=(url, path))[0].status

    return Job("click", send, ("url", path), expect)


def build_plan(fake: RemoteFake, n: int, *, seed: int = 1, start: int = 0,
               mix: dict[str, float] | None = None) -> Plan:
    """n signed requests: slash commands, mentions, DMs, button clicks and re-delivered events."""
    rng = random.Random(seed + start)
    mix = mix or {"command": 0.35, "mention": 0.25, "dm": 0.15, "click": 0.15, "retry": 0.10}
    kinds, weights = list(mix), list(mix.values())
    qs = queries()
    plan = Plan()
    sent_events: list[tuple[dict[str, Any], str]] = []
    for i in range(start, start + n):
        kind = rng.choices(kinds, weights)[0]
        if kind == "retry" and not sent_events:
            kind = "mention"
        text = rng.choice(qs)
        if kind == "command":
            plan.jobs.append(_command(fake, text))
        elif kind in ("mention", "dm"):
            event_id = f"EvLOAD{i:010d}"
            event, key = _event(kind, text, i)
            sent_events.append((event, event_id))

            def send_event(c: SlackClient, e: dict[str, Any] = event, eid: str = event_id) -> int:
                return c.event(e, event_id=eid).status

            plan.jobs.append(Job(kind, send_event, key))
        elif kind == "retry":  # Slack re-delivers an event it already sent: no second reply
            event, event_id = rng.choice(sent_events[-200:])

            def send_retry(c: SlackClient, e: dict[str, Any] = event, eid: str = event_id) -> int:
                return c.event(e, event_id=eid, headers=RETRY_HEADERS).status

            plan.jobs.append(Job("retry", send_retry, None, 0))
        else:
            action = rng.choice([
                {"action_id": ACTION_MORE, "value": f"3:{text or 'aldesleukin'}"},
                {"action_id": "il2_ask_0", "value": f"0:{text}"},
                {"action_id": ACTION_SHARE, "value": f"0:{text or 'NCT04077684'}"},
            ])
            plan.jobs.append(_click(fake, action, ephemeral=rng.random() < 0.8))
    return plan


# -- running a plan --------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run measured."""

    acks_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # failed or non-200 acks
    expected: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    failures: int = 0  # replies that were the "something went wrong" apology
    seconds: float = 0.0

    def percentiles(self) -> tuple[float, float, float]:
        """p50, p99 and max ack latency in ms."""
        s = sorted(self.acks_ms) or [0.0]
        return s[len(s) // 2], s[min(len(s) - 1, int(len(s) * 0.99))], s[-1]


def send_all(server: Server, fake: RemoteFake, plan: Plan, *, concurrency: int, deadline: float) -> Outcome:
    """Send the plan's requests from `concurrency` threads; stop sending at the deadline."""
    client = SlackClient(server.base, fake)  # type: ignore[arg-type]  # it only needs response_url()
    outcome = Outcome()
    lock = threading.Lock()
    jobs = iter(enumerate(plan.jobs))

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                item = next(jobs, None)
            if item is None:
                return
            i, job = item
            t0 = time.perf_counter()
            try:
                status = job.send(client)
                error = "" if status == 200 else f"request {i} ({job.kind}): HTTP {status}"
            except Exception as exc:  # a refused or reset connection, a timeout
                error = f"request {i} ({job.kind}): {type(exc).__name__}: {exc}"
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                outcome.acks_ms.append(ms)
                if error:
                    outcome.errors.append(error)

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(deadline - time.monotonic(), 0) + 15)
    outcome.seconds = time.monotonic() - t0
    if len(outcome.acks_ms) < len(plan.jobs):
        outcome.errors.append(f"only {len(outcome.acks_ms)} of {len(plan.jobs)} requests sent in time")
    return outcome


def _received(fake: RemoteFake) -> tuple[Counter[tuple[str, ...]], int]:
    """Replies the fake took, by key; and how many of them were the failure apology."""
    got: Counter[tuple[str, ...]] = Counter()
    failures = 0
    for r in fake.records():
        if not r.taken:
            continue
        if r.path.startswith("/response/"):
            got[("url", r.path)] += 1
        elif r.path == "/chat.postMessage":
            data = r.data
            got[("post", str(data.get("channel")), str(data.get("thread_ts") or ""))] += 1
        else:
            continue
        if FAILURE_TEXT.encode() in r.body:
            failures += 1
    return got, failures


def collect(fake: RemoteFake, plan: Plan, outcome: Outcome, *, wait: float, settle: float = 1.0) -> Outcome:
    """Wait (bounded) until every expected reply arrived, then a little more for duplicates; count."""
    want = plan.expected()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        got, _ = _received(fake)
        if all(got[k] >= n for k, n in want.items()):
            break
        time.sleep(0.2)
    time.sleep(settle)
    got, failures = _received(fake)
    outcome.expected += sum(want.values())
    outcome.delivered += sum(min(got[k], n) for k, n in want.items())
    outcome.lost += sum(max(n - got[k], 0) for k, n in want.items())
    outcome.duplicated += sum(max(got[k] - n, 0) for k, n in want.items())
    outcome.unexpected += sum(n for k, n in got.items() if k not in want)
    outcome.failures += failures
    return outcome


def dump(path: str | None, figures: Any) -> None:
    """Write the figures as JSON when a path is given."""
    if path:
        Path(path).write_text(json.dumps(figures, indent=2) + "\n")
