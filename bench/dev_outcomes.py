"""Right or wrong, for every development question: what a matcher change gained and lost.

Scores each question of the golden table, the holdouts and tests/dev/questions*.yaml as
tests/test_matcher.py does (an answerable question is right when the top card is the one expected,
or quotes the passage that answers it; one to decline is right when declined), writes the outcomes,
and with `--compare` lists the questions whose outcome changed. The questions are always this
checkout's; the engine is whichever `bot` package Python imports, so an earlier version is scored
on today's questions by putting its checkout first on the path:

    .venv/bin/python bench/dev_outcomes.py after.json
    git worktree add /tmp/before REV
    PYTHONPATH=/tmp/before .venv/bin/python bench/dev_outcomes.py before.json
    .venv/bin/python bench/dev_outcomes.py after.json --compare before.json

The blind set (tests/blind/) is deliberately not read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "dev"


def outcomes() -> dict[str, bool]:
    """Each development question ("set|question") and whether it is answered right."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_blind import quotes_answer

    from bot.engine import load_engine

    engine = load_engine()
    out: dict[str, bool] = {}
    for path in sorted((DEV / "golden").glob("*.yaml")):
        for row in yaml.safe_load(path.read_text()) or []:
            if path.name == "abstain.yaml":
                out[f"golden-abstain|{row}"] = not engine.ask(str(row)).answered
            else:
                r = engine.ask(row["q"])
                out[f"golden|{row['q']}"] = bool(r.matches) and r.matches[0].id == row["id"]
    for path in sorted(DEV.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for row in data["answer"]:
            r = engine.ask(row["q"])
            if "ids" in row or "id" in row:  # a holdout names the card expected
                right = bool(r.matches) and r.matches[0].id in (row.get("ids") or [row["id"]])
            else:  # a set written from the sources names the passage that answers
                right = r.answered and quotes_answer(r.matches[0], row["answer"])
            out[f"{path.stem}|{row['q']}"] = bool(right)
        for row in data["abstain"]:
            q = row["q"] if isinstance(row, dict) else str(row)
            out[f"{path.stem}-abstain|{q}"] = not engine.ask(q).answered
    return out


def main() -> None:
    """Write the outcomes; with --compare, print what changed against an earlier file."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--compare", type=Path, help="outcomes written earlier (by another version)")
    args = p.parse_args()
    now = outcomes()
    args.out.write_text(json.dumps(now, indent=0, ensure_ascii=False))
    print(f"{sum(now.values())} of {len(now)} right")
    if args.compare:
        before = json.loads(args.compare.read_text())
        common = [k for k in now if k in before]
        gained = [k for k in common if now[k] and not before[k]]
        lost = [k for k in common if before[k] and not now[k]]
        for k in lost:
            print("lost  ", k)
        print(f"{len(gained)} gained, {len(lost)} lost, of {len(common)} questions in both")


if __name__ == "__main__":
    main()
