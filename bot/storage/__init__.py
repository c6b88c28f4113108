"""Storage for the curator loop and for several replicas: SQLite by default, PostgreSQL when configured."""

from bot.storage.config import StorageConfig, StorageError, load_config
from bot.storage.migrate import Migrated, run_migrations
from bot.storage.store import KINDS, VOTES, Kind, Storage, ThreadContext, Vote, open_storage

__all__ = [
    "KINDS",
    "VOTES",
    "Kind",
    "Migrated",
    "Storage",
    "StorageConfig",
    "StorageError",
    "ThreadContext",
    "Vote",
    "load_config",
    "open_storage",
    "run_migrations",
]
