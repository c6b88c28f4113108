"""Render a Reply as plain text for a terminal: the same order and wording as Slack, wrapped to its width."""

from __future__ import annotations

import os
import textwrap
import unicodedata

from bot.render import layout, wording
from bot.render.view import ViewState
from bot.reply import Answer, Reply

DEFAULT_WIDTH = 88  # when the output is not a terminal and COLUMNS is not set
MIN_WIDTH = 30
MAX_ECHO = 200
WARNING = "⚠"
INDENT = "  "
SCREEN_LINES = 25  # the answer view gives up other key facts (never answering ones) to fit this


def width() -> int:
    """The terminal's width: COLUMNS if set, else the real width, else DEFAULT_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    try:
        return max(os.get_terminal_size(1).columns, MIN_WIDTH)
    except OSError:
        return DEFAULT_WIDTH


def clean(text: str) -> str:
    """Drop control and format characters from echoed user text (no escape sequences reach the tty)."""
    if text.isascii() and text.isprintable():  # nothing to drop: no character walk
        return text.strip()
    return "".join(ch if unicodedata.category(ch)[0] != "C" or ch == " " else " " for ch in text).strip()


class _Out:
    """Lines wrapped to a width, every one of them."""

    def __init__(self, cols: int) -> None:
        self.cols = cols
        self.lines: list[str] = []

    def add(self, text: str = "", first: str = "", rest: str | None = None) -> None:
        if not text:
            self.lines.append(first.rstrip())
            return
        rest = " " * len(first) if rest is None else rest
        self.lines += textwrap.wrap(clean(text), self.cols, initial_indent=first, subsequent_indent=rest,
                                    break_on_hyphens=False) or [first.rstrip()]


def _command(query: str, *options: str) -> str:
    q = clean(query).replace('"', "'")[:MAX_ECHO]
    return " ".join(["il2bot ask", *options, f'"{q}"'])


def _fact(out: _Out, f: layout.FactLine, quotes: bool) -> None:
    mark = wording.ANSWER_MARK if f.answering else wording.FACT_MARK
    body = f.text
    if quotes and f.quotes:
        body = " ".join(f"“{q.text}” {wording.quote_source(q.reference)}" if q.reference else f"“{q.text}”"
                        for q in f.quotes)
    label = f" ({f.label})" if f.label else ""
    when = f" {WARNING} {wording.as_of(f.as_of)}" if f.as_of else ""
    out.add(f"{body}{label}{when}", f"{mark} ")


def _sources(out: _Out, answer: Answer, full: bool) -> None:
    out.add(f"{wording.SOURCES}:")
    for s in layout.source_lines(answer, full):
        title = f"{s.title} <{s.url}>" if s.url else s.title
        links = [f"{label} <{url}>" for url, label in s.links]
        out.add(" · ".join(p for p in (title, s.site, s.date, *links) if p), INDENT)
        if full and s.references:
            out.add(f"{wording.REFERENCES}: {'; '.join(s.references)}", INDENT * 2)


def _answer(out: _Out, reply: Reply, state: ViewState, full: bool) -> None:
    """The answer view; fewer of the other key facts when the whole would run past one screen."""
    for others in range(layout.KEY_FACTS, -1, -1):
        trial = _Out(out.cols)
        _answer_with(trial, reply, state, full, others)
        if full or len(trial.lines) <= SCREEN_LINES or not others:
            out.lines += trial.lines
            return


def _answer_with(out: _Out, reply: Reply, state: ViewState, full: bool, others: int) -> None:
    answer = reply.matches[0]
    said = wording.answers_to(clean(reply.query)[:MAX_ECHO]) if not state.page else wording.match_of(
        clean(reply.query)[:MAX_ECHO], state.page)
    out.add(said)
    out.add()
    out.add(answer.title)
    out.lines.append("=" * min(len(clean(answer.title)), out.cols))
    parts = layout.trial_parts(answer)
    if parts:
        changing = bool(answer.trial and answer.trial.status) and not layout.status_is_final(answer)
        out.add(" · ".join(parts), f"{WARNING} " if changing else "")
    if full and answer.summary.strip():
        out.add(answer.summary)
        out.add()
    facts, hidden = (layout.all_facts(answer), 0) if full else layout.key_facts(answer, others)
    for f in facts:
        _fact(out, f, quotes=False)
    if hidden:
        out.add(f"{wording.more_facts(hidden)}: {_command(reply.query, '--full')}", INDENT)
    if full and any(f.quotes for f in facts):
        out.add()
        out.add(wording.WORD_FOR_WORD)
        for f in facts:
            _fact(out, f, quotes=True)
    also = reply.matches[1:]
    if also:
        names = " · ".join(wording.also_button(" ".join(a.title.split()), False) for a in also)
        out.add(f"{wording.ALSO} {names} ({_command(reply.query, '--page', str(state.page + 1))})")
    _sources(out, answer, full)
    out.add(wording.DISCLAIMER)


def render(reply: Reply, state: ViewState | None = None, *, cols: int | None = None,
           full: bool = False) -> str:
    """A Reply as terminal text, wrapped to `cols` (default: the terminal's width); `full` prints every
    fact, its verbatim quotes and the references, as Slack's "Show all facts" and "Show sources" do."""
    state = state or ViewState(reply.query)
    out = _Out(max(cols or width(), MIN_WIDTH))
    if reply.kind == "help":
        out.add(wording.HELP_TITLE)
        out.add(wording.HELP_HOW)
        out.add(wording.HELP_TERMINAL)
        for group in reply.catalog:
            out.add()
            kind = wording.HELP_KINDS.get(group.kind, group.kind.capitalize())
            out.add(f"{kind}: {', '.join(group.names)}")
            lead = f"{INDENT}{wording.HELP_EXAMPLES}: "
            for n, e in enumerate(group.examples):
                out.add(_command(e), lead if n == 0 else " " * len(lead))
        if not reply.catalog:
            for e in reply.examples:
                out.add(_command(e), INDENT)
    elif reply.kind == "clarify":
        out.add(wording.clarify(reply.query))
        for c in reply.choices:
            out.add(_command(wording.clarify_query(c, reply.query)), f"{INDENT}{c}: ")
    elif reply.kind == "abstain" or not reply.matches:
        if reply.partial is not None:  # a card on the subject, without the kind of fact asked
            p = reply.partial
            out.add(wording.partial(clean(reply.query)[:MAX_ECHO], p.title, p.missing))
            out.add(_command(p.title), INDENT)
        else:
            out.add(wording.abstain(clean(reply.query)[:MAX_ECHO]))
            out.add(wording.SCOPE)
        if reply.suggestions:
            out.add(wording.I_CAN_ANSWER)
            for s in reply.suggestions:
                out.add(_command(s), INDENT)
        out.add(f"{wording.WHAT_CAN_I_ASK} {_command('help')}")
    else:
        _answer(out, reply, state, full)
    return "\n".join(line.rstrip() for line in out.lines) + "\n"
