"""Block Kit rendering: a pure function of a Reply and a view state to a Slack message (text + blocks).

Everything shown is escaped for mrkdwn (`&`, `<`, `>`), links are built only from https URLs that
pass `safe_url`, and every Slack limit is respected by construction (`limit_problems` checks it).
Nothing here imports Slack libraries: a message is a plain dict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from bot.render import layout, wording
from bot.render.view import VOTE_NAMES, Codec, Control, ViewState, Vote
from bot.reply import Answer, Reply

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": fallback for notifications, "blocks": [...]}

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_MESSAGE_TEXT = 40000

# House limits, for messages a person can read.
TEXT_BUDGET = 12000  # characters of block text in one message
MAX_FALLBACK = 300
MAX_CONTEXT_TEXT = 2000
MAX_ECHO = 200  # characters of the user's question echoed back
MAX_SUGGESTIONS = 5
MAX_EXAMPLES = 8
MAX_URL = 1000
MAX_ALSO = 4  # other matches offered as buttons
MAX_FACT = 1200  # characters of one fact (or its quotes)
MAX_LABEL = 120  # characters of a source or reference named after a quote
MAX_SOURCE_LINKS = 3  # links beside one source in the compact sources

_URL_UNSAFE = re.compile(r"[\s<>|\"'`\\\x00-\x1f\x7f]")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")  # used with fullmatch


# -- text ------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape the three mrkdwn control characters, so no text becomes a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Text at most `limit` characters long, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= (limit - 1) * 0.6:
        head = head[:space]
    return head.rstrip(" ,;:") + "…"


def fit(raw: str, limit: int) -> str:
    """The escaped form of raw text, cut gracefully so that the escaped form fits `limit`."""
    out = escape(raw)
    if len(out) <= limit:
        return out
    best, lo, hi = "", 0, min(limit, len(raw))
    while lo <= hi:  # the longest cut whose escaped form fits ("<" grows four-fold)
        mid = (lo + hi) // 2
        candidate = escape(cut(raw, mid))
        if len(candidate) <= limit:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain https link that is safe inside `<url|label>`, else None."""
    if not url or len(url) > MAX_URL or _URL_UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        return None
    return url


def link(url: str | None, label: str, limit: int = 300) -> str:
    """A mrkdwn link to a safe https URL with an escaped label, or just the label."""
    text = fit(label, limit).replace("|", "¦")
    safe = safe_url(url)
    return f"<{escape(safe)}|{text}>" if safe else text


# -- blocks ----------------------------------------------------------------------------------


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(text: str) -> Block:
    """A section shown whole: Slack never folds it behind "See more"."""
    return {"type": "section", "text": _mrkdwn(text), "expand": True}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(t) for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def _header(text: str) -> Block:
    return {"type": "header", "text": _plain(cut(" ".join(text.split()), MAX_HEADER) or "Untitled")}


def _footer() -> Block:
    return _context(f":information_source: {escape(wording.DISCLAIMER)}")


def _text_size(value: Any) -> int:
    """Characters of text a block holds (its `text` strings), for the message budget."""
    if isinstance(value, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else _text_size(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_text_size(v) for v in value)
    return 0


class _Buttons:
    """The buttons of one message, numbered so that every action id is unique."""

    def __init__(self, codec: Codec) -> None:
        self.codec = codec
        self.n = 0

    def __call__(self, control: Control) -> Block:
        action_id, value = self.codec(control, self.n)
        self.n += 1
        return {
            "type": "button",
            "text": _plain(cut(" ".join(control.label.split()), MAX_BUTTON_TEXT) or "…"),
            "action_id": action_id[:MAX_ACTION_ID],
            "value": value[:MAX_BUTTON_VALUE],
        }

    def row(self, block_id: str, controls: Sequence[Control]) -> list[Block]:
        """An actions block of these controls (none if there are none)."""
        if not controls:
            return []
        return [{"type": "actions", "block_id": block_id,
                 "elements": [self(c) for c in controls[:MAX_ACTIONS]]}]


# Invisible characters stripped from echoed text: C0/C1 controls, soft hyphen, zero-width, bidi
# embeddings/overrides/isolates, word joiners, BOM, interlinear annotations, tags.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
                        "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
# mrkdwn has no escape for its formatting marks: echoed text gets look-alikes that Slack leaves alone.
_NO_FORMATTING = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


def echo_text(text: str) -> str:
    """User text made safe to echo as plain words: invisible characters dropped, formatting marks neutral."""
    return _INVISIBLE.sub("", " ".join(text.split())).translate(_NO_FORMATTING)


def _echo(query: str) -> str:
    return fit(echo_text(query), MAX_ECHO)


def _ask(label: str, query: str) -> Control:
    return Control("ask", label, ViewState(query))


# -- one answer ------------------------------------------------------------------------------


def _fact_text(f: layout.FactLine, quotes: bool, names: dict[str, str], said: set[str]) -> str:
    """One fact as a mrkdwn line: mark, text (or its verbatim quotes), evidence label, date warning."""
    mark = wording.ANSWER_MARK if f.answering else wording.FACT_MARK
    label = f" _({escape(f.label)})_" if f.label else ""
    when = f" :warning: _{escape(wording.as_of(f.as_of))}_" if f.as_of else ""
    room = MAX_FACT - len(label) - len(when)
    if quotes and f.quotes:
        parts = []
        for q in f.quotes:
            name = ", ".join(x for x in (names.get(q.source_id, ""), q.reference if q.reference not in said
                                         else "") if x)
            said.add(q.reference)
            after = f" {escape(wording.quote_source(cut(name, MAX_LABEL)))}" if name else ""
            parts.append(f"“{fit(q.text, max(room // len(f.quotes) - len(after) - 4, 20))}”{after}")
        body = " ".join(parts)
    else:
        body = fit(f.text, room)
    if f.answering:
        body = f"*{body}*" if not (quotes and f.quotes) else body
    return f"{mark} {body}{label}{when}"


def _pack(lines: Sequence[str], budget: int, max_blocks: int) -> tuple[list[Block], int]:
    """Lines packed into sections within the text and block budgets; the blocks and how many were left."""
    blocks: list[Block] = []
    current: list[str] = []
    used = 0
    left = list(lines)
    while left and max_blocks > 0:
        line = left[0]
        if used + len(line) + 1 > budget:
            break
        if current and sum(len(x) + 1 for x in current) + len(line) > MAX_SECTION_TEXT:
            if len(blocks) + 1 >= max_blocks:
                break
            blocks.append(_section("\n".join(current)))
            current = []
        current.append(line)
        used += len(line) + 1
        left.pop(0)
    if current:
        blocks.append(_section("\n".join(current)))
    return blocks, len(left)


def _trial_line(answer: Answer) -> list[Block]:
    parts = layout.trial_parts(answer)
    if not parts:
        return []
    changing = bool(answer.trial and answer.trial.status) and not layout.status_is_final(answer)
    warn = ":warning: " if changing else ""
    return [_section(warn + " · ".join(f"*{fit(p, 300)}*" if i == 0 else fit(p, 300)
                                       for i, p in enumerate(parts)))]


def _source_texts(answer: Answer, full: bool) -> list[str]:
    """One line per source: its title linked to itself, site, date, the links it cites (named for what
    they link to); with `full`, its references too. Each part is escaped once and the line stays within
    a context element's limit."""
    texts = []
    for s in layout.source_lines(answer, full):
        text = " · ".join(p for p in (link(s.url, s.title, 300), fit(s.site, 100), fit(s.date, 100)) if p)
        links = [link(u, label, 100) for u, label in s.links if safe_url(u)]
        shown = 0
        for one in links[:MAX_SOURCE_LINKS]:
            if len(text) + len(one) + 3 > MAX_CONTEXT_TEXT - 200:
                break
            text += f" · {one}"
            shown += 1
        if len(links) > shown:
            text += f" · +{len(links) - shown} more"
        if full and s.references:
            head = f"\n{wording.REFERENCES}: "
            text += head + fit("; ".join(s.references), MAX_CONTEXT_TEXT - len(text) - len(head))
        texts.append(text)
    if len(texts) > MAX_CONTEXT_ELEMENTS - 1:
        extra = len(texts) - (MAX_CONTEXT_ELEMENTS - 2)
        texts = [*texts[: MAX_CONTEXT_ELEMENTS - 2], f"+{extra} more sources"]
    return texts


def _also(reply: Reply, state: ViewState, buttons: _Buttons) -> list[Block]:
    """The other matches, as one row of short buttons."""
    controls = [
        Control("page", wording.also_button(" ".join(a.title.split()), i == 0),
                ViewState(state.query, state.page + 1 + i, "answer", state.shared))
        for i, a in enumerate(reply.matches[1 : 1 + MAX_ALSO])
    ]
    if state.page:
        best = ViewState(state.query, 0, "answer", state.shared)
        controls.insert(0, Control("page", wording.BEST_MATCH, best))
    return buttons.row("il2_also", controls)


def _nav(state: ViewState, hidden: int, has_quotes: bool, buttons: _Buttons) -> list[Block]:
    to = state._replace
    controls = []
    if state.view != "answer":
        controls.append(Control("view", wording.SHOW_ANSWER, to(view="answer")))
    if state.view != "facts" and (hidden or state.view == "sources"):
        label = f"{wording.SHOW_ALL_FACTS} (+{hidden})" if hidden and state.view == "answer" else \
            wording.SHOW_ALL_FACTS
        controls.append(Control("view", label, to(view="facts")))
    if state.view != "sources" and has_quotes:
        controls.append(Control("view", wording.SHOW_SOURCES, to(view="sources")))
    if not state.shared:
        controls.append(Control("share", wording.POST_TO_CHANNEL, state))
    return buttons.row("il2_nav", controls)


def _feedback(state: ViewState, buttons: _Buttons, answer_id: str | None, card_id: str) -> list[Block]:
    """The feedback row (Helpful / Not right / Outdated), small buttons, when the answer has an id."""
    if not answer_id:
        return []
    return buttons.row("il2_feedback", [
        Control("vote", wording.VOTE_LABELS[v], ViewState(state.query), Vote(answer_id, card_id, v))
        for v in VOTE_NAMES
    ])


def _answer_message(reply: Reply, state: ViewState, codec: Codec, shared_by: str | None,
                    answer_id: str | None) -> Message:
    buttons = _Buttons(codec)
    answer = reply.matches[0]
    said = wording.answers_to(_echo(reply.query)) if not state.page else wording.match_of(
        _echo(reply.query), state.page)
    if shared_by and _SLACK_USER_ID.fullmatch(shared_by):
        said = wording.shared_by(f"<@{shared_by}>", said)
    head = [_context(said), _header(answer.title), *_trial_line(answer)]
    if state.view == "facts" and answer.summary.strip():
        head.append(_section(fit(answer.summary, MAX_SECTION_TEXT)))
    if state.view == "answer":
        facts, hidden = layout.key_facts(answer)
    else:
        facts, hidden = layout.all_facts(answer), 0
    has_quotes = any(f.quotes for f in layout.all_facts(answer))
    sources = _source_texts(answer, full=state.view == "sources")
    tail = _also(reply, state, buttons)
    if sources:
        tail.append(_context(f"*{wording.SOURCES}:*", *sources))
    tail += [*_nav(state, hidden, has_quotes, buttons), *_feedback(state, buttons, answer_id, answer.id),
             _footer()]
    quotes = state.view == "sources"
    names = layout.sites(answer) if quotes else {}
    seen: set[str] = set()
    lines = [_fact_text(f, quotes, names, seen) for f in facts]
    room = TEXT_BUDGET - _text_size(head) - _text_size(tail)
    blocks, left = _pack(lines, max(room - 200, 0), MAX_BLOCKS - len(head) - len(tail) - 1)
    if left:
        blocks.append(_context(f"_{escape(wording.cut_facts(left))}_"))
    first = facts[0].text if facts else answer.summary
    fallback = f"{' '.join(answer.title.split())}: {first}"
    return {"text": f"{fit(fallback, MAX_FALLBACK)} ({escape(wording.DISCLAIMER.split('.')[0])}.)",
            "blocks": head + blocks + tail}


def _abstain_message(reply: Reply, codec: Codec) -> Message:
    buttons = _Buttons(codec)
    blocks: list[Block]
    if reply.partial is not None:  # a card on the subject, without the kind of fact asked
        p = reply.partial
        said = wording.partial(_echo_raw(reply.query), " ".join(p.title.split()), p.missing)
        blocks = [_section(fit(said, MAX_SECTION_TEXT))]
        blocks += buttons.row("il2_partial", [_ask(p.title, p.title)])
    else:
        blocks = [_section(escape(f"{wording.abstain(_echo_raw(reply.query))}\n{wording.SCOPE}"))]
    suggestions = [s for s in reply.suggestions if s.strip()][:MAX_SUGGESTIONS]
    if suggestions:
        blocks.append(_context(f"*{wording.I_CAN_ANSWER}*"))
        blocks += buttons.row("il2_suggestions", [_ask(wording.suggestion_button(s), s) for s in suggestions])
    blocks += buttons.row("il2_help", [_ask(wording.WHAT_CAN_I_ASK, "help")])
    return {"text": escape(wording.abstain_fallback(_echo_raw(reply.query)))[:MAX_FALLBACK], "blocks": blocks}


def _echo_raw(query: str) -> str:
    """The echoed question, cleaned but not yet escaped (the caller escapes the whole line)."""
    return cut(echo_text(query), MAX_ECHO)


def _clarify_message(reply: Reply, codec: Codec) -> Message:
    buttons = _Buttons(codec)
    choices = [c for c in reply.choices if c.strip()][:MAX_SUGGESTIONS]
    said = escape(wording.clarify(_echo_raw(reply.query)))
    blocks: list[Block] = [_section(said)]
    blocks += buttons.row("il2_choices", [
        Control("choose", c, ViewState(wording.clarify_query(c, reply.query))) for c in choices])
    blocks += buttons.row("il2_help", [_ask(wording.WHAT_CAN_I_ASK, "help")])
    return {"text": said[:MAX_FALLBACK], "blocks": blocks}


def _help_message(reply: Reply, codec: Codec) -> Message:
    buttons = _Buttons(codec)
    blocks: list[Block] = [_header(wording.HELP_TITLE), _section(escape(wording.HELP_HOW))]
    for i, group in enumerate(reply.catalog[:10]):
        title = fit(wording.HELP_KINDS.get(group.kind, group.kind.capitalize()), 100)
        names = ", ".join(n for n in group.names if n.strip())
        blocks.append(_section(f"*{title}:* {fit(names, MAX_SECTION_TEXT - 200)}"))
        blocks += buttons.row(f"il2_examples_{i}", [_ask(e, e) for e in group.examples if e.strip()][:3])
    if not reply.catalog:
        examples = [e for e in reply.examples if e.strip()][:MAX_EXAMPLES]
        blocks += buttons.row("il2_examples", [_ask(e, e) for e in examples])
    return {"text": "il2bot help: the drugs, diseases and studies the cards cover, with example questions.",
            "blocks": blocks}


def render(reply: Reply, state: ViewState, *, codec: Codec, shared_by: str | None = None,
           answer_id: str | None = None) -> Message:
    """The Slack message for a reply in a view state; `codec` makes the buttons' action ids and values,
    `shared_by` credits the user who posted it; an answer with an `answer_id` gets feedback buttons."""
    if reply.kind == "help":
        return _help_message(reply, codec)
    if reply.kind == "clarify":
        return _clarify_message(reply, codec)
    if reply.kind == "abstain" or not reply.matches:
        return _abstain_message(reply, codec)
    return _answer_message(reply, state, codec, shared_by, answer_id)


def render_failure() -> Message:
    """What the user sees when answering failed unexpectedly (the error itself is logged)."""
    return {"text": wording.FAILURE, "blocks": [_section(wording.FAILURE)]}


# -- limits ----------------------------------------------------------------------------------


def limit_problems(message: Message) -> list[str]:
    """Every Slack limit a message breaks, including those slack_sdk's models do not check."""
    problems: list[str] = []
    blocks = message.get("blocks", [])
    text = message.get("text", "")
    if not isinstance(text, str) or not text.strip():
        problems.append("no plain text fallback")
    elif len(text) > MAX_MESSAGE_TEXT:
        problems.append(f"text is {len(text)} characters (max {MAX_MESSAGE_TEXT})")
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks (max {MAX_BLOCKS})")
    action_ids: set[str] = set()
    block_ids: set[str] = set()
    for i, b in enumerate(blocks):
        where = f"block {i} ({b.get('type')})"
        if "block_id" in b:
            if b["block_id"] in block_ids:
                problems.append(f"{where}: duplicate block_id {b['block_id']}")
            block_ids.add(b["block_id"])
        kind = b.get("type")
        if kind == "header" and len(b["text"]["text"]) > MAX_HEADER:
            problems.append(f"{where}: header over {MAX_HEADER}")
        if kind == "section":
            if "text" in b and len(b["text"]["text"]) > MAX_SECTION_TEXT:
                problems.append(f"{where}: text over {MAX_SECTION_TEXT}")
            fields = b.get("fields", [])
            if len(fields) > MAX_FIELDS:
                problems.append(f"{where}: {len(fields)} fields (max {MAX_FIELDS})")
            problems += [f"{where}: field over {MAX_FIELD_TEXT}" for f in fields
                         if len(f["text"]) > MAX_FIELD_TEXT]
            if "text" not in b and not fields:
                problems.append(f"{where}: neither text nor fields")
        if kind == "context":
            if len(b["elements"]) > MAX_CONTEXT_ELEMENTS:
                problems.append(f"{where}: {len(b['elements'])} elements (max {MAX_CONTEXT_ELEMENTS})")
            problems += [f"{where}: element over {MAX_CONTEXT_TEXT}" for e in b["elements"]
                         if len(e.get("text", "")) > MAX_CONTEXT_TEXT]
        if kind == "actions":
            if len(b["elements"]) > MAX_ACTIONS:
                problems.append(f"{where}: {len(b['elements'])} elements (max {MAX_ACTIONS})")
            for e in b["elements"]:
                if len(e["text"]["text"]) > MAX_BUTTON_TEXT:
                    problems.append(f"{where}: button text over {MAX_BUTTON_TEXT}")
                if len(e.get("value", "")) > MAX_BUTTON_VALUE:
                    problems.append(f"{where}: button value over {MAX_BUTTON_VALUE}")
                aid = e.get("action_id", "")
                if aid in action_ids or len(aid) > MAX_ACTION_ID:
                    problems.append(f"{where}: bad or duplicate action_id {aid!r}")
                action_ids.add(aid)
    return problems
