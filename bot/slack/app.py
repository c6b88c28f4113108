"""Build the Bolt App from settings and an engine, and the ASGI app that serves it over HTTP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.slack.dedupe import SeenEvents
from bot.slack.listeners import register_listeners
from bot.slack.services import Answerer, Services
from bot.slack.settings import Settings
from bot.slack.web import Responder, make_web_client

log = logging.getLogger("il2bot.slack")
EVENTS_PATH = "/slack/events"


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
) -> App:
    """The Bolt app: acks at once, answers in Bolt's thread pool (calls auth.test while built)."""
    client = client or make_web_client(settings)
    logging.getLogger("slack_bolt.App").addFilter(_not_token_unused)
    app = App(
        name="il2bot",
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=False,
    )
    services = Services(
        engine=engine,
        today=today,
        send=Responder(list(client.retry_handlers or [])),
        seen=seen or SeenEvents(),
    )
    register_listeners(app, services)
    app.error(_log_error)
    return app


def _log_error(error: Exception, body: dict[str, Any]) -> None:
    """Log a failed listener in one line (Slack faults) or with its traceback (bugs); keep serving."""
    what = body.get("type", "request")
    if isinstance(error, SlackApiError):
        log.error("Slack API call failed while handling %s: %s", what, error.response.get("error")
                  or f"HTTP {error.response.status_code}")
    elif isinstance(error, OSError):  # URLError, timeouts, refused connections
        log.error("Slack API unreachable while handling %s: %s", what, error)
    else:
        log.error("handling %s failed", what, exc_info=error)


def build_asgi(app: App) -> Starlette:
    """An ASGI app serving events, commands and interactivity at /slack/events (and GET /healthz)."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[
        Route(EVENTS_PATH, slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ])
