"""`il2bot serve` in Socket Mode, as a subprocess: honest connection logs while the endpoint refuses
connections, answers once connected, and SIGTERM / SIGINT sending every queued answer before exit 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import fake_socket as envelopes
import pytest
from fake_socket import FakeSocketMode, socket_slack
from slack_harness import FakeSlack, Scripted

REPO = Path(__file__).resolve().parents[2]
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")
START = 30.0  # seconds `il2bot serve` may take to start on a loaded machine
SLOW_SLACK = 1.0  # seconds the slow fake takes to take each answer
QUEUED = 30  # answers queued behind it when the signal arrives


class Serve:
    """`il2bot serve` (Socket Mode) in a subprocess; its output collected line by line."""

    def __init__(self, api: FakeSlack, tmp_path: Path, **env: str) -> None:
        environ = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
        environ.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xapp-test", SLACK_API_URL=api.url,
                       PYTHONPATH=str(REPO), IL2BOT_ROOT=str(REPO), PYTHONUNBUFFERED="1", **env)
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=environ,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_line(self, text: str, count: int = 1, timeout: float = START) -> list[str]:
        """Wait (bounded) until `count` lines of output contain text; return them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [line for line in self.lines if text in line]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    raise AssertionError(f"no {count} line(s) with {text!r} in:\n" + "\n".join(self.lines))
                self.cond.wait(min(left, 0.5))

    def stop(self, sig: signal.Signals, timeout: float) -> tuple[int, float]:
        """Send the signal; the exit code and the seconds it took to exit (killed past `timeout`)."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("did not exit in time:\n" + "\n".join(self.lines)) from None
        self.reader.join(timeout=5)
        return code, time.monotonic() - start

    def output(self) -> str:
        with self.cond:
            return "\n".join(self.lines)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def endpoint() -> Iterator[FakeSocketMode]:
    fake = FakeSocketMode()
    yield fake
    fake.close()


@pytest.fixture
def api(endpoint: FakeSocketMode) -> Iterator[FakeSlack]:
    fake = socket_slack(endpoint)
    yield fake
    fake.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_while_the_endpoint_refuses_connections_the_log_says_so_then_connected(
    api: FakeSlack, endpoint: FakeSocketMode, tmp_path: Path
) -> None:
    dead = Scripted(200, {"ok": True, "url": f"ws://127.0.0.1:{_closed_port()}/link/?ticket=0"})
    api.script("/apps.connections.open", dead, dead)  # then the default: the fake endpoint
    serve = Serve(api, tmp_path)
    try:
        [first, second] = serve.wait_line("Socket Mode: not connected", count=2)
        assert "ConnectionRefusedError" in first and first.endswith("retrying in 1 s")
        assert second.endswith("retrying in 2 s")
        serve.wait_line("Socket Mode: connected; il2bot is running")
        url, path = api.response_url()
        endpoint.wait_acks(endpoint.send(envelopes.command("help", url)))
        api.wait_for(path)
        code, _ = serve.stop(signal.SIGTERM, timeout=START)
    finally:
        serve.kill()
    out = serve.output()
    assert code == 0
    before = out.split("Socket Mode: connected; il2bot is running")[0]
    assert "running" not in before and "established" not in before, "nothing claims a connection early"
    assert "A new session has been established" not in out and "Bolt app is running" not in out
    assert "ticket=" not in out, "the connection URL's ticket is not logged"
    assert "Traceback" not in out


def test_sigterm_while_refusing_connections_exits_0_at_once(api: FakeSlack, tmp_path: Path) -> None:
    api.default = lambda path: Scripted(  # type: ignore[method-assign]
        200, {"ok": True, "url": f"ws://127.0.0.1:{_closed_port()}/"}) if path == "/apps.connections.open" \
        else FakeSlack.default(path)
    serve = Serve(api, tmp_path)
    try:
        serve.wait_line("retrying in 1 s")
        code, seconds = serve.stop(signal.SIGTERM, timeout=START)
    finally:
        serve.kill()
    assert code == 0
    assert seconds < 10, "not held by the retry timer (up to 30 s) or the drain deadline (20 s)"
    assert "stopped: 0 answer(s) left unsent" in serve.output()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_sends_every_queued_answer_behind_a_slow_slack_then_exits_0(
    api: FakeSlack, endpoint: FakeSocketMode, tmp_path: Path, sig: signal.Signals
) -> None:
    serve = Serve(api, tmp_path)
    try:
        serve.wait_line("Socket Mode: connected; il2bot is running")
        paths, sent = [], []
        for i in range(QUEUED):
            url, path = api.response_url()
            api.script(path, Scripted(200, "ok", delay=SLOW_SLACK))
            sent.append(endpoint.send(envelopes.command(f"side effects aldesleukin {i}", url)))
            paths.append(path)
        endpoint.wait_acks(*sent)
        code, _ = serve.stop(sig, timeout=START + QUEUED * SLOW_SLACK)
    finally:
        serve.kill()
    out = serve.output()
    assert code == 0, out
    assert [len(api.delivered(p)) for p in paths] == [1] * QUEUED, "every queued answer sent, once"
    assert f"received {sig.name}: stopping" in out
    [draining] = [line for line in out.splitlines() if "queued answer(s) before exiting" in line]
    assert "up to 20 s" in draining
    assert "stopped: 0 answer(s) left unsent" in out
    assert "Traceback" not in out
