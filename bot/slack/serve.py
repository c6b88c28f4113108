"""`il2bot serve`: check the settings, load the cards, then run Socket Mode or HTTP (uvicorn)."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.slack.services import Background

log = logging.getLogger("il2bot.slack")


def _fail(message: str, code: int) -> int:
    print(f"il2bot serve: {message}", file=sys.stderr)
    return code


def _drained(background: Background, seconds: float) -> int:
    """Send the queued answers within `seconds` (the rest are logged by request), then exit 0."""
    unsent = background.drain(seconds)
    if not unsent:
        log.info("stopped: every queued answer was sent")
        return 0
    log.info("stopped: %d answer(s) not sent (logged above by request)", len(unsent))
    # Answers still being sent would hold the process past the deadline (their threads are joined at
    # exit): leave now, with the logs flushed.
    logging.shutdown()
    os._exit(0)


def cmd_serve(*, http: bool, host: str, port: int, root: Path | None = None) -> int:
    """Run the Slack app; exit 2 with one line when a setting is missing or wrong."""
    from bot.cards.model import DeckError
    from bot.engine import load_engine
    from bot.slack.settings import SettingsError, load_settings, read_env

    try:
        settings = load_settings(read_env(os.environ, Path.cwd() / ".env"), http=http)
    except SettingsError as exc:
        return _fail(str(exc), 2)
    from bot.slack.logs import configure_logging

    configure_logging(settings.log_format)
    try:
        engine = load_engine(root)
    except DeckError as exc:
        return _fail(f"the fact cards have {len(exc.errors)} problem(s), run `il2bot check` "
                     f"(first: {exc.errors[0] if exc.errors else 'unknown'})", 1)

    from slack_sdk.errors import SlackApiError

    from bot.slack.app import ANSWER_WORKERS, build_app, build_asgi
    from bot.slack.services import Background
    from bot.slack.web import make_web_client

    client = make_web_client(settings)
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        return _fail(f"Slack rejected SLACK_BOT_TOKEN ({exc.response.get('error')}); "
                     "set the Bot User OAuth Token (xoxb-...) of the installed app", 2)
    except OSError as exc:  # URLError and socket errors, after the retries
        return _fail(f"cannot reach the Slack API at {settings.api_url} ({getattr(exc, 'reason', exc)})", 1)
    background = Background(ANSWER_WORKERS)
    app = build_app(settings, engine, client, background=background)
    log.info("connected to Slack as %s (team %s)", auth.get("user"), auth.get("team"))

    if http:
        from bot.slack.http_server import make_server

        log.info("serving Slack requests at http://%s:%s/slack/events", host, port)
        server = make_server(build_asgi(app, settings), settings, host=host, port=port, proxy_headers=True)
        server.run()
        since_signal = time.monotonic() - (server.stop_requested_at or time.monotonic())
        return _drained(background, max(settings.drain_seconds - since_signal, 0.0))

    from bot.slack.socket import AppTokenRejected, serve_socket_mode

    try:
        left = serve_socket_mode(app, settings.app_token, drain_seconds=settings.drain_seconds,
                                 max_envelope_bytes=settings.max_body_bytes)
    except AppTokenRejected as exc:
        return _fail(f"Slack rejected SLACK_APP_TOKEN ({exc.error}); set an app-level "
                     "token (xapp-...) with connections:write, and turn Socket Mode on", 2)
    return _drained(background, left)
