"""Block Kit rendering: a pure function from the neutral Reply to a Slack message (text + blocks).

Everything shown is escaped for mrkdwn (`&`, `<`, `>`), links are built only from https URLs that
pass `safe_url`, and every Slack limit is respected by construction (`limit_problems` checks it).
Nothing here imports Slack libraries: a message is a plain dict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from bot.render.dates import source_dated
from bot.reply import DISCLAIMER, Answer, Reply, SourceRef, TrialFields

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
TAIL_BLOCKS = 5  # blocks kept free after the answers: related label + buttons, actions, footer
MAX_QUOTED_FACT = 1000  # characters of a fact shown above its quotes
MAX_QUOTE = 900  # characters of one quote
MAX_QUOTES_PER_FACT = 5
MAX_QUOTE_LABEL = 60  # characters of the source named after a quote

ACTION_MORE = "il2_more"  # run the query again from a later offset
ACTION_SHARE = "il2_share"  # post this answer in the channel
ACTION_QUOTES = "il2_quotes"  # show the same answer again, each fact with its quotes
ACTION_HIDE_QUOTES = "il2_hide_quotes"  # show the same answer again, without the quotes
ACTION_ASK = "il2_ask"  # prefix of il2_ask_0, il2_ask_1, ...: run the query in the button's value
ACTION_ASK_PATTERN = re.compile(rf"^{ACTION_ASK}_\d+$")

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


# -- dates -----------------------------------------------------------------------------------


def date_note(as_of: str, as_of_text: str, today: date) -> str:
    """'Source dated 3 February 2011 (15 years old)', with a warning sign once it is old (mrkdwn)."""
    note, old = source_dated(as_of, fit(as_of_text, 100), today)
    return f":warning: {note}" if old else note


# -- button values ---------------------------------------------------------------------------


def encode_value(query: str, offset: int = 0) -> str:
    """A button value carrying a query and an offset, within Slack's 2000 characters."""
    prefix = f"{max(offset, 0)}:"
    return prefix + query[: MAX_BUTTON_VALUE - len(prefix)]


def decode_value(value: str) -> tuple[str, int]:
    """The query and offset carried by a button value (a bare value is a query at offset 0)."""
    head, sep, rest = value.partition(":")
    if sep and head.isascii() and head.isdigit() and len(head) <= 4:
        return rest, int(head)
    return value, 0


# -- blocks ----------------------------------------------------------------------------------


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(t) for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def _header(text: str) -> Block:
    return {"type": "header", "text": _plain(cut(" ".join(text.split()), MAX_HEADER) or "Untitled")}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": _plain(cut(" ".join(label.split()), MAX_BUTTON_TEXT)),
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _footer() -> Block:
    return _context(f":information_source: {escape(DISCLAIMER)}")


def _text_size(value: Any) -> int:
    """Characters of text a block holds (its `text` strings), for the message budget."""
    if isinstance(value, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else _text_size(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_text_size(v) for v in value)
    return 0


class _Buttons:
    """Numbers the il2_ask_N buttons of one message so every action_id is unique."""

    def __init__(self) -> None:
        self.n = 0

    def ask(self, label: str, query: str) -> Block:
        button = _button(label, f"{ACTION_ASK}_{self.n}", encode_value(query, 0))
        self.n += 1
        return button


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
    return f"“{fit(echo_text(query), MAX_ECHO)}”"


def _quote_labels(answer: Answer) -> dict[str, str]:
    """What names each source after its quotes: nothing when the answer cites one source, else its
    site (or its title, when two sources share a site)."""
    sources = {r.source_id: r for refs in answer.fact_citations for r in refs}
    if len(sources) < 2:
        return {}
    sites = [" ".join(r.site.split()) for r in sources.values()]
    use_site = len(set(sites)) == len(sites) and all(sites)
    return {k: " ".join((r.site if use_site else r.source_title).split()) for k, r in sources.items()}


def _quoted(fact: str, refs: Sequence[SourceRef], labels: dict[str, str]) -> str:
    """A fact as a bullet with the quotes supporting it under it, as escaped blockquote lines, all
    within one section's text: each quote is cut to its share of the room, the extra ones counted."""
    quotes = [(q, labels.get(r.source_id, "")) for r in refs if (q := " ".join(r.quote.split()))]
    quotes = list(dict.fromkeys(quotes))
    shown = quotes[:MAX_QUOTES_PER_FACT]
    bullet = f"• {fit(fact, MAX_QUOTED_FACT if shown else MAX_SECTION_TEXT - 2)}"
    extra = len(quotes) - len(shown)
    more = f"\n> _…and {extra} more {'quote' if extra == 1 else 'quotes'}_" if extra else ""
    room = MAX_SECTION_TEXT - len(bullet) - len(more)
    lines = [bullet]
    for i, (quote, label) in enumerate(shown):
        source = f" — {fit(label, MAX_QUOTE_LABEL)}" if label else ""
        share = room // (len(shown) - i)
        line = f"\n> “{fit(quote, min(MAX_QUOTE, share - len(source) - 5))}”{source}"
        lines.append(line)
        room -= len(line)
    return "".join(lines) + more


def _fact_texts(answer: Answer, quotes: bool) -> list[str]:
    """Each non-blank fact as mrkdwn: a bullet, with its quotes under it when `quotes` is set."""
    labels = _quote_labels(answer) if quotes else {}
    texts = []
    for i, raw in enumerate(answer.facts):
        fact = " ".join(raw.split())
        if not fact:
            continue
        refs = answer.fact_refs(i) if quotes else ()
        texts.append(_quoted(fact, refs, labels) if refs else f"• {fit(fact, MAX_SECTION_TEXT - 2)}")
    return texts


def _has_quotes(answer: Answer) -> bool:
    return any(r.quote.strip() for refs in answer.fact_citations for r in refs)


def _bullets(texts: Sequence[str], budget: int, max_blocks: int) -> tuple[list[Block], int]:
    """Facts (each at most a section's text) packed into sections within the text and block budgets;
    returns the blocks and how many facts were left out."""
    blocks: list[Block] = []
    current: list[str] = []
    used = 0
    left = list(texts)
    while left and max_blocks > 0:
        bullet = left[0]
        if used + len(bullet) + 1 > budget:
            break
        if current and sum(len(x) + 1 for x in current) + len(bullet) > MAX_SECTION_TEXT:
            if len(blocks) + 1 >= max_blocks:
                break
            blocks.append(_section("\n".join(current)))
            current = []
        current.append(bullet)
        used += len(bullet) + 1
        left.pop(0)
    if current:
        blocks.append(_section("\n".join(current)))
    return blocks, len(left)


def _trial_block(trial: TrialFields) -> Block | None:
    fields = [
        f"*{label}*\n{fit(value, MAX_FIELD_TEXT - len(label) - 3)}"
        for label, value in (
            ("Phase", trial.phase),
            ("Status", trial.status),
            ("Enrollment", trial.enrollment),
            ("Location", trial.location),
        )
        if value
    ]
    url = safe_url(trial.url)
    names = [trial.name] if url else [trial.name, trial.nct]
    title = " · ".join(fit(x, 200) for x in names if x)
    parts = [f"*Trial:* {title}"] if title else []
    if url:
        registry = "ClinicalTrials.gov" if urlsplit(url).hostname == "clinicaltrials.gov" else "its registry"
        parts.append(link(url, f"{trial.nct or 'This trial'} on {registry}"))
    if not fields and not parts:
        return None
    block: Block = {"type": "section"}
    if parts:
        block["text"] = _mrkdwn(" · ".join(parts))
    if fields:
        block["fields"] = [_mrkdwn(f) for f in fields[:MAX_FIELDS]]
    return block


def _citation_texts(refs: Sequence[SourceRef], today: date) -> list[str]:
    """One mrkdwn line per cited source: title (linked), site, references, the source's own date."""
    groups: dict[str, list[SourceRef]] = {}
    for r in refs:
        groups.setdefault(r.source_id, []).append(r)
    texts = []
    for rs in groups.values():
        first = rs[0]
        pairs = list(dict.fromkeys((r.reference, safe_url(r.url)) for r in rs))
        urls = list(dict.fromkeys(u for _, u in pairs if u))
        one_link = len(urls) <= 1
        title = link(urls[0] if urls and one_link else None, first.source_title, 300)
        when = date_note(first.as_of, first.as_of_text, today)
        head = f"*Source:* {title} ({fit(first.site, 100)})"
        budget = MAX_CONTEXT_TEXT - len(head) - len(when) - 20
        shown: list[str] = []
        for ref, url in pairs:
            label = fit(ref, 300) if one_link else link(url, ref, 300)
            if not ref.strip():
                continue
            if sum(len(s) + 2 for s in shown) + len(label) > budget:
                shown.append(f"+{len(pairs) - len(shown)} more")
                break
            shown.append(label)
        refs_text = f" · {'; '.join(shown)}" if shown else ""
        texts.append(f"{head}{refs_text} · {when}")
    if len(texts) > MAX_CONTEXT_ELEMENTS:
        extra = len(texts) - (MAX_CONTEXT_ELEMENTS - 1)
        texts = [*texts[: MAX_CONTEXT_ELEMENTS - 1], f"+{extra} more sources"]
    return texts


def answer_blocks(answer: Answer, today: date, *, budget: int = TEXT_BUDGET,
                  max_blocks: int = MAX_BLOCKS, quotes: bool = False) -> list[Block]:
    """The blocks of one answer: title, summary, key facts (each with its quotes if `quotes`), trial
    fields, citations."""
    head = [_header(answer.title)]
    if answer.summary.strip():
        head.append(_section(fit(answer.summary, MAX_SECTION_TEXT)))
    trial = _trial_block(answer.trial) if answer.trial else None
    tail: list[Block] = [trial] if trial else []
    citations = _citation_texts(answer.citations, today)
    if citations:
        tail.append(_context(*citations))
    fixed = head + tail
    room = budget - _text_size(fixed)
    facts = _fact_texts(answer, quotes)
    fact_blocks, left = _bullets(facts, max(room - 120, 0), max_blocks - len(fixed) - 1)
    if left:
        noun = "fact" if left == 1 else "facts"
        fact_blocks.append(_context(f"_…and {left} more {noun} from this card, not shown here "
                                    f"(the message would be too long)._"))
    return head + fact_blocks + tail


def _answer_message(reply: Reply, today: date, ephemeral: bool, shared_by: str | None,
                    quotes: bool) -> Message:
    buttons = _Buttons()
    offset = reply.offset
    if offset:
        intro = f"More answers to {_echo(reply.query)} (from result {offset + 1})"
    else:
        intro = f"Answers to {_echo(reply.query)}"
    if shared_by and _SLACK_USER_ID.fullmatch(shared_by):
        intro = f"<@{shared_by}> shared: {intro[0].lower()}{intro[1:]}"
    blocks: list[Block] = [_context(intro)]
    budget = TEXT_BUDGET - _text_size(blocks) - 600  # room for the buttons and the footer
    shown = 0
    for i, answer in enumerate(reply.matches):
        room_blocks = MAX_BLOCKS - len(blocks) - TAIL_BLOCKS - (1 if i else 0)
        if i == 0:  # the best match is always shown, its facts cut to fit if need be
            part = answer_blocks(answer, today, budget=budget, max_blocks=room_blocks, quotes=quotes)
        else:  # a later match is shown whole, or left for "More results"
            part = answer_blocks(answer, today, quotes=quotes)
        size = _text_size(part)
        if i and (len(part) > room_blocks or size > budget):
            break
        if i:
            blocks.append({"type": "divider"})
        blocks.extend(part)
        budget -= size
        shown += 1
    related = [s for s in reply.suggestions if s.strip()][:MAX_SUGGESTIONS]
    if related:
        blocks.append(_context("*Related:*"))
        blocks.append({"type": "actions", "block_id": "il2_related",
                       "elements": [buttons.ask(s, s) for s in related]})
    nav: list[Block] = []
    if reply.more or shown < len(reply.matches):
        nav.append(_button("More results", ACTION_MORE, encode_value(reply.query, offset + shown)))
    if quotes:
        nav.append(_button("Hide quotes", ACTION_HIDE_QUOTES, encode_value(reply.query, offset)))
    elif any(_has_quotes(a) for a in reply.matches[:shown]):
        nav.append(_button("Show quotes", ACTION_QUOTES, encode_value(reply.query, offset)))
    if ephemeral:
        nav.append(_button("Post to channel", ACTION_SHARE, encode_value(reply.query, offset), "primary"))
    if nav:
        blocks.append({"type": "actions", "block_id": "il2_nav", "elements": nav})
    blocks.append(_footer())
    first = reply.matches[0]
    text = f"{first.title}: {first.summary}"
    return {"text": f"{fit(text, MAX_FALLBACK)} ({escape(DISCLAIMER.split('.')[0])}.)", "blocks": blocks}


def _abstain_message(reply: Reply) -> Message:
    buttons = _Buttons()
    said = (
        f"I don't have a card that answers {_echo(reply.query)}, so I won't guess.\n"
        "I answer only from curated, cited sources on IL-2 (aldesleukin, Proleukin) and IL-7 therapies."
    )
    blocks: list[Block] = [_section(said)]
    suggestions = [s for s in reply.suggestions if s.strip()][:MAX_SUGGESTIONS]
    if suggestions:
        blocks.append(_section("*Did you mean:*"))
        blocks.append({"type": "actions", "block_id": "il2_suggestions",
                       "elements": [buttons.ask(s, s) for s in suggestions]})
    blocks.append({"type": "actions", "block_id": "il2_help",
                   "elements": [buttons.ask("What can I ask?", "help")]})
    blocks.append(_footer())
    return {"text": f"I don't have a card that answers {_echo(reply.query)}.", "blocks": blocks}


def _help_message(reply: Reply) -> Message:
    buttons = _Buttons()
    blocks: list[Block] = [
        _header("il2bot: sourced answers on IL-2 and IL-7 therapies"),
        _section(
            "Ask with `/il2 your question`, mention me in a channel (I answer in the thread), "
            "or send me a direct message.\n"
            "Every answer comes from curated fact cards and cites its sources with their dates. "
            "When the cards don't cover a question, I say so instead of guessing."
        ),
    ]
    examples = [e for e in reply.examples if e.strip()][:MAX_EXAMPLES]
    if examples:
        blocks.append(_section("*Try one of these:*"))
        blocks.append({"type": "actions", "block_id": "il2_examples",
                       "elements": [buttons.ask(e, e) for e in examples]})
    topics = ", ".join(t for t in reply.topics if t.strip())
    if topics:
        label = "*Topics the cards cover:* "
        blocks.append(_section(label + fit(f"{topics}.", MAX_SECTION_TEXT - len(label))))
    blocks.append(_footer())
    return {"text": "il2bot help: how to ask, example questions and the topics covered.", "blocks": blocks}


def render(reply: Reply, *, today: date, ephemeral: bool = True, shared_by: str | None = None,
           quotes: bool = False) -> Message:
    """The Slack message for a reply; `ephemeral` adds "Post to channel", `shared_by` credits a user,
    `quotes` shows each fact's quotes under it (with "Hide quotes"; else "Show quotes" if there are any)."""
    if reply.kind == "help":
        return _help_message(reply)
    if reply.kind == "abstain" or not reply.matches:
        return _abstain_message(reply)
    return _answer_message(reply, today, ephemeral, shared_by, quotes)


def render_failure() -> Message:
    """What the user sees when answering failed unexpectedly (the error itself is logged)."""
    text = "Sorry, something went wrong while answering. The error was logged; please try again later."
    return {"text": text, "blocks": [_section(text)]}


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
