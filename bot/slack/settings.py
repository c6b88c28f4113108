"""Slack settings from the environment and an optional .env file, checked before anything starts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_API_TIMEOUT = 10.0  # seconds to wait for an answer from the Web API or a response_url
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # a request body larger than this gets 413 (Slack's are a few KB)
DEFAULT_READ_TIMEOUT = 10.0  # seconds a client has to send its headers, then its body
DEFAULT_MAX_CONNECTIONS = 1000  # open connections the HTTP server keeps; more are closed at once
DEFAULT_DRAIN_SECONDS = 20.0  # on SIGTERM/SIGINT, time to send queued answers (below Kubernetes' 30 s)
LOG_FORMATS = ("text", "json")
_NO_SPACE = re.compile(r"^\S+$")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says what to set."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the Slack app needs to run."""

    bot_token: str
    signing_secret: str = ""
    app_token: str = ""
    api_url: str = DEFAULT_API_URL
    api_timeout: float = DEFAULT_API_TIMEOUT
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    drain_seconds: float = DEFAULT_DRAIN_SECONDS
    log_format: str = "text"

    @property
    def socket_mode(self) -> bool:
        """Whether an app-level token is set (Socket Mode is then the default)."""
        return bool(self.app_token)


def read_env(environ: Mapping[str, str], dotenv: Path | None = None) -> dict[str, str]:
    """The environment over the values of a .env file (the environment wins)."""
    values: dict[str, str] = {}
    if dotenv is not None and dotenv.is_file():
        from dotenv import dotenv_values

        values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    values.update(environ)
    return values


def _api_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _NO_SPACE.match(raw):
        raise SettingsError(
            f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL} (got {raw[:60]!r})"
        )
    return raw if raw.endswith("/") else raw + "/"


def load_settings(env: Mapping[str, str], *, http: bool) -> Settings:
    """Settings for Socket Mode or HTTP mode; raise SettingsError naming what to set."""
    get = {k: env.get(k, "").strip() for k in
           ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")}
    missing = []
    if not get["SLACK_BOT_TOKEN"]:
        missing.append("SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-...)")
    if http and not get["SLACK_SIGNING_SECRET"]:
        missing.append("SLACK_SIGNING_SECRET (Basic Information > App Credentials)")
    if not http and not get["SLACK_APP_TOKEN"]:
        missing.append("SLACK_APP_TOKEN (an app-level token, xapp-..., with connections:write) "
                       "for Socket Mode, or run `il2bot serve --http`")
    if missing:
        raise SettingsError(f"set {' and '.join(missing)} in the environment or in .env")
    bot = get["SLACK_BOT_TOKEN"]
    if not bot.startswith("xoxb-") or not _NO_SPACE.match(bot):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb- "
                            "(OAuth & Permissions > Bot User OAuth Token)")
    app = get["SLACK_APP_TOKEN"] if not http else ""
    if app and (not app.startswith("xapp-") or not _NO_SPACE.match(app)):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp- "
                            "(Basic Information > App-Level Tokens, scope connections:write)")
    secret = get["SLACK_SIGNING_SECRET"]
    if secret and not _NO_SPACE.match(secret):
        raise SettingsError("SLACK_SIGNING_SECRET must be the signing secret, without spaces "
                            "(Basic Information > App Credentials)")
    api_url = _api_url(get["SLACK_API_URL"]) if get["SLACK_API_URL"] else DEFAULT_API_URL
    log_format = env.get("IL2BOT_LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        raise SettingsError(f"IL2BOT_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)} "
                            f"(got {log_format[:20]!r})")
    return Settings(
        bot_token=bot, signing_secret=secret, app_token=app, api_url=api_url,
        max_body_bytes=int(_number(env, "IL2BOT_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1024, 100 * 2**20)),
        read_timeout=_number(env, "IL2BOT_READ_TIMEOUT", DEFAULT_READ_TIMEOUT, 0.1, 600),
        max_connections=int(_number(env, "IL2BOT_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, 1, 100_000)),
        drain_seconds=_number(env, "IL2BOT_DRAIN_SECONDS", DEFAULT_DRAIN_SECONDS, 0, 3600),
        log_format=log_format,
    )


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """A numeric setting within [low, high], or its default when unset; SettingsError otherwise."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also false for NaN
        raise SettingsError(f"{name} must be a number from {low:g} to {high:g} (got {raw[:20]!r})")
    return value
