"""How long an answer is: visible characters of the Slack answer, where the asked fact is, terminal lines.

Run: .venv/bin/python bench/answer_size.py   (prints one row per question and the totals against the
targets; exit 1 if a target is missed). Visible characters are the text a person sees in Slack (header,
sections, context, button labels; links as their labels, entities decoded, no mrkdwn markers), not JSON.
"""

from __future__ import annotations

import html
import re
import statistics
import sys
from typing import Any

from bot.engine import load_engine
from bot.render import blocks, terminal, wording
from bot.render.view import VIEWS, ViewState
from bot.slack.interaction import codec

# (question, a pattern of the fact that answers it)
QUESTIONS: list[tuple[str, str]] = [
    ("side effects of aldesleukin", r"most common|weakness|fever"),
    ("what is aldesleukin", r"approved|FDA"),
    ("who can join the lupus trial?", r"Inclusion|Ages eligible"),
    ("ESPRIT results", r"increase in CD4"),
    ("IL-7 side effects", r"side effects of IL-7"),
    ("low-dose IL-2 dose in autoimmune disease", r"million IU|MIU"),
    ("NCT04077684 recruitment status", r"Recruitment status"),
    ("how does aldesleukin work", r"activate the immune system"),
    ("can IL-7 be used during pregnancy", r"pregnan"),
    ("low-dose vs high-dose IL-2", r"[Ll]ow.dose"),
    ("high-dose IL-2 side effects in cancer", r"toxicit|adverse effects"),
    ("SILCAAT results", r"increase in CD4"),
]
TARGET_MEDIAN = 1500  # visible characters
TARGET_POSITION = 300  # the asked fact starts within this many visible characters ...
TARGET_POSITION_HITS = 11  # ... for at least this many of the twelve
TARGET_LINES = 25  # terminal lines at 100 columns
COLUMNS = 100
FACT_MARKS = (wording.ANSWER_MARK, wording.FACT_MARK)
_LINK = re.compile(r"<[^<>|]+\|([^<>]*)>")
_MARKERS = re.compile(r"(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


def visible(message: dict[str, Any]) -> str:
    """The text a person sees in a rendered message, block by block."""
    out: list[str] = []

    def mrkdwn(text: str) -> str:
        return html.unescape(_MARKERS.sub("", _LINK.sub(r"\1", text))).replace(":warning:", "⚠").replace(
            ":information_source:", "i")

    for b in message["blocks"]:
        if b["type"] in ("header", "section"):
            if "text" in b:
                out.append(mrkdwn(b["text"]["text"]) if b["text"]["type"] == "mrkdwn" else b["text"]["text"])
            out += [mrkdwn(f["text"]) for f in b.get("fields", [])]
        elif b["type"] == "context":
            out.append(" ".join(mrkdwn(e["text"]) for e in b["elements"] if "text" in e))
        elif b["type"] == "actions":
            out.append("  ".join(e["text"]["text"] for e in b["elements"]))
    return "\n".join(out)


def asked_at(text: str, pattern: str) -> int:
    """Where the first fact line matching the pattern starts in the visible text (-1 if none)."""
    offset = 0
    for line in text.split("\n"):
        if line.startswith(FACT_MARKS) and re.search(pattern, line):
            return offset
        offset += len(line) + 1
    return -1


def main() -> int:
    """Measure every question; print a table and the totals."""
    engine = load_engine()
    sizes, hits, lines_ok, limits_ok = [], 0, 0, True
    print(f"{'question':42} {'visible':>7} {'asked at':>8} {'lines':>5}  all views within limits")
    for query, pattern in QUESTIONS:
        reply = engine.ask(query)
        message = blocks.render(reply, ViewState(query), codec=codec)
        text = visible(message)
        at = asked_at(text, pattern)
        lines = terminal.render(reply, cols=COLUMNS).count("\n")
        problems = [p for v in VIEWS for shared in (False, True)
                    for p in blocks.limit_problems(blocks.render(reply, ViewState(query, 0, v, shared),
                                                                 codec=codec))]
        sizes.append(len(text))
        hits += 0 <= at <= TARGET_POSITION
        lines_ok += lines <= TARGET_LINES
        limits_ok &= not problems
        print(f"{query[:42]:42} {len(text):7d} {at if at >= 0 else 'absent':>8} {lines:5d}  "
              f"{'yes' if not problems else problems[:2]}")
    median = statistics.median(sizes)
    print(f"\nmedian visible characters: {median:.0f} (target <= {TARGET_MEDIAN}); "
          f"range {min(sizes)}-{max(sizes)}")
    print(f"asked fact within {TARGET_POSITION} characters: {hits} of {len(QUESTIONS)} "
          f"(target >= {TARGET_POSITION_HITS})")
    print(f"terminal answers within {TARGET_LINES} lines at {COLUMNS} columns: "
          f"{lines_ok} of {len(QUESTIONS)}")
    print(f"every view of every answer within Block Kit's limits: {'yes' if limits_ok else 'no'}")
    ok = median <= TARGET_MEDIAN and hits >= TARGET_POSITION_HITS and lines_ok == len(QUESTIONS) and limits_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
