"""Socket Mode over one WebSocket (the `websockets` library): each envelope checked, acked, answered once.

Slack sends each request as an envelope (`{"envelope_id", "type", "payload", ...}`) and re-sends any
envelope it does not see acked. So every frame that carries an envelope id is acked, whatever is wrong
with it: a frame over the size cap, one that is not JSON or nested too deeply, a payload of the wrong
shape (the same checks as HTTP) is acked, logged on one escaped line and not answered. An envelope
seen before (the same `envelope_id`) within the replay window is acked and not answered again; a
command or click sent again byte for byte, in a new envelope, and an event re-delivered (the same
`event_id`) are acked and dropped by the same global guards as over HTTP.

slack_sdk's built-in client is not used: it reads a frame recursively, one 1 KiB `recv` a level, so a
frame of about 1 MB raises RecursionError and is never acked; and it logs "A new session has been
established" while the endpoint refuses connections. Here `websockets` reads frames (up to
`MAX_FRAME_BYTES`), and the log says what happens: connecting, retrying in N s, connected.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from bot.slack.dedupe import SeenEvents
from bot.slack.listeners.guards import REQUEST_KEY
from bot.slack.logs import one_line
from bot.slack.payloads import load_json, problem_in
from bot.slack.settings import DEFAULT_MAX_BODY_BYTES

log = logging.getLogger("il2bot.slack")

MAX_ENVELOPE_BYTES = DEFAULT_MAX_BODY_BYTES  # a larger envelope is acked and refused (IL2BOT_MAX_BODY_BYTES)
MAX_FRAME_BYTES = 16 * 1024 * 1024  # a larger frame (and one over twice the envelope cap) closes the
# connection: it is not read, so it cannot be acked
REPLAY_WINDOW = 300.0  # seconds an envelope id is remembered (Slack's 5 minutes)
REPLAY_ENTRIES = 20_000  # envelope ids remembered, at most
FIRST_RETRY = 1.0  # seconds before the first reconnection attempt; doubled after each failure
MAX_RETRY = 30.0  # seconds between reconnection attempts, at most
POLL_SECONDS = 0.5  # how often the receive loop looks whether it was asked to stop
OPEN_TIMEOUT = 5.0  # seconds for the WebSocket handshake (a signal waits for it, at most)
PING_SECONDS = 10.0  # keep-alive pings; the connection is dropped when a pong is this late
CLOSE_TIMEOUT = 2.0  # seconds to wait for Slack to answer a close
ENVELOPE_TYPES = ("events_api", "slash_commands", "interactive")
_ENVELOPE_ID = re.compile(r'"envelope_id"\s*:\s*"((?:[^"\\]|\\.){1,200})"')


@dataclass(frozen=True, slots=True)
class Frame:
    """One text frame from Slack, read: what it is, the id to ack, and what is wrong with it (if anything)."""

    kind: str  # "hello", "disconnect", "envelope" or "other"
    envelope_id: str | None = None
    message: dict[str, Any] | None = None
    problem: str | None = None


def _id_in(raw: str) -> str | None:
    """The envelope id written in a frame that cannot be parsed (or is too large to be), if any."""
    found = _ENVELOPE_ID.search(raw)
    if not found:
        return None
    try:
        value = json.loads(f'"{found[1]}"')
    except ValueError:
        return None
    return value if isinstance(value, str) and value else None


def read_frame(raw: str, *, max_bytes: int = MAX_ENVELOPE_BYTES) -> Frame:
    """Read one text frame: never raises; a problem names why the envelope must not be answered."""
    size = len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        why = f"the envelope is {size} bytes, over the limit of {max_bytes}"
        return Frame("envelope", _id_in(raw), None, why)
    try:
        message = load_json(raw)  # ValueError, never RecursionError, past MAX_JSON_DEPTH
    except ValueError as exc:
        why = f"the envelope is not valid JSON ({exc.__class__.__name__}: {one_line(str(exc), 80)})"
        return Frame("envelope", _id_in(raw), None, why)
    if not isinstance(message, dict):
        return Frame("other", None, None, f"the frame is a JSON {type(message).__name__}, not an object")
    kind = message.get("type")
    if kind in ("hello", "disconnect"):
        return Frame(kind, None, message)
    envelope_id = message.get("envelope_id")
    if not isinstance(envelope_id, str) or not envelope_id:
        return Frame("other", None, message, f"a frame of type {one_line(str(kind))} without an envelope_id")
    if kind not in ENVELOPE_TYPES:
        return Frame("envelope", envelope_id, message, f"an envelope of unknown type {one_line(str(kind))}")
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return Frame("envelope", envelope_id, message, "the envelope's payload is not an object")
    retry = message.get("retry_attempt")
    if retry is not None and (not isinstance(retry, int) or isinstance(retry, bool)):
        return Frame("envelope", envelope_id, message, "retry_attempt is not a number")
    if message.get("retry_reason") is not None and not isinstance(message["retry_reason"], str):
        return Frame("envelope", envelope_id, message, "retry_reason is not a string")
    wrong = problem_in(payload)
    return Frame("envelope", envelope_id, message, f"payload: {wrong}" if wrong else None)


def request_key(message: dict[str, Any]) -> str | None:
    """What identifies a command or a click byte for byte (a digest of its payload), for the replay guard
    that HTTP also uses (bot.slack.listeners.guards); None for events (known by their event_id)."""
    if message.get("type") not in ("slash_commands", "interactive"):
        return None
    body = json.dumps(message.get("payload"), sort_keys=True, ensure_ascii=False)
    return "socket:" + hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def where(url: str) -> str:
    """A WebSocket URL for logs: scheme, host, port and path; never the query (it carries a ticket)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class AppTokenRejected(Exception):
    """Slack refused the app-level token (apps.connections.open answered an error other than a rate limit)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class SocketModeServer:
    """Serves a Bolt app over Socket Mode until asked to stop; reconnects on refresh or failure."""

    def __init__(
        self,
        app: App,
        app_token: str,
        *,
        web_client: WebClient | None = None,
        max_envelope_bytes: int = MAX_ENVELOPE_BYTES,
        first_retry: float = FIRST_RETRY,
        seen: SeenEvents | None = None,
    ) -> None:
        self.app = app
        self.app_token = app_token
        self.web_client = web_client or app.client
        self.max_envelope_bytes = max_envelope_bytes
        self.first_retry = first_retry
        self.seen = seen or SeenEvents(max_entries=REPLAY_ENTRIES, ttl=REPLAY_WINDOW)
        self.connected = threading.Event()  # set once the first connection is up
        self.envelopes = 0  # envelopes acked, for logs and tests

    # -- connections ----------------------------------------------------------------------------

    def _open(self) -> ClientConnection:
        """A new WebSocket: a fresh URL from apps.connections.open, then the handshake."""
        response = self.web_client.apps_connections_open(app_token=self.app_token)
        url = str(response.get("url") or "")
        log.info("Socket Mode: connecting to %s", where(url))
        tls = self.web_client.ssl if url.startswith("wss:") else None  # the Web API client's, if set
        frame_cap = max(MAX_FRAME_BYTES, 2 * self.max_envelope_bytes)  # read it whole, to ack and refuse it
        return connect(url, ssl=tls, open_timeout=OPEN_TIMEOUT, max_size=frame_cap,
                       ping_interval=PING_SECONDS, ping_timeout=PING_SECONDS, close_timeout=CLOSE_TIMEOUT,
                       compression=None, user_agent_header="il2bot", legacy=True)

    def _connect(self, stop: threading.Event) -> ClientConnection | None:
        """Connect, retrying with growing waits until connected or stopped (None when stopped).

        Raises AppTokenRejected when Slack refuses the token before the first connection was made.
        """
        wait = self.first_retry
        while not stop.is_set():
            try:
                ws = self._open()
            except SlackApiError as exc:
                error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
                if not self.connected.is_set() and error != "ratelimited":
                    raise AppTokenRejected(error) from None
                why = f"apps.connections.open answered {error}"
            except Exception as exc:  # refused, reset, timed out, a bad handshake or URL, a non-JSON answer
                why = f"{exc.__class__.__name__}: {one_line(str(exc))}"
            else:
                first = not self.connected.is_set()
                self.connected.set()
                log.info("Socket Mode: connected%s", "; il2bot is running" if first else " again")
                return ws
            log.warning("Socket Mode: not connected (%s); retrying in %g s", why, wait)
            if stop.wait(wait):
                return None
            wait = min(wait * 2, MAX_RETRY)
        return None

    @staticmethod
    def _close(ws: ClientConnection) -> None:
        try:
            ws.close()
        except Exception as exc:  # a connection already broken: nothing left to close
            log.info("Socket Mode: closing a connection failed: %s", one_line(str(exc)))

    def run(self, stop: threading.Event) -> None:
        """Serve envelopes until `stop` is set; on Slack's `disconnect`, open the next connection first."""
        ws = self._connect(stop)
        while ws is not None and not stop.is_set():
            outcome = self._serve(ws, stop)
            if outcome == "refresh":
                fresh = self._connect(stop)
                self._close(ws)
                ws = fresh
            elif outcome == "closed":
                ws = self._connect(stop)
        if ws is not None:
            self._close(ws)
        log.info("Socket Mode: stopped receiving (%s envelope(s) acked)", self.envelopes)

    def _serve(self, ws: ClientConnection, stop: threading.Event) -> str:
        """Read frames until Slack asks for a refresh ("refresh"), the connection ends ("closed"), or stop."""
        while not stop.is_set():
            try:
                raw = ws.recv(timeout=POLL_SECONDS)
            except TimeoutError:
                continue
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd else exc.sent.code if exc.sent else 1006
                log.warning("Socket Mode: connection closed (code %s); reconnecting", code)
                return "closed"
            if isinstance(raw, bytes):
                log.warning("Socket Mode: ignored a binary frame of %s bytes", len(raw))
                continue
            try:
                kind = self.handle(ws, raw)
            except ConnectionClosed:
                continue  # the next recv says how it closed
            except Exception:  # a bug: logged with its traceback; the connection goes on
                log.exception("Socket Mode: a frame of %s bytes could not be handled", len(raw))
                continue
            if kind == "disconnect":
                return "refresh"
        return "stopped"

    # -- envelopes ------------------------------------------------------------------------------

    def handle(self, ws: ClientConnection, raw: str) -> str:
        """Read, check, ack and dispatch one frame; returns its kind. Never raises for a bad frame."""
        frame = read_frame(raw, max_bytes=self.max_envelope_bytes)
        if frame.kind == "hello":
            return "hello"
        if frame.kind == "disconnect":
            reason = (frame.message or {}).get("reason")
            log.info("Socket Mode: Slack asked to reconnect (%s)", one_line(str(reason)))
            return "disconnect"
        if frame.envelope_id is None:
            log.warning("Socket Mode: ignored a frame of %s bytes that cannot be acked: %s",
                        len(raw), frame.problem or "no envelope_id")
            return "other"
        if frame.problem is not None:
            log.warning("Socket Mode: acked and refused envelope %s (%s bytes): %s",
                        one_line(frame.envelope_id), len(raw), frame.problem)
            self._ack(ws, frame.envelope_id, None)
            return "envelope"
        message = frame.message or {}
        if not self.seen.first_time([f"envelope:{frame.envelope_id}"]):
            log.info("Socket Mode: acked a repeated delivery of envelope %s (retry %s), "
                     "not answered again",
                     one_line(frame.envelope_id), message.get("retry_attempt", "-"))
            self._ack(ws, frame.envelope_id, None)
            return "envelope"
        response = self._dispatch(message)
        self._ack(ws, frame.envelope_id, response)
        return "envelope"

    def _dispatch(self, message: dict[str, Any]) -> BoltResponse | None:
        """Run the Bolt app on an envelope's payload (listeners ack at once and answer in the background)."""
        headers: dict[str, str | Sequence[str]] = {}
        if message.get("retry_attempt") is not None:
            headers["x-slack-retry-num"] = str(message["retry_attempt"])
        if message.get("retry_reason") is not None:
            headers["x-slack-retry-reason"] = str(message["retry_reason"])
        key = request_key(message)
        try:
            response: BoltResponse = self.app.dispatch(BoltRequest(
                mode="socket_mode", body=message["payload"], headers=headers or None,
                context={REQUEST_KEY: key} if key else None))
        except Exception:  # a bug in the app: acked all the same, so Slack does not send it again
            log.exception("Socket Mode: handling envelope %s failed",
                          one_line(str(message.get("envelope_id"))))
            return None
        if response.status != 200:
            log.warning("Socket Mode: envelope %s (%s) was not handled: status %s",
                        one_line(str(message.get("envelope_id"))), one_line(str(message.get("type"))),
                        response.status)
            return None
        return response

    def _ack(self, ws: ClientConnection, envelope_id: str, response: BoltResponse | None) -> None:
        """Ack an envelope on the connection it came on, with the listener's response payload if any."""
        ack: dict[str, Any] = {"envelope_id": envelope_id}
        body = response.body if response is not None else ""
        if body:
            ctype = (response.headers.get("content-type") or [""])[0] if response is not None else ""
            ack["payload"] = json.loads(body) if ctype.startswith("application/json") else {"text": body}
        try:
            ws.send(json.dumps(ack))
        except ConnectionClosed:
            log.warning("Socket Mode: the connection closed before envelope %s was acked; Slack will "
                        "send it again (it will not be answered twice)", one_line(envelope_id))
            return
        self.envelopes += 1


def serve_socket_mode(app: App, app_token: str, *, drain_seconds: float,
                      max_envelope_bytes: int = MAX_ENVELOPE_BYTES) -> float:
    """Serve until SIGTERM or SIGINT; then the seconds left to send queued answers (`drain_seconds`
    from the signal). Raises AppTokenRejected when Slack refuses the token before the first connection."""
    stop = threading.Event()
    deadline = [float("inf")]  # drain_seconds after the first signal

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            deadline[0] = time.monotonic() + drain_seconds
            log.info("received %s: stopping; queued answers are sent first (up to %g s)",
                     signal.Signals(signum).name, drain_seconds)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        SocketModeServer(app, app_token, max_envelope_bytes=max_envelope_bytes).run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return round(max(0.0, min(deadline[0] - time.monotonic(), drain_seconds)), 1)
