"""Test harness: a fake Slack (Web API + response_url), signed requests, uvicorn in a thread."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import socket
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn
from slack_sdk.signature import SignatureVerifier

from bot.slack.http_server import make_server
from bot.slack.settings import Settings

SECRET = "test-signing-secret"
BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM = "T0001"
TODAY = date(2026, 11, 23)
WAIT = 5.0  # seconds a test waits for the bot to reply
ACK_LIMIT = 3.0  # seconds Slack waits for an ack (a bound that holds on a loaded machine)


@dataclass
class Recorded:
    """One request the fake Slack received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    fault: str = ""  # "reset" (no answer: not taken) or "slow" (answered after Scripted.delay)
    taken: bool = True  # whether the fake took it (2xx, `ok` not false, no reset), as Slack would

    @property
    def data(self) -> dict[str, Any]:
        """The JSON or form body as a dict."""
        if not self.body:
            return {}
        if self.headers.get("content-type", "").startswith("application/json"):
            return dict(json.loads(self.body))
        return dict(urllib.parse.parse_qsl(self.body.decode()))


@dataclass
class Scripted:
    """A scripted answer: status, body and headers; or a delay before it; or a reset connection."""

    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (to outlast a client's timeout)
    reset: bool = False  # read the request, then reset the connection without answering


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # bursts of replies under load must not overflow the listen backlog

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on a slow answer is expected, not a failure of the fake


class FakeSlack:
    """A fake Web API and response_url endpoint that records every request."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.scripts: dict[str, deque[Scripted]] = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # the client went away mid-request (a process stopped by its
                    self.close_connection = True  # drain deadline): Slack never gets such a request
                    return
                path = urllib.parse.urlsplit(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake.lock:
                    script = fake.scripts.get(path)
                    reply = script.popleft() if script else fake.default(path)
                    fault = "reset" if reply.reset else "slow" if reply.delay else ""
                    taken = (not reply.reset and 200 <= reply.status < 300
                             and not (isinstance(reply.body, dict) and reply.body.get("ok") is False))
                    fake.requests.append(Recorded("POST", path, headers, body, fault, taken))
                if reply.reset:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                self.send_response(reply.status)
                ctype = "text/plain" if isinstance(reply.body, str) else "application/json"
                self.send_header("content-type", ctype)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def default(path: str) -> Scripted:
        if path == "/auth.test":
            return Scripted(200, {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM,
                                  "user": "il2bot", "team": "Test", "url": "https://test.slack.com/"})
        if path.startswith("/response/"):
            return Scripted(200, "ok")
        if path == "/chat.postMessage":
            return Scripted(200, {"ok": True, "channel": "C1", "ts": f"{time.time():.6f}"})
        if path == "/apps.connections.open":
            return Scripted(200, {"ok": False, "error": "invalid_auth"})
        return Scripted(200, {"ok": True})

    def script(self, path: str, *replies: Scripted) -> None:
        """Answer the next requests to path with these replies, then with the default."""
        with self.lock:
            self.scripts.setdefault(path, deque()).extend(replies)

    def reset(self) -> None:
        """Forget recorded requests and pending scripts."""
        with self.lock:
            self.requests.clear()
            self.scripts.clear()

    def calls(self, path: str) -> list[Recorded]:
        """Requests received so far at path."""
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def delivered(self, path: str) -> list[Recorded]:
        """Requests at path that Slack would have taken (answered 2xx, possibly after a delay)."""
        return [r for r in self.calls(path) if r.taken]

    def wait_for(self, path: str, count: int = 1, timeout: float = WAIT) -> list[Recorded]:
        """Wait (bounded) until `count` requests reached path; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.calls(path)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"expected {count} request(s) to {path}, got {self.calls(path)}")

    def response_url(self) -> tuple[str, str]:
        """A fresh response_url on this server, and its path."""
        path = f"/response/{uuid.uuid4().hex}"
        return self.url.rstrip("/") + path, path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature over the exact bytes, computed by slack_sdk (not by the app's code).

    slack_sdk's SignatureVerifier decodes the body as UTF-8; for the fuzzers' invalid UTF-8 an
    independent HMAC over the raw bytes stands in.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        base = b"v0:" + timestamp.encode() + b":" + body
        return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return str(signature)


def signed_headers(body: bytes, content_type: str, *, timestamp: int | None = None,
                   secret: str = SECRET) -> dict[str, str]:
    """The headers Slack sends with this body: content type, timestamp and signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"content-type": content_type, "x-slack-request-timestamp": ts,
            "x-slack-signature": sign(secret, ts, body)}


def raw_request(base: str, body: bytes | None, headers: dict[str, Any], *, method: str = "POST",
                path: str = "/slack/events") -> tuple[int, bytes]:
    """One request with exactly these headers (none added but host and length): status and body."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


_MESSAGES = itertools.count(1)  # each click is on a message of its own, as in Slack


@dataclass
class Sent:
    status: int
    body: str
    seconds: float


class SlackClient:
    """Sends correctly signed requests to the app, as Slack would."""

    def __init__(self, base: str, fake: FakeSlack) -> None:
        self.base = base
        self.fake = fake
        self.answers: Any = None  # the app's answer pool (a Background), where a test waits on it

    def post(self, body: bytes, content_type: str, *, timestamp: int | None = None,
             secret: str = SECRET, headers: dict[str, str] | None = None) -> Sent:
        req = urllib.request.Request(
            self.base + "/slack/events", data=body, method="POST",
            headers={**signed_headers(body, content_type, timestamp=timestamp, secret=secret),
                     **(headers or {})},
        )
        start = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return Sent(resp.status, resp.read().decode(), time.monotonic() - start)
        except urllib.error.HTTPError as err:
            return Sent(err.code, err.read().decode(), time.monotonic() - start)

    def command(self, text: str, *, channel: str = "C0001", trigger_id: str = "1.2.3",
                response: tuple[str, str] | None = None, **kw: Any) -> tuple[Sent, str]:
        """Send `/il2 text`; returns the ack and the path of its response_url."""
        url, path = response or self.fake.response_url()
        form = {"token": "x", "team_id": TEAM, "team_domain": "test", "channel_id": channel,
                "channel_name": "general", "user_id": "U0001", "user_name": "ann", "command": "/il2",
                "text": text, "api_app_id": "A0001", "response_url": url, "trigger_id": trigger_id}
        body = urllib.parse.urlencode(form).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kw), path

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any) -> Sent:
        """Send an event_callback with this event."""
        body = {"token": "x", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback",
                "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
                "event": {"event_ts": event.get("ts", "1.0"), **event}}
        return self.post(json.dumps(body).encode(), "application/json", **kw)

    def click(self, action: dict[str, Any], *, ephemeral: bool = True, thread_ts: str | None = None,
              channel: str = "C0001", response: tuple[str, str] | None = None,
              trigger_id: str = "1.2.3", message_ts: str | None = None) -> tuple[Sent, str]:
        """Click a button (a block_actions payload) on a message of its own unless `message_ts` names one;
        returns the ack and the response_url path."""
        url, path = response or self.fake.response_url()
        message_ts = message_ts or f"1700000000.{next(_MESSAGES):06d}"
        container: dict[str, Any] = {"type": "message", "message_ts": message_ts,
                                     "channel_id": channel, "is_ephemeral": ephemeral}
        if thread_ts:
            container["thread_ts"] = thread_ts
        payload = {
            "type": "block_actions", "team": {"id": TEAM, "domain": "test"},
            "user": {"id": "U0002", "username": "bob", "team_id": TEAM}, "api_app_id": "A0001",
            "token": "x", "container": container, "trigger_id": trigger_id,
            "channel": {"id": channel, "name": "general"}, "response_url": url,
            "actions": [{"action_id": action["action_id"], "block_id": "b", "type": "button",
                         "value": action.get("value", ""), "text": action.get("text"),
                         "action_ts": f"{time.time():.6f}"}],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded"), path


@dataclass
class Running:
    base: str
    thread: threading.Thread
    server: uvicorn.Server


def serve_asgi(asgi: Callable[..., Any], settings: Settings | None = None) -> Running:
    """Run an ASGI app under the app's own uvicorn server in a background thread on 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = make_server(asgi, settings or Settings(bot_token="xoxb-test"), host="127.0.0.1", port=port,
                         log_level="warning")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return Running(f"http://127.0.0.1:{port}", thread, server)


def check_message(message: dict[str, Any]) -> None:
    """Assert a message is valid Block Kit (slack_sdk's models) within every Slack limit."""
    from slack_sdk.models.blocks import Block

    from bot.render.blocks import limit_problems

    assert limit_problems(message) == []
    blocks = [Block.parse(b) for b in message["blocks"]]
    for b in blocks:
        assert b is not None
        b.validate_json()
    with warnings.catch_warnings():  # slack_sdk marks Message as unmaintained; it still validates
        warnings.simplefilter("ignore", UserWarning)
        from slack_sdk.models.messages.message import Message

        Message(text=message["text"], blocks=blocks).validate_json()  # type: ignore[arg-type]
