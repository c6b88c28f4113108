"""Benchmark the fact-matcher and the CLI start-up.

Prints per-query latency p50/p99 over the real cards and over synthetic decks of 10,000 and
100,000 cards (generated here from the real vocabulary), and the whole-process time of
`il2bot ask "..."` against `python -c pass` (medians over repeated runs).

    .venv/bin/python bench/matcher_bench.py [--runs 20] [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bot.cache import build_deck
from bot.cards.model import Card, Citation, Deck, Fact
from bot.matcher import Matcher
from bot.paths import content_root

ROOT = Path(__file__).resolve().parent.parent


def queries() -> list[str]:
    """The golden queries plus the abstentions: what the team really types."""
    out = []
    for path in sorted((ROOT / "tests" / "dev" / "golden").glob("*.yaml")):
        for row in yaml.safe_load(path.read_text()) or []:
            out.append(row["q"] if isinstance(row, dict) else str(row))
    return out


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max of a list of milliseconds."""
    s = sorted(samples_ms)
    return s[len(s) // 2], s[min(len(s) - 1, int(len(s) * 0.99))], s[-1]


def time_queries(matcher: Matcher, qs: list[str], rounds: int) -> list[float]:
    """Milliseconds per search() call, every query `rounds` times (after one warm-up round). The
    reader's memory of typo'd words is emptied before each call: repeating the same questions would
    otherwise time that memory rather than the reading of a new question."""
    for q in qs:
        matcher.search(q)
    forget = matcher.reader.forget_typos
    samples = []
    for _ in range(rounds):
        for q in qs:
            forget()
            t0 = time.perf_counter()
            matcher.search(q)
            samples.append((time.perf_counter() - t0) * 1000)
    return samples


def synthetic_deck(real: Deck, size: int, seed: int = 7) -> Deck:
    """A deck of `size` cards built from the real cards' words, subjects and topics (Zipf-like)."""
    rng = random.Random(seed)
    words = sorted({w for c in real.cards for w in (c.title + " " + c.summary).split() if w.isalpha()})
    letters = "abcdefghijklmnopqrstuvwxyz"
    # A long tail of rare made-up words, like the names and jargon of a real big corpus.
    words += ["".join(rng.choices(letters, k=rng.randint(5, 11))) for _ in range(size // 2)]
    cum_weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(words))))
    subjects = [t.id for t in real.terms.values() if not t.is_topic]
    topics = [t.id for t in real.terms.values() if t.is_topic]
    cite = (Citation("synthetic", "synthetic quote", "synthetic"),)
    cards = []
    for i in range(size):

        def phrase(n: int) -> str:
            return " ".join(rng.choices(words, cum_weights=cum_weights, k=n))

        cards.append(
            Card(
                id=f"syn-{i}",
                title=phrase(6),
                kind=rng.choice(["trial", "publication", "topic"]),
                subjects=tuple(rng.sample(subjects, 2)),
                topics=tuple(rng.sample(topics, 2)),
                aliases=(phrase(4), phrase(5)),
                keywords=tuple(phrase(1) for _ in range(3)),
                summary=phrase(25),
                facts=(Fact(phrase(15), cite),),
                trial=None,
                file="synthetic",
                line=1,
            )
        )
    return Deck(
        cards=[*real.cards, *cards],
        terms=real.terms,
        sources=real.sources,
        stopwords=real.stopwords,
        examples=real.examples,
        foreign_suffixes=real.foreign_suffixes,
    )


def process_times(runs: int) -> tuple[float, float, float]:
    """Median wall time of `python -c pass`, of `il2bot ask` (warm deck cache) and of the same with a
    typo in the question (the reader's typo matching runs), in ms.

    Both run as an installed user runs them: with bytecode caches allowed (a session that sets
    PYTHONDONTWRITEBYTECODE would otherwise recompile every module at every start).
    """
    exe = shutil.which("il2bot") or str(Path(sys.executable).parent / "il2bot")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmds = {
        "pass": [sys.executable, "-c", "pass"],
        "ask": [exe, "ask", "side-effects aldesleukin"],
        "typo": [exe, "ask", "side efects of aldesleukin"],
    }
    for cmd in cmds.values():  # warm: bytecode and the deck cache
        subprocess.run(cmd, capture_output=True, check=True, env=env)
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):  # interleaved, so a busy moment slows both alike
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True, env=env)
            samples[name].append((time.perf_counter() - t0) * 1000)
    return tuple(statistics.median(samples[name]) for name in cmds)  # type: ignore[return-value]


def main() -> None:
    """Run every benchmark and print one table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=20, help="process runs for the start-up medians")
    p.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000], help="synthetic deck sizes")
    args = p.parse_args()

    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    deck, matcher = build_deck(content_root())
    qs = queries()
    print(f"{len(qs)} queries (golden table + abstentions)")
    print(f"{'deck':>22} | {'build s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'max ms':>7}")
    p50, p99, mx = percentiles(time_queries(matcher, qs, rounds=20))
    print(f"{f'real ({len(deck.cards)} cards)':>22} | {'':>8} | {p50:7.3f} | {p99:7.3f} | {mx:7.3f}")
    for size in args.sizes:
        big = synthetic_deck(deck, size)
        t0 = time.perf_counter()
        m = Matcher(big)
        build = time.perf_counter() - t0
        p50, p99, mx = percentiles(time_queries(m, qs, rounds=3))
        print(f"{f'synthetic {size:,}':>22} | {build:8.1f} | {p50:7.3f} | {p99:7.3f} | {mx:7.3f}")
    base, ask, typo = process_times(args.runs)
    print(
        f"process: python -c pass {base:.1f} ms, il2bot ask {ask:.1f} ms (x{ask / base:.2f}), "
        f"with a typo {typo:.1f} ms (x{typo / base:.2f}), medians of {args.runs} runs"
    )
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
