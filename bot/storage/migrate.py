"""Alembic migrations, applied safely when several replicas start at once."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, exc, text
from sqlalchemy.engine import make_url

from bot.storage.config import StorageError
from bot.storage.db import make_engine, normalise_url, unreachable

MIGRATIONS = Path(__file__).with_name("migrations")
ADVISORY_LOCK_KEY = 0x11_2B07  # any fixed number: the il2bot migration lock on PostgreSQL


class Migrated(NamedTuple):
    """The schema revision before and after run_migrations."""

    before: str | None
    after: str | None

    def line(self) -> str:
        """One line for `il2bot db upgrade`."""
        if self.before == self.after:
            return f"database schema is up to date (revision {self.after})"
        return f"database schema upgraded from {self.before or 'empty'} to revision {self.after}"


def alembic_config() -> Config:
    """The Alembic configuration of the package's migrations folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    """The newest revision in the migrations folder."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None when empty)."""
    return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def _file_lock(url: str) -> Iterator[None]:
    database = make_url(url).database
    if not database or database == ":memory:":
        yield
        return
    lock = Path(database + ".migrate-lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def run_migrations(url: str) -> Migrated:
    """Upgrade the database to the newest revision; other processes doing the same wait their turn."""
    url = normalise_url(url)
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            with _file_lock(url), engine.connect() as conn:
                return _upgrade(conn)
        with engine.connect() as conn:
            conn.execute(text("SET statement_timeout = 0"))
            conn.execute(text("SET lock_timeout = 0"))
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            conn.commit()
            try:
                return _upgrade(conn)
            finally:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                conn.commit()
    except exc.DBAPIError as e:
        raise unreachable(url, e) from None
    finally:
        engine.dispose()


def _upgrade(conn: Connection) -> Migrated:
    before = current_revision(conn)
    conn.commit()
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
    conn.commit()
    after = current_revision(conn)
    conn.commit()
    if after != head_revision():
        raise StorageError(f"the database is at revision {after}, which this il2bot does not know; "
                           "upgrade il2bot or point IL2BOT_DATABASE_URL at its own database")
    return Migrated(before, after)
