"""Where the content (facts/ and seeds/) lives."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def content_root() -> Path:
    """$IL2BOT_ROOT, else the data shipped in the wheel, else the source checkout."""
    env = os.environ.get("IL2BOT_ROOT")
    if env:
        return Path(env)
    shipped = _PACKAGE / "_data"
    if (shipped / "facts").is_dir():
        return shipped
    return _PACKAGE.parent
