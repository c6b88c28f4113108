"""Soak test: 20,000 events into the real `il2bot serve --http`, and how much its memory grew.

Starts the server (as bench/load.py does) against a fake Slack on 127.0.0.1, warms it up, reads its
resident memory (VmRSS in /proc), then sends 20,000 signed events (mentions, DMs and slash commands,
with some re-deliveries) in batches, checking every batch's replies (none lost, none doubled). Prints
the memory after each batch and the growth over the warmed-up size; exits 1 when it grew by more
than 10 MB, or a reply was lost or doubled, or the run hit its time limit.

    .venv/bin/python bench/soak.py [--events 20000] [--batch 1000] [--json out.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _slackload import Outcome, RemoteFake, build_plan, collect, dump, running_server, send_all

GROWTH_LIMIT_MB = 10.0
MIX = {"command": 0.35, "mention": 0.35, "dm": 0.25, "retry": 0.05}


def main() -> int:
    """Run the soak test once and print its figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=20_000, help="events to send after the warm-up")
    p.add_argument("--warmup", type=int, default=2_000, help="events sent before the baseline is read")
    p.add_argument("--batch", type=int, default=1_000, help="events per batch (replies checked per batch)")
    p.add_argument("--concurrency", type=int, default=20, help="requests in flight (default 20)")
    p.add_argument("--time-limit", type=float, default=600.0, help="hard limit on the run, seconds")
    p.add_argument("--json", help="also write the figures to this JSON file")
    args = p.parse_args()
    deadline = time.monotonic() + args.time_limit
    fake = RemoteFake()
    total = Outcome()
    series: list[float] = []
    sent = 0
    started = time.monotonic()
    try:
        with running_server(fake) as server:

            def batch(n: int, start: int) -> None:
                plan = build_plan(fake, n, seed=7, start=start, mix=MIX)
                outcome = send_all(server, fake, plan, concurrency=args.concurrency, deadline=deadline)
                collect(fake, plan, outcome, wait=max(min(deadline - time.monotonic(), 60), 1), settle=0.2)
                fake.reset()  # the fake keeps no more than one batch of replies
                for name in ("acks_ms", "errors"):
                    getattr(total, name).extend(getattr(outcome, name))
                for name in ("expected", "delivered", "lost", "duplicated", "unexpected", "failures"):
                    setattr(total, name, getattr(total, name) + getattr(outcome, name))

            for start in range(0, args.warmup, args.batch):
                batch(min(args.batch, args.warmup - start), 1_000_000 + start)
            warm = server.status()
            total = Outcome()  # the warm-up does not count
            while sent < args.events and time.monotonic() < deadline:
                n = min(args.batch, args.events - sent)
                batch(n, sent)
                sent += n
                series.append(server.status()["VmRSS"] / 1024)
                print(f"  {sent:>6} events: RSS {series[-1]:.1f} MB", flush=True)
            end = server.status()
            logged = server.log_lines("Traceback", " ERROR ")
    finally:
        fake.close()
    seconds = time.monotonic() - started
    growth = (end["VmRSS"] - warm["VmRSS"]) / 1024
    p50, p99, mx = total.percentiles()
    figures = {
        "events": sent, "warmup": args.warmup, "seconds": round(seconds, 1),
        "rss_mb": {"warm": round(warm["VmRSS"] / 1024, 1), "end": round(end["VmRSS"] / 1024, 1),
                   "peak": round(end["VmHWM"] / 1024, 1), "growth": round(growth, 1),
                   "series": [round(x, 1) for x in series]},
        "ack_ms": {"p50": round(p50, 1), "p99": round(p99, 1), "max": round(mx, 1)},
        "replies": {"expected": total.expected, "delivered": total.delivered, "lost": total.lost,
                    "duplicated": total.duplicated, "unexpected": total.unexpected},
        "errors": len(total.errors), "server_log_errors": len(logged),
    }
    print(f"il2bot soak: {sent} events after a {args.warmup}-event warm-up, in {seconds:.0f} s")
    print(f"  server memory RSS {figures['rss_mb']['warm']} MB warmed up -> {figures['rss_mb']['end']} MB "
          f"after {sent} events: grew {growth:+.1f} MB (limit {GROWTH_LIMIT_MB:.0f} MB); "
          f"peak {figures['rss_mb']['peak']} MB")
    print(f"  replies       {total.delivered} delivered of {total.expected} expected: {total.lost} lost, "
          f"{total.duplicated} duplicated, {total.unexpected} unexpected")
    print(f"  ack latency   p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {mx:.1f} ms")
    print(f"  errors        {len(total.errors)} failed acks, {len(logged)} error lines in the server log")
    for line in (total.errors + logged)[:10]:
        print(f"  ! {line}")
    dump(args.json, figures)
    ok = (sent == args.events and growth <= GROWTH_LIMIT_MB and not total.errors and not logged
          and total.lost == 0 and total.duplicated == 0 and total.unexpected == 0)
    print(f"  targets       {'met' if ok else 'MISSED'} (growth <= {GROWTH_LIMIT_MB:.0f} MB, "
          "nothing lost or doubled, no errors)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
