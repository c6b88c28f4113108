"""Global middleware: drop replayed requests, events from bots (no loops) and repeated deliveries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.slack.services import Services, describe

# The context key under which the transport passes what identifies a request byte for byte (HTTP: a
# hash of the signed body and its timestamp), so that a replay within Slack's 5 minutes is dropped.
REQUEST_KEY = "il2bot_request_key"
_NOT_REPLAYED = ("url_verification", "ssl_check")  # answered the same way however often they come


def answerable(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Whether an event is a person's mention of the bot or a person's direct message to it."""
    if event.get("bot_id") or event.get("subtype") or event.get("bot_profile"):
        return False
    user = event.get("user")
    if not isinstance(user, str) or not user or user == bot_user_id:
        return False
    if not isinstance(event.get("channel"), str) or not isinstance(event.get("ts"), str):
        return False  # nowhere to answer: Slack always sends both
    if event.get("type") == "app_mention":
        return True
    return event.get("type") == "message" and event.get("channel_type") == "im"


def event_keys(body: dict[str, Any]) -> list[str]:
    """What identifies a delivery: its event_id, and the message it is about (channel and ts)."""
    event = body.get("event") or {}
    keys = [f"event:{body['event_id']}"] if body.get("event_id") else []
    if event.get("channel") and event.get("ts"):
        keys.append(f"message:{event['channel']}:{event['ts']}")
    return keys


def register(app: App, services: Services) -> None:
    """Add the replay guard and the event guard to the app's global middleware."""

    def guard_replays(body: dict[str, Any], context: BoltContext, logger: logging.Logger,
                      next: Callable[[], Any]) -> Any:
        key = context.get(REQUEST_KEY)
        if not key or body.get("type") in _NOT_REPLAYED or services.replays.first_time([key]):
            return next()
        logger.info("ignored a replayed request (%s)", describe(body))
        return BoltResponse(status=200, body="")

    def guard_events(body: dict[str, Any], context: BoltContext, request: BoltRequest,
                     logger: logging.Logger, next: Callable[[], Any]) -> Any:
        if body.get("type") != "event_callback":
            return next()
        event = body.get("event") or {}
        if not answerable(event, context.bot_user_id):
            return BoltResponse(status=200, body="")
        if services.seen.first_time(event_keys(body)):
            return next()
        retry = request.headers.get("x-slack-retry-num", ["-"])[0]
        logger.info("ignored a repeated delivery of %s (retry %s)", body.get("event_id"), retry)
        return BoltResponse(status=200, body="")

    app.use(guard_replays)
    app.use(guard_events)
