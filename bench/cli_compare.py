"""Time `il2bot ask` for this checkout against another one, run by run (interleaved).

Usage (the other checkout made with `git worktree add /tmp/before <commit>`):
    .venv/bin/python bench/cli_compare.py /tmp/before [--runs 40] [--question "..."]

Each round runs this checkout's `il2bot ask`, the other's (the same entry point with PYTHONPATH set
to that checkout, so its `bot` package and `facts/` are used), and `python -c pass`; a busy moment
slows all three alike. Prints the medians in ms. Bytecode caches are allowed, as users run it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(cmd: list[str], env: dict[str, str]) -> float:
    """Wall time of one run of a command, in ms."""
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True, env=env)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    """Run the rounds and print the three medians."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("other", type=Path, help="the other checkout (a worktree of another commit)")
    p.add_argument("--runs", type=int, default=40, help="rounds")
    p.add_argument("--question", default="side-effects aldesleukin", help="the question asked")
    args = p.parse_args()

    exe = shutil.which("il2bot") or str(Path(sys.executable).parent / "il2bot")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    other_env = dict(env, PYTHONPATH=str(args.other.resolve()))
    ask = [exe, "ask", args.question]
    runs = {
        "this checkout": (ask, env),
        str(args.other): (ask, other_env),
        "python -c pass": ([sys.executable, "-c", "pass"], env),
    }
    for cmd, e in runs.values():  # warm: bytecode and each deck cache
        timed(cmd, e)
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, (cmd, e) in runs.items():
            samples[name].append(timed(cmd, e))
    for name, values in samples.items():
        print(f"{name:>30}: {statistics.median(values):6.1f} ms (median of {args.runs})")


if __name__ == "__main__":
    main()
