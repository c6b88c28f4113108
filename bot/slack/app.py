"""Build the Bolt App from settings and an engine, and the ASGI app that serves it over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.slack.dedupe import SeenEvents
from bot.slack.listeners import register_listeners
from bot.slack.payloads import problem as payload_problem
from bot.slack.services import Answerer, Background, Services, log_failure
from bot.slack.settings import Settings
from bot.slack.web import Responder, make_web_client

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
    seen: SeenEvents | None = None,
    workers: int = ANSWER_WORKERS,
    background: Background | None = None,
) -> App:
    """The Bolt app: acks at once, answers on `workers` background threads (calls auth.test while built)."""
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
        seen=seen or SeenEvents(),
        background=background or Background(workers),
    )
    register_listeners(app, services)
    app.error(_log_error)
    return app


def _log_error(error: Exception, body: dict[str, Any]) -> None:
    """Log a listener that failed inside Bolt (answers in the background log their own failures)."""
    log_failure(error, body)


def signed(secret: bytes, timestamp: str, signature: str, body: bytes) -> bool:
    """Whether Slack signed these exact bytes (any bytes) within the last 5 minutes."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW
    except ValueError:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return fresh and hmac.compare_digest(expected, signature)


def build_asgi(app: App, *, signing_secret: str | None = None) -> Starlette:
    """An ASGI app serving events, commands and interactivity at /slack/events (and GET /healthz).

    Bodies Slack never sends (not UTF-8, not a JSON object, fields of the wrong type, a command or a
    click without a response_url) get 400 when signed and 401 when not, before Bolt parses them.
    """

    secret = (signing_secret if signing_secret is not None else app._signing_secret).encode()

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        why = payload_problem(request.headers.get("content-type"), body)
        if why is not None:  # a body Slack never sends; Bolt would fail on it with a 500
            if not signed(secret, request.headers.get("x-slack-request-timestamp", ""),
                          request.headers.get("x-slack-signature", ""), body):
                return PlainTextResponse("invalid request", status_code=401)
            log.warning("rejected a malformed request: %s", why)
            return PlainTextResponse(f"malformed request: {why}", status_code=400)
        # Dispatch on the event loop: it does no I/O (the auth.test result is cached while the app is
        # built, and listeners only ack and queue the answer), so a thread hop would only add latency.
        bolt_response = app.dispatch(to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[
        Route(EVENTS_PATH, slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ])
