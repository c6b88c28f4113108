"""Pieces of the Slack layer: the seen-events record, Slack text to a query, the event guard, retries."""

from __future__ import annotations

import json
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
    ("side\u200b-effects alde\u2060sleukin\x00 \u202eil-2\u202c\ufeff", "side-effects aldesleukin il-2"),
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


# -- the front door's pieces -----------------------------------------------------------------


@pytest.mark.parametrize(("timestamp", "fresh"), [
    ("1700000000", True), ("1700000300", True), ("1699999700", True),
    ("1700000301", False), ("1699999699", False), ("abc", False), ("", False), (" 1700000000", False),
    ("1700000000 ", False), ("1_700_000_000", False), ("+1700000000", False), ("1700000000.0", False),
    ("\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660", False), ("9" * 400, False),
])
def test_fresh_timestamp_takes_ascii_digits_within_five_minutes(timestamp: str, fresh: bool) -> None:
    from bot.slack.app import fresh_timestamp

    assert fresh_timestamp(timestamp, now=1_700_000_000) is fresh


@pytest.mark.parametrize(("text", "depth"), [
    ("{}", 1), ("[]", 1), ("1", 0), ('{"a": [1, {"b": []}]}', 4), ('"[[[[["', 0), ('{"a": "]]]{{{"}', 1),
    ('["\\"[[["]', 1), ("[" * 100 + "]" * 100, 65),  # counting stops past the limit (64)
])
def test_json_depth(text: str, depth: int) -> None:
    from bot.slack.payloads import json_depth

    assert json_depth(text) == depth


@pytest.mark.parametrize("text", ["{}", "1", '{"a": [1, {"b": []}]}', '{"a": "]]]{{{"}', "[" * 64 + "]" * 64,
                                  '[{"x": [[]]}, [[[[]]]]]'])
def test_value_depth_of_the_parsed_value_agrees_with_json_depth_of_its_text(text: str) -> None:
    from bot.slack.payloads import json_depth, value_depth

    assert value_depth(json.loads(text)) == json_depth(text)


def test_value_depth_stops_counting_past_the_limit() -> None:
    from bot.slack.payloads import value_depth

    deep: list[object] = []
    for _ in range(10_000):
        deep = [deep]
    assert value_depth(deep, limit=64) == 65


def test_load_json_refuses_deep_nesting_with_a_value_error() -> None:
    from bot.slack.payloads import load_json

    assert load_json("[" * 64 + "]" * 64) is not None
    with pytest.raises(ValueError, match="nested deeper than 64 levels"):
        load_json("[" * 200_000 + "]" * 200_000)


@pytest.mark.parametrize(("content_type", "raw", "body"), [
    ("application/json", b'{"a": 1}', {"a": 1}),
    ("Application/JSON; charset=utf-8", b'{"a": 1}', {"a": 1}),
    ("application/x-www-form-urlencoded", b"command=%2Fil2&text=viral+payload", {"command": "/il2",
                                                                                 "text": "viral payload"}),
    ("application/x-www-form-urlencoded", b"command=%2Fil2&channel_name=payload-team&text=",
     {"command": "/il2", "channel_name": "payload-team", "text": ""}),
    ("application/x-www-form-urlencoded", b"payload=%7B%22type%22%3A%22block_actions%22%7D",
     {"type": "block_actions"}),
    ("application/x-www-form-urlencoded", b"{", {"{": ""}),
])
def test_parse_reads_a_body_by_its_content_type(content_type: str, raw: bytes, body: dict[str, str]) -> None:
    from bot.slack.payloads import parse

    assert parse(content_type, raw) == (body, None)


@pytest.mark.parametrize(("content_type", "raw", "why"), [
    ("application/json", b"\xff", "the body is not UTF-8"),
    ("application/json", b"[1]", "the body is a JSON list, not an object"),
    ("text/plain", b"{}", "the content type 'text/plain' is neither JSON nor a form"),
    ("", b"{}", "the content type '' is neither JSON nor a form"),
    ("application/json", b"[" * 100, "the body is not valid JSON or form data (ValueError: JSON nested "
                                      "deeper than 64 levels)"),
])
def test_parse_says_what_stops_it(content_type: str, raw: bytes, why: str) -> None:
    from bot.slack.payloads import parse

    assert parse(content_type, raw) == (None, why)


CLICK = {"type": "block_actions", "user": {"id": "U1"}, "response_url": "https://hooks.slack.com/x",
         "actions": [{"action_id": "il2_more", "value": "0:help"}]}


@pytest.mark.parametrize(("body", "why"), [
    (CLICK, None),
    ({**CLICK, "user": "U0002"}, "user is not an object with an id"),
    ({**CLICK, "user": {"name": "bob"}}, "user is not an object with an id"),
    ({k: v for k, v in CLICK.items() if k != "user"}, "user is not an object with an id"),
    ({**CLICK, "team": {"domain": "x"}}, "team is not an object with an id"),
    ({**CLICK, "actions": []}, "actions is not a non-empty list"),
    ({**CLICK, "response_url": "ftp://x"}, "response_url is missing or not an http(s) URL"),
    ({"type": "view_submission", "user": {"id": "U1"}, "view": {"id": "V1"}}, "view is not an object with a type"),
    ({"type": "view_submission", "user": {"id": "U1"}, "view": {"type": "modal"}}, None),
    ({"type": "event_callback", "event": "x"}, "event is not an object"),
    ({"type": "event_callback"}, "an event_callback without an event object"),
    ({"command": "/il2", "text": "x"}, "response_url is missing or not an http(s) URL"),
    ({"type": "url_verification", "challenge": "c"}, None),
])
def test_problem_in_checks_a_parsed_body(body: dict[str, object], why: str | None) -> None:
    from bot.slack.payloads import problem_in

    assert problem_in(body) == why


@pytest.mark.parametrize(("value", "line"), [
    ("plain", "plain"), ("a\nb\r\nc", "a\\nb\\r\\nc"), ("tab\there", "tab\\there"), ("back\\slash", "back\\\\slash"),
    ("bidi\u202eevil", "bidi\\u202eevil"), ("x" * 300, "x" * 200),
])
def test_one_line_escapes_untrusted_values(value: str, line: str) -> None:
    from bot.slack.logs import one_line

    assert one_line(value) == line


def test_json_log_format_is_one_object_per_line() -> None:
    from bot.slack.logs import JsonFormatter

    record = logging.LogRecord("il2bot.slack", logging.WARNING, __file__, 1, "rejected %s", ("a\nb",), None)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert {k: v for k, v in json.loads(line).items() if k != "time"} == {
        "level": "WARNING", "logger": "il2bot.slack", "message": "rejected a\nb"}


def test_drain_sends_what_it_can_and_names_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    import threading

    from bot.slack.services import Background

    caplog.set_level(logging.INFO, logger="il2bot.slack")
    gate = threading.Event()
    done: list[int] = []
    pool = Background(1)
    pool.submit({"type": "event_callback", "event_id": "EvSLOW", "event": {"type": "app_mention"}}, gate.wait)
    for i in range(3):
        pool.submit({"type": "event_callback", "event_id": f"EvQ{i}", "event": {"type": "app_mention"}},
                    lambda i=i: done.append(i))
    assert pool.drain(0.2) == ["event EvQ0 (app_mention)", "event EvQ1 (app_mention)",
                               "event EvQ2 (app_mention)", "event EvSLOW (app_mention)"]
    gate.set()
    assert done == [], "queued answers past the deadline are cancelled, not sent late"
    lines = [r.getMessage() for r in caplog.records if "was not sent within" in r.getMessage()]
    assert len(lines) == 4 and "EvQ0" in lines[0]
