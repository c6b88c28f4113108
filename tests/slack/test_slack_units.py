"""Pieces of the Slack layer: the seen-events record, Slack text to a query, the event guard, retries."""

from __future__ import annotations

import logging
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.dedupe import SeenEvents
from bot.slack.listeners.guards import answerable, event_keys
from bot.slack.text import query_from_slack
from bot.slack.web import Responder, ServerErrorRetryHandler, retry_handlers


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_seen_events_once_per_key() -> None:
    seen = SeenEvents()
    assert seen.first_time(["event:Ev1", "message:C1:1.0"])
    assert not seen.first_time(["event:Ev1"])
    assert not seen.first_time(["event:Ev2", "message:C1:1.0"]), "same message, another event id"
    assert seen.first_time(["event:Ev3"])


def test_seen_events_is_bounded_in_size() -> None:
    seen = SeenEvents(max_entries=3)
    for i in range(10):
        assert seen.first_time([f"e{i}"])
    assert len(seen) == 3
    assert seen.first_time(["e0"]), "the oldest were dropped"
    assert not seen.first_time(["e9"])


def test_seen_events_expire() -> None:
    clock = Clock()
    seen = SeenEvents(ttl=3600, clock=clock)
    assert seen.first_time(["e1"])
    clock.now = 3599
    assert not seen.first_time(["e1"])
    clock.now = 3599 + 3600
    assert seen.first_time(["e1"])
    assert len(seen) == 1


@pytest.mark.parametrize(("text", "query"), [
    ("<@UBOT> side-effects aldesleukin", "side-effects aldesleukin"),
    ("<@UBOT|il2bot>   what is   proleukin?", "what is proleukin?"),
    ("dose &lt;5 &amp; IL-7 &gt; 2", "dose <5 & IL-7 > 2"),
    ("see <https://x.example|spoof> and <https://y.example>", "see spoof and https://y.example"),
    ("<!channel> <!here> hi <@U123> <@U9|ann> <#C1|general>", "hi ann #general"),
    ("", ""),
])
def test_query_from_slack(text: str, query: str) -> None:
    assert query_from_slack(text, "UBOT") == query


@given(st.text())
def test_query_from_slack_never_leaves_markup(text: str) -> None:
    out = query_from_slack(text, "UBOT")
    assert out == " ".join(out.split())


def test_answerable_events() -> None:
    person = {"type": "app_mention", "user": "U1", "text": "hi", "ts": "1", "channel": "C1"}
    assert answerable(person, "UBOT")
    assert not answerable({**person, "user": "UBOT"}, "UBOT")
    assert not answerable({**person, "bot_id": "B1"}, "UBOT")
    assert not answerable({**person, "subtype": "bot_message"}, "UBOT")
    im = {"type": "message", "channel_type": "im", "user": "U1", "ts": "1", "channel": "D1"}
    assert answerable(im, "UBOT")
    assert not answerable({**im, "channel_type": "channel"}, "UBOT")
    assert not answerable({**im, "subtype": "message_changed"}, "UBOT")
    assert not answerable({"type": "reaction_added", "user": "U1"}, "UBOT")


def test_event_keys() -> None:
    body = {"event_id": "Ev1", "event": {"channel": "C1", "ts": "1.2"}}
    assert event_keys(body) == ["event:Ev1", "message:C1:1.2"]
    assert event_keys({"event": {}}) == []


def test_retry_handlers_cover_429_5xx_and_connection_errors() -> None:
    kinds = [type(h).__name__ for h in retry_handlers()]
    assert kinds == ["RateLimitErrorRetryHandler", "ServerErrorRetryHandler", "ConnectionErrorRetryHandler"]
    assert all(0 < h.max_retry_count <= 3 for h in retry_handlers())


@pytest.mark.parametrize(("status", "retry"), [(500, True), (502, True), (503, True), (504, True),
                                               (429, False), (404, False), (200, False)])
def test_server_error_handler(status: int, retry: bool) -> None:
    from slack_sdk.http_retry.request import HttpRequest
    from slack_sdk.http_retry.response import HttpResponse
    from slack_sdk.http_retry.state import RetryState

    handler = ServerErrorRetryHandler(max_retry_count=2)
    response = HttpResponse(status_code=status, headers={}, body={})
    request = HttpRequest(method="POST", url="https://slack.com/api/x", headers={})
    assert handler.can_retry(state=RetryState(), request=request, response=response) is retry


def test_responder_logs_and_returns_false_when_unreachable(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    caplog.set_level(logging.ERROR, logger="il2bot.slack")
    send = Responder(retry_handlers(backoff=0.01))
    assert send(f"http://127.0.0.1:{port}/response/x", {"text": "hi"}) is False
    assert "reply to response_url failed" in caplog.text
