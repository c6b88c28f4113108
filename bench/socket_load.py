"""Socket Mode load: the real `il2bot serve` (Socket Mode) on 127.0.0.1 under a mix of envelopes.

The fake Socket Mode endpoint of tests/slack/fake_socket.py sends slash commands, mentions, DMs,
button clicks (Also, Show all facts, Show sources: the buttons of bot.slack.interaction) and
re-deliveries of events already sent (a new envelope, the same event_id), with at most `--window`
envelopes un-acked at a time, and asks the app to reconnect (`disconnect`, refresh_requested) every
`--refresh-every` envelopes. It prints ack latency (from sending an envelope
to receiving its ack) p50/p99/max, envelopes acked once each, replies delivered against expected (lost,
doubled), the time each refresh took and the server's memory. Bounded in count and time; exits 1 when
an envelope is not acked exactly once or a reply is lost or doubled.

    .venv/bin/python bench/socket_load.py [--envelopes 2000] [--window 20] [--refresh-every 500]
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "slack"))

import fake_socket as envelopes  # noqa: E402
from fake_socket import FakeSocketMode, Serve, socket_slack  # noqa: E402
from slack_harness import BOT_USER, FakeSlack  # noqa: E402

from bot.render.view import ViewName, ViewState  # noqa: E402
from bot.slack.interaction import ACTION_PAGE, ACTION_VIEW, encode  # noqa: E402

QUERIES = ["side-effects aldesleukin", "who can join the lupus trial?", "dose il-7", "NCT04077684",
           "low-dose il-2 in lupus results", "proleukn side efects", "il-2 in hiv", "help", "pembrolizumab"]
CLICKS: list[tuple[str, int, ViewName]] = [  # Also (the second match), Show all facts, Show sources
    (f"{ACTION_PAGE}_0", 1, "answer"), (f"{ACTION_VIEW}_facts", 0, "facts"),
    (f"{ACTION_VIEW}_sources", 0, "sources")]


def plan(count: int, api: FakeSlack, seed: int) -> list[tuple[str, dict[str, Any], str | None]]:
    """(kind, envelope, where its reply goes: a response_url path, a channel, or None) for each envelope."""
    rng = random.Random(seed)
    out: list[tuple[str, dict[str, Any], str | None]] = []
    events: list[dict[str, Any]] = []
    for i in range(count):
        roll = rng.random()
        query = rng.choice(QUERIES)
        if roll < 0.40:
            url, path = api.response_url()
            out.append(("command", envelopes.command(query, url), path))
        elif roll < 0.65:
            channel = f"C{seed}{i:06d}"
            env = envelopes.event({"type": "app_mention", "user": "U0001", "text": f"<@{BOT_USER}> {query}",
                                   "ts": f"17000{i:05d}.000100", "channel": channel})
            events.append(env)
            out.append(("mention", env, channel))
        elif roll < 0.85:
            channel = f"D{seed}{i:06d}"
            env = envelopes.event({"type": "message", "channel_type": "im", "user": "U0001", "text": query,
                                   "ts": f"17000{i:05d}.000200", "channel": channel})
            events.append(env)
            out.append(("dm", env, channel))
        elif roll < 0.95 or not events:
            url, path = api.response_url()
            action_id, page, view = CLICKS[i % len(CLICKS)]  # no draw: the same plan as before
            action = {"action_id": action_id, "value": encode(ViewState(query, page, view))}
            out.append(("click", envelopes.click(action, url), path))
        else:
            again = rng.choice(events)
            env = {**again, "envelope_id": envelopes.new_id(), "retry_attempt": 1, "retry_reason": "timeout"}
            out.append(("redelivery", env, None))
    return out


def replies(api: FakeSlack) -> Counter[str]:
    """Replies the fake Slack received, by where they went (a response_url path, or a channel)."""
    with api.lock:
        recorded = list(api.requests)
    return Counter(r.path if r.path.startswith("/response/") else str(r.data.get("channel"))
                   for r in recorded if r.path.startswith("/response/") or r.path == "/chat.postMessage")


def main() -> int:
    """Run the Socket Mode load once and print its figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--envelopes", type=int, default=2000, help="envelopes to send (default 2000)")
    p.add_argument("--window", type=int, default=20, help="un-acked envelopes at most (default 20)")
    p.add_argument("--refresh-every", type=int, default=500, help="envelopes between refreshes (default 500)")
    p.add_argument("--time-limit", type=float, default=300.0, help="hard limit on the run, seconds")
    p.add_argument("--json", help="also write the figures to this JSON file")
    args = p.parse_args()
    deadline = time.monotonic() + args.time_limit
    endpoint = FakeSocketMode()
    api = socket_slack(endpoint)
    serve = Serve(api, Path(tempfile.mkdtemp(prefix="il2bot-socket-load-")))
    try:
        serve.wait_line("Socket Mode: connected; il2bot is running")
        warm = plan(100, api, seed=9)
        for _, env, _ in warm:
            endpoint.send(env)
        endpoint.wait_acks(*[e["envelope_id"] for _, e, _ in warm], timeout=60)
        time.sleep(2)  # let the warm-up answers finish before the measured run (not a test: a bench)
        api.reset()
        endpoint.reset()
        jobs = plan(args.envelopes, api, seed=1)
        latencies: list[float] = []
        refreshes: list[float] = []
        started, cpu0 = time.monotonic(), serve.cpu_seconds()
        pending: list[str] = []
        for n, (_, env, _) in enumerate(jobs, 1):
            if time.monotonic() > deadline:
                break
            pending.append(endpoint.send(env))
            if len(pending) >= args.window:
                endpoint.wait_acks(pending.pop(0), timeout=30)
            if args.refresh_every and n % args.refresh_every == 0 and n < len(jobs):
                t0 = time.monotonic()
                endpoint.refresh(timeout=30)
                refreshes.append(time.monotonic() - t0)
        endpoint.wait_acks(*[e["envelope_id"] for _, e, _ in jobs], timeout=60)
        seconds, cpu = time.monotonic() - started, serve.cpu_seconds() - cpu0
        first_ack: dict[str, float] = {}
        for ack in endpoint.acks:
            first_ack.setdefault(ack.envelope_id, ack.at)
        latencies = sorted(first_ack[e] - endpoint.sent_at[e] for e in first_ack)
        expected = {where: 1 for kind, _, where in jobs if where is not None}
        wait_until = time.monotonic() + 120
        while time.monotonic() < wait_until:
            got = replies(api)
            if all(got[w] >= 1 for w in expected):
                break
            time.sleep(0.2)
        time.sleep(1)  # a doubled reply would arrive about now (a bench, not a test)
        got = replies(api)
        rss, peak = serve.memory_mb()
        acked = endpoint.ack_counts()
        serve.stop(signal.SIGTERM, timeout=60)
    finally:
        serve.kill()
        api.close()
        endpoint.close()

    def pct(q: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)

    lost = sum(1 for w in expected if got[w] == 0)
    doubled = sum(1 for w in expected if got[w] > 1)
    not_once = sum(1 for e, n in endpoint.deliveries.items() if acked[e] != n)
    figures = {
        "envelopes": len(jobs), "window": args.window, "seconds": round(seconds, 2),
        "envelopes_per_second": round(len(jobs) / seconds, 1),
        "server_cpu_ms_per_envelope": round(1000 * cpu / len(jobs), 2),
        "mix": dict(Counter(kind for kind, _, _ in jobs)),
        "ack_ms": {"p50": pct(0.50), "p99": pct(0.99), "max": round(1000 * latencies[-1], 2)},
        "acked_not_exactly_once": not_once,
        "replies": {"expected": len(expected), "delivered": sum(1 for w in expected if got[w] >= 1),
                    "lost": lost, "doubled": doubled},
        "refreshes": len(refreshes), "refresh_ms_max": round(1000 * max(refreshes, default=0.0), 1),
        "server_mb": {"rss": round(rss, 1), "peak": round(peak, 1)},
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0 if not (lost or doubled or not_once) else 1


if __name__ == "__main__":
    sys.exit(main())
