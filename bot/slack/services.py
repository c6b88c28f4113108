"""What every listener needs, bound once: the engine, the reply sender, seen events, the storage."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from slack_sdk.errors import SlackApiError

from bot.matcher import Context
from bot.render.blocks import Message, render, render_failure
from bot.render.view import ViewState
from bot.reply import Reply
from bot.slack.conversation import LocalThreads, ThreadStore, Where, context_of, remember
from bot.slack.dedupe import SeenEvents
from bot.slack.interaction import codec
from bot.slack.logs import one_line

if TYPE_CHECKING:
    from bot.storage import Storage

log = logging.getLogger("il2bot.slack")
IDLE_POLL_SECONDS = 0.01


class Answerer(Protocol):
    """Anything that answers like bot.engine.Engine."""

    def ask(self, query: str, *, limit: int = 3, offset: int = 0, context: Context | None = None) -> Reply:
        """Answer a query from `offset` (a follow-up inherits `context`)."""
        ...


class Seen(Protocol):
    """The record of handled events: SeenEvents in one process, or the storage shared by replicas."""

    def first_time(self, keys: Any) -> bool:
        """Record the keys; True unless any of them was handled already."""
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


class Answered(NamedTuple):
    """An answer made for Slack: the reply (None if answering failed), its message, its answer id."""

    reply: Reply | None
    message: Message
    answer_id: str | None
    started: float  # time.monotonic() when the question was taken


@dataclass(frozen=True, slots=True)
class Services:
    """The dependencies of the listeners (bound into them with closures)."""

    engine: Answerer
    today: Callable[[], date]
    send: Sender  # post a message to a response_url
    seen: Seen  # events and shares handled: shared by replicas when the storage is PostgreSQL
    background: Background  # where answers run, after the ack
    storage: Storage | None = None  # question log, votes, thread context (None: no log, no feedback)
    threads: ThreadStore = field(default_factory=LocalThreads)  # the storage when there is one
    replays: Seen = field(default_factory=SeenEvents)  # signed requests seen by this process (in memory)

    def message(self, query: str, *, ephemeral: bool = True) -> Message:
        """The rendered answer to a query: private (with "Post to channel") or one others see."""
        return self.view(ViewState(query, shared=not ephemeral))

    def view(self, state: ViewState, *, shared_by: str | None = None) -> Message:
        """The rendered view state; a short apology if answering failed (the error is logged)."""
        try:
            reply = self.engine.ask(state.query, offset=state.page)
            return render(reply, state, codec=codec, shared_by=shared_by, answer_id=self._answer_id(reply))
        except Exception:
            log.exception("answering %r failed", state.query[:100])
            return render_failure()

    def answer(self, query: str, where: Where, *, ephemeral: bool, started: float | None = None) -> Answered:
        """Answer a person's question asked `where`: a follow-up there inherits the thread's last answer."""
        started = time.monotonic() if started is None else started
        try:
            context = context_of(self.threads, where)
        except Exception:
            log.exception("reading the thread context failed; answering without it")
            context = None
        try:
            reply = self.engine.ask(query, context=context)
            answer_id = self._answer_id(reply)
            state = ViewState(query, shared=not ephemeral)
            return Answered(reply, render(reply, state, codec=codec, answer_id=answer_id), answer_id, started)
        except Exception:
            log.exception("answering %r failed", query[:100])
            return Answered(None, render_failure(), None, started)

    def answered(self, answered: Answered, where: Where, user_id: str) -> None:
        """After the answer was sent: keep the thread's context and log the question (queued writes)."""
        reply = answered.reply
        if reply is None:
            return
        latency_ms = (time.monotonic() - answered.started) * 1000
        top = reply.matches[0] if reply.matches else None
        log.info("%s in a %s: %s (card %s, score %s, %.0f ms)", reply.kind, where.kind,
                 one_line(reply.reason or "-"), top.id if top else "-",
                 f"{top.score:.0f}" if top else "-", latency_ms)  # no question text: it may name a patient
        try:
            remember(self.threads, where, reply.context())
            if self.storage is not None:
                self.storage.log_reply(reply, user_id=user_id, kind=where.kind, reason=reply.reason,
                                       latency_ms=latency_ms, answer_id=answered.answer_id)
        except Exception:
            log.exception("recording the answer to %r failed", reply.query[:100])

    def _answer_id(self, reply: Reply) -> str | None:
        """A fresh answer id for an answer's feedback buttons (none without a storage to record votes)."""
        if self.storage is None or reply.kind != "answer" or not reply.matches:
            return None
        return self.storage.new_answer_id()
