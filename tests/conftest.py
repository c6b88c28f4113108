"""Shared fixtures: the real content root and a small, valid content tree to break."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test session caches decks in its own folder, never in the user's home."""
    monkeypatch.setenv("IL2BOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """A test that runs `il2bot serve` in-process configures logging; the next test gets it back as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """A copy of the mini content tree (with the real schemas) that a test may break."""
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "facts" / "schema", root / "facts" / "schema")
    return root


@pytest.fixture(scope="session")
def fuzz_report(request: pytest.FixtureRequest) -> Callable[[str, dict[str, int]], None]:
    """A function printing how many fuzz cases ran, past pytest's output capture."""

    def report(what: str, runs: dict[str, int]) -> None:
        reporter = request.config.pluginmanager.getplugin("terminalreporter")
        capture = request.config.pluginmanager.getplugin("capturemanager")
        if reporter is None or capture is None or not runs:
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nfuzz cases run ({what}): " + ", ".join(f"{k} {v}" for k, v in runs.items()))

    return report
