"""`il2bot serve`: check the settings, open the storage, load the cards, then run Socket Mode or HTTP."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.slack.services import Background
    from bot.slack.settings import Settings
    from bot.storage import Storage

log = logging.getLogger("il2bot.slack")
LISTEN_BACKLOG = 2048


def _fail(message: str, code: int) -> int:
    print(f"il2bot serve: {message}", file=sys.stderr)
    return code


def _drained(background: Background, seconds: float, storage: Storage | None = None) -> int:
    """Send the queued answers within `seconds` (the rest are logged by request), flush the storage in
    what is left of them, then exit 0."""
    started = time.monotonic()
    unsent = background.drain(seconds)
    if storage is not None and not storage.close(deadline=max(seconds - (time.monotonic() - started), 0.1)):
        log.warning("stopped: some storage writes were not flushed in time (counted above)")
    if not unsent:
        log.info("stopped: every queued answer was sent")
        return 0
    log.info("stopped: %d answer(s) not sent (logged above by request)", len(unsent))
    # Answers still being sent would hold the process past the deadline (their threads are joined at
    # exit): leave now, with the logs flushed.
    logging.shutdown()
    os._exit(0)


def cmd_serve(*, http: bool, host: str, port: int, root: Path | None = None, workers: int = 1) -> int:
    """Run the Slack app; exit 2 with one line when a setting, the database or the worker count is wrong."""
    from bot.cards.model import DeckError
    from bot.engine import load_engine
    from bot.slack.settings import SettingsError, load_settings, read_env
    from bot.storage import StorageError, load_config, open_storage

    if workers < 1:
        return _fail(f"--workers must be 1 or more (got {workers})", 2)
    if workers > 1 and not http:
        return _fail("--workers above 1 needs --http (Socket Mode runs one process)", 2)
    try:
        settings = load_settings(read_env(os.environ, Path.cwd() / ".env"), http=http)
    except SettingsError as exc:
        return _fail(str(exc), 2)
    from bot.slack.logs import configure_logging

    configure_logging(settings.log_format)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per migration step is noise here
    try:
        if workers > 1 and load_config(os.environ).is_sqlite:
            return _fail(f"--workers {workers} needs PostgreSQL (IL2BOT_DATABASE_URL=postgresql+psycopg:"
                         "//...): SQLite is for one process", 2)
        storage = open_storage(env=os.environ)  # applies the migrations (safe when replicas start together)
    except StorageError as exc:
        return _fail(str(exc).splitlines()[0] if str(exc) else "the database cannot be used", 2)
    try:
        engine = load_engine(root)
    except DeckError as exc:
        storage.close()
        return _fail(f"the fact cards have {len(exc.errors)} problem(s), run `il2bot check` "
                     f"(first: {exc.errors[0] if exc.errors else 'unknown'})", 1)
    log.info("storage: %s (%s)", storage.engine.url.render_as_string(hide_password=True),
             "shared by replicas" if storage.shared else "this process only")
    if workers > 1:
        storage.close()  # each worker opens its own after the fork (no connection or thread crosses it)
        return _serve_workers(settings, engine, host=host, port=port, workers=workers)
    return _serve_one(settings, engine, storage, http=http, host=host, port=port)


def _serve_one(settings: Settings, engine: Engine, storage: Storage, *, http: bool, host: str, port: int,
               sock: socket.socket | None = None) -> int:
    """One process: connect to Slack, build the app on the storage, serve until a signal, then drain."""
    from slack_sdk.errors import SlackApiError

    from bot.slack.app import ANSWER_WORKERS, build_app, build_asgi
    from bot.slack.services import Background
    from bot.slack.web import make_web_client

    client = make_web_client(settings)
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        storage.close()
        return _fail(f"Slack rejected SLACK_BOT_TOKEN ({exc.response.get('error')}); "
                     "set the Bot User OAuth Token (xoxb-...) of the installed app", 2)
    except OSError as exc:  # URLError and socket errors, after the retries
        storage.close()
        return _fail(f"cannot reach the Slack API at {settings.api_url} ({getattr(exc, 'reason', exc)})", 1)
    background = Background(ANSWER_WORKERS)
    app = build_app(settings, engine, client, background=background, storage=storage)
    log.info("connected to Slack as %s (team %s)", auth.get("user"), auth.get("team"))

    if http:
        from bot.slack.http_server import make_server

        log.info("serving Slack requests at http://%s:%s/slack/events", host, port)
        server = make_server(build_asgi(app, settings), settings, host=host, port=port, proxy_headers=True)
        server.run(sockets=[sock] if sock is not None else None)
        since_signal = time.monotonic() - (server.stop_requested_at or time.monotonic())
        return _drained(background, max(settings.drain_seconds - since_signal, 0.0), storage)

    from bot.slack.socket import AppTokenRejected, serve_socket_mode

    try:
        left = serve_socket_mode(app, settings.app_token, drain_seconds=settings.drain_seconds,
                                 max_envelope_bytes=settings.max_body_bytes)
    except AppTokenRejected as exc:
        storage.close()
        return _fail(f"Slack rejected SLACK_APP_TOKEN ({exc.error}); set an app-level "
                     "token (xapp-...) with connections:write, and turn Socket Mode on", 2)
    return _drained(background, left, storage)


def _listener(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other workers may bind too (SO_REUSEPORT: the kernel spreads
    new connections across the workers' own sockets, none shared)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _serve_workers(settings: Settings, engine: Engine, *, host: str, port: int, workers: int) -> int:
    """N worker processes forked after the cards are loaded, each listening on the port (SO_REUSEPORT)
    and opening its own storage. A SIGTERM or SIGINT is passed on to every worker; the parent waits."""
    from bot.storage import StorageError, open_storage

    try:
        _listener(host, port).close()  # the port is free (each worker binds its own, below)
    except OSError as exc:
        return _fail(f"cannot listen on {host}:{port} ({exc.strerror})", 1)
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker
            code = 1
            try:
                sock = _listener(host, port)
                sock.listen(LISTEN_BACKLOG)
                storage = open_storage(env=os.environ, migrate=False)
                code = _serve_one(settings, engine, storage, http=True, host=host, port=port, sock=sock)
            except StorageError as exc:
                code = _fail(str(exc).splitlines()[0], 2)
            except BaseException:
                log.exception("worker %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        children.append(pid)
    log.info("serving with %d worker processes (pids %s)", workers, ", ".join(map(str, children)))

    def forward(sig: int, frame: object) -> None:
        for pid in children:  # as SIGTERM: a worker that also got the terminal's SIGINT is not forced
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    worst = 0
    for pid in children:
        _, status = os.waitpid(pid, 0)
        worst = max(worst, os.waitstatus_to_exitcode(status))
    log.info("stopped: every worker has exited")
    return worst
