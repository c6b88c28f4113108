"""`il2bot serve` in Socket Mode, as a subprocess: honest connection logs while the endpoint refuses
connections, answers once connected, and SIGTERM / SIGINT sending every queued answer before exit 0."""

from __future__ import annotations

import json
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import fake_socket as envelopes
import pytest
from fake_socket import START, FakeSocketMode, Serve, socket_slack
from slack_harness import FakeSlack, Scripted

SLOW_SLACK = 1.0  # seconds the slow fake takes to take each answer
QUEUED = 30  # answers queued behind it when the signal arrives


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


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_sigterm_while_refusing_connections_exits_0_at_once(
    api: FakeSlack, tmp_path: Path, log_format: str
) -> None:
    api.default = lambda path: Scripted(  # type: ignore[method-assign]
        200, {"ok": True, "url": f"ws://127.0.0.1:{_closed_port()}/"}) if path == "/apps.connections.open" \
        else FakeSlack.default(path)
    serve = Serve(api, tmp_path, IL2BOT_LOG_FORMAT=log_format)
    try:
        serve.wait_line("retrying in 1 s")
        code, seconds = serve.stop(signal.SIGTERM, timeout=START)
    finally:
        serve.kill()
    assert code == 0
    assert seconds < 10, "not held by the retry timer (up to 30 s) or the drain deadline (20 s)"
    assert "stopped: every queued answer was sent" in serve.output()
    if log_format == "json":
        records = [json.loads(line) for line in serve.lines]
        assert {r["logger"] for r in records} == {"il2bot.slack"}
        assert next(r["level"] for r in records if "not connected" in r["message"]) == "WARNING"


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
    assert f"received {sig.name}: stopping; queued answers are sent first (up to 20 s)" in out
    [draining] = [line for line in out.splitlines() if "queued answer(s), for at most" in line]
    assert "shutting down: sending" in draining
    assert "stopped: every queued answer was sent" in out
    assert "Traceback" not in out


def test_answers_past_the_drain_deadline_are_logged_by_request_and_the_exit_is_0(
    api: FakeSlack, endpoint: FakeSocketMode, tmp_path: Path
) -> None:
    serve = Serve(api, tmp_path, IL2BOT_DRAIN_SECONDS="1")
    try:
        serve.wait_line("Socket Mode: connected; il2bot is running")
        triggers, sent = [], []
        for i in range(12):  # 8 answer threads held by Slack for 30 s, 4 more queued behind them
            url, path = api.response_url()
            api.script(path, Scripted(200, "ok", delay=30.0))
            env = envelopes.command(f"dose il-7 {i}", url, trigger_id=f"trigger-{i:02d}")
            sent.append(endpoint.send(env))
            triggers.append(f"trigger-{i:02d}")
        endpoint.wait_acks(*sent)
        code, seconds = serve.stop(signal.SIGTERM, timeout=START)
    finally:
        serve.kill()
    out = serve.output()
    assert code == 0, out
    assert seconds < 20, "the 1 s deadline holds, whatever Slack does"
    unsent = [line for line in out.splitlines() if "was not sent within" in line]
    assert [t for t in triggers if any(f"(trigger {t})" in line for line in unsent)] == triggers
    assert "stopped: 12 answer(s) not sent" in out
