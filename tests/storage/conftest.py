"""Fixtures for the storage tests: each test gets a fresh database, on SQLite and on PostgreSQL.

PostgreSQL comes from IL2BOT_TEST_DATABASE_URL (`.ci/run` starts a throwaway server and sets it);
without it the PostgreSQL variants skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "slack"))  # slack_harness

from slack_harness import FakeSlack

from bot.engine import Engine, load_engine

PG_ENV = "IL2BOT_TEST_DATABASE_URL"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The real cards, cached in the session's own folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IL2BOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        return load_engine()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack Web API and response_url server on 127.0.0.1."""
    fake = FakeSlack()
    yield fake
    fake.close()


def _admin_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{PG_ENV} is not set: in CI the PostgreSQL tests must run (see .ci/run)")
        pytest.skip(f"PostgreSQL variant: set {PG_ENV}=postgresql+psycopg://... (or run .ci/run) to run it")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of its own: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'il2bot.sqlite3'}"
        return
    admin = make_url(_admin_url())
    name = f"il2bot_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # the server named by the variable must be usable
        engine.dispose()
        pytest.fail(f"{PG_ENV} names a server that cannot create a database: {e}")
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def env(tmp_path: Path, db_url: str) -> dict[str, str]:
    """Storage settings for one test: its database, its data folder, a fixed user hash key."""
    return {
        "IL2BOT_DATABASE_URL": db_url,
        "IL2BOT_DATA_DIR": str(tmp_path / "data"),
        "IL2BOT_USER_HASH_SECRET": "test-user-hash-secret-0123456789",
    }
