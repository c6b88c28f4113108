"""Snapshot every development question's reply, to prove a speed change changed no answer.

Runs each question of the development sets (tests/dev/*.yaml, tests/dev/golden/*.yaml and the
tables of tests/test_matcher.py, follow-ups with their context), plus every card title and help
example, through the engine, and writes what each reply is: kind, card ids, scores (rounded),
answering facts, reason, partial, suggestions, and what a follow-up would inherit. Compare two
snapshots with `diff` or `--compare`. The blind set (tests/blind/) is deliberately not read.

    .venv/bin/python bench/answers_snapshot.py OUT.json [--cached] [--pure] [--compare BEFORE.json]

`--pure` scores fuzzy similarity in Python, as the one-shot `il2bot ask` does (bot/matcher/fuzzy.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from bot.reply import Reply

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "dev"
DIGITS = 6  # scores are rounded to this many decimals (float noise is not a change)


def _rows(data: object) -> list[str]:
    """The questions of a development file: lists of rows, or {answer: [...], abstain: [...]}."""
    out: list[str] = []
    if isinstance(data, dict):
        for key in sorted(data):
            out += _rows(data[key])
    elif isinstance(data, list):
        for row in data:
            out.append(str(row["q"]) if isinstance(row, dict) else str(row))
    return out


def questions() -> tuple[list[str], list[tuple[str, str]]]:
    """Every development question (in a stable order), and the (earlier, follow-up) pairs."""
    qs: list[str] = []
    for path in sorted(DEV.rglob("*.yaml")):
        qs += _rows(yaml.safe_load(path.read_text()))
    sys.path.insert(0, str(ROOT / "tests"))
    import test_matcher as tm

    for table in (tm.ORDINARY_WORDS, tm.GENERAL_ANSWERS, tm.ANSWERABILITY, tm.ANSWERING_FACTS,
                  tm.PASSING_MENTIONS):
        qs += [row[0] for row in table]
    followups = [(e or "", q) for e, q, _, _ in tm.FOLLOW_UPS]
    extra = ["esprit trial", "STALWART", "what is IL-7", "side-effects aldesleukin",
             "lupus trial eligibility"]
    followups += [(e, q) for e in extra for q in ("and the dose?", "how many people?", "what about HIV?",
                                                   "what about side effects?", "enrollment?")]
    return qs, followups


def describe(r: Reply) -> dict[str, object]:
    """What a reply is, as plain JSON."""
    return {
        "kind": r.kind,
        "cards": [[m.id, round(m.score, DIGITS), list(m.answering)] for m in r.matches],
        "reason": r.reason,
        "partial": list(r.partial) if r.partial else None,
        "suggestions": list(r.suggestions),
        "more": r.more,
        "subjects": list(r.subjects),
        "about": list(r.about),
        "card_id": r.card_id,
        "choices": list(r.choices),
    }


def snapshot(cached: bool) -> dict[str, object]:
    """Every question's reply, keyed by question (follow-ups as 'earlier => follow-up')."""
    from bot.engine import Engine, load_engine

    if cached:
        engine = load_engine()
    else:
        from bot.cache import build_deck
        from bot.paths import content_root

        deck, matcher = build_deck(str(content_root()))
        engine = Engine(deck, matcher)
    qs, followups = questions()
    cards = engine.deck.cards
    qs += [c.title for c in cards] + [c.id for c in cards] + list(engine.deck.examples)
    out: dict[str, object] = {}
    for q in qs:
        out[q] = describe(engine.ask(q))
        out[f"{q} [limit 8, page 1]"] = describe(engine.ask(q, limit=8, offset=1))
        r = engine.matcher.read(q)
        out[f"{q} [reading]"] = [r.norm, r.subjects, r.topics, r.words, r.unknown, r.kinds, r.followup,
                                 r.loose, r.common, sorted(r.asking)]
    for earlier, q in followups:
        context = engine.ask(earlier).context() if earlier else None
        out[f"{earlier} => {q}"] = describe(engine.ask(q, context=context))
    return out


def main() -> int:
    """Write the snapshot; with --compare, print the questions whose reply differs."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", help="JSON file to write")
    p.add_argument("--cached", action="store_true", help="use the deck cache (as `il2bot ask` does)")
    p.add_argument("--compare", metavar="BEFORE", help="a snapshot to compare with")
    p.add_argument("--pure", action="store_true", help="fuzzy scores in Python, as `il2bot ask` does")
    args = p.parse_args()
    if args.pure:
        from bot.matcher.fuzzy import use_pure_python

        use_pure_python()
    snap = snapshot(args.cached)
    Path(args.out).write_text(json.dumps(snap, indent=1, ensure_ascii=False, sort_keys=True))
    print(f"{len(snap)} replies written to {args.out}")
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        diff = sorted(k for k in set(before) | set(snap) if before.get(k) != snap.get(k))
        for k in diff:
            print(f"DIFF {k!r}:\n  before {before.get(k)}\n  after  {snap.get(k)}")
        print(f"{len(diff)} of {len(snap)} differ")
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
