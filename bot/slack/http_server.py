"""The uvicorn server for HTTP mode: read deadlines, a connection limit, and a shutdown that returns.

uvicorn keeps a connection open as long as a client trickles its headers, and after a graceful
shutdown it re-raises SIGTERM/SIGINT, which kills the process before queued answers are sent.
`GuardedH11Protocol` closes a connection whose request headers are not complete within the read
timeout, and closes new connections past the limit; `HttpServer` stops on a signal and returns, so
the caller can drain the answer queue and exit 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from types import FrameType
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.slack.settings import Settings

log = logging.getLogger("il2bot.slack")
KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this
MAX_HEADER_BYTES = 16 * 1024  # request line and headers (h11's incomplete event size)
MAX_REQUEST_SHUTDOWN_SECONDS = 5  # at shutdown, time for requests in progress (acks take milliseconds)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers and a cap on connections."""

    read_timeout: float = 10.0
    max_connections: int = 1000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headers_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Take the connection, or close it at once when too many are open; start the headers deadline."""
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            log.warning("closed a connection from %s: %d connections open (limit %d)",
                        _peer(self.client), len(self.connections) - 1, self.max_connections)
            self.transport.close()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Feed uvicorn; once the headers of a request are in, its body is the app's to time."""
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def on_response_complete(self) -> None:
        """After each response the next request's headers get a fresh deadline."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._headers_deadline = self.loop.call_later(self.read_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._headers_deadline is not None:
            self._headers_deadline.cancel()
            self._headers_deadline = None

    def _headers_too_slow(self) -> None:
        self._headers_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            log.info("closed a connection from %s: no complete request headers within %ss",
                     _peer(self.client), self.read_timeout)
            self.transport.close()


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "?"


def guarded_protocol(settings: Settings) -> type[GuardedH11Protocol]:
    """The h11 protocol class with this server's read timeout and connection limit."""
    return type("Guarded", (GuardedH11Protocol,), {"read_timeout": settings.read_timeout,
                                                   "max_connections": settings.max_connections})


class HttpServer(uvicorn.Server):
    """uvicorn's Server, but a SIGTERM or SIGINT stops it without being raised again afterwards."""

    stopped_by: int | None = None
    stop_requested_at: float | None = None  # time.monotonic() of the first signal

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Stop serving (a second SIGINT forces it); remember the signal instead of re-raising it."""
        self.stopped_by = sig
        if self.stop_requested_at is None:
            self.stop_requested_at = time.monotonic()
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True


def make_server(asgi: Any, settings: Settings, *, host: str, port: int,
                log_level: str = "info", proxy_headers: bool = False) -> HttpServer:
    """The server for an ASGI app: guarded h11, short keep-alive, uvicorn logging through ours.

    uvicorn's access log is off: a rejected request is logged once, by the app, with its reason.
    """
    config = uvicorn.Config(
        asgi, host=host, port=port, lifespan="off", log_level=log_level, log_config=None, access_log=False,
        http=guarded_protocol(settings), timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES, proxy_headers=proxy_headers,
        timeout_graceful_shutdown=int(max(min(settings.drain_seconds, MAX_REQUEST_SHUTDOWN_SECONDS), 1)),
    )
    return HttpServer(config)
