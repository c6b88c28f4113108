"""Render a Reply as plain text for a terminal."""

from __future__ import annotations

import textwrap
import unicodedata

from bot.render.dates import Day, source_dated
from bot.render.dates import today as local_today
from bot.reply import DISCLAIMER, Answer, Reply, SourceRef

WIDTH = 88


def clean(text: str) -> str:
    """Drop control and format characters from echoed user text (no escape sequences reach the tty)."""
    return "".join(ch if unicodedata.category(ch)[0] != "C" or ch == " " else " " for ch in text).strip()


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first if first is not None else indent, subsequent_indent=indent
    ) or [first or indent]


def _citation(n: int, c: SourceRef) -> list[str]:
    lines = _wrap(f"\u201c{c.quote}\u201d", "      ", f"  [{n}] ")
    lines += _wrap(f"Ref: {c.reference}", "      ")
    if c.url:
        lines.append(f"      {c.url}")
    return lines


def _sources(refs: tuple[SourceRef, ...], today: Day) -> list[str]:
    """Each cited source once: site, title and how current it is."""
    lines = []
    for c in {c.source_id: c for c in refs}.values():
        note, old = source_dated(c.as_of, c.as_of_text, today)
        lines += _wrap(
            f"{c.site}: {c.source_title}. {note}{' - check for newer information' if old else ''}.",
            "    ",
            "  - ",
        )
    return lines


def _trial(a: Answer) -> list[str]:
    if a.trial is None:
        return []
    t = a.trial
    rows = [
        ("Trial", t.nct or t.name),
        ("Phase", t.phase),
        ("Status", t.status),
        ("Enrollment", t.enrollment),
        ("Location", t.location),
        ("Registry", t.url),
    ]
    return [f"  {k + ':':<12}{v}" for k, v in rows if v] + [""]


def render_answer(a: Answer, today: Day) -> list[str]:
    """The full text of one answer: title, summary, facts, trial fields, citations."""
    lines = [a.title, "=" * min(len(a.title), WIDTH), *_wrap(a.summary), ""]
    lines += _trial(a)
    lines.append("Key facts")
    for f in a.facts:
        lines += _wrap(f.text, "    ", "  - ")
    lines += ["", "Citations"]
    for n, c in enumerate(a.citations, 1):
        lines += _citation(n, c)
    lines += ["", "Sources"]
    lines += _sources(a.citations, today)
    return lines


def render(reply: Reply, today: Day | None = None) -> str:
    """A Reply as terminal text."""
    today = today or local_today()
    out: list[str] = []
    if reply.kind == "help":
        out += [
            "il2bot answers questions about IL-2 (aldesleukin, Proleukin) and IL-7 therapies",
            "from curated fact cards, quoting its sources.",
            "",
            'Usage: il2bot ask "QUESTION"   (the same text you would type after /il2 in Slack)',
            "",
            "Examples:",
            *(f'  il2bot ask "{e}"' for e in reply.examples),
            "",
            "Topics:",
            *_wrap(", ".join(reply.topics), "  ", "  "),
        ]
    elif reply.kind == "abstain":
        out += [f"I don't have a card on that: \u201c{clean(reply.query)[:200]}\u201d.", ""]
        if reply.suggestions:
            out.append("You could ask about:")
            out += [f"  - {s}" for s in reply.suggestions]
            out.append("")
        out.append("Type il2bot ask help for examples.")
    elif not reply.matches:  # clarify (stop-gap until the i10-render terminal renderer lands)
        out += ["Which drug or study do you mean?", *(f"  - {c}" for c in reply.choices)]
    else:
        first, *others = reply.matches
        out += render_answer(first, today)
        if others:
            out += ["", "Other matches"]
            for a in others:
                out += _wrap(f"{a.title} (score {a.score:.0f})", "    ", "  - ")
                out += _wrap(a.summary, "    ")
        if reply.suggestions:
            out += ["", "Did you mean:"]
            out += [f"  - {s}" for s in reply.suggestions]
        out += ["", DISCLAIMER]
    return "\n".join(out) + "\n"
