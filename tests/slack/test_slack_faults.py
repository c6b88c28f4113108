"""Slack-side faults: 429, 5xx, reset connections, answers slower than the timeout, expired response_url.

Each case checks that the app keeps serving the next request, retries what is worth retrying within
a bound, logs what it drops with the event id (or the command's trigger id), and never answers twice.
The app runs against its own fake Slack with a short API timeout and fast backoff.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_harness import (
    ACK_LIMIT,
    BOT_USER,
    SECRET,
    TODAY,
    WAIT,
    FakeSlack,
    Running,
    Scripted,
    SlackClient,
    serve_asgi,
)

from bot.engine import Engine
from bot.render.blocks import ACTION_MORE
from bot.slack.app import ANSWER_WORKERS, build_app, build_asgi
from bot.slack.services import Background
from bot.slack.settings import Settings
from bot.slack.web import make_web_client

TIMEOUT = 0.5  # the app's Web API and response_url timeout, in seconds
MAX_WAIT = 5.0  # the longest Retry-After the app honours, in seconds
POST = "/chat.postMessage"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def faulty() -> Iterator[FakeSlack]:
    """A fake Slack of this module's own (scripted faults never reach other tests)."""
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def answers() -> Background:
    """Where the faulty app's answers run: once it is idle, no further request to the fake can come."""
    return Background(ANSWER_WORKERS)


@pytest.fixture(scope="module")
def fault_app(faulty: FakeSlack, engine: Engine, answers: Background) -> Iterator[Running]:
    """The app over HTTP with a 0.5 s API timeout, fast backoff and Retry-After honoured up to 5 s."""
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=faulty.url, api_timeout=TIMEOUT)
    client = make_web_client(settings, backoff=0.01, max_wait=MAX_WAIT)
    app = build_app(settings, engine, client, today=lambda: TODAY, background=answers)
    running = serve_asgi(build_asgi(app))
    yield running
    running.server.should_exit = True
    running.thread.join(timeout=5)


@pytest.fixture
def slack(faulty: FakeSlack, fault_app: Running, answers: Background,
          caplog: pytest.LogCaptureFixture) -> SlackClient:
    """A client of the faulty app; records and scripts start empty, errors are captured."""
    assert answers.wait_idle(WAIT * 4), "the previous test's answers are done"
    faulty.reset()
    caplog.set_level(logging.INFO, logger="il2bot.slack")
    client = SlackClient(fault_app.base, faulty)
    client.answers = answers
    return client


def mention(text: str, ts: str, channel: str) -> dict[str, Any]:
    return {"type": "app_mention", "user": "U0001", "text": f"<@{BOT_USER}> {text}", "ts": ts,
            "channel": channel}


def wait_for_log(caplog: pytest.LogCaptureFixture, *needles: str, timeout: float = 8.0) -> str:
    """The first error line that contains every needle (waits, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in list(caplog.records):
            line = record.getMessage()
            if record.levelno >= logging.ERROR and all(n in line for n in needles):
                return line
        time.sleep(0.02)
    raise AssertionError(f"no error logged with {needles}; got {[r.getMessage() for r in caplog.records]}")


def idle(slack: SlackClient) -> None:
    """Wait (bounded) until the app has no answer queued or being sent: no further request can come."""
    assert slack.answers is not None and slack.answers.wait_idle(WAIT * 4), "the app's answers finished"


def still_serving(slack: SlackClient, fake: FakeSlack, tag: str) -> None:
    """A fresh command and a fresh mention are acked at once and answered once each."""
    sent, path = slack.command("side-effects aldesleukin", trigger_id=f"T-{tag}")
    assert sent.status == 200 and sent.seconds < ACK_LIMIT
    assert len(fake.wait_for(path)) == 1
    channel = f"CNEXT{tag}"
    assert slack.event(mention("NCT04077684", f"{time.time():.6f}", channel)).status == 200
    deadline = time.monotonic() + 5

    def answers() -> list[Any]:
        return [p for p in fake.delivered(POST) if p.data["channel"] == channel]

    while time.monotonic() < deadline and not answers():
        time.sleep(0.02)
    idle(slack)
    assert len(answers()) == 1


def settle(slack: SlackClient, path: str) -> list[Any]:
    """Requests at path once the app has finished every answer (a late duplicate would show up here)."""
    idle(slack)
    return slack.fake.calls(path)


# -- 429 -------------------------------------------------------------------------------------


def test_rate_limited_post_waits_retry_after_then_posts_once(slack: SlackClient, faulty: FakeSlack) -> None:
    faulty.script(POST, Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}))
    assert slack.event(mention("side-effects aldesleukin", "1800000001.000100", "C429"),
                       event_id="Ev429A").status == 200
    # While that reply waits out its Retry-After, the app answers others.
    sent, path = slack.command("help", trigger_id="T-during-429")
    assert sent.status == 200 and sent.seconds < ACK_LIMIT
    assert len(faulty.wait_for(path)) == 1
    limited, posted = faulty.wait_for(POST, count=2, timeout=5)
    assert not limited.taken and posted.taken and posted.body == limited.body
    assert posted.data["channel"] == "C429"
    assert faulty.calls(path)[0].taken
    assert len(settle(slack, POST)) == 2


def test_rate_limited_response_url_is_retried_once(slack: SlackClient, faulty: FakeSlack) -> None:
    url, path = faulty.response_url()
    faulty.script(path, Scripted(429, "rate limited", {"Retry-After": "1"}))
    t0 = time.monotonic()
    sent, _ = slack.command("NCT04077684", response=(url, path), trigger_id="T-429")
    assert sent.status == 200
    first, second = faulty.wait_for(path, count=2, timeout=5)
    assert time.monotonic() - t0 >= 1.0, "waited out Retry-After"
    assert not first.taken and second.taken and first.body == second.body
    assert len(settle(slack, path)) == 2


def test_retry_after_beyond_the_bound_is_dropped_and_logged(
    slack: SlackClient, faulty: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    faulty.script(POST, Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "600"}))
    slack.event(mention("side-effects aldesleukin", "1800000002.000100", "C429LONG"), event_id="Ev429LONG")
    line = wait_for_log(caplog, "Ev429LONG", "dropped")
    assert "ratelimited" in line
    assert len(settle(slack, POST)) == 1, "not retried"
    still_serving(slack, faulty, "429long")


# -- 5xx -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_is_retried_then_posted_once(slack: SlackClient, faulty: FakeSlack, status: int) -> None:
    faulty.script(POST, Scripted(status, {"ok": False, "error": "internal_error"}))
    slack.event(mention("what is proleukin", f"1800000003.{status}", f"C{status}"), event_id=f"Ev{status}")
    failed, posted = faulty.wait_for(POST, count=2)
    assert not failed.taken and posted.taken and posted.data["channel"] == f"C{status}"
    assert len(settle(slack, POST)) == 2


def test_persistent_server_errors_stop_after_the_bound_and_are_logged(
    slack: SlackClient, faulty: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    url, path = faulty.response_url()
    faulty.script(path, *[Scripted(503, "unavailable")] * 5)
    slack.command("side-effects aldesleukin", response=(url, path), trigger_id="T-503")
    line = wait_for_log(caplog, "T-503", "dropped")
    assert "HTTP 503" in line
    assert len(settle(slack, path)) == 3, "one try and two retries"
    faulty.script(POST, *[Scripted(500, {"ok": False, "error": "internal_error"})] * 5)
    slack.event(mention("help", "1800000004.000100", "C500ALL"), event_id="Ev500ALL")
    assert "internal_error" in wait_for_log(caplog, "Ev500ALL", "dropped")
    assert len(settle(slack, POST)) == 3
    faulty.reset()
    still_serving(slack, faulty, "5xx")


# -- connection reset ------------------------------------------------------------------------


def test_reset_connection_is_retried_and_answered_once(slack: SlackClient, faulty: FakeSlack) -> None:
    faulty.script(POST, Scripted(200, {"ok": True}, reset=True))
    slack.event(mention("side-effects aldesleukin", "1800000005.000100", "CRESET"), event_id="EvRESET")
    reset, posted = faulty.wait_for(POST, count=2)
    assert reset.fault == "reset" and not reset.taken
    assert posted.taken and posted.body == reset.body
    url, path = faulty.response_url()
    faulty.script(path, Scripted(200, "ok", reset=True))
    slack.click({"action_id": ACTION_MORE, "value": "3:side-effects aldesleukin"}, response=(url, path))
    reset, answered = faulty.wait_for(path, count=2)
    assert reset.fault == "reset" and answered.taken
    assert len(settle(slack, POST)) == 2 and len(faulty.calls(path)) == 2


def test_connection_reset_every_time_is_dropped_and_logged(
    slack: SlackClient, faulty: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    faulty.script(POST, *[Scripted(200, {"ok": True}, reset=True)] * 5)
    slack.event(mention("side-effects aldesleukin", "1800000006.000100", "CRESETALL"), event_id="EvRESETALL")
    wait_for_log(caplog, "EvRESETALL", "dropped")
    assert len(settle(slack, POST)) == 3, "one try and two retries"
    still_serving(slack, faulty, "reset")


# -- slower than the timeout -----------------------------------------------------------------


def test_post_slower_than_the_timeout_is_not_retried(
    slack: SlackClient, faulty: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    faulty.script(POST, Scripted(200, {"ok": True, "channel": "CSLOW", "ts": "1.0"}, delay=TIMEOUT * 2))
    slack.event(mention("side-effects aldesleukin", "1800000007.000100", "CSLOW"), event_id="EvSLOW")
    line = wait_for_log(caplog, "EvSLOW", "timed out", "not retried")
    assert "reply" in line
    # Slack took it (late): a retry would have posted the answer twice.
    assert len(settle(slack, POST)) == 1
    still_serving(slack, faulty, "slow")


def test_response_url_slower_than_the_timeout_is_not_retried(
    slack: SlackClient, faulty: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    url, path = faulty.response_url()
    faulty.script(path, Scripted(200, "ok", delay=TIMEOUT * 2))
    slack.command("NCT04077684", response=(url, path), trigger_id="T-SLOW")
    wait_for_log(caplog, "T-SLOW", "not retried")
    assert len(settle(slack, path)) == 1


def test_acks_never_wait_behind_a_slow_slack(slack: SlackClient, faulty: FakeSlack) -> None:
    # More slow replies than the app has answer threads: the acks must still be immediate.
    n = 12
    faulty.script(POST, *[Scripted(200, {"ok": True}, delay=TIMEOUT * 2)] * n)
    acks = [slack.event(mention("help", f"1800000008.{i:06d}", f"CJAM{i}")) for i in range(n)]
    sent, path = slack.command("side-effects aldesleukin", trigger_id="T-behind-jam")
    assert all(a.status == 200 and a.seconds < ACK_LIMIT for a in acks)
    assert sent.status == 200 and sent.seconds < ACK_LIMIT
    assert len(faulty.wait_for(path, timeout=10)) == 1, "answered once the jam clears"
    faulty.wait_for(POST, count=n, timeout=10)
    assert len(settle(slack, POST)) == n, "none retried"


# -- expired response_url --------------------------------------------------------------------


def test_expired_response_url_is_logged_not_retried(
    slack: SlackClient, faulty: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    url, path = faulty.response_url()
    faulty.script(path, Scripted(404, "expired_url"))
    sent, _ = slack.click({"action_id": ACTION_MORE, "value": "3:side-effects aldesleukin"},
                          response=(url, path), trigger_id="T-EXPIRED")
    assert sent.status == 200
    line = wait_for_log(caplog, "T-EXPIRED", "HTTP 404")
    assert "button il2_more" in line and "expired" in line
    assert len(settle(slack, path)) == 1, "a 404 is not retried"
    still_serving(slack, faulty, "404")


# -- re-deliveries while a reply is being retried --------------------------------------------


def test_redelivered_event_during_a_retry_is_answered_once(slack: SlackClient, faulty: FakeSlack) -> None:
    faulty.script(POST, Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}))
    event = mention("side-effects aldesleukin", "1800000009.000100", "CREDELIVER")
    assert slack.event(event, event_id="EvREDELIVER").status == 200
    for n in (1, 2, 3):  # Slack gives up waiting and re-delivers, while the first reply waits
        retry = {"x-slack-retry-num": str(n), "x-slack-retry-reason": "http_timeout"}
        sent = slack.event(event, event_id="EvREDELIVER", headers=retry)
        assert sent.status == 200 and sent.seconds < ACK_LIMIT
    faulty.wait_for(POST, count=2, timeout=5)
    posts = settle(slack, POST)
    assert [p.taken for p in posts] == [False, True]


# -- shutdown --------------------------------------------------------------------------------


def start_serving(fake: FakeSlack, tmp_path: Path, **env_extra: str) -> tuple[subprocess.Popen[str], SlackClient]:
    """`il2bot serve --http` in a subprocess against the fake, once /healthz answers (stderr piped)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "IL2BOT_"))}
    env.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url,
               PYTHONPATH=str(REPO), IL2BOT_CACHE_DIR=str(tmp_path / "cache"), **env_extra)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    client = SlackClient(f"http://127.0.0.1:{port}", fake)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(client.base + "/healthz", timeout=1):
                return proc, client
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"the server did not start: {proc.communicate()[1][-2000:]}") from None
            time.sleep(0.1)


def stop(proc: subprocess.Popen[str], sig: int, timeout: float) -> tuple[int, str]:
    """Send the signal; the exit code and stderr (killed, and failed, if it outlives the timeout)."""
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"still running {timeout}s after the signal: {err[-2000:]}") from None
    return proc.returncode, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_answers_queued_at_shutdown_are_all_delivered(faulty: FakeSlack, tmp_path: Path, sig: int) -> None:
    faulty.reset()
    n = 50  # far more than the answer threads: most are still queued when the signal comes
    faulty.script(POST, *[Scripted(200, {"ok": True}, delay=0.2)] * n)
    proc, client = start_serving(faulty, tmp_path)
    try:
        for i in range(n):
            assert client.event(mention("help", f"1800000010.{i:06d}", f"CSTOP{i}")).status == 200
        code, err = stop(proc, sig, timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert code == 0, err[-2000:]
    channels = sorted(p.data["channel"] for p in faulty.calls(POST) if p.taken)
    assert channels == sorted(f"CSTOP{i}" for i in range(n))
    assert "was not sent" not in err and "Traceback" not in err
    assert "stopped: every queued answer was sent" in err


def test_answers_not_sent_by_the_drain_deadline_are_logged_by_id_and_the_exit_is_0(
    faulty: FakeSlack, tmp_path: Path
) -> None:
    faulty.reset()
    n = 30
    faulty.script(POST, *[Scripted(200, {"ok": True}, delay=1.0)] * n)  # 30 s of answers on 8 threads
    proc, client = start_serving(faulty, tmp_path, IL2BOT_DRAIN_SECONDS="1", IL2BOT_LOG_FORMAT="json")
    try:
        for i in range(n):
            assert client.event(mention("help", f"1800000011.{i:06d}", f"CLATE{i}"),
                                event_id=f"EvLATE{i:02d}").status == 200
        t0 = time.monotonic()
        code, err = stop(proc, signal.SIGTERM, timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert code == 0
    assert time.monotonic() - t0 < 15, "the drain deadline (1 s) bounds the shutdown"
    lines = [json.loads(line) for line in err.splitlines()]  # IL2BOT_LOG_FORMAT=json: one object a line
    unsent = {m for line in lines if "was not sent within" in line["message"]
              for m in re.findall(r"EvLATE\d+", line["message"])}
    delivered = {p.data["channel"].removeprefix("CLATE") for p in faulty.calls(POST)}
    assert unsent, "some answers were still queued at the deadline"
    assert unsent | {f"EvLATE{int(c):02d}" for c in delivered} == {f"EvLATE{i:02d}" for i in range(n)}
