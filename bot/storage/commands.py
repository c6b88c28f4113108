"""`il2bot db upgrade` and `il2bot report`: the storage commands of the CLI."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

from bot.storage.config import StorageError

DEFAULT_API_URL = "https://slack.com/api/"
POST_TIMEOUT_S = 10


def command_env() -> dict[str, str]:
    """The environment over the values of .env in the working folder (the environment wins), like serve."""
    values: dict[str, str] = {}
    dotenv = Path(".env")
    if dotenv.is_file():
        from dotenv import dotenv_values

        values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    values.update(os.environ)
    return values


def cmd_db_upgrade() -> int:
    """Apply the migrations; one line either way; exit 2 when the database cannot be used."""
    from bot.storage.config import load_config
    from bot.storage.migrate import run_migrations

    try:
        config = load_config(command_env())
        print(run_migrations(config.url).line())
    except StorageError as e:
        print(f"il2bot db upgrade: {e}", file=sys.stderr)
        return 2
    return 0


def cmd_report(root: str, since: timedelta, fmt: str, post: str | None) -> int:
    """Print the curators' report (text, JSON or CSV), or post its summary to a Slack channel."""
    from bot.cards.model import DeckError
    from bot.engine import load_engine
    from bot.storage.report import build_report, to_csv, to_slack, to_text
    from bot.storage.store import open_storage

    env = command_env()
    if post is not None and not env.get("SLACK_BOT_TOKEN", "").strip().startswith("xoxb-"):
        print("il2bot report --post: set SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-...) "
              "in the environment or in .env", file=sys.stderr)
        return 2
    try:
        deck = load_engine(root).deck
    except DeckError as exc:
        for err in exc.errors[:20]:
            print(err, file=sys.stderr)
        print("The fact cards have problems; run 'il2bot check' for the full list.", file=sys.stderr)
        return 1
    try:
        storage = open_storage(env=env, migrate=False, start_writer=False)
    except StorageError as e:
        print(f"il2bot report: {e}", file=sys.stderr)
        return 2
    try:
        report = build_report(storage.engine, {c.id: c.title for c in deck.cards}, since)
    finally:
        storage.close()
    if post is not None:
        return _post(env, post, to_slack(report))
    if fmt == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        sys.stdout.write(to_csv(report))
    else:
        sys.stdout.write(to_text(report))
    return 0


def _post(env: dict[str, str], channel: str, text: str) -> int:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    base = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    client = WebClient(token=env["SLACK_BOT_TOKEN"].strip(), timeout=POST_TIMEOUT_S,
                       base_url=base if base.endswith("/") else base + "/")
    try:
        client.chat_postMessage(channel=channel, text=text, mrkdwn=True, unfurl_links=False)
    except SlackApiError as e:
        print(f"il2bot report --post: Slack refused the message: {e.response.get('error', 'unknown error')}"
              f" (is the bot in {channel}? it needs chat:write)", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"il2bot report --post: cannot reach Slack at {base}: {e}", file=sys.stderr)
        return 1
    print(f"report posted to {channel}")
    return 0
