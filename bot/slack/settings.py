"""Slack settings from the environment and an optional .env file, checked before anything starts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_API_TIMEOUT = 10.0  # seconds to wait for an answer from the Web API or a response_url
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
    return Settings(bot_token=bot, signing_secret=secret, app_token=app, api_url=api_url)
