"""Where the content (facts/ and seeds/) lives."""

from __future__ import annotations

import os

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def content_root() -> str:
    """$IL2BOT_ROOT, else the data shipped in the wheel, else the source checkout."""
    env = os.environ.get("IL2BOT_ROOT")
    if env:
        return env
    shipped = os.path.join(_PACKAGE, "_data")
    if os.path.isdir(os.path.join(shipped, "facts")):
        return shipped
    return os.path.dirname(_PACKAGE)
