"""Question log, feedback, handled events, thread context.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = 200
HASH = 64


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user_hash", sa.String(HASH), nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("top_card", sa.String(ID), nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("latency_ms", sa.Float, nullable=True),
        sa.Column("answer_id", sa.String(ID), nullable=True),
    )
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])
    op.create_table(
        "feedback",
        sa.Column("answer_id", sa.String(ID), primary_key=True),
        sa.Column("user_hash", sa.String(HASH), primary_key=True),
        sa.Column("card_id", sa.String(ID), nullable=True),
        sa.Column("query", sa.Text, nullable=True),
        sa.Column("vote", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_voted_at", "feedback", ["voted_at"])
    op.create_table(
        "handled_events",
        sa.Column("key", sa.String(ID), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handled_events_expires_at", "handled_events", ["expires_at"])
    op.create_table(
        "thread_context",
        sa.Column("thread_key", sa.String(ID), primary_key=True),
        sa.Column("card_id", sa.String(ID), nullable=True),
        sa.Column("subjects", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_thread_context_expires_at", "thread_context", ["expires_at"])


def downgrade() -> None:
    """Drop the four tables."""
    for table in ("thread_context", "handled_events", "feedback", "questions"):
        op.drop_table(table)
