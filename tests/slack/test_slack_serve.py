"""`il2bot serve`: settings, clear failures, Socket Mode selection, HTTP mode under uvicorn, import purity."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from slack_harness import SECRET, FakeSlack, SlackClient

from bot.cli import main
from bot.slack.settings import DEFAULT_API_URL, SettingsError, load_settings, read_env

REPO = Path(__file__).resolve().parents[2]
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Slack settings in the environment, and a working folder without .env."""
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("IL2BOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("IL2BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return monkeypatch


# -- settings --------------------------------------------------------------------------------


def test_settings_for_socket_mode_and_http() -> None:
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, http=False)
    assert s.socket_mode and s.api_url == DEFAULT_API_URL
    h = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "abc",
                       "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": "http://127.0.0.1:9/api"}, http=True)
    assert not h.socket_mode and h.signing_secret == "abc"
    assert h.api_url == "http://127.0.0.1:9/api/", "the trailing slash urljoin needs"


HTTP_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_front_door_settings_have_defaults_and_read_the_environment() -> None:
    default = load_settings(HTTP_ENV, http=True)
    assert (default.max_body_bytes, default.read_timeout, default.max_connections, default.drain_seconds,
            default.log_format) == (1024 * 1024, 10.0, 1000, 20.0, "text")
    s = load_settings({**HTTP_ENV, "IL2BOT_MAX_BODY_BYTES": "65536", "IL2BOT_READ_TIMEOUT": "2.5",
                       "IL2BOT_MAX_CONNECTIONS": "50", "IL2BOT_DRAIN_SECONDS": "5",
                       "IL2BOT_LOG_FORMAT": "JSON"}, http=True)
    assert (s.max_body_bytes, s.read_timeout, s.max_connections, s.drain_seconds, s.log_format) == (
        65536, 2.5, 50, 5.0, "json")


@pytest.mark.parametrize(("env", "http", "says"), [
    ({}, False, "set SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, False, "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, True, "set SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "  "}, True, "set SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": "xapp-1"}, False, "starting with xoxb-"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, False, "starting with xapp-"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "a b"}, True, "SLACK_SIGNING_SECRET must"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "ftp://x"}, True,
     "SLACK_API_URL must"),
    ({**HTTP_ENV, "IL2BOT_MAX_BODY_BYTES": "1MB"}, True, "IL2BOT_MAX_BODY_BYTES must be a number from 1024"),
    ({**HTTP_ENV, "IL2BOT_MAX_BODY_BYTES": "0"}, True, "IL2BOT_MAX_BODY_BYTES must be a number from 1024"),
    ({**HTTP_ENV, "IL2BOT_DRAIN_SECONDS": "-1"}, True, "IL2BOT_DRAIN_SECONDS must be a number from 0"),
    ({**HTTP_ENV, "IL2BOT_DRAIN_SECONDS": "nan"}, True, "IL2BOT_DRAIN_SECONDS must be a number from 0"),
    ({**HTTP_ENV, "IL2BOT_READ_TIMEOUT": "0"}, True, "IL2BOT_READ_TIMEOUT must be a number from 0.1"),
    ({**HTTP_ENV, "IL2BOT_MAX_CONNECTIONS": "lots"}, True, "IL2BOT_MAX_CONNECTIONS must be a number"),
    ({**HTTP_ENV, "IL2BOT_LOG_FORMAT": "xml"}, True, "IL2BOT_LOG_FORMAT must be one of text, json"),
])
def test_bad_settings_say_what_to_set(env: dict[str, str], http: bool, says: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env, http=http)
    assert says in str(info.value)
    assert "\n" not in str(info.value)


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_APP_TOKEN=xapp-from-file\n")
    values = read_env({"SLACK_APP_TOKEN": "xapp-from-env"}, dotenv)
    assert values["SLACK_BOT_TOKEN"] == "xoxb-from-file"
    assert values["SLACK_APP_TOKEN"] == "xapp-from-env"
    assert read_env({"A": "1"}, tmp_path / "missing.env") == {"A": "1"}


# -- il2bot serve ----------------------------------------------------------------------------


def test_serve_without_settings_prints_one_line_and_exits_2(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("il2bot serve: set SLACK_BOT_TOKEN")
    assert "Traceback" not in err


def test_serve_http_without_secret(clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["serve", "--http"]) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err


def test_serve_reads_dotenv(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-bot-token\nSLACK_SIGNING_SECRET=abc\n")
    assert main(["serve", "--http"]) == 2
    assert "xoxb-" in capsys.readouterr().err


def test_serve_with_a_rejected_token_exits_2(
    clean_env: pytest.MonkeyPatch, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    from slack_harness import Scripted

    fake_slack.reset()
    fake_slack.script("/auth.test", Scripted(200, {"ok": False, "error": "invalid_auth"}))
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    clean_env.setenv("SLACK_SIGNING_SECRET", SECRET)
    clean_env.setenv("SLACK_API_URL", fake_slack.url)
    assert main(["serve", "--http"]) == 2
    err = capsys.readouterr().err
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in err and err.count("\n") == 1


def test_serve_uses_socket_mode_when_an_app_token_is_set(
    clean_env: pytest.MonkeyPatch, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_slack.reset()  # apps.connections.open answers invalid_auth: no WebSocket is opened
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    clean_env.setenv("SLACK_APP_TOKEN", "xapp-test")
    clean_env.setenv("SLACK_API_URL", fake_slack.url)
    assert main(["serve"]) == 2
    [opened] = fake_slack.calls("/apps.connections.open")
    assert opened.headers["authorization"] == "Bearer xapp-test"
    assert "Slack rejected SLACK_APP_TOKEN (invalid_auth)" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_http_runs_under_uvicorn(fake_slack: FakeSlack, tmp_path: Path) -> None:
    fake_slack.reset()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
    env.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake_slack.url,
               PYTHONPATH=str(REPO), IL2BOT_ROOT=str(REPO), IL2BOT_DATA_DIR=str(tmp_path / "data"))
    env.pop("IL2BOT_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as resp:
                    assert resp.read() == b"ok"
                    break
            except OSError:
                assert proc.poll() is None, "the server exited early"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        client = SlackClient(base, fake_slack)
        body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"}).encode()
        sent = client.post(body, "application/json")
        assert sent.status == 200 and json.loads(sent.body) == {"challenge": "c-123"}
        assert client.post(body, "application/json", secret="wrong").status == 401
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert f"Uvicorn running on http://127.0.0.1:{port}" in out
    assert len([line for line in out.splitlines() if "rejected request: bad signature" in line]) == 1
    assert '"POST /slack/events HTTP/1.1"' not in out, "no access log line besides the rejection"
    assert f"serving Slack requests at http://127.0.0.1:{port}/slack/events" in out
    assert proc.returncode == 0


# -- the core never imports Slack libraries --------------------------------------------------


def test_core_renderers_and_ask_do_not_import_slack() -> None:
    code = (
        "import sys, io, contextlib\n"
        "import bot.engine, bot.reply, bot.matcher, bot.render.blocks\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['ask', 'side-effects aldesleukin'])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('slack_bolt', 'slack_sdk', 'bot'))\n"
        "print([m for m in bad if not m.startswith('bot') or m.startswith('bot.slack')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# -- shipped files ---------------------------------------------------------------------------


def test_manifest_creates_the_app_in_one_paste() -> None:
    import yaml

    m = yaml.safe_load((REPO / "manifest.yaml").read_text())
    assert m["_metadata"]["major_version"] == 1
    assert len(m["display_information"]["description"]) <= 140
    assert 175 <= len(m["display_information"]["long_description"]) <= 4000
    [command] = m["features"]["slash_commands"]
    assert command["command"] == "/il2" and command["usage_hint"] and command["should_escape"] is False
    assert set(m["oauth_config"]["scopes"]["bot"]) == {"commands", "app_mentions:read", "chat:write",
                                                       "im:history"}
    assert m["settings"]["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_enabled"] is True


def test_env_example_lists_every_setting() -> None:
    text = (REPO / ".env.example").read_text()
    for name in (*SLACK_VARS, "IL2BOT_MAX_BODY_BYTES", "IL2BOT_READ_TIMEOUT", "IL2BOT_MAX_CONNECTIONS",
                 "IL2BOT_DRAIN_SECONDS", "IL2BOT_LOG_FORMAT"):
        assert name in text
    assert "xoxb-" in text and "xapp-" in text
