"""Load test: the real `il2bot serve --http` on 127.0.0.1 under a mix of signed Slack requests.

Sends slash commands, mentions, DMs, button clicks and re-delivered events (same event_id with
X-Slack-Retry-Num) from a pool of threads, against a fake Slack Web API and response_url server on
127.0.0.1; then prints ack latency p50/p99/max, replies delivered vs expected (lost, duplicated),
errors and the server's peak memory. Bounded in count and time; exits 1 when a target is missed
(0 errors, 0 lost or duplicated replies, ack p99 <= 100 ms).

    .venv/bin/python bench/load.py [--requests 2000] [--concurrency 20] [--json out.json]

With `--workers 1,2` it runs once per worker count (`il2bot serve --http --workers N`), each on the same
request mix with fresh event ids, and compares their throughput; above 1 worker it needs PostgreSQL
(`--database-url postgresql+psycopg://...`, or IL2BOT_DATABASE_URL), where the replicas share the
record of handled events.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _slackload import RemoteFake, build_plan, collect, dump, running_server, send_all

P99_TARGET_MS = 100.0


def main() -> int:
    """Run the load test once per worker count and print its figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", default="1", help="worker counts to compare, e.g. 1,2 (default 1)")
    p.add_argument("--database-url", help="the database the server uses (default: IL2BOT_DATABASE_URL, "
                   "else a SQLite file of its own)")
    p.add_argument("--requests", type=int, default=2000, help="requests to send (default 2000)")
    p.add_argument("--concurrency", type=int, default=20, help="requests in flight (default 20)")
    p.add_argument("--warmup", type=int, default=100, help="requests sent first, not measured (default 100)")
    p.add_argument("--time-limit", type=float, default=300.0, help="hard limit on the run, seconds")
    p.add_argument("--json", help="also write the figures to this JSON file")
    args = p.parse_args()
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    results = [measure(args, workers, run) for run, workers in enumerate(counts)]
    if len(results) > 1:
        base = float(str(results[0][0]["requests_per_second"]))
        print("throughput: " + ", ".join(
            f"--workers {f['workers']} {f['requests_per_second']} req/s "
            f"({float(str(f['requests_per_second'])) / base:.2f}x)" for f, _ in results))
    dump(args.json, results[0][0] if len(results) == 1 else [f for f, _ in results])
    return 0 if all(ok for _, ok in results) else 1


def measure(args: argparse.Namespace, workers: int, run: int) -> tuple[dict[str, object], bool]:
    """One run against `il2bot serve --http --workers N`: its figures, and whether the targets were met."""
    started = time.monotonic()
    deadline = started + args.time_limit
    offset = run * 10_000_000  # fresh event ids per run (a shared record remembers the last run's)
    extra = {"IL2BOT_DATABASE_URL": args.database_url} if args.database_url else {}

    fake = RemoteFake()
    try:
        with running_server(fake, env_extra=extra, args=("--workers", str(workers))) as server:
            warm = build_plan(fake, args.warmup, seed=99 - offset, start=900_000 + offset)
            collect(fake, warm, send_all(server, fake, warm, concurrency=args.concurrency,
                                         deadline=deadline), wait=30)
            fake.reset()
            before, cpu0 = server.status(), server.cpu_seconds()
            plan = build_plan(fake, args.requests, seed=1 - offset, start=offset)
            outcome = send_all(server, fake, plan, concurrency=args.concurrency, deadline=deadline)
            collect(fake, plan, outcome, wait=max(min(deadline - time.monotonic(), 120), 5))
            after, cpu = server.status(), server.cpu_seconds() - cpu0
            logged = server.log_lines("Traceback", " ERROR ")
    finally:
        fake.close()

    p50, p99, mx = outcome.percentiles()
    kinds: dict[str, int] = {}
    for job in plan.jobs:
        kinds[job.kind] = kinds.get(job.kind, 0) + 1
    figures: dict[str, object] = {
        "workers": workers, "requests": len(plan.jobs), "concurrency": args.concurrency, "mix": kinds,
        "seconds": round(outcome.seconds, 2),
        "requests_per_second": round(len(plan.jobs) / outcome.seconds, 1),
        "ack_ms": {"p50": round(p50, 1), "p99": round(p99, 1), "max": round(mx, 1)},
        "replies": {"expected": outcome.expected, "delivered": outcome.delivered, "lost": outcome.lost,
                    "duplicated": outcome.duplicated, "unexpected": outcome.unexpected,
                    "failure_replies": outcome.failures},
        "errors": len(outcome.errors), "server_log_errors": len(logged),
        "server_cpu_ms_per_request": round(cpu * 1000 / len(plan.jobs), 2),
        "server_memory_mb": {"rss_before": round(before["VmRSS"] / 1024, 1),
                             "rss_after": round(after["VmRSS"] / 1024, 1),
                             "peak": round(after["VmHWM"] / 1024, 1)},
    }
    print(f"il2bot load (--workers {workers}): {len(plan.jobs)} requests at concurrency {args.concurrency} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) in {outcome.seconds:.1f} s "
          f"({figures['requests_per_second']} req/s)")
    print(f"  ack latency   p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {mx:.1f} ms")
    print(f"  replies       {outcome.delivered} delivered of {outcome.expected} expected: "
          f"{outcome.lost} lost, {outcome.duplicated} duplicated, {outcome.unexpected} unexpected, "
          f"{outcome.failures} apologies")
    print(f"  errors        {len(outcome.errors)} failed acks, {len(logged)} error lines in the server log")
    memory = {"peak": round(after["VmHWM"] / 1024, 1), "rss_before": round(before["VmRSS"] / 1024, 1),
              "rss_after": round(after["VmRSS"] / 1024, 1)}
    print(f"  server CPU    {figures['server_cpu_ms_per_request']} ms per request (ack and answer)")
    print(f"  server memory peak {memory['peak']} MB "
          f"(RSS {memory['rss_before']} MB after warm-up, {memory['rss_after']} MB at the end)")
    for line in (outcome.errors + logged)[:10]:
        print(f"  ! {line}")
    ok = (not outcome.errors and not logged and outcome.lost == 0 and outcome.duplicated == 0
          and outcome.unexpected == 0 and outcome.failures == 0 and p99 <= P99_TARGET_MS)
    verdict = "met" if ok else "MISSED"
    print(f"  targets       {verdict} (0 errors, 0 lost or duplicated, p99 <= {P99_TARGET_MS:.0f} ms)")
    return figures, ok


if __name__ == "__main__":
    sys.exit(main())
