"""Build the Bolt App from settings and an engine, and the ASGI app that serves it over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.slack.conversation import LocalThreads
from bot.slack.dedupe import SeenEvents
from bot.slack.listeners import register_listeners
from bot.slack.listeners.guards import REQUEST_KEY
from bot.slack.logs import one_line
from bot.slack.payloads import is_ssl_check, parse, problem_in
from bot.slack.services import Answerer, Background, Seen, Services, log_failure
from bot.slack.settings import Settings
from bot.slack.web import Responder, make_web_client

if TYPE_CHECKING:
    from bot.storage import Storage

log = logging.getLogger("il2bot.slack")
EVENTS_PATH = "/slack/events"
MAX_CLOCK_SKEW = 300  # seconds a request timestamp may be off (Slack's rule)
ANSWER_WORKERS = 8  # threads answering in the background (matching, rendering, calling Slack)


def _not_token_unused(record: logging.LogRecord) -> bool:
    """Drop Bolt's warning that SLACK_BOT_TOKEN is unused: the client we pass carries that token."""
    return "`token` will be unused" not in record.getMessage()


def build_app(
    settings: Settings,
    engine: Answerer,
    client: WebClient | None = None,
    *,
    today: Callable[[], date] = date.today,
    seen: Seen | None = None,
    workers: int = ANSWER_WORKERS,
    background: Background | None = None,
    storage: Storage | None = None,
) -> App:
    """The Bolt app: acks at once, answers on `workers` background threads (calls auth.test while built).

    Pass `background` to drain its queue at shutdown (`Background.drain`). With a `storage`, questions
    are logged, answers carry feedback buttons, and thread context lives there; a shared storage
    (PostgreSQL) also keeps the record of handled events, so replicas answer each event once.
    """
    client = client or make_web_client(settings)
    logging.getLogger("slack_bolt.App").addFilter(_not_token_unused)
    # Listeners run inside the request (process_before_response): they ack and hand the answer to
    # services.background, so an ack never waits behind answers or behind a slow Slack.
    app = App(
        name="il2bot",
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=True,
    )
    services = Services(
        engine=engine,
        today=today,
        send=Responder(list(client.retry_handlers or []), timeout=float(client.timeout)),
        seen=seen or (storage if storage is not None and storage.shared else SeenEvents()),
        replays=seen or SeenEvents(),  # a byte-for-byte replay: this process's record is enough
        background=background or Background(workers),
        storage=storage,
        threads=storage if storage is not None else LocalThreads(),
    )
    register_listeners(app, services)
    app.error(_log_error)
    return app


def _log_error(error: Exception, body: dict[str, Any]) -> None:
    """Log a listener that failed inside Bolt (answers in the background log their own failures)."""
    log_failure(error, body)


_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only (int() also takes " 1", "1_0", other digits)
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def fresh_timestamp(timestamp: str, now: float | None = None) -> bool:
    """Whether a request timestamp is ASCII digits within 5 minutes of now (Slack's rule)."""
    if not _TIMESTAMP.fullmatch(timestamp):
        return False
    return abs((time.time() if now is None else now) - int(timestamp)) <= MAX_CLOCK_SKEW


def signed(secret: bytes, timestamp: str, signature: str, body: bytes) -> bool:
    """Whether Slack signed these exact bytes (any bytes) within the last 5 minutes."""
    if not fresh_timestamp(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def request_key(timestamp: str, body: bytes) -> str:
    """What identifies one signed request, byte for byte: a replay of it has the same key."""
    return "request:" + hashlib.sha256(timestamp.encode() + b":" + body).hexdigest()


class _Rejected(Exception):
    """A request answered with an error before it reaches Bolt (logged as one line)."""

    def __init__(self, status: int, reason: str, answer: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.answer = answer


def _peer(request: Request) -> str:
    client = request.client
    return f"{client.host}:{client.port}" if client else "?"


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it grows past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _Rejected(413, f"body over the {limit}-byte limit", "request body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def build_asgi(app: App, settings: Settings | None = None, *, signing_secret: str | None = None) -> Starlette:
    """An ASGI app serving events, commands and interactivity at /slack/events (and GET /healthz).

    Each request is checked in this order: a declared Content-Length within the size limit (else 413);
    a body within the size limit, read within the read timeout (else 413 or 408); a timestamp of
    ASCII digits within 5 minutes and the signature over the raw bytes (else 401, but Slack's unsigned
    ssl_check gets 200); only then is the body parsed (once, by its content type, depth bounded) and
    checked (else 400). Bolt gets the parsed body, so it cannot read it differently. Every rejection
    is one escaped log line; an unverified body is never logged.
    """
    limits = settings or Settings(bot_token="")
    secret = (signing_secret if signing_secret is not None else app._signing_secret).encode()

    async def checked(request: Request) -> tuple[dict[str, Any], str] | None:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_body_bytes:
            raise _Rejected(413, f"body of {declared} bytes declared, over the {limits.max_body_bytes}-byte "
                            "limit", "request body too large")
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        try:
            async with asyncio.timeout(limits.read_timeout):
                raw = await _read_body(request, limits.max_body_bytes)
        except TimeoutError:
            raise _Rejected(408, f"body not received within {limits.read_timeout}s",
                            "request timeout") from None
        request.state.size = len(raw)
        if not signed(secret, timestamp, request.headers.get("x-slack-signature", ""), raw):
            if is_ssl_check(request.headers.get("content-type"), raw):
                return None  # Slack's certificate check, which it does not sign: answered 200, nothing done
            raise _Rejected(401, "bad signature" if fresh_timestamp(timestamp) else
                            "missing, malformed or stale timestamp", "invalid request")
        body, error = parse(request.headers.get("content-type"), raw)
        why = error or (problem_in(body) if body is not None else "no body")
        if why is not None or body is None:
            raise _Rejected(400, why or "no body", f"malformed request: {why}")
        return body, request_key(timestamp, raw)

    async def slack_events(request: Request) -> Response:
        request.state.size = None
        try:
            verified = await checked(request)
        except _Rejected as no:
            size = request.state.size
            log.warning("rejected request: %s (HTTP %d, %s bytes, content type %s, from %s)",
                        one_line(no.reason), no.status, "?" if size is None else size,
                        one_line(request.headers.get("content-type", "-"), 60), _peer(request))
            headers = {"connection": "close"} if size is None else None  # a body left unread
            return PlainTextResponse(no.answer, status_code=no.status, headers=headers)
        except ClientDisconnect:
            log.info("client %s disconnected before sending its whole body", _peer(request))
            return PlainTextResponse("", status_code=400)
        if verified is None:
            return PlainTextResponse("")
        body, key = verified
        # Bolt gets the body parsed once, here; "socket_mode" is how BoltRequest takes a parsed body
        # (it skips Bolt's own signature check, done above over the raw bytes).
        bolt_request = BoltRequest(body=body, query=request.url.query, headers=dict(request.headers),
                                   context={REQUEST_KEY: key}, mode="socket_mode")
        # Dispatch on the event loop: it does no I/O (the auth.test result is cached while the app is
        # built, and listeners only ack and queue the answer), so a thread hop would only add latency.
        return to_starlette_response(app.dispatch(bolt_request))

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[
        Route(EVENTS_PATH, slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ])
