"""Shared fixtures: the real content root and a small, valid content tree to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test session caches decks in its own folder, never in the user's home."""
    monkeypatch.setenv("IL2BOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """A copy of the mini content tree (with the real schemas) that a test may break."""
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "facts" / "schema", root / "facts" / "schema")
    return root
