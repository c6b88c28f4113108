"""Where a question was asked (channel, thread, DM) and what a follow-up there inherits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, NamedTuple, Protocol

from bot.matcher import Context
from bot.storage.local import Bounded

Kind = Literal["channel", "thread", "dm"]
MAX_THREADS = 10_000  # threads whose last answer is kept (issue 9: at most 10,000)
THREAD_TTL_S = 24 * 3600.0  # for 24 hours


class Where(NamedTuple):
    """The conversation of a question: its kind for the log, and the key of its follow-up context."""

    kind: Kind
    thread_key: str | None  # None: no follow-ups (a slash command, whose answer only the asker sees)


def _is_dm(channel: str, channel_type: str | None = None) -> bool:
    return channel_type == "im" or channel.startswith("D")


def in_event(event: dict[str, Any]) -> Where:
    """A mention (answered in its thread) or a DM (answered in the DM, or in its thread)."""
    channel = str(event.get("channel", ""))
    thread_ts = event.get("thread_ts")
    if _is_dm(channel, event.get("channel_type")):
        return Where("dm", f"dm:{channel}")
    return Where("thread" if thread_ts else "channel", f"thread:{channel}:{thread_ts or event.get('ts', '')}")


def in_command(command: dict[str, Any]) -> Where:
    """A slash command: its answer is private to the asker, so it has no follow-up context."""
    channel = str(command.get("channel_id", ""))
    dm = _is_dm(channel) or command.get("channel_name") == "directmessage"
    return Where("dm" if dm else "channel", None)


def in_click(body: dict[str, Any]) -> Where:
    """A click on a message: the thread or DM the message is in (none for a private message)."""
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    thread_ts = container.get("thread_ts")
    if container.get("is_ephemeral") or not channel:
        return Where("dm" if _is_dm(channel) else "channel", None)
    if _is_dm(channel):
        return Where("dm", f"dm:{channel}")
    return Where("thread" if thread_ts else "channel", f"thread:{channel}:{thread_ts}" if thread_ts else None)


class Remembered(NamedTuple):
    """A thread's last answer, as kept in this process."""

    card_id: str | None
    subjects: tuple[str, ...]
    topics: tuple[str, ...] = ()


class ThreadStore(Protocol):
    """Keeps each thread's last answer: bot.storage.Storage, or LocalThreads in one process."""

    def thread(self, thread_key: str) -> Any:
        """The thread's last answer (with card_id, subjects, topics), or None."""
        ...

    def remember_thread(self, thread_key: str, *, card_id: str | None, subjects: Iterable[str] = (),
                        topics: Iterable[str] = ()) -> bool:
        """Keep the thread's last answer."""
        ...


class LocalThreads:
    """Thread context in this process only (bounded: 10,000 threads, 24 hours), when there is no storage."""

    def __init__(self, max_threads: int = MAX_THREADS, ttl: float = THREAD_TTL_S) -> None:
        self._threads: Bounded[Remembered] = Bounded(max_threads, ttl)

    def thread(self, thread_key: str) -> Remembered | None:
        """The thread's last answer, or None."""
        return self._threads.get(thread_key)

    def remember_thread(self, thread_key: str, *, card_id: str | None, subjects: Iterable[str] = (),
                        topics: Iterable[str] = ()) -> bool:
        """Keep the thread's last answer."""
        self._threads.put(thread_key, Remembered(card_id, tuple(subjects), tuple(topics)))
        return True


def context_of(store: ThreadStore, where: Where) -> Context | None:
    """What a follow-up asked here inherits: the last answer's subjects, card and topics (None: nothing)."""
    if where.thread_key is None:
        return None
    kept = store.thread(where.thread_key)
    if kept is None or not kept.subjects:
        return None
    return Context(tuple(kept.subjects), kept.card_id or "", tuple(getattr(kept, "topics", ())))


def remember(store: ThreadStore, where: Where, context: Context | None) -> None:
    """Keep what the answer given here leaves for the next follow-up (nothing when it leaves nothing)."""
    if where.thread_key is not None and context is not None:
        store.remember_thread(where.thread_key, card_id=context.card_id or None, subjects=context.subjects,
                              topics=context.topics)
