"""Mutation test: one-character lies generated from the real cards; `il2bot check` catches every one.

Mutants are generated, not hand-picked: every digit of every fact text, summary and trial field is a
candidate (changed to another digit), and so is one word of every quote, drawn at random (changed
to another word of the same card). A candidate is kept only when it is really wrong: the changed
value does not occur in what vouches for it (the fact's quotes, the card's quotes, the cited seed),
so a careful reader would call it a mistake. A seeded sample of the candidates runs through the card checks, one card at
a time, and each mutant must add at least one error to that card's own (unmutated) errors.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from bot.cards.checks import CARD_CHECKS, own_names
from bot.cards.loader import Layout, Loaded, load
from bot.cards.model import Card, Citation, Fact, TrialInfo
from bot.cards.tokens import NUMBERED_LABELS, reading_form, spelled_numbers
from bot.text import squash_ws

REPO = Path(__file__).resolve().parent.parent
SEED = 8  # the issue number: a fixed seed makes the sample the same on every run
# Mutants drawn per kind from all candidates (about 2,500 fact digits, 780 summary digits, one word
# of each of about 500 quotes; every trial-field candidate runs): a few ms each. Run on every
# candidate, all fact and summary digit mutants are caught too (about 20 s, so the suite samples).
SAMPLE = {"fact digit": 300, "summary digit": 200, "quote word": 150}
MIN_MUTANTS = 200
TIME_BUDGET_S = 30.0

_DIGIT = re.compile(r"\d")
_AROUND = re.compile(r"[\w.\-/:@+%·µ,\u2010-\u2015\u2212]+")
_EDGE = ".,:;-/+%"
_WORD = re.compile(r"[^\W\d_]{3,}")
_URL_ID = re.compile(r"(NCT\d{8}|10\.\d{4,9}/\S+)$")


class Mutant(NamedTuple):
    kind: str
    card: Card
    where: str  # what was changed, for the failure message


def _flat(text: str) -> str:
    """A text in reading form, case-folded, with no whitespace: for 'does this value occur'."""
    return re.sub(r"\s+", "", reading_form(text).casefold())


_PLURAL = {w: s for w in NUMBERED_LABELS for s in (w[:-1], w[:-2]) if s != w and s in NUMBERED_LABELS}
_PLURALS = re.compile(r"\b(" + "|".join(_PLURAL) + r")\b", re.IGNORECASE)


def _haystack(text: str) -> str:
    """Where a value may occur: the flat text, also with plural labels made singular ("stages 2, 3"
    gives "stage 2"), and its spelled-out numbers in digits ("Forty two")."""
    singular = _PLURALS.sub(lambda m: _PLURAL[m.group(1).casefold()], text)
    return "|".join([_flat(text), _flat(singular), *spelled_numbers(text)])


def _value_at(text: str, pos: int) -> str:
    """The written value around a character (a number, range, code or name-number), with the label
    it numbers ("Phase 2": a summary's phase must be the quotes' phase, not any 2 they hold)."""
    for m in _AROUND.finditer(text):
        if m.start() <= pos < m.end():
            label = re.search(r"(\w+)\s+$", text[: m.start()])
            if label and label.group(1).casefold() in NUMBERED_LABELS:
                return f"{label.group(1)} {m.group(0).strip(_EDGE)}"
            return m.group(0).strip(_EDGE)
    return text[pos]


def _digit_changes(text: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """(mutated text, changed value) for each digit of a text, changed to another digit."""
    for m in _DIGIT.finditer(text):
        new = rng.choice([d for d in "0123456789" if d != m.group(0)])
        mutated = text[: m.start()] + new + text[m.end() :]
        yield mutated, _value_at(mutated, m.start())


def _vouchers(citations: tuple[Citation, ...] | list[Citation]) -> str:
    """Everything that may vouch for a value: the quotes and the identifiers of the links."""
    ids = [m.group(1) for c in citations if c.url and (m := _URL_ID.search(c.url))]
    return _haystack(" ".join([*(c.quote for c in citations), *ids]))


def _is_own_name(loaded: Loaded, card: Card, value: str) -> bool:
    """Whether a value is a name of the card's own drugs (which may appear anywhere)."""
    names = own_names(loaded.deck, card)
    return names is not None and names.fullmatch(reading_form(value)) is not None


def _fact_mutants(loaded: Loaded, card: Card, rng: random.Random) -> Iterator[Mutant]:
    for i, fact in enumerate(card.facts):
        haystack = _vouchers(fact.citations)
        for text, value in _digit_changes(fact.text, rng):
            if _flat(value).rstrip("%") in haystack or _is_own_name(loaded, card, value):
                continue
            facts = list(card.facts)
            facts[i] = fact._replace(text=text)
            yield Mutant("fact digit", card._replace(facts=tuple(facts)), f"fact {i + 1}: {value}")


def _summary_mutants(loaded: Loaded, card: Card, rng: random.Random) -> Iterator[Mutant]:
    fields = " ".join(v for v in card.trial or () if v)
    haystack = _vouchers(card.citations()) + "|" + _haystack(fields)
    for text, value in _digit_changes(card.summary, rng):
        if _flat(value).rstrip("%") in haystack or _is_own_name(loaded, card, value):
            continue
        yield Mutant("summary digit", card._replace(summary=text), f"summary: {value}")


def _trial_mutants(loaded: Loaded, card: Card, rng: random.Random) -> Iterator[Mutant]:
    if card.trial is None:
        return
    cited = squash_ws(" ".join(loaded.seed_texts.get(s, "") for s in card.source_ids())).casefold()
    for name, value in card.trial._asdict().items():
        for text, _ in _digit_changes(value or "", rng):
            if re.search(rf"(?<!\w){re.escape(squash_ws(text).casefold())}(?!\w)", cited):
                continue
            trial = TrialInfo(**{**card.trial._asdict(), name: text})
            yield Mutant("trial field digit", card._replace(trial=trial), f"trial.{name}: {text}")


def _quote_mutants(loaded: Loaded, card: Card, rng: random.Random) -> Iterator[Mutant]:
    pool = sorted({w for f in card.facts for w in _WORD.findall(f.text)})
    for i, fact in enumerate(card.facts):
        for j, c in enumerate(fact.citations):
            seed = squash_ws(loaded.seed_texts.get(c.source, ""))
            words = list(_WORD.finditer(c.quote))
            rng.shuffle(words)
            for m in words:  # one mutant per quote: the first word whose change is really wrong
                new = rng.choice([w for w in pool if w != m.group(0)] or ["unsaid"])
                quote = c.quote[: m.start()] + new + c.quote[m.end() :]
                if squash_ws(quote) in seed:
                    continue
                cites = list(fact.citations)
                cites[j] = c._replace(quote=quote)
                facts = list(card.facts)
                facts[i] = Fact(fact.text, tuple(cites), fact.evidence, fact.time_sensitive)
                yield Mutant("quote word", card._replace(facts=tuple(facts)), f"quote {i + 1}.{j + 1}: {new}")
                break


def _errors(loaded: Loaded, card: Card) -> set[str]:
    """The card checks' errors for a deck holding only this card."""
    one = Loaded(
        loaded.deck._replace(cards=[card]),
        [],
        {card.file: loaded.card_docs[card.file]},
        loaded.seed_texts,
        set(),
    )
    return {str(e) for check in CARD_CHECKS for e in check(one)}


@pytest.fixture(scope="module")
def real() -> Loaded:
    loaded = load(Layout(REPO))
    assert loaded.deck.cards
    return loaded


def test_every_generated_mutant_is_caught(real: Loaded) -> None:
    rng = random.Random(SEED)
    by_kind: dict[str, list[Mutant]] = {}
    for gen in (_fact_mutants, _summary_mutants, _trial_mutants, _quote_mutants):
        for card in real.deck.cards:
            for m in gen(real, card, rng):
                by_kind.setdefault(m.kind, []).append(m)
    mutants = [
        m
        for kind, ms in by_kind.items()
        for m in (rng.sample(ms, min(SAMPLE[kind], len(ms))) if kind in SAMPLE else ms)
    ]
    counts = {kind: sum(1 for m in mutants if m.kind == kind) for kind in by_kind}
    start = time.perf_counter()
    baseline = {c.id: _errors(real, c) for c in real.deck.cards}
    missed = [
        f"{m.kind} on {m.card.file}: {m.where}"
        for m in mutants
        if _errors(real, m.card) <= baseline[m.card.id]
    ]
    elapsed = time.perf_counter() - start
    caught = len(mutants) - len(missed)
    per_kind = ", ".join(f"{k} {n}" for k, n in counts.items())
    print(f"mutants: {caught} of {len(mutants)} caught ({per_kind}) in {elapsed:.1f} s")
    assert missed == []
    assert len(mutants) >= MIN_MUTANTS
    assert {"fact digit", "summary digit", "trial field digit", "quote word"} <= set(by_kind)
    assert elapsed < TIME_BUDGET_S
