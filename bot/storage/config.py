"""Storage settings from the environment: where the database is, retention, question text, the hash key."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_RETENTION_DAYS = 90
SQLITE_FILE = "il2bot.sqlite3"
SECRET_FILE = "user-hash.key"
SECRET_BYTES = 32
MIN_SECRET_CHARS = 16
ON_WORDS = frozenset({"on", "true", "yes", "1"})
OFF_WORDS = frozenset({"off", "false", "no", "0"})


class StorageError(RuntimeError):
    """The database cannot be used; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """What the storage needs: its URL, how long rows live, whether question text is kept, the hash key."""

    url: str
    retention_days: int = DEFAULT_RETENTION_DAYS
    log_questions: bool = True
    user_hash_secret: bytes = b""

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (one process only)."""
        return is_sqlite(self.url)


def is_sqlite(url: str) -> bool:
    """Whether a SQLAlchemy URL names SQLite."""
    return url.split(":", 1)[0].split("+", 1)[0] == "sqlite"


def data_dir(env: Mapping[str, str]) -> Path:
    """$IL2BOT_DATA_DIR, else $XDG_DATA_HOME/il2bot, else ~/.local/share/il2bot."""
    if env.get("IL2BOT_DATA_DIR"):
        return Path(env["IL2BOT_DATA_DIR"])
    base = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "il2bot"


def _ensure_dir(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {folder} ({exc.strerror}); "
                           "set IL2BOT_DATA_DIR to a writable folder") from None
    return folder


def database_url(env: Mapping[str, str]) -> str:
    """$IL2BOT_DATABASE_URL, else a SQLite file in the data folder (created on first use)."""
    url = env.get("IL2BOT_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{_ensure_dir(data_dir(env)) / SQLITE_FILE}"


def _secret(env: Mapping[str, str]) -> bytes:
    raw = env.get("IL2BOT_USER_HASH_SECRET", "").strip()
    if raw:
        if len(raw) < MIN_SECRET_CHARS:
            raise StorageError(f"IL2BOT_USER_HASH_SECRET must be at least {MIN_SECRET_CHARS} characters "
                               "(e.g. the output of"
                               " `python3 -c 'import secrets; print(secrets.token_hex())'`)")
        return raw.encode()
    path = _ensure_dir(data_dir(env)) / SECRET_FILE
    try:
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(SECRET_BYTES) + "\n")
        return path.read_text().strip().encode()
    except FileExistsError:  # another process wrote it first
        return path.read_text().strip().encode()
    except OSError as exc:
        raise StorageError(f"cannot keep the user hash key in {path} ({exc.strerror}); "
                           "set IL2BOT_USER_HASH_SECRET or IL2BOT_DATA_DIR") from None


def load_config(env: Mapping[str, str], url: str | None = None) -> StorageConfig:
    """The storage settings from the environment; raise StorageError naming what to fix."""
    raw_days = env.get("IL2BOT_RETENTION_DAYS", "").strip() or str(DEFAULT_RETENTION_DAYS)
    if not raw_days.isdigit() or int(raw_days) < 1:
        raise StorageError("IL2BOT_RETENTION_DAYS must be a whole number of days, 1 or more "
                           f"(got {raw_days[:30]!r})")
    raw_log = env.get("IL2BOT_LOG_QUESTIONS", "").strip().lower() or "on"
    if raw_log not in ON_WORDS | OFF_WORDS:
        raise StorageError(f"IL2BOT_LOG_QUESTIONS must be on or off (got {raw_log[:30]!r})")
    return StorageConfig(
        url=url or database_url(env),
        retention_days=int(raw_days),
        log_questions=raw_log in ON_WORDS,
        user_hash_secret=_secret(env),
    )
