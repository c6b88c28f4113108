"""Question log: a write key per row, so a retried write that did commit is not logged twice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WRITE_KEY = 32


def upgrade() -> None:
    """Add questions.write_key and its unique index (rows logged before it have none)."""
    op.add_column("questions", sa.Column("write_key", sa.String(WRITE_KEY), nullable=True))
    op.create_index("ux_questions_write_key", "questions", ["write_key"], unique=True)


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ux_questions_write_key", table_name="questions")
    op.drop_column("questions", "write_key")
