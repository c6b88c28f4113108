"""Slack HTTP clients with bounded retries: the Web API client and `response_url` replies."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from bot.slack.settings import Settings

log = logging.getLogger("il2bot.slack")

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2
TIMEOUT_SECONDS = 10


class ServerErrorRetryHandler(RetryHandler):
    """Retries any 5xx answer (slack_sdk's own handler covers only 500 and 503)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code <= 599


def retry_handlers(backoff: float = 0.5) -> list[RetryHandler]:
    """429 after its Retry-After; 5xx and connection errors a bounded number of times, with backoff."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return [
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES, interval_calculator=interval),
        ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES, interval_calculator=interval),
    ]


def make_web_client(settings: Settings, *, backoff: float = 0.5) -> WebClient:
    """The Web API client: the bot token, SLACK_API_URL and the retry handlers."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(backoff),
    )


class Responder:
    """Sends messages to a `response_url` with the same retries as the Web API client."""

    def __init__(self, handlers: list[RetryHandler]) -> None:
        self.handlers = handlers

    def __call__(self, response_url: str, message: dict[str, Any]) -> bool:
        """Post a message to the response_url; log and return False if Slack did not take it."""
        client = WebhookClient(url=response_url, timeout=TIMEOUT_SECONDS, retry_handlers=list(self.handlers))
        try:
            resp = client.send_dict(message)
        except Exception as exc:  # connection errors after the retries
            log.error("reply to response_url failed: %s", exc)
            return False
        if resp.status_code != 200:
            log.error("reply to response_url failed: HTTP %s %s", resp.status_code, resp.body[:200])
            return False
        return True
