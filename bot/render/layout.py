"""What an answer shows, in which order, for every renderer: key facts, trial line, quotes, sources.

Renderers (Block Kit, terminal) only format what this module selects, so they show the same things in
the same order.
"""

# No `from __future__ import annotations`: typing.NamedTuple would compile each string annotation
# at import, on the `il2bot ask` path (tests/test_startup.py checks).

from typing import NamedTuple

from bot.render import wording
from bot.render.dates import parse_source_date
from bot.reply import Answer, FactView, SourceRef

KEY_FACTS = 3  # other key facts shown under the answering facts (or first facts, without them)
SHORT_SOURCE_TITLE = 70  # characters of a source's title on its compact line (whole under "Show sources")
MAX_LABEL = 60  # characters of an evidence label or a date beside a fact
FINAL_STATUSES = ("completed", "terminated", "withdrawn")  # statuses that no longer change


class QuoteLine(NamedTuple):
    """A fact's verbatim words (adjacent fragments merged), and the reference they come from."""

    text: str
    source_id: str
    reference: str


class FactLine(NamedTuple):
    """One fact as shown: text, evidence label, whether it answers, and its date if time-sensitive."""

    number: int  # its place on the card
    text: str
    label: str
    answering: bool
    as_of: str  # the date in words, for time-sensitive facts only
    quotes: tuple[QuoteLine, ...]


class SourceLine(NamedTuple):
    """One source, compactly: its title (linked to itself), site, date, other links, references."""

    source_id: str
    title: str
    url: str | None
    site: str
    date: str
    links: tuple[tuple[str, str], ...]  # (url, label naming what it links to)
    references: tuple[str, ...]


def one_line(text: str) -> str:
    """Text with its runs of whitespace (newlines included) as single spaces."""
    return " ".join(text.split())


def date_words(iso: str, text: str) -> str:
    """A source's own date in words ('27 March 2020'), or as the source writes it."""
    parsed = parse_source_date(iso)
    return parsed[0] if parsed else one_line(text or iso)


def link_label(url: str) -> str:
    """What a link links to, named by its address."""
    from urllib.parse import urlsplit  # here: the answer view names no links (a few ms of `ask`)

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return wording.url_label(parts.hostname or "", parts.path)


def _quotes(fact: FactView) -> tuple[QuoteLine, ...]:
    """The fact's quotes, consecutive fragments of one source and reference merged into one."""
    merged: list[QuoteLine] = []
    for ref in fact.citations:
        text = one_line(ref.quote)
        if not text:
            continue
        last = merged[-1] if merged else None
        if last and last.source_id == ref.source_id and last.reference == one_line(ref.reference):
            if text not in last.text:
                merged[-1] = last._replace(text=f"{last.text} … {text}")
            continue
        merged.append(QuoteLine(text, ref.source_id, one_line(ref.reference)))
    return tuple(merged)


def fact_line(answer: Answer, i: int, answering: bool) -> FactLine:
    """Fact i of an answer, ready to show."""
    fact = answer.facts[i]
    phase = answer.trial.phase if answer.trial else None
    label = short(one_line(fact.evidence_label), MAX_LABEL)
    label = short(wording.evidence(label, fact.evidence, phase), MAX_LABEL) if label else ""
    when = ""
    if fact.time_sensitive:
        first = fact.citations[0] if fact.citations else None
        when = date_words(first.as_of, first.as_of_text) if first else date_words(answer.as_of, "")
    return FactLine(i, one_line(fact.text), label, answering, short(when, MAX_LABEL), _quotes(fact))


def all_facts(answer: Answer) -> list[FactLine]:
    """Every non-blank fact: the answering ones first (best first), then the rest in card order."""
    marked = answering(answer)
    rest = [i for i in range(len(answer.facts)) if i not in marked]
    return [fact_line(answer, i, i in marked) for i in (*marked, *rest) if one_line(answer.facts[i].text)]


def answering(answer: Answer) -> tuple[int, ...]:
    """The facts that answer the question, best first (none until the matcher names them)."""
    return tuple(dict.fromkeys(i for i in answer.answering if 0 <= i < len(answer.facts)))


def key_facts(answer: Answer, others: int = KEY_FACTS) -> tuple[list[FactLine], int]:
    """The answer view: the answering facts, then at most `others` more; and how many are left."""
    facts = all_facts(answer)
    marked = [f for f in facts if f.answering]
    shown = marked + [f for f in facts if not f.answering][:others]
    return shown, len(facts) - len(shown)


def trial_parts(answer: Answer) -> list[str]:
    """Phase · status with its as-of date · enrollment, as far as the card gives them."""
    t = answer.trial
    if t is None:
        return []
    parts = [wording.phase(one_line(t.phase))] if t.phase and one_line(t.phase) else []
    if t.status and one_line(t.status):
        src = _registry_source(answer)
        when = date_words(src.as_of, src.as_of_text) if src else date_words(answer.as_of, "")
        parts.append(wording.status(one_line(t.status), when))
    if t.enrollment and one_line(t.enrollment):
        parts.append(one_line(t.enrollment))
    return parts


def status_is_final(answer: Answer) -> bool:
    """Whether the trial's status can no longer change (no warning needed)."""
    status = (answer.trial.status or "").casefold() if answer.trial else ""
    return any(s in status for s in FINAL_STATUSES)


def _registry_source(answer: Answer) -> SourceRef | None:
    """The source the trial's fields come from: one naming its NCT number, else the first cited."""
    nct = answer.trial.nct if answer.trial else None
    refs = answer.citations or tuple(r for f in answer.facts for r in f.citations)
    for r in refs:
        if nct and nct in (r.source_url or "") + r.reference + (r.url or ""):
            return r
    return refs[0] if refs else None


def short(text: str, limit: int) -> str:
    """Text cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return head.rstrip(" ,;:") + "…"


def source_lines(answer: Answer, full: bool = True) -> list[SourceLine]:
    """Each cited source once, in order of first citation, with its links and references de-duplicated;
    unless `full`, titles are shortened for the compact line."""
    refs = [*answer.citations, *(r for f in answer.facts for r in f.citations)]
    groups: dict[str, list[SourceRef]] = {}
    for r in refs:
        groups.setdefault(r.source_id, []).append(r)
    lines = []
    for rs in groups.values():
        first = rs[0]
        own = first.source_url
        links = {u: link_label(u) for r in rs if (u := r.url) and u != own}
        if answer.trial and answer.trial.url and answer.trial.url != own and any(
            (answer.trial.nct or "?") in (r.reference + (r.url or "")) for r in rs
        ):
            links.setdefault(answer.trial.url, link_label(answer.trial.url))
        lines.append(SourceLine(
            source_id=first.source_id, url=own,
            title=one_line(first.source_title) if full else short(one_line(first.source_title),
                                                                  SHORT_SOURCE_TITLE),
            site=one_line(first.site), date=date_words(first.as_of, first.as_of_text),
            links=tuple(links.items()),
            references=tuple(dict.fromkeys(one_line(r.reference) for r in rs if r.reference.strip())),
        ))
    return lines


def sites(answer: Answer) -> dict[str, str]:
    """What names each source after its quotes: nothing when one source is cited, else its site (or
    its title, when two sources share a site)."""
    lines = source_lines(answer)
    if len(lines) < 2:
        return {}
    names = [s.site for s in lines]
    use_site = len(set(names)) == len(names) and all(names)
    return {s.source_id: s.site if use_site else s.title for s in lines}
