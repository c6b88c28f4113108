"""The storage itself, on SQLite and PostgreSQL: migrations, question log, votes, hashing, events, threads."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select

from bot.storage import StorageError, open_storage, run_migrations
from bot.storage.config import load_config
from bot.storage.db import make_engine
from bot.storage.migrate import head_revision
from bot.storage.store import Storage
from bot.storage.tables import feedback, handled_events, questions, thread_context
from bot.storage.writer import Write, apply_writes

WAIT = 10.0  # seconds a test waits for queued writes
USER = "U0A1B2C3D4"


def rows(engine: Engine, table: object) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table))]  # type: ignore[call-overload]


def written(storage: Storage) -> None:
    assert storage.wait_idle(WAIT), "queued writes were not written in time"
    assert storage.stats.dropped == 0


def test_migrations_create_every_table_from_empty(db_url: str) -> None:
    first = run_migrations(db_url)
    assert (first.before, first.after) == (None, head_revision())
    assert first.line() == f"database schema upgraded from empty to revision {head_revision()}"
    engine = make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) == {
            "alembic_version", "questions", "feedback", "handled_events", "thread_context"}
    finally:
        engine.dispose()
    assert run_migrations(db_url).line() == f"database schema is up to date (revision {head_revision()})"


def test_open_storage_without_migrating_names_the_command_to_run(env: dict[str, str]) -> None:
    with pytest.raises(StorageError, match=r"`il2bot db upgrade`"):
        open_storage(env=env, migrate=False)


def test_question_log_keeps_text_counts_and_reasons(env: dict[str, str]) -> None:
    storage = open_storage(env=env)
    try:
        storage.log_question(user_id=USER, kind="thread", text="dose of IL-2 in lupus", answered=True,
                             top_card="low-dose-il-2-lupus", score=87.5, latency_ms=1.25, answer_id="a1")
        storage.log_question(user_id=USER, kind="dm", text="IL-6 dose?", answered=False,
                             reason="the question names something the cards don't know")
        written(storage)
        got = sorted(rows(storage.engine, questions), key=lambda r: str(r["kind"]))
    finally:
        storage.close()
    assert [(r["kind"], r["text"], r["answered"], r["reason"], r["top_card"], r["score"], r["answer_id"])
            for r in got] == [
        ("dm", "IL-6 dose?", False, "the question names something the cards don't know", None, None, None),
        ("thread", "dose of IL-2 in lupus", True, None, "low-dose-il-2-lupus", 87.5, "a1"),
    ]


def test_a_question_write_retried_after_it_committed_is_logged_once(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    storage = open_storage(env=env, start_writer=False)
    try:
        queued: list[Write] = []
        monkeypatch.setattr(storage, "_enqueue", queued.append)
        storage.log_question(user_id=USER, kind="dm", text="first", answered=True)
        storage.log_question(user_id=USER, kind="dm", text="second", answered=True)
        for _ in range(2):  # the batch committed, the connection was lost before the writer heard so
            with storage.engine.begin() as conn:
                apply_writes(conn, queued)
        assert sorted(str(r["text"]) for r in rows(storage.engine, questions)) == ["first", "second"]
    finally:
        storage.close()


def test_log_reply_takes_the_answer_from_the_engines_reply(env: dict[str, str], mini_root: Path) -> None:
    from bot.engine import load_engine

    engine = load_engine(mini_root)
    answer, declined, help_ = engine.ask("minileukin side effects"), engine.ask("IL-6 dose"), engine.ask("help")
    assert (answer.kind, declined.kind, help_.kind) == ("answer", "abstain", "help")
    storage = open_storage(env=env)
    try:
        storage.log_reply(answer, user_id=USER, kind="dm", latency_ms=2.5, answer_id="a1")
        storage.log_reply(declined, user_id=USER, kind="channel", reason="names something the cards don't know")
        storage.log_reply(help_, user_id=USER, kind="dm")
        written(storage)
        got = rows(storage.engine, questions)
    finally:
        storage.close()
    assert [(r["text"], r["answered"], r["reason"], r["top_card"], r["score"], r["latency_ms"], r["answer_id"])
            for r in sorted(got, key=lambda r: int(str(r["id"])))] == [
        ("minileukin side effects", True, None, answer.matches[0].id, answer.matches[0].score, 2.5, "a1"),
        ("IL-6 dose", False, "names something the cards don't know", None, None, None, None),
        ("help", True, None, None, None, None, None),
    ]


def test_question_log_off_stores_no_text(env: dict[str, str]) -> None:
    storage = open_storage(env={**env, "IL2BOT_LOG_QUESTIONS": "off"})
    try:
        storage.log_question(user_id=USER, kind="channel", text="my patient John Doe, 54, on aldesleukin",
                             answered=False, reason="no card is about that")
        storage.record_vote(answer_id="a1", user_id=USER, vote="not_right", card_id="aldesleukin",
                            query="my patient John Doe", text="wrong dose")
        written(storage)
        logged = rows(storage.engine, questions)
        votes = rows(storage.engine, feedback)
    finally:
        storage.close()
    assert [(r["text"], r["answered"], r["reason"]) for r in logged] == [(None, False, "no card is about that")]
    assert [(r["query"], r["vote"], r["text"]) for r in votes] == [(None, "not_right", "wrong dose")]


def test_a_second_vote_replaces_the_first(env: dict[str, str]) -> None:
    storage = open_storage(env=env)
    try:
        storage.record_vote(answer_id="a1", user_id=USER, vote="helpful", card_id="aldesleukin", query="q")
        written(storage)
        storage.record_vote(answer_id="a1", user_id=USER, vote="outdated", card_id="aldesleukin", query="q",
                            text="the label changed in 2025")
        storage.record_vote(answer_id="a1", user_id="U999", vote="helpful", card_id="aldesleukin", query="q")
        storage.record_vote(answer_id="a2", user_id=USER, vote="helpful", card_id="il-7", query="q2")
        written(storage)
        votes = rows(storage.engine, feedback)
        mine = storage.user_hash(USER)
    finally:
        storage.close()
    assert sorted((r["answer_id"], r["user_hash"] == mine, r["vote"], r["text"]) for r in votes) == [
        ("a1", False, "helpful", None),
        ("a1", True, "outdated", "the label changed in 2025"),
        ("a2", True, "helpful", None),
    ]


def test_people_are_stored_as_a_keyed_hash_never_their_id(env: dict[str, str], db_url: str) -> None:
    storage = open_storage(env=env)
    try:
        storage.log_question(user_id=USER, kind="dm", text="il-7 dose", answered=True, top_card="il-7")
        storage.record_vote(answer_id="a1", user_id=USER, vote="helpful")
        written(storage)
        stored = rows(storage.engine, questions) + rows(storage.engine, feedback)
    finally:
        storage.close()
    expected = hmac.new(env["IL2BOT_USER_HASH_SECRET"].encode(), USER.encode(), hashlib.sha256).hexdigest()
    assert [r["user_hash"] for r in stored] == [expected, expected]
    assert [v for r in stored for v in r.values() if USER in str(v)] == []
    if db_url.startswith("sqlite:///"):
        assert USER.encode() not in Path(db_url.removeprefix("sqlite:///")).read_bytes()


def test_without_a_secret_one_is_generated_once_and_kept(tmp_path: Path) -> None:
    env = {"IL2BOT_DATA_DIR": str(tmp_path / "data")}
    first, again = load_config(env), load_config(env)
    assert len(first.user_hash_secret) == 64
    assert first.user_hash_secret == again.user_hash_secret
    assert (tmp_path / "data" / "user-hash.key").stat().st_mode & 0o777 == 0o600
    assert first.url == f"sqlite:///{tmp_path / 'data' / 'il2bot.sqlite3'}"


def test_first_time_is_insert_if_absent_with_expiry(env: dict[str, str]) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    config = load_config(env)
    run_migrations(config.url)
    one = Storage(make_engine(config.url), config, start_writer=False, clock=lambda: now)
    assert one.first_time(["Ev1", "C1:1.0"]) is True
    assert one.first_time(["Ev1", "C1:1.0"]) is False
    assert one.first_time(["Ev2", "C1:1.0"]) is False  # the same message under another event id
    # another replica, an hour and a minute later: the record has expired
    later = Storage(make_engine(config.url), config, start_writer=False,
                    clock=lambda: now + timedelta(minutes=61))
    other = Storage(make_engine(config.url), config, start_writer=False,
                    clock=lambda: now + timedelta(minutes=30))
    try:
        assert other.first_time(["Ev1"]) is False
        assert later.first_time(["Ev1", "C1:1.0"]) is True
        assert one.fallbacks == other.fallbacks == later.fallbacks == 0
    finally:
        for s in (one, later, other):
            s.close()


def test_thread_context_is_shared_between_replicas(env: dict[str, str]) -> None:
    a = open_storage(env=env)
    b = open_storage(env=env, migrate=False)
    try:
        assert b.thread("C1:1700000000.000100") is None
        a.remember_thread("C1:1700000000.000100", card_id="aldesleukin-side-effects-hiv",
                          subjects=["aldesleukin", "hiv"])
        assert a.wait_idle(WAIT)
        got = b.thread("C1:1700000000.000100")
        assert got is not None
        assert (got.card_id, got.subjects) == ("aldesleukin-side-effects-hiv", ("aldesleukin", "hiv"))
        b.remember_thread("C1:1700000000.000100", card_id="il-7", subjects=["il-7"])
        assert b.wait_idle(WAIT)
        again = a.thread("C1:1700000000.000100")
        assert again is not None and again.card_id == "il-7"
    finally:
        a.close()
        b.close()


def test_retention_purges_old_rows_at_start_up(env: dict[str, str]) -> None:
    now = datetime.now(UTC)
    storage = open_storage(env={**env, "IL2BOT_RETENTION_DAYS": "30"})
    try:
        for days in (31, 29):
            storage.log_question(user_id=USER, kind="dm", text=f"{days} days ago", answered=True,
                                 at=now - timedelta(days=days))
            storage.record_vote(answer_id=f"a{days}", user_id=USER, vote="helpful",
                                at=now - timedelta(days=days))
        written(storage)
    finally:
        storage.close()
    # the next start-up purges (the writer's first task), then once an hour
    storage = open_storage(env={**env, "IL2BOT_RETENTION_DAYS": "30"})
    try:
        assert storage.wait_idle(WAIT)
        deadline = datetime.now(UTC) + timedelta(seconds=WAIT)
        while storage.stats.purges == 0 and datetime.now(UTC) < deadline:
            storage.wait_idle(0.05)
        assert storage.stats.purges == 1
        assert [r["text"] for r in rows(storage.engine, questions)] == ["29 days ago"]
        assert [r["answer_id"] for r in rows(storage.engine, feedback)] == ["a29"]
    finally:
        storage.close()


def test_purge_drops_expired_events_and_keeps_thread_contexts_bounded(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.storage.store.MAX_THREADS", 3)
    storage = open_storage(env=env)
    try:
        storage.first_time(["old-event"])
        for i in range(5):
            storage.remember_thread(f"C1:{i}", card_id=f"card-{i}", subjects=[])
            written(storage)
        counts = storage.purge(datetime.now(UTC) + timedelta(minutes=61))
        assert counts == {"questions": 0, "feedback": 0, "handled_events": 1, "thread_context": 2}
        assert sorted(str(r["thread_key"]) for r in rows(storage.engine, thread_context)) == [
            "C1:2", "C1:3", "C1:4"]
        assert rows(storage.engine, handled_events) == []
    finally:
        storage.close()


def test_unknown_kind_or_vote_is_a_programming_error(env: dict[str, str]) -> None:
    storage = open_storage(env=env)
    try:
        with pytest.raises(ValueError, match="kind must be one of"):
            storage.log_question(user_id=USER, kind="group", text="x", answered=True)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="vote must be one of"):
            storage.record_vote(answer_id="a", user_id=USER, vote="meh")  # type: ignore[arg-type]
    finally:
        storage.close()
