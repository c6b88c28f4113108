"""Content checks run by `il2bot check`: small functions, each yielding located errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from bot.cards.loader import Layout, Loaded, load
from bot.cards.model import RELIED_ON_KINDS, RELIED_ON_TOPICS, Card, CardError, Deck, Fact
from bot.cards.qualifiers import qualifiers, unsaid
from bot.cards.tokens import digit_tokens, name_pattern, reading_form, stated_tokens, token_keys
from bot.text import normalize, squash_ws

NCT = re.compile(r"^NCT\d{8}$")
_URL_ID = re.compile(r"(NCT\d{8}|10\.\d{4,9}/\S+)$")


def _seed_index(loaded: Loaded) -> dict[str, str]:
    """Each seed's text with whitespace collapsed, for verbatim quote lookup."""
    return {sid: _squashed(text) for sid, text in loaded.seed_texts.items()}


@lru_cache(maxsize=16)
def _squashed(text: str) -> str:
    return squash_ws(text)


@lru_cache(maxsize=16)
def _folded(text: str) -> str:
    return text.casefold()


def _short(text: str, n: int = 60) -> str:
    text = squash_ws(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def check_unique_ids(loaded: Loaded) -> Iterator[CardError]:
    """Every card id is used once."""
    first: dict[str, str] = {}
    for card in loaded.deck.cards:
        if card.id in first:
            doc = loaded.card_docs[card.file]
            yield doc.error(f"duplicate id '{card.id}' (first used in {first[card.id]})", "id")
        else:
            first[card.id] = card.file


def _seeds_ok(loaded: Loaded, card: Card) -> bool:
    """Whether every seed a card cites was read (a missing one is reported once, elsewhere)."""
    return all(s in loaded.seed_texts for s in card.source_ids())


def check_citations(loaded: Loaded) -> Iterator[CardError]:
    """Every citation names a known seed, quotes it verbatim, and links only what it gives."""
    if "sources" in loaded.broken:
        return
    seeds = _seed_index(loaded)
    for card in loaded.deck.cards:
        doc = loaded.card_docs[card.file]
        for i, fact in enumerate(card.facts):
            for j, c in enumerate(fact.citations):
                at = ("facts", i, "cite", j)
                source = loaded.deck.sources.get(c.source)
                if source is None:
                    yield doc.error(f"unknown source '{c.source}' (not in seeds/sources.yaml)", *at, "source")
                    continue
                text = seeds.get(c.source)
                if text is None:
                    continue  # the missing seed file is reported once, against sources.yaml
                if squash_ws(c.quote) not in text:
                    yield doc.error(
                        f"quote not found in seeds/{source.file}: '{_short(c.quote)}'", *at, "quote"
                    )
                if c.url:
                    m = _URL_ID.search(c.url)
                    if not m or m.group(1) not in text:
                        yield doc.error(
                            f"url {c.url} is not derived from an identifier in seeds/{source.file}",
                            *at,
                            "url",
                        )


def check_vocabulary(loaded: Loaded) -> Iterator[CardError]:
    """Every subject and topic of a card is in the vocabulary (or an NCT number its seeds give)."""
    if "vocabulary" in loaded.broken:
        return
    terms = loaded.deck.terms
    seeds = _seed_index(loaded)
    for card in loaded.deck.cards:
        doc = loaded.card_docs[card.file]
        cited = " ".join(seeds.get(s, "") for s in card.source_ids())
        for i, s in enumerate(card.subjects):
            if NCT.match(s):
                if _seeds_ok(loaded, card) and s not in cited:
                    yield doc.error(f"subject {s} does not occur in the seeds this card cites", "subjects", i)
            elif s not in terms:
                yield doc.error(f"unknown subject '{s}' (add it to facts/vocabulary/)", "subjects", i)
            elif terms[s].is_topic:
                yield doc.error(f"'{s}' is a topic, not a subject", "subjects", i)
        for i, t in enumerate(card.topics):
            if t not in terms:
                yield doc.error(f"unknown topic '{t}' (add it to facts/vocabulary/)", "topics", i)
            elif not terms[t].is_topic:
                yield doc.error(f"'{t}' is a subject, not a topic", "topics", i)


def own_names(deck: Deck, card: Card) -> re.Pattern[str] | None:
    """The names of the drugs a card is about (its drug subjects and their wider terms, from the
    vocabulary), which its texts may state without a quote ("IL-2", "interleukin 7")."""
    seen: set[str] = set()
    todo = list(card.subjects)
    while todo:
        sid = todo.pop()
        term = deck.terms.get(sid)
        if term is None or sid in seen:
            continue
        seen.add(sid)
        todo.extend(term.broader)
    phrases = sorted(
        p for sid in seen if deck.terms[sid].kind == "drug" for p in deck.terms[sid].terms if _DIGIT.search(p)
    )
    return _name_patterns(tuple(phrases))


_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=256)
def _name_patterns(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    return name_pattern(list(phrases))


def unvouched(text: str, stated: set[str], names: re.Pattern[str] | None) -> list[str]:
    """The digit-bearing tokens of a text (own drug names aside) that `stated` does not vouch for."""
    form = reading_form(text)
    if names is not None:
        form = names.sub(" ", form)
    return list(dict.fromkeys(t for t in digit_tokens(form) if not any(k in stated for k in token_keys(t))))


def _quoted(fact: Fact, names: re.Pattern[str] | None) -> set[str]:
    """What a fact's citations state: its quotes (also read without the card's own drug names, so
    "2-133-Interleukin 2" states "2-133") and the identifiers of its links (checked against the seed)."""
    out: set[str] = set()
    for c in fact.citations:
        out |= stated_tokens(c.quote)
        if names is not None:
            out |= stated_tokens(names.sub(" ", reading_form(c.quote)))
        if c.url and (m := _URL_ID.search(c.url)):
            out |= stated_tokens(m.group(1))
    return out


def _linked(card: Card) -> set[str]:
    """The identifiers (NCT numbers, DOIs) of the links the card's facts cite."""
    return {
        k
        for c in card.citations()
        if c.url and (m := _URL_ID.search(c.url))
        for k in stated_tokens(m.group(1))
    }


def _trial_fields(card: Card) -> set[str]:
    """What a trial card's registry fields state (each checked against the seed)."""
    if card.trial is None:
        return set()
    return set(stated_tokens(" ".join(v for v in card.trial if v)))


def check_fact_tokens(loaded: Loaded) -> Iterator[CardError]:
    """Every digit-bearing token of a fact (number, range, code, name-number) is in its own quotes."""
    if "vocabulary" in loaded.broken:
        return  # the card's own drug names are unknown; the vocabulary's error is reported
    for card in loaded.deck.cards:
        doc = loaded.card_docs[card.file]
        names = own_names(loaded.deck, card)
        for i, fact in enumerate(card.facts):
            missing = unvouched(fact.text, _quoted(fact, names), names)
            if missing:
                yield doc.error(f"{_listed(missing)} not in this fact's quotes", "facts", i, "text")


def check_summary_tokens(loaded: Loaded) -> Iterator[CardError]:
    """Every digit-bearing token of a summary is in the card's quotes and stated by one of its facts."""
    if "vocabulary" in loaded.broken:
        return  # the card's own drug names are unknown; the vocabulary's error is reported
    for card in loaded.deck.cards:
        doc = loaded.card_docs[card.file]
        names = own_names(loaded.deck, card)
        fields = _trial_fields(card)
        quoted = set().union(fields, *(_quoted(f, names) for f in card.facts))
        missing = unvouched(card.summary, quoted, names)
        if missing:
            yield doc.error(f"summary: {_listed(missing)} not in any quote of the card", "summary")
        stated = set().union(fields, *(stated_tokens(f.text) for f in card.facts), _linked(card))
        unstated = [t for t in unvouched(card.summary, stated, names) if t not in missing]
        if unstated:
            yield doc.error(f"summary: {_listed(unstated)} not stated by any fact of the card", "summary")


def _listed(tokens: list[str]) -> str:
    """'45-90Kg' is / '12', 'CD132' are: the tokens of one message."""
    return ", ".join(f"'{t}'" for t in tokens) + (" is" if len(tokens) == 1 else " are")


def check_evidence(loaded: Loaded) -> Iterator[CardError]:
    """Every fact says what kind of evidence it is, with a type from the vocabulary's list."""
    if "vocabulary" in loaded.broken:
        return
    known = loaded.deck.evidence or {}
    for card in loaded.deck.cards:
        doc = loaded.card_docs[card.file]
        for i, fact in enumerate(card.facts):
            if not fact.evidence:
                yield doc.error(f"fact {i + 1} has no evidence type", "facts", i)
            elif fact.evidence not in known:
                yield doc.error(
                    f"fact {i + 1}: unknown evidence type '{fact.evidence}' (known: {', '.join(known)})",
                    "facts",
                    i,
                    "evidence",
                )


def check_summary_qualifiers(loaded: Loaded) -> Iterator[CardError]:
    """A summary that draws on a lab, animal or hypothesis fact says so ("in mice", "proposed"):
    the rule and its thresholds are in `bot.cards.qualifiers`, the words in the evidence vocabulary."""
    if "vocabulary" in loaded.broken:
        return
    rules = qualifiers(doc.data for doc in loaded.vocabulary_docs.values())
    for card in loaded.deck.cards:
        doc = loaded.card_docs[card.file]
        for q in unsaid(card, rules, loaded.deck.stopwords):
            yield doc.error(q.message(), "summary")


def check_trial_fields(loaded: Loaded) -> Iterator[CardError]:
    """Every registry field of a trial card occurs in a seed the card cites."""
    seeds = {sid: _folded(text) for sid, text in _seed_index(loaded).items()}
    for card in loaded.deck.cards:
        if card.trial is None or not _seeds_ok(loaded, card):
            continue
        doc = loaded.card_docs[card.file]
        cited = " ".join(seeds.get(s, "") for s in card.source_ids())
        for name in ("nct", "name", "phase", "status", "enrollment", "location"):
            value = getattr(card.trial, name)
            whole = re.compile(rf"(?<!\w){re.escape(squash_ws(value or '').casefold())}(?!\w)")
            if value and not whole.search(cited):
                yield doc.error(
                    f"trial.{name} '{value}' does not occur in the seeds this card cites", "trial", name
                )


def check_sources(loaded: Loaded) -> Iterator[CardError]:
    """Each source's own date and identifiers occur in its seed; its link comes from them."""
    file = "seeds/sources.yaml"
    seeds = _seed_index(loaded)
    for s in loaded.deck.sources.values():
        text = seeds.get(s.id)
        if text is None:
            continue
        if squash_ws(s.date_text) not in text:
            yield CardError(
                file, s.line, f"source '{s.id}': date_text '{s.date_text}' is not in seeds/{s.file}"
            )
        for kind, ident in s.identifiers.items():
            if ident not in text:
                yield CardError(file, s.line, f"source '{s.id}': {kind} {ident} is not in seeds/{s.file}")
        if s.url and not any(s.url.endswith(i) for i in s.identifiers.values()):
            yield CardError(file, s.line, f"source '{s.id}': url {s.url} is not derived from its identifiers")


def check_terms(loaded: Loaded) -> Iterator[CardError]:
    """No phrase names two different vocabulary entries; every wider subject exists."""
    if "vocabulary" in loaded.broken:
        return
    owner: dict[str, str] = {}
    for term in loaded.deck.terms.values():
        for phrase in term.terms:
            key = normalize(phrase)
            if not key:
                yield CardError(
                    term.file, term.line, f"'{term.id}': term '{phrase}' has no letters or digits"
                )
            elif owner.get(key, term.id) != term.id:
                yield CardError(
                    term.file, term.line, f"'{term.id}': term '{phrase}' also names '{owner[key]}'"
                )
            else:
                owner[key] = term.id
        for b in term.broader:
            wider = loaded.deck.terms.get(b)
            if wider is None or wider.is_topic:
                yield CardError(term.file, term.line, f"'{term.id}': broader '{b}' is not a subject")


def check_matcher_vocabulary(loaded: Loaded) -> Iterator[CardError]:
    """Every vocabulary id the matcher's code relies on exists: its topics, and its kinds of fact when
    the vocabulary defines any (one without them asks for none)."""
    if "vocabulary" in loaded.broken:
        return
    terms = loaded.deck.terms
    where = min((t.file for t in terms.values()), default="facts/vocabulary")
    for tid in RELIED_ON_TOPICS:
        if tid not in terms or not terms[tid].is_topic:
            yield CardError(where, 1, f"the matcher relies on the topic '{tid}', which the vocabulary lacks")
    docs = [d for d in loaded.vocabulary_docs.values() if isinstance(d.data, dict)]
    kinds = {kid for d in docs for kid in d.data.get("fact_kinds") or {}}
    for kid in RELIED_ON_KINDS if kinds else ():
        if kid not in kinds:
            message = f"the matcher relies on the fact kind '{kid}', which the vocabulary lacks"
            yield CardError(where, 1, message)


def check_fact_kind_evidence(loaded: Loaded) -> Iterator[CardError]:
    """Every evidence type a fact kind requires (`fact_kinds: ... evidence:`) is a known one."""
    if "vocabulary" in loaded.broken:
        return
    known = loaded.deck.evidence or {}
    for doc in loaded.vocabulary_docs.values():
        kinds = doc.data.get("fact_kinds") if isinstance(doc.data, dict) else None
        for kid, kind in (kinds or {}).items():
            for n, eid in enumerate(kind.get("evidence") or () if isinstance(kind, dict) else ()):
                if eid not in known:
                    names = ", ".join(sorted(known))
                    message = f"fact kind '{kid}': unknown evidence type '{eid}' (known: {names})"
                    yield doc.error(message, "fact_kinds", kid, "evidence", n)


def check_fact_kind_narrowing(loaded: Loaded) -> Iterator[CardError]:
    """Every kind a fact kind is narrowed to (`narrowed_to`) or replaces is a fact kind of the
    vocabulary, and every topic it drops (`drops_topics`) or gives events' dates on (`event_topics`)
    is a topic."""
    if "vocabulary" in loaded.broken:
        return
    docs = [d for d in loaded.vocabulary_docs.values() if isinstance(d.data, dict)]
    known = {kid for d in docs for kid in d.data.get("fact_kinds") or {}}
    topics = {t.id for t in loaded.deck.terms.values() if t.is_topic}
    for doc in docs:
        for kid, kind in (doc.data.get("fact_kinds") or {}).items():
            target = kind.get("narrowed_to") if isinstance(kind, dict) else None
            if target is not None and target not in known:
                message = f"fact kind '{kid}': narrowed to '{target}', which is no fact kind"
                yield doc.error(message, "fact_kinds", kid, "narrowed_to")
            for n, other in enumerate(kind.get("replaces") or () if isinstance(kind, dict) else ()):
                if other not in known:
                    message = f"fact kind '{kid}': replaces '{other}', which is no fact kind"
                    yield doc.error(message, "fact_kinds", kid, "replaces", n)
            for n, topic in enumerate(kind.get("drops_topics") or () if isinstance(kind, dict) else ()):
                if topic not in topics:
                    message = f"fact kind '{kid}': drops '{topic}', which is no topic"
                    yield doc.error(message, "fact_kinds", kid, "drops_topics", n)
            for n, topic in enumerate(kind.get("event_topics") or () if isinstance(kind, dict) else ()):
                if topic not in topics:
                    message = f"fact kind '{kid}': event topic '{topic}' is no topic"
                    yield doc.error(message, "fact_kinds", kid, "event_topics", n)


def check_fact_kind_patterns(loaded: Loaded) -> Iterator[CardError]:
    """Every pattern of a fact kind (`patterns`, `named`) is a regular expression."""
    if "vocabulary" in loaded.broken:
        return
    for doc in loaded.vocabulary_docs.values():
        kinds = doc.data.get("fact_kinds") if isinstance(doc.data, dict) else None
        for kid, kind in (kinds or {}).items():
            for key in ("patterns", "named"):
                for n, pattern in enumerate(kind.get(key) or () if isinstance(kind, dict) else ()):
                    try:
                        re.compile(str(pattern))
                    except re.error as e:
                        message = f"fact kind '{kid}': {key} {n + 1} is no regular expression ({e})"
                        yield doc.error(message, "fact_kinds", kid, key, n)


Check = Callable[[Loaded], Iterator[CardError]]
# The checks that read cards (the mutation test runs these on one card at a time).
CARD_CHECKS: tuple[Check, ...] = (
    check_unique_ids,
    check_citations,
    check_vocabulary,
    check_fact_tokens,
    check_summary_tokens,
    check_summary_qualifiers,
    check_trial_fields,
    check_evidence,
    check_matcher_vocabulary,
)
CHECKS: tuple[Check, ...] = (
    check_sources,
    check_terms,
    check_fact_kind_evidence,
    check_fact_kind_narrowing,
    check_fact_kind_patterns,
    *CARD_CHECKS,
)


@dataclass(slots=True)
class Report:
    """What `il2bot check` found."""

    loaded: Loaded
    errors: list[CardError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One line: cards, facts, quotes verified, seeds cited."""
        deck = self.loaded.deck
        facts = sum(len(c.facts) for c in deck.cards)
        quotes = sum(len(f.citations) for c in deck.cards for f in c.facts)
        seeds = len({s for c in deck.cards for s in c.source_ids()})
        return (
            f"ok: {len(deck.cards)} cards, {facts} facts, {quotes} quotes verified, "
            f"{seeds} of {len(deck.sources)} seeds cited, {len(deck.terms)} vocabulary terms"
        )


def run_checks(layout: Layout) -> Report:
    """Load the content and run every check; errors sorted by file and line."""
    loaded = load(layout)
    errors = list(loaded.errors)
    for check in CHECKS:
        errors.extend(check(loaded))
    errors.sort(key=lambda e: (e.file, e.line, e.message))
    return Report(loaded, errors)


def uncited_lines(loaded: Loaded) -> Iterator[tuple[str, int, str]]:
    """(seed file, line number, text) of every non-blank seed line no quote covers."""
    for sid, raw in loaded.seed_texts.items():
        source = loaded.deck.sources[sid]
        quotes = [
            squash_ws(c.quote)
            for card in loaded.deck.cards
            for f in card.facts
            for c in f.citations
            if c.source == sid
        ]
        # Map the squashed text back to lines: squash each line and find quote spans in the joined text.
        lines = raw.splitlines()
        starts, pos, parts = [], 0, []
        for line in lines:
            s = squash_ws(line)
            starts.append(pos)
            parts.append(s)
            pos += len(s) + 1
        joined = " ".join(parts)
        covered = bytearray(len(joined) + 1)
        for q in quotes:
            start = joined.find(q)
            while start != -1:
                covered[start : start + len(q)] = b"\x01" * len(q)
                start = joined.find(q, start + 1)
        for n, (line, start) in enumerate(zip(parts, starts, strict=True), 1):
            if line and not any(covered[start : start + len(line)]):
                yield f"seeds/{source.file}", n, line
