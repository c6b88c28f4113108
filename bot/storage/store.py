"""The storage the Slack app uses: question log, votes, handled events, thread context."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, get_args

from sqlalchemy import Connection, Engine, bindparam, delete, exc, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.sql.dml import Insert

from bot.storage.config import StorageConfig, StorageError, load_config
from bot.storage.db import make_engine, unreachable
from bot.storage.local import Bounded
from bot.storage.migrate import current_revision, head_revision, run_migrations
from bot.storage.tables import ID_CHARS, feedback, handled_events, questions, thread_context
from bot.storage.writer import Row, Write, Writer, WriterStats, apply_writes

if TYPE_CHECKING:
    from bot.reply import Reply

log = logging.getLogger("il2bot.storage")

Kind = Literal["channel", "thread", "dm"]
Vote = Literal["helpful", "not_right", "outdated"]
KINDS: tuple[str, ...] = get_args(Kind)
VOTES: tuple[str, ...] = get_args(Vote)

EVENT_TTL_S = 3600.0  # how long a handled event is remembered (as the in-memory record does)
LOCAL_EVENTS = 20_000  # keys the in-process fallback keeps
THREAD_TTL_S = 24 * 3600.0  # how long a thread's last answer serves follow-ups
MAX_THREADS = 10_000  # thread contexts kept (newest first), in the database and in process
MAX_TEXT = 4000  # characters of a question or a vote's comment kept
PURGE_TIMEOUT_MS = 60_000
CLOSE_DEADLINE_S = 5.0
READ_PAUSE_S = 5.0  # after a failed read, this process's record answers at once for this long


@dataclass(frozen=True, slots=True)
class ThreadContext:
    """The last answer given in a thread: its card and subjects."""

    thread_key: str
    card_id: str | None
    subjects: tuple[str, ...]
    updated_at: datetime
    topics: tuple[str, ...] = ()  # what the last question asked about ("side effects")


def _subjects_json(subjects: tuple[str, ...], topics: tuple[str, ...]) -> str:
    """The stored subjects column: a JSON list, or with topics an object of both lists."""
    if not topics:
        return json.dumps(list(subjects))
    return json.dumps({"subjects": list(subjects), "topics": list(topics)})


def _read_subjects(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Subjects and topics from the stored column (a list, or an object of both)."""
    value = json.loads(raw)
    if isinstance(value, dict):
        return tuple(value.get("subjects", ())), tuple(value.get("topics", ()))
    return tuple(value), ()


def utc_now() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A datetime read back from the database, in UTC (SQLite returns it without a zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Storage:
    """One database for the app; writes are queued, reads are short and fall back to this process."""

    def __init__(self, engine: Engine, config: StorageConfig, *, start_writer: bool = True,
                 clock: Callable[[], datetime] = utc_now, retry_budget: float | None = None,
                 queue_size: int | None = None) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self._seen: Bounded[bool] = Bounded(LOCAL_EVENTS, EVENT_TTL_S)
        self._threads: Bounded[ThreadContext] = Bounded(MAX_THREADS, THREAD_TTL_S)
        self.fallbacks = 0  # reads answered from this process because the database could not be read
        self.read_pause = READ_PAUSE_S
        self._reads_paused_until = 0.0
        extra: dict[str, Any] = {}
        if retry_budget is not None:
            extra["retry_budget"] = retry_budget
        if queue_size is not None:
            extra["maxsize"] = queue_size
        self.writer = Writer(engine, purge=self.purge, **extra) if start_writer else None

    # -- identity ----------------------------------------------------------------------------

    @property
    def shared(self) -> bool:
        """Whether several processes may share this database (PostgreSQL; SQLite is for one process)."""
        return self.engine.dialect.name != "sqlite"

    def user_hash(self, user_id: str) -> str:
        """The keyed hash (HMAC-SHA256) that stands for a Slack user id; the id itself is never stored."""
        return hmac.new(self.config.user_hash_secret, user_id.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def new_answer_id() -> str:
        """A fresh id for an answer, to carry in its feedback buttons."""
        return uuid.uuid4().hex

    # -- queued writes -----------------------------------------------------------------------

    def log_question(self, *, user_id: str, kind: Kind, text: str, answered: bool, reason: str = "",
                     top_card: str | None = None, score: float | None = None, latency_ms: float | None = None,
                     answer_id: str | None = None, at: datetime | None = None) -> bool:
        """Queue one question for the log (no text when IL2BOT_LOG_QUESTIONS=off); never waits."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        row = {
            "asked_at": at or self.clock(),
            "kind": kind,
            "user_hash": self.user_hash(user_id),
            "text": text[:MAX_TEXT] if self.config.log_questions else None,
            "answered": answered,
            "reason": (reason or None) if not answered else None,
            "top_card": top_card,
            "score": score,
            "latency_ms": latency_ms,
            "answer_id": answer_id,
            "write_key": uuid.uuid4().hex,  # a retry of a write that did commit adds nothing
        }
        return self._enqueue(Row(_insert_question(self.engine.dialect.name), row))

    def log_reply(self, reply: Reply, *, user_id: str, kind: Kind, reason: str = "",
                  latency_ms: float | None = None, answer_id: str | None = None) -> bool:
        """Queue the log row of a question and the Reply the bot gave (help counts as answered)."""
        top = reply.matches[0] if reply.matches else None
        return self.log_question(
            user_id=user_id, kind=kind, text=reply.query, answered=reply.kind != "abstain",
            reason=reason if reply.kind == "abstain" else "", top_card=top.id if top else None,
            score=top.score if top else None, latency_ms=latency_ms, answer_id=answer_id,
        )

    def record_vote(self, *, answer_id: str, user_id: str, vote: Vote, card_id: str | None = None,
                    query: str | None = None, text: str | None = None, at: datetime | None = None) -> bool:
        """Queue a vote on an answer; a person's second vote on the same answer replaces the first."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        row = {
            "answer_id": answer_id,
            "user_hash": self.user_hash(user_id),
            "card_id": card_id,
            "query": query[:MAX_TEXT] if query and self.config.log_questions else None,
            "vote": vote,
            "text": (text.strip()[:MAX_TEXT] or None) if text else None,
            "voted_at": at or self.clock(),
        }
        keys = ("answer_id", "user_hash")

        def upsert(conn: Connection) -> None:
            stmt = _insert(conn, feedback).values(**row)
            conn.execute(stmt.on_conflict_do_update(  # type: ignore[attr-defined]
                index_elements=list(keys), set_={k: v for k, v in row.items() if k not in keys}))

        return self._enqueue(upsert)

    def remember_thread(self, thread_key: str, *, card_id: str | None, subjects: Iterable[str] = (),
                        topics: Iterable[str] = ()) -> bool:
        """Keep a thread's last answer for follow-ups (at once in this process, queued for the others)."""
        now = self.clock()
        ctx = ThreadContext(thread_key, card_id, tuple(subjects), now, tuple(topics))
        self._threads.put(thread_key, ctx)
        row = {"card_id": card_id, "subjects": _subjects_json(ctx.subjects, ctx.topics), "updated_at": now,
               "expires_at": now + timedelta(seconds=THREAD_TTL_S)}

        def upsert(conn: Connection) -> None:
            stmt = _insert(conn, thread_context).values(thread_key=thread_key, **row)
            conn.execute(stmt.on_conflict_do_update(  # type: ignore[attr-defined]
                index_elements=["thread_key"], set_=row))

        return self._enqueue(upsert)

    def _enqueue(self, write: Write) -> bool:
        if self.writer is None:
            with self.engine.begin() as conn:
                apply_writes(conn, [write])
            return True
        return self.writer.enqueue(write)

    # -- synchronous reads -------------------------------------------------------------------

    def first_time(self, keys: Iterable[str]) -> bool:
        """Record the keys; True unless any was handled within the hour, by this or any other replica.

        Same contract as SeenEvents.first_time. If the database cannot be read, this process's own
        record decides (logged), so an event is never answered twice by the same replica.
        """
        keys = sorted({k[:ID_CHARS] for k in keys if k})
        if not keys:
            return True
        if not self._seen.first_time(keys, True):
            return False
        if self._reads_paused():
            return True
        now = self.clock()
        expires = now + timedelta(seconds=EVENT_TTL_S)
        try:
            with self.engine.begin() as conn:
                # One statement, keys in sorted order: two replicas racing for the same event wait on
                # its first key, so one of them gets every key and the other none.
                stmt = _claim_statement(conn.dialect.name, len(keys))
                params: dict[str, Any] = {f"k{i}": k for i, k in enumerate(keys)}
                won = conn.execute(stmt, {**params, "expires": expires, "now": now}).all()
                return len(won) == len(keys)
        except exc.SQLAlchemyError as e:
            self._fell_back("first_time", e)
            return True

    def thread(self, thread_key: str) -> ThreadContext | None:
        """The last answer in a thread (from whichever replica gave it), or None."""
        local = self._threads.get(thread_key)
        if self._reads_paused():
            return local
        try:
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(thread_context).where(thread_context.c.thread_key == thread_key,
                                                 thread_context.c.expires_at > self.clock())
                ).first()
        except exc.SQLAlchemyError as e:
            self._fell_back("thread context", e)
            return local
        if row is None:
            return local
        subjects, topics = _read_subjects(row.subjects)
        stored = ThreadContext(row.thread_key, row.card_id, subjects, as_utc(row.updated_at), topics)
        return local if local is not None and local.updated_at > stored.updated_at else stored

    def _reads_paused(self) -> bool:
        if time.monotonic() < self._reads_paused_until:
            self.fallbacks += 1
            return True
        return False

    def _fell_back(self, what: str, error: BaseException) -> None:
        """A read failed: this process's record decides, now and for `read_pause` seconds (no waiting)."""
        self._reads_paused_until = time.monotonic() + self.read_pause
        self.fallbacks += 1
        first = str(getattr(error, "orig", None) or error).strip().splitlines()
        log.warning("storage: database not readable for %s, this process's record decides for %g s: %s",
                    what, self.read_pause, first[0][:200] if first else type(error).__name__)

    # -- upkeep ------------------------------------------------------------------------------

    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """Delete rows past retention, expired events and thread contexts; keep the newest MAX_THREADS."""
        now = now or self.clock()
        cutoff = now - timedelta(days=self.config.retention_days)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"SET LOCAL statement_timeout = {PURGE_TIMEOUT_MS}"))
            counts = {
                "questions": conn.execute(delete(questions).where(questions.c.asked_at < cutoff)).rowcount,
                "feedback": conn.execute(delete(feedback).where(feedback.c.voted_at < cutoff)).rowcount,
                "handled_events": conn.execute(
                    delete(handled_events).where(handled_events.c.expires_at <= now)).rowcount,
                "thread_context": conn.execute(
                    delete(thread_context).where(thread_context.c.expires_at <= now)).rowcount,
            }
            total = conn.execute(select(func.count()).select_from(thread_context)).scalar_one()
            if total > MAX_THREADS:
                newest = (select(thread_context.c.thread_key).order_by(thread_context.c.updated_at.desc())
                          .limit(MAX_THREADS).scalar_subquery())
                counts["thread_context"] += conn.execute(
                    delete(thread_context).where(thread_context.c.thread_key.not_in(newest))).rowcount
        if any(counts.values()):
            log.info("storage: purged %s", ", ".join(f"{n} {t}" for t, n in counts.items() if n))
        return counts

    @property
    def stats(self) -> WriterStats:
        """Writes committed, dropped and retried so far."""
        return self.writer.stats if self.writer else WriterStats()

    def wait_idle(self, timeout: float) -> bool:
        """Wait (bounded) until queued writes are committed or dropped."""
        return self.writer.wait_idle(timeout) if self.writer else True

    def wait_reads(self, timeout: float) -> bool:
        """Wait (bounded) until a read pause after a failed read is over: the shared record decides again."""
        deadline = time.monotonic() + timeout
        while (left := self._reads_paused_until - time.monotonic()) > 0:
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(left, deadline - time.monotonic()))
        return True

    def close(self, deadline: float = CLOSE_DEADLINE_S) -> bool:
        """Flush queued writes within `deadline` seconds, release the database; True if all were written."""
        flushed = self.writer.close(deadline) if self.writer else True
        if self.writer and self.writer.stats.dropped:
            log.warning("storage: %d write(s) dropped in this run", self.writer.stats.dropped)
        self.engine.dispose()
        return flushed


def _insert(conn: Connection, table: Any) -> Insert:
    return _dialect_insert(conn.dialect.name, table)


def _dialect_insert(dialect_name: str, table: Any) -> Insert:
    """An INSERT of the dialect's own (PostgreSQL or SQLite), which can say what to do on a conflict."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=2)
def _insert_question(dialect_name: str) -> Insert:
    """The question log's INSERT, skipping a row whose write key is already in (built once a dialect)."""
    stmt = _dialect_insert(dialect_name, questions)
    return stmt.on_conflict_do_nothing(index_elements=["write_key"])  # type: ignore[attr-defined,no-any-return]


@functools.lru_cache(maxsize=16)
def _claim_statement(dialect_name: str, n: int) -> Any:
    """INSERT n keys unless present and unexpired, RETURNING those claimed (built once, cached compiled)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(handled_events).values(
        [{"key": bindparam(f"k{i}"), "expires_at": bindparam("expires")} for i in range(n)])
    return stmt.on_conflict_do_update(
        index_elements=["key"], set_={"expires_at": stmt.excluded.expires_at},
        where=handled_events.c.expires_at <= bindparam("now"),
    ).returning(handled_events.c.key)


def open_storage(url: str | None = None, *, env: Mapping[str, str] | None = None, migrate: bool = True,
                 start_writer: bool = True) -> Storage:
    """Connect (and by default migrate) the database of the settings; raise StorageError saying what to fix.

    url: a SQLAlchemy URL, else $IL2BOT_DATABASE_URL, else the SQLite file in the data folder.
    """
    config = load_config(os.environ if env is None else env, url)
    if not migrate and config.is_sqlite:
        database = make_url(config.url).database
        if database and database != ":memory:" and not os.path.exists(database):
            raise StorageError(f"no database yet at {database}; `il2bot db upgrade` (or `il2bot serve`) "
                               "creates it, or set IL2BOT_DATABASE_URL")
    if migrate:
        run_migrations(config.url)
    engine = make_engine(config.url)
    try:
        with engine.connect() as conn:
            revision = current_revision(conn)
    except exc.DBAPIError as e:
        engine.dispose()
        raise unreachable(config.url, e) from None
    if revision != head_revision():
        engine.dispose()
        raise StorageError(f"the database schema is at revision {revision or 'empty'}, not "
                           f"{head_revision()}; run `il2bot db upgrade`")
    return Storage(engine, config, start_writer=start_writer)
