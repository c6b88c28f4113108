"""A fake Slack Socket Mode endpoint on 127.0.0.1 (the `websockets` library), and envelopes as Slack sends them.

It plays Slack's side of the protocol: `hello` on each connection, envelopes sent on the newest
connection, every ack recorded by envelope id and connection, `disconnect` (refresh requested) followed
by closing the old connection once a new one is open, and re-sending the envelopes left un-acked on a
closed connection (as Slack does). Tests wait on the recorded acks with a bounded deadline.
`Serve` runs the real `il2bot serve` (Socket Mode) in a subprocess against both fakes.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_harness import BOT_USER, TEAM, WAIT, FakeSlack, Scripted
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

REPO = Path(__file__).resolve().parents[2]
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")
START = 30.0  # seconds `il2bot serve` may take to start on a loaded machine
MAX_ACK_BYTES = 1024 * 1024  # an ack is a few dozen bytes; the app never sends more than this


@dataclass(frozen=True)
class Ack:
    """One ack the fake received: the envelope id, the connection (0, 1, ...) and its payload."""

    envelope_id: str
    connection: int
    payload: Any
    at: float  # time.monotonic() when it arrived


class FakeSocketMode:
    """A Socket Mode WebSocket endpoint that records acks; `url()` is what apps.connections.open returns."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.connections: list[ServerConnection] = []
        self.retiring: set[int] = set()  # connections sent a `disconnect`: no new envelopes go there
        self.acks: list[Ack] = []
        self.deliveries: Counter[str] = Counter()  # times each envelope id was sent
        self.sent_at: dict[str, float] = {}  # time.monotonic() when each envelope id was last sent
        self.unacked: dict[str, tuple[int, dict[str, Any]]] = {}  # id -> (connection, envelope)
        self.other: list[str] = []  # frames from the app that are not acks
        self.tickets = itertools.count(1)
        self.server: Server = serve(self._handler, "127.0.0.1", 0, compression=None,
                                    max_size=MAX_ACK_BYTES, ping_interval=None)
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self) -> str:
        """A fresh WebSocket URL, as apps.connections.open gives (with a one-off ticket)."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket={next(self.tickets)}&app_id=A0001"

    def _handler(self, ws: ServerConnection) -> None:
        with self.cond:
            index = len(self.connections)
            self.connections.append(ws)
            self.cond.notify_all()
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"},
                            "debug_info": {"host": "fake", "approximate_connection_time": 18060}}))
        try:
            for raw in ws:
                data = json.loads(raw)
                with self.cond:
                    if isinstance(data, dict) and isinstance(data.get("envelope_id"), str):
                        self.acks.append(Ack(data["envelope_id"], index, data.get("payload"), time.monotonic()))
                        self.unacked.pop(data["envelope_id"], None)
                    else:
                        self.other.append(str(raw))
                    self.cond.notify_all()
        except ConnectionClosed:
            pass
        with self.cond:
            self.cond.notify_all()

    # -- sending --------------------------------------------------------------------------------

    def _current(self, timeout: float = WAIT) -> tuple[int, ServerConnection]:
        """The newest connection that is open and not retiring (waits for one, bounded)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for index in range(len(self.connections) - 1, -1, -1):
                    ws = self.connections[index]
                    if index not in self.retiring and ws.close_code is None:
                        return index, ws
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the app has no open Socket Mode connection")
                self.cond.wait(left)

    def send(self, envelope: dict[str, Any]) -> str:
        """Send an envelope on the current connection; returns its id (awaiting an ack)."""
        index, ws = self._current()
        with self.cond:
            self.deliveries[envelope["envelope_id"]] += 1
            self.unacked[envelope["envelope_id"]] = (index, envelope)
            self.sent_at[envelope["envelope_id"]] = time.monotonic()
        ws.send(json.dumps(envelope))
        return str(envelope["envelope_id"])

    def send_raw(self, text: str, *, envelope_id: str | None = None) -> None:
        """Send any text frame (malformed, huge); counted as a delivery of `envelope_id` when given."""
        _, ws = self._current()
        if envelope_id is not None:
            with self.cond:
                self.deliveries[envelope_id] += 1
        ws.send(text)

    def refresh(self, timeout: float = WAIT) -> None:
        """Slack's refresh: `disconnect` on the current connection; once the app has opened a new one,
        close the old one and re-send there what was left un-acked (with retry_attempt + 1)."""
        index, old = self._current()
        with self.cond:
            self.retiring.add(index)
            opened = len(self.connections)
        old.send(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                             "debug_info": {"host": "fake"}}))
        self.wait_connections(opened + 1, timeout)
        old.close()
        with self.cond:
            left = [env for (i, env) in self.unacked.values() if i == index]
        for envelope in left:
            self.send({**envelope, "retry_attempt": envelope.get("retry_attempt", 0) + 1,
                       "retry_reason": "timeout"})

    # -- waiting --------------------------------------------------------------------------------

    def _wait(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; acks: {self.acks}")
                self.cond.wait(left)

    def wait_connections(self, count: int, timeout: float = WAIT) -> None:
        """Wait (bounded) until the app has opened `count` connections in all."""
        self._wait(lambda: len(self.connections) >= count, timeout, f"{count} connection(s)")

    def wait_acks(self, *envelope_ids: str, timeout: float = WAIT) -> list[Ack]:
        """Wait (bounded) until each envelope id was acked as often as it was sent; return their acks."""
        def done() -> bool:
            counts = Counter(a.envelope_id for a in self.acks)
            return all(counts[e] >= self.deliveries[e] for e in envelope_ids)
        self._wait(done, timeout, f"acks of {envelope_ids}")
        with self.cond:
            return [a for a in self.acks if a.envelope_id in envelope_ids]

    def ack_counts(self) -> Counter[str]:
        """How many times each envelope id was acked."""
        with self.cond:
            return Counter(a.envelope_id for a in self.acks)

    def reset(self) -> None:
        """Forget recorded acks and deliveries (connections stay open)."""
        with self.cond:
            self.acks.clear()
            self.deliveries.clear()
            self.sent_at.clear()
            self.unacked.clear()
            self.other.clear()

    def close(self) -> None:
        self.server.shutdown()


def socket_slack(fake: FakeSocketMode) -> FakeSlack:
    """A fake Web API whose apps.connections.open hands out the fake Socket Mode endpoint."""
    api = FakeSlack()
    default = api.default

    def answer(path: str) -> Scripted:
        if path == "/apps.connections.open":
            return Scripted(200, {"ok": True, "url": fake.url()})
        return default(path)

    api.default = answer  # type: ignore[method-assign]
    return api


# -- `il2bot serve` in a subprocess --------------------------------------------------------------


class Serve:
    """`il2bot serve` (Socket Mode) in a subprocess; its output collected line by line."""

    def __init__(self, api: FakeSlack, tmp_path: Path, **env: str) -> None:
        environ = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
        environ.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xapp-test", SLACK_API_URL=api.url,
                       PYTHONPATH=str(REPO), IL2BOT_ROOT=str(REPO), PYTHONUNBUFFERED="1",
                       IL2BOT_DATA_DIR=str(tmp_path / "data"), **env)
        environ.pop("IL2BOT_DATABASE_URL", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=environ,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_line(self, text: str, count: int = 1, timeout: float = START) -> list[str]:
        """Wait (bounded) until `count` lines of output contain text; return them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [line for line in self.lines if text in line]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    raise AssertionError(f"no {count} line(s) with {text!r} in:\n" + "\n".join(self.lines))
                self.cond.wait(min(left, 0.5))

    def stop(self, sig: signal.Signals, timeout: float) -> tuple[int, float]:
        """Send the signal; the exit code and the seconds it took to exit (killed past `timeout`)."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("did not exit in time:\n" + "\n".join(self.lines)) from None
        self.reader.join(timeout=5)
        return code, time.monotonic() - start

    def memory_mb(self) -> tuple[float, float]:
        """The server's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
                      if ":" in line)
        return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (user + system)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def output(self) -> str:
        with self.cond:
            return "\n".join(self.lines)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# -- envelopes as Slack sends them -----------------------------------------------------------------


_MESSAGES = itertools.count(1)  # message timestamps for clicks, one message each


def new_id() -> str:
    return f"env-{uuid.uuid4().hex[:12]}"


def command(text: str, response_url: str, *, trigger_id: str | None = None) -> dict[str, Any]:
    """A slash_commands envelope for `/il2 text`."""
    payload = {"token": "x", "team_id": TEAM, "team_domain": "test", "channel_id": "C0001",
               "channel_name": "general", "user_id": "U0001", "user_name": "ann", "command": "/il2",
               "text": text, "api_app_id": "A0001", "is_enterprise_install": "false",
               "response_url": response_url, "trigger_id": trigger_id or f"{uuid.uuid4().int % 10**9}.1.x"}
    return {"envelope_id": new_id(), "type": "slash_commands", "payload": payload,
            "accepts_response_payload": True}


def event(event: dict[str, Any], *, event_id: str | None = None, retry_attempt: int = 0) -> dict[str, Any]:
    """An events_api envelope carrying an event_callback with this event."""
    payload = {"token": "x", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback",
               "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
               "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
               "event": {"event_ts": event.get("ts", "1.0"), **event}}
    return {"envelope_id": new_id(), "type": "events_api", "payload": payload,
            "accepts_response_payload": False, "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else ""}


def click(action: dict[str, Any], response_url: str, *, ephemeral: bool = True,
          thread_ts: str | None = None, message_ts: str | None = None) -> dict[str, Any]:
    """An interactive envelope: a block_actions click on this button, on a message of its own unless
    `message_ts` names one (a second click on the same message is the same click again)."""
    message_ts = message_ts or f"1700000000.{next(_MESSAGES):06d}"
    container: dict[str, Any] = {"type": "message", "message_ts": message_ts, "channel_id": "C0001",
                                 "is_ephemeral": ephemeral}
    if thread_ts:
        container["thread_ts"] = thread_ts
    payload = {"type": "block_actions", "team": {"id": TEAM, "domain": "test"},
               "user": {"id": "U0002", "username": "bob", "team_id": TEAM}, "api_app_id": "A0001",
               "token": "x", "container": container, "trigger_id": f"{uuid.uuid4().int % 10**9}.2.x",
               "channel": {"id": "C0001", "name": "general"}, "response_url": response_url,
               "actions": [{"action_id": action["action_id"], "block_id": "b", "type": "button",
                            "value": action.get("value", ""), "text": action.get("text"),
                            "action_ts": f"{time.time():.6f}"}]}
    return {"envelope_id": new_id(), "type": "interactive", "payload": payload,
            "accepts_response_payload": False}
