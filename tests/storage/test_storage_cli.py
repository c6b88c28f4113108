"""`il2bot db upgrade`, start-up errors as one clear line, and an `ask` path free of database code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import StorageError, open_storage
from bot.storage.migrate import head_revision

TIMEOUT = 120


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def il2bot(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """Run `il2bot ARGS` in this process with exactly these IL2BOT_ settings, in an empty folder."""

    def run(env: dict[str, str], *args: str, cwd: Path) -> Ran:
        for key in os.environ:
            if key.startswith("IL2BOT_") and key != "IL2BOT_CACHE_DIR":
                monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def test_db_upgrade_prints_one_line(il2bot: Callable[..., Ran], env: dict[str, str], tmp_path: Path) -> None:
    first = il2bot(env, "db", "upgrade", cwd=tmp_path)
    assert (first.returncode, first.stdout, first.stderr) == (
        0, f"database schema upgraded from empty to revision {head_revision()}\n", "")
    again = il2bot(env, "db", "upgrade", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, f"database schema is up to date (revision {head_revision()})\n")


def test_db_upgrade_uses_the_data_folder_by_default(il2bot: Callable[..., Ran], tmp_path: Path) -> None:
    proc = il2bot({"IL2BOT_DATA_DIR": str(tmp_path / "data")}, "db", "upgrade", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "il2bot.sqlite3", "il2bot.sqlite3.migrate-lock", "user-hash.key"]


@pytest.mark.parametrize(("url", "message"), [
    ("postgresql+psycopg://il2bot:secret@127.0.0.1:1/il2bot",
     "il2bot db upgrade: cannot use the database postgresql+psycopg://il2bot:***@127.0.0.1:1/il2bot: "
     "connection failed: connection to server at \"127.0.0.1\", port 1 failed: Connection refused"),
    ("mysql://x@127.0.0.1/il2bot",
     "il2bot db upgrade: IL2BOT_DATABASE_URL names 'mysql'; il2bot supports postgresql+psycopg://... "
     "or sqlite:///PATH"),
    ("not a url", "il2bot db upgrade: IL2BOT_DATABASE_URL is not a database URL; use postgresql+psycopg://"),
])
def test_an_unusable_database_is_one_line_and_exit_2(il2bot: Callable[..., Ran], tmp_path: Path, url: str,
                                                    message: str) -> None:
    proc = il2bot({"IL2BOT_DATABASE_URL": url, "IL2BOT_DATA_DIR": str(tmp_path / "data")}, "db", "upgrade",
                  cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith(message)


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("IL2BOT_RETENTION_DAYS", "ninety", "IL2BOT_RETENTION_DAYS must be a whole number of days, 1 or more"),
    ("IL2BOT_LOG_QUESTIONS", "maybe", "IL2BOT_LOG_QUESTIONS must be on or off (got 'maybe')"),
    ("IL2BOT_USER_HASH_SECRET", "short", "IL2BOT_USER_HASH_SECRET must be at least 16 characters"),
])
def test_bad_settings_raise_one_error_type_saying_what_to_fix(tmp_path: Path, setting: str, value: str,
                                                              message: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_storage(env={"IL2BOT_DATA_DIR": str(tmp_path / "data"), setting: value})
    assert str(caught.value).startswith(message)


def test_report_before_any_database_says_how_to_create_it(il2bot: Callable[..., Ran], tmp_path: Path) -> None:
    proc = il2bot({"IL2BOT_DATA_DIR": str(tmp_path / "data")}, "report", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"il2bot report: no database yet at {tmp_path / 'data' / 'il2bot.sqlite3'}; "
                           "`il2bot db upgrade` (or `il2bot serve`) creates it, or set IL2BOT_DATABASE_URL\n")


def test_report_rejects_a_bad_span(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "--since", "soon"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == ("il2bot report: error: argument --since: must be a number and h, d "
                                            "or w, like 7d, 12h or 2w (got 'soon')")


def test_ask_imports_no_database_code(tmp_path: Path) -> None:
    code = ("import sys; from bot.cli import main; main(['ask', 'side effects of IL-2']); "
            "print(sorted(m for m in ('sqlalchemy', 'alembic', 'psycopg', 'bot.storage') if m in sys.modules))")
    subprocess.run([sys.executable, "-m", "bot", "ask", "warm the cache"], capture_output=True, timeout=TIMEOUT,
                   check=True)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"
