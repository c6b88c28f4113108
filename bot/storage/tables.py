"""The database tables (SQLAlchemy Core); Alembic migrations in migrations/ create and change them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

ID_CHARS = 200  # event keys, thread keys, card ids, answer ids
HASH_CHARS = 64  # HMAC-SHA256 in hex
WRITE_KEY_CHARS = 32  # a UUID in hex

metadata = MetaData()

# One row a question asked in Slack. `text` is NULL when IL2BOT_LOG_QUESTIONS=off.
questions = Table(
    "questions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),  # channel, thread or dm
    Column("user_hash", String(HASH_CHARS), nullable=False),
    Column("text", Text, nullable=True),
    Column("answered", Boolean, nullable=False),
    Column("reason", Text, nullable=True),  # why the bot abstained
    Column("top_card", String(ID_CHARS), nullable=True),
    Column("score", Float, nullable=True),
    Column("latency_ms", Float, nullable=True),
    Column("answer_id", String(ID_CHARS), nullable=True),
    # One key per question logged: a retried write whose first commit did land (the connection lost
    # during COMMIT) is not logged twice.
    Column("write_key", String(WRITE_KEY_CHARS), nullable=True),
    Index("ix_questions_asked_at", "asked_at"),
    Index("ux_questions_write_key", "write_key", unique=True),
)

# One vote a person an answer: a second vote replaces the first.
feedback = Table(
    "feedback",
    metadata,
    Column("answer_id", String(ID_CHARS), primary_key=True),
    Column("user_hash", String(HASH_CHARS), primary_key=True),
    Column("card_id", String(ID_CHARS), nullable=True),
    Column("query", Text, nullable=True),
    Column("vote", String(16), nullable=False),  # helpful, not_right or outdated
    Column("text", Text, nullable=True),
    Column("voted_at", DateTime(timezone=True), nullable=False),
    Index("ix_feedback_voted_at", "voted_at"),
)

# Slack events already handled (event ids, channel+ts), so any replica answers each once.
handled_events = Table(
    "handled_events",
    metadata,
    Column("key", String(ID_CHARS), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_handled_events_expires_at", "expires_at"),
)

# The last answer in a thread, for follow-up questions on whichever replica receives them.
thread_context = Table(
    "thread_context",
    metadata,
    Column("thread_key", String(ID_CHARS), primary_key=True),
    Column("card_id", String(ID_CHARS), nullable=True),
    Column("subjects", Text, nullable=False),  # JSON: a list of subject ids, or {"subjects", "topics"}
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_thread_context_expires_at", "expires_at"),
)
