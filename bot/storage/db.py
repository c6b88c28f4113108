"""SQLAlchemy engines for SQLite (embedded, one process) and PostgreSQL (shared by replicas)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from bot.storage.config import StorageError

CONNECT_TIMEOUT_S = 2  # a database that does not answer within this is unreachable (libpq's minimum)
STATEMENT_TIMEOUT_MS = 1000  # reads for dedupe and thread context must not hold up an answer
LOCK_TIMEOUT_MS = 500
SQLITE_BUSY_TIMEOUT_S = 1.0
POOL_SIZE = 4
POOL_OVERFLOW = 4
POOL_WAIT_S = 1.0


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3 (the driver installed with il2bot)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "(unreadable URL)"


def make_engine(url: str, **extra: Any) -> Engine:
    """An engine with short timeouts; raise StorageError for a URL SQLAlchemy cannot use."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise StorageError("IL2BOT_DATABASE_URL is not a database URL; use postgresql+psycopg://USER:PASSWORD"
                           "@HOST:PORT/DATABASE, or unset it for the embedded SQLite file") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StorageError(f"IL2BOT_DATABASE_URL names {backend!r}; il2bot supports postgresql+psycopg://... "
                           "or sqlite:///PATH")
    try:
        if backend == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}, **extra
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        # No pool_pre_ping (a round trip on every checkout): after a server restart the first use of
        # a stale connection fails, SQLAlchemy renews the whole pool, the writer retries and reads
        # fall back to this process's record once.
        return create_engine(
            parsed,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S,
                "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}",
            },
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=POOL_WAIT_S,
            **extra,
        )
    except (exc.NoSuchModuleError, ModuleNotFoundError) as e:
        raise StorageError(f"IL2BOT_DATABASE_URL: no driver for {parsed.drivername} ({e}); "
                           "use postgresql+psycopg://...") from None
    except OSError as e:
        raise StorageError(f"cannot create the folder of {redact(url)} ({e.strerror}); "
                           "set IL2BOT_DATA_DIR to a writable folder") from None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def unreachable(url: str, error: BaseException) -> StorageError:
    """The one error for a database that refuses or cannot be reached, with what to check."""
    first = str(getattr(error, "orig", None) or error).strip().splitlines()
    detail = first[0] if first else type(error).__name__
    return StorageError(f"cannot use the database {redact(url)}: {detail[:200]} "
                        "(check IL2BOT_DATABASE_URL, that the server runs and accepts this user)")
