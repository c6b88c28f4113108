"""Slack HTTP clients with bounded retries: the Web API client and `response_url` replies.

What is retried: HTTP 429 after its `Retry-After` (unless Slack asks for a longer wait than
`MAX_RETRY_AFTER`), 5xx answers, and connections refused or reset before an answer. A request that
timed out waiting for its answer is not retried: Slack may have taken it, and a retry could post the
reply twice.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler as _SdkRateLimitHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from bot.slack.settings import DEFAULT_API_TIMEOUT, Settings

log = logging.getLogger("il2bot.slack")

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2
TIMEOUT_SECONDS = DEFAULT_API_TIMEOUT
MAX_RETRY_AFTER = 30.0  # seconds: a longer wait asked by a 429 is not worth keeping a worker for
DEFAULT_RETRY_AFTER = 1.0  # when a 429 carries no (readable) Retry-After


def retry_after(response: HttpResponse) -> float:
    """The seconds a 429 asks to wait (its Retry-After header), or DEFAULT_RETRY_AFTER."""
    for name, value in (response.headers or {}).items():
        if name.lower() != "retry-after":
            continue
        raw = value[0] if isinstance(value, list | tuple) and value else value
        try:
            seconds = float(str(raw).strip())
        except ValueError:
            return DEFAULT_RETRY_AFTER
        return max(seconds, 0.0) if seconds == seconds else DEFAULT_RETRY_AFTER  # NaN
    return DEFAULT_RETRY_AFTER


class RateLimitErrorRetryHandler(_SdkRateLimitHandler):
    """Retries HTTP 429 after its Retry-After, but not when Slack asks for more than `max_wait` seconds."""

    def __init__(self, max_retry_count: int = RATE_LIMIT_RETRIES, max_wait: float = MAX_RETRY_AFTER) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429 and retry_after(response) <= self.max_wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait what the 429 asked (plus up to 10% jitter), then try again."""
        state.next_attempt_requested = True
        wait = retry_after(response) if response is not None else DEFAULT_RETRY_AFTER
        time.sleep(wait * (1 + 0.1 * random.random()))
        state.increment_current_attempt()


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


def retry_handlers(backoff: float = 0.5, *, max_wait: float = MAX_RETRY_AFTER) -> list[RetryHandler]:
    """429 after its Retry-After; 5xx and connection errors a bounded number of times, with backoff."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return [
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES, max_wait=max_wait),
        ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES, interval_calculator=interval),
        ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES, interval_calculator=interval),
    ]


def make_web_client(
    settings: Settings, *, backoff: float = 0.5, max_wait: float = MAX_RETRY_AFTER
) -> WebClient:
    """The Web API client: the bot token, SLACK_API_URL, the API timeout and the retry handlers."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=settings.api_timeout,  # type: ignore[arg-type]  # urllib takes float seconds
        retry_handlers=retry_handlers(backoff, max_wait=max_wait),
    )


class Responder:
    """Sends messages to a `response_url` with the same retries and timeout as the Web API client."""

    def __init__(self, handlers: list[RetryHandler], timeout: float = TIMEOUT_SECONDS) -> None:
        self.handlers = handlers
        self.timeout = timeout

    def __call__(self, response_url: str, message: dict[str, Any], *, about: str = "a request") -> bool:
        """Post a message to the response_url; False (logged, naming `about`) if Slack did not take it."""
        client = WebhookClient(url=response_url, timeout=self.timeout,  # type: ignore[arg-type]
                               retry_handlers=list(self.handlers))
        try:
            resp = client.send_dict(message)
        except TimeoutError as exc:
            log.error("reply to response_url failed for %s: no answer within %ss, not retried "
                      "(Slack may have taken it): %s", about, self.timeout, exc)
            return False
        except Exception as exc:  # connection errors after the retries
            log.error("reply to response_url failed for %s, dropped: %s", about, exc)
            return False
        if resp.status_code != 200:
            why = " (expired or used up)" if resp.status_code == 404 else ""
            log.error("reply to response_url failed for %s, dropped: HTTP %s%s %s",
                      about, resp.status_code, why, str(resp.body)[:200])
            return False
        return True
