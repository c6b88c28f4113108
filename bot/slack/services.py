"""What every listener needs, bound once: the engine, today's date, the reply sender, seen events."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot.render.blocks import Message, render, render_failure
from bot.reply import Reply
from bot.slack.dedupe import SeenEvents

log = logging.getLogger("il2bot.slack")
IDLE_POLL_SECONDS = 0.01


class Answerer(Protocol):
    """Anything that answers like bot.engine.Engine."""

    def ask(self, query: str, *, limit: int = 3, offset: int = 0) -> Reply:
        """Answer a query from `offset`."""
        ...


class Sender(Protocol):
    """Posts a message to a response_url; False (and logged, naming `about`) if Slack did not take it."""

    def __call__(self, response_url: str, message: dict[str, Any], *, about: str = "a request") -> bool:
        """Send the message."""
        ...


def describe(body: Any) -> str:
    """Which request a body is, for logs: its event id, or the command / button and its trigger id."""
    if not isinstance(body, dict):
        return "a request"
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        kind = event.get("type", "?") if isinstance(event, dict) else "?"
        return f"event {body.get('event_id', '?')} ({kind})"
    if body.get("command"):
        return f"command {body.get('command')} (trigger {body.get('trigger_id', '?')})"
    if kind == "block_actions":
        actions = body.get("actions") if isinstance(body.get("actions"), list) else []
        first = actions[0] if actions and isinstance(actions[0], dict) else {}
        return f"button {first.get('action_id', '?')} (trigger {body.get('trigger_id', '?')})"
    return f"request {kind or '?'}"


def log_failure(error: BaseException, body: Any) -> None:
    """Log a reply dropped after a failure: one line for Slack faults, with the traceback for bugs."""
    what = describe(body)
    if isinstance(error, SlackApiError):
        reason = error.response.get("error") or f"HTTP {error.response.status_code}"
        log.error("Slack API call failed while handling %s, reply dropped: %s", what, reason)
    elif isinstance(error, TimeoutError):
        log.error("Slack API call timed out while handling %s, reply not retried (Slack may have "
                  "taken it): %s", what, error)
    elif isinstance(error, OSError):  # URLError, refused or reset connections, after the retries
        log.error("Slack API unreachable while handling %s, reply dropped: %s", what, error)
    else:
        log.error("handling %s failed", what, exc_info=error)


class Background:
    """Where answers run, after the ack: a bounded pool of threads; a failure is logged with its request.

    Queued answers are kept until a thread is free (a slow Slack delays them, never drops them); at
    shutdown `drain` gives them a deadline and names the requests whose answers were not sent.
    """

    def __init__(self, workers: int) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="il2bot-answer")
        self._pending: dict[Future[None], str] = {}
        self._lock = threading.Lock()

    def submit(self, body: Any, fn: Callable[[], None]) -> None:
        """Run fn on the pool; log a failure naming the request in body."""
        what = describe(body)
        with self._lock:
            future = self.executor.submit(self._run, body, fn)
            self._pending[future] = what
        future.add_done_callback(self._forget)

    def pending(self) -> int:
        """Answers queued or being sent."""
        with self._lock:
            return len(self._pending)

    def wait_idle(self, timeout: float) -> bool:
        """Wait (at most `timeout` seconds) until no answer is queued or being sent; whether it is so."""
        deadline = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() > deadline:
                return False
            time.sleep(IDLE_POLL_SECONDS)
        return True

    def drain(self, seconds: float) -> list[str]:
        """Take no more answers; wait up to `seconds` for the queued ones; log and return those left."""
        with self._lock:
            futures = dict(self._pending)
        if futures:
            log.info("shutting down: sending %d queued answer(s), for at most %ss", len(futures), seconds)
        _, left = wait(list(futures), timeout=seconds)
        self.executor.shutdown(wait=False, cancel_futures=True)
        unsent = sorted(futures[f] for f in left)
        for what in unsent:
            log.error("shutting down: the answer to %s was not sent within %ss", what, seconds)
        return unsent

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.pop(future, None)

    @staticmethod
    def _run(body: Any, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as exc:
            log_failure(exc, body)


@dataclass(frozen=True, slots=True)
class Services:
    """The dependencies of the listeners (bound into them with closures)."""

    engine: Answerer
    today: Callable[[], date]
    send: Sender  # post a message to a response_url
    seen: SeenEvents
    background: Background  # where answers run, after the ack

    def message(self, query: str, *, offset: int = 0, ephemeral: bool = True,
                shared_by: str | None = None, quotes: bool = False) -> Message:
        """The rendered answer to a query; a short apology if answering failed (the error is logged)."""
        try:
            reply = self.engine.ask(query, offset=offset)
            return render(reply, today=self.today(), ephemeral=ephemeral, shared_by=shared_by, quotes=quotes)
        except Exception:
            log.exception("answering %r failed", query[:100])
            return render_failure()
