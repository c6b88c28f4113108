"""The HTTP front door attacked as an outsider would, on 127.0.0.1: each hole of issue 12, closed.

Unsigned requests get 401 whatever their body; signed malformed ones 400; oversized ones 413; slow
clients are cut off; unverified bodies are never logged; replays are answered once.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from slack_harness import (
    BOT_USER,
    SECRET,
    TEAM,
    TODAY,
    FakeSlack,
    Running,
    SlackClient,
    raw_request,
    serve_asgi,
    signed_headers,
)

from bot.engine import Engine
from bot.slack.app import build_app, build_asgi
from bot.slack.interaction import ACTION_MORE, ACTION_SHARE
from bot.slack.settings import DEFAULT_MAX_BODY_BYTES, Settings
from bot.slack.web import make_web_client

MAX_BODY = DEFAULT_MAX_BODY_BYTES  # the default body cap, 1 MiB
READ_TIMEOUT = 1.0  # seconds a client may take to send its headers and body here
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def guarded(fake_slack: FakeSlack, engine: Engine) -> Iterator[Running]:
    """The app over HTTP with the default body cap and a 1 s read timeout."""
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake_slack.url,
                        read_timeout=READ_TIMEOUT, max_connections=400)
    app = build_app(settings, engine, make_web_client(settings, backoff=0.01), today=lambda: TODAY)
    running = serve_asgi(build_asgi(app, settings), settings)
    yield running
    running.server.should_exit = True
    running.thread.join(timeout=5)


@pytest.fixture
def slack(fake_slack: FakeSlack, guarded: Running, caplog: pytest.LogCaptureFixture) -> SlackClient:
    fake_slack.reset()
    caplog.set_level(logging.INFO)
    return SlackClient(guarded.base, fake_slack)


def port_of(running: Running) -> int:
    return int(running.base.rsplit(":", 1)[1])


def mention_body(text: str, ts: str, channel: str = "C0ATK") -> bytes:
    return json.dumps({
        "token": "x", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback",
        "event_id": f"EvATK{ts.replace('.', '')}", "event_time": 1,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        "event": {"type": "app_mention", "user": "U0001", "text": f"<@{BOT_USER}> {text}", "ts": ts,
                  "channel": channel, "event_ts": ts}}).encode()


def click_body(fake: FakeSlack, action_id: str, value: str, **override: Any) -> tuple[bytes, str]:
    url, path = fake.response_url()
    payload = {"type": "block_actions", "team": {"id": TEAM, "domain": "test"},
               "user": {"id": "U0002", "username": "bob", "team_id": TEAM}, "api_app_id": "A0001",
               "token": "x", "trigger_id": "1.2.3", "response_url": url,
               "container": {"type": "message", "message_ts": "1700000000.000900", "channel_id": "C0ATK",
                             "is_ephemeral": True},
               "channel": {"id": "C0ATK", "name": "general"},
               "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                            "action_ts": f"{time.time():.6f}"}], **override}
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), path


def fresh_headers() -> bytes:
    """A current timestamp and a signature of the right form (not of any body), as header lines."""
    return b"x-slack-request-timestamp: %d\r\nx-slack-signature: v0=%s\r\n" % (int(time.time()), b"0" * 64)


def no_body_logged(caplog: pytest.LogCaptureFixture, marker: str) -> None:
    leaked = [r.getMessage()[:200] for r in caplog.records if marker in r.getMessage()]
    assert leaked == []


# -- nothing unauthenticated reaches a 500 ---------------------------------------------------

DEEP = b"[" * 200_000 + b"]" * 200_000
DEEP_OBJECT = b'{"a":' * 150_000 + b"1" + b"}" * 150_000  # under the 1 MiB cap


@pytest.mark.parametrize(("body", "content_type"), [
    (b'{"response_urls": 5}', JSON),
    (DEEP, JSON),
    (DEEP_OBJECT, JSON),
    (b"payload=" + urllib.parse.quote_from_bytes(DEEP[:20_000] + DEEP[-20_000:]).encode(), FORM),
    (mention_body("help", "1700000100.1"), "Application/JSON"),
    (b'{"type": "view_submission", "view": {}}', JSON),
], ids=["response_urls", "deep-array", "deep-object", "deep-payload", "content-type-case", "view"])
def test_unsigned_requests_get_401_whatever_the_body(slack: SlackClient, body: bytes, content_type: str) -> None:
    sent = slack.post(body, content_type, secret="not-the-secret")
    assert (sent.status, sent.body) == (401, "invalid request")


def test_slacks_unsigned_ssl_check_gets_200_and_nothing_else_does(slack: SlackClient) -> None:
    check = b"ssl_check=1&token=x"
    assert raw_request(slack.base, check, {"content-type": FORM}) == (200, b"")
    assert raw_request(slack.base, check, {"content-type": JSON})[0] == 401
    assert raw_request(slack.base, b"ssl_check=0&token=x", {"content-type": FORM})[0] == 401
    assert raw_request(slack.base, check + b"&x=" + b"y" * 2000, {"content-type": FORM})[0] == 401


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", " 1700000000", "-5", "1700000000.5", "٣٣٣"])
def test_a_timestamp_that_is_not_digits_gets_401(slack: SlackClient, timestamp: str) -> None:
    body = mention_body("help", "1700000101.1")
    status, _ = raw_request(slack.base, body, {"content-type": JSON, "x-slack-request-timestamp": timestamp.encode(),
                                                "x-slack-signature": "v0=" + "0" * 64})
    assert status == 401


@pytest.mark.parametrize(("body", "content_type", "says"), [
    (DEEP, JSON, "nested deeper than"),
    (DEEP_OBJECT, JSON, "nested deeper than"),
    (b'{"type": "view_submission", "user": {"id": "U1"}, "view": {"id": "V1"}}', JSON,
     "view is not an object with a type"),
    (b"payload=" + urllib.parse.quote(json.dumps({"type": "view_submission", "user": {"id": "U1"},
                                                  "view": {"id": "V1"}})).encode(), FORM,
     "view is not an object with a type"),
    (b'{"type": "event_callback", "event": {"type": "app_mention"}}', "text/plain", "neither JSON nor a form"),
], ids=["deep-array", "deep-object", "view-json", "view-form", "text-plain"])
def test_signed_malformed_bodies_get_400(slack: SlackClient, body: bytes, content_type: str, says: str) -> None:
    sent = slack.post(body, content_type)
    assert sent.status == 400
    assert says in sent.body


def test_content_type_is_read_case_insensitively(slack: SlackClient, fake_slack: FakeSlack) -> None:
    sent = slack.post(mention_body("help", "1700000102.000100", "CCASE"), "Application/JSON; charset=UTF-8")
    assert sent.status == 200
    [post] = fake_slack.wait_for("/chat.postMessage")
    assert post.data["channel"] == "CCASE"


def test_a_signed_click_with_a_user_id_string_gets_400(slack: SlackClient, fake_slack: FakeSlack,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    body, path = click_body(fake_slack, ACTION_SHARE, "0:help", user="U0002")
    sent = slack.post(body, FORM)
    assert (sent.status, sent.body) == (400, "malformed request: user is not an object with an id")
    _, path_ok = slack.command("help")  # a sentinel: answered, while the bad click never is
    fake_slack.wait_for(path_ok)
    assert fake_slack.calls(path) == []
    assert [r for r in caplog.records if r.exc_info] == []


# -- "payload" is a word like any other ------------------------------------------------------


@pytest.mark.parametrize(("text", "channel_name"), [
    ("viral payload il-2", "general"),
    ("side-effects aldesleukin", "payload-team"),
    ("payload={}", "general"),
])
def test_a_command_mentioning_payload_is_answered(slack: SlackClient, fake_slack: FakeSlack,
                                                  text: str, channel_name: str) -> None:
    url, path = fake_slack.response_url()
    form = {"token": "x", "team_id": TEAM, "team_domain": "test", "channel_id": "C0001",
            "channel_name": channel_name, "user_id": "U0001", "user_name": "ann", "command": "/il2",
            "text": text, "api_app_id": "A0001", "response_url": url, "trigger_id": "1.2.3"}
    sent = slack.post(urllib.parse.urlencode(form).encode(), FORM)
    assert (sent.status, sent.body) == (200, "")
    [reply] = fake_slack.wait_for(path)
    assert reply.data["response_type"] == "ephemeral"


# -- size ------------------------------------------------------------------------------------


def test_a_body_over_the_cap_by_content_length_gets_413_before_it_is_read(slack: SlackClient) -> None:
    with socket.create_connection(("127.0.0.1", int(slack.base.rsplit(":", 1)[1])), timeout=5) as s:
        s.sendall(b"POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                  b"content-length: 104857600\r\n\r\n" + b"{" * 1000)
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_body_over_the_cap_gets_413(slack: SlackClient) -> None:
    chunk = b"x" * 16384
    with socket.create_connection(("127.0.0.1", int(slack.base.rsplit(":", 1)[1])), timeout=5) as s:
        s.sendall(b"POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                  b"transfer-encoding: chunked\r\n" + fresh_headers() + b"\r\n")
        answer = b""
        try:
            for _ in range(MAX_BODY // len(chunk) + 4):
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except OSError:
            pass  # the server answered and closed the connection: what we expect
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_signed_body_just_under_the_cap_is_read(slack: SlackClient) -> None:
    pad = "x" * (MAX_BODY - 400)
    body = json.dumps({"type": "url_verification", "challenge": "c", "token": "x", "pad": pad}).encode()
    assert len(body) < MAX_BODY
    sent = slack.post(body, JSON)
    assert sent.status == 200 and json.loads(sent.body) == {"challenge": "c"}


# -- logs ------------------------------------------------------------------------------------


def test_an_unsigned_body_is_never_logged_and_a_rejection_is_one_escaped_line(
    slack: SlackClient, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "SECRET-BODY-MARKER"
    body = json.dumps({"text": f"{marker}\n2026-01-01 00:00:00 INFO il2bot.slack: forged line"}).encode()
    sent = slack.post(body, JSON, secret="wrong")
    assert sent.status == 401
    no_body_logged(caplog, marker)
    rejected = [r.getMessage() for r in caplog.records if r.getMessage().startswith("rejected request")]
    assert len(rejected) == 1
    assert "bad signature" in rejected[0] and f"{len(body)} bytes" in rejected[0]
    assert "127.0.0.1" in rejected[0]
    assert "\n" not in "".join(r.getMessage() for r in caplog.records)


def test_a_bad_header_cannot_forge_a_log_line(slack: SlackClient, caplog: pytest.LogCaptureFixture) -> None:
    """A header value with a control character is refused by the HTTP parser (400), and no log line
    carries it. The request goes in one write: sent as headers then body, the body could reach a
    connection the server had already closed, and the reset would lose the 400."""
    body = mention_body("help", "1700000103.1")
    headers = signed_headers(body, "text/plain\x0bforged")
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-length: {len(body)}\r\n{head}"
               "connection: close\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", int(slack.base.rsplit(":", 1)[1])), timeout=5) as s:
        s.sendall(request)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    assert reply.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 Bad Request"
    assert [m for r in caplog.records for m in [r.getMessage()] if "\n" in m or "\x0b" in m] == []


def test_a_client_that_disconnects_mid_body_is_one_info_line(
    slack: SlackClient, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.create_connection(("127.0.0.1", int(slack.base.rsplit(":", 1)[1])), timeout=5) as s:
        s.sendall(b"POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                  b"content-length: 5000\r\n" + fresh_headers() + b"\r\n" + b"{" * 100)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not [r for r in caplog.records if "disconnected" in r.getMessage()]:
        time.sleep(0.02)
    lines = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert [r.levelno for r in lines] == [logging.INFO]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


# -- slow clients ----------------------------------------------------------------------------


def test_slow_clients_are_cut_off_and_healthz_stays_responsive(slack: SlackClient) -> None:
    port = int(slack.base.rsplit(":", 1)[1])
    slow: list[socket.socket] = []
    try:
        for i in range(200):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:  # half send part of their headers, half all headers and part of a body
                s.sendall(b"POST /slack/events HTTP/1.1\r\nhost: x\r\n")
            else:
                s.sendall(b"POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n"
                          + fresh_headers() + b"\r\n{")
            slow.append(s)
        t0 = time.monotonic()
        status, body = raw_request(slack.base, None, {}, method="GET", path="/healthz")
        assert (status, body) == (200, b"ok")
        assert time.monotonic() - t0 < READ_TIMEOUT * 3
        closed = 0
        for s in slow:  # each is answered (408) or closed once its read timeout has passed
            s.settimeout(READ_TIMEOUT * 10)
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            closed += data == b"" or data.startswith(b"HTTP/1.1 408 ")
        assert closed == 200
    finally:
        for s in slow:
            s.close()


# -- replays and double clicks ---------------------------------------------------------------


def test_a_command_replayed_byte_for_byte_is_answered_once(slack: SlackClient, fake_slack: FakeSlack) -> None:
    url, path = fake_slack.response_url()
    form = {"token": "x", "team_id": TEAM, "channel_id": "C0001", "channel_name": "general",
            "user_id": "U0001", "command": "/il2", "text": "help", "response_url": url, "trigger_id": "9.9"}
    body = urllib.parse.urlencode(form).encode()
    headers = signed_headers(body, FORM)
    statuses = [raw_request(slack.base, body, headers)[0] for _ in range(5)]
    assert statuses == [200] * 5
    _, sentinel = slack.command("help")  # answered after the first: the replays came before it
    fake_slack.wait_for(sentinel)
    assert len(fake_slack.wait_for(path)) == 1


def test_post_to_channel_posts_once_however_often_it_is_clicked_or_replayed(
    slack: SlackClient, fake_slack: FakeSlack
) -> None:
    body, path = click_body(fake_slack, ACTION_SHARE, "0:NCT04077684")
    headers = signed_headers(body, FORM)
    assert [raw_request(slack.base, body, headers)[0] for _ in range(10)] == [200] * 10
    again, path2 = click_body(fake_slack, ACTION_SHARE, "0:NCT04077684")  # a second click, new bytes
    assert slack.post(again, FORM).status == 200
    sentinel, path3 = click_body(fake_slack, ACTION_MORE, "3:help")
    assert slack.post(sentinel, FORM).status == 200
    fake_slack.wait_for(path3)
    shared, deleted = fake_slack.wait_for(path, count=2)
    assert shared.data["response_type"] == "in_channel" and deleted.data == {"delete_original": True}
    assert fake_slack.calls(path2) == []
    assert len(fake_slack.calls(path)) == 2


def test_connections_past_the_limit_are_closed_at_once(fake_slack: FakeSlack, engine: Engine) -> None:
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake_slack.url,
                        max_connections=5)
    app = build_app(settings, engine, make_web_client(settings), today=lambda: TODAY)
    running = serve_asgi(build_asgi(app, settings), settings)
    held: list[socket.socket] = []
    try:
        for _ in range(5):
            held.append(socket.create_connection(("127.0.0.1", port_of(running)), timeout=5))
        extra = socket.create_connection(("127.0.0.1", port_of(running)), timeout=5)
        try:
            extra.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            assert extra.recv(4096) == b"", "closed without an answer"
        except ConnectionResetError:
            pass  # closed before the request arrived: as good
        finally:
            extra.close()
        for s in held:
            s.close()
        deadline = time.monotonic() + 5
        while True:  # once the held connections are gone, new ones are served again
            try:
                assert raw_request(running.base, None, {}, method="GET", path="/healthz") == (200, b"ok")
                break
            except (AssertionError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        for s in held:
            s.close()
        running.server.should_exit = True
        running.thread.join(timeout=5)


def test_a_rejected_request_is_exactly_one_log_line(slack: SlackClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert slack.post(b'{"type": "event_callback"}', JSON, secret="wrong").status == 401
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not caplog.records:
        time.sleep(0.01)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith(("il2bot", "uvicorn", "slack_bolt"))]
    assert len(lines) == 1 and lines[0].startswith("rejected request: bad signature (HTTP 401, 26 bytes")
