"""A summary keeps its facts' qualifiers: which facts a summary draws on, and the words it then needs.

The rule (`il2bot check`, `check_summary_qualifiers`): some evidence types are ones a reader must be
told about, because a result of that kind is not an established result in people. Their entries in
`facts/vocabulary/evidence.yaml` list `summary_says`, the words that tell it ("in mice", "in vitro";
"proposed", "may"), and `summary_claim`, what a summary states without them ("a lab or animal study
result"). A summary that draws on a fact of such a type must contain one of that type's words.

A summary *draws on* a fact when it repeats enough of the fact's content words (words of at least
`MIN_WORD_CHARS` characters with a letter in them, not stopwords, compared without an ending such as
-s, -ed, -ing or -ion): at least `DRAWS_ON_MIN_WORDS` of them, making up at least `DRAWS_ON_SHARE` of
the fact's content words. A summary that sums up a card's clinical and background facts is not held
to the qualifiers of a lab fact it does not repeat: a mixed card is flagged for what its summary
states, not for what it leaves out. The whole summary counts, not each sentence: one "in mice" covers
a summary of one mouse study.

A word matches whole, in any case ("rat" is not "rather"), and a trailing `*` marks a stem
("hypothes*" matches "hypothesised"). A word followed by a number is a name or a date, not a hedge:
"May 2019" is not "may".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from bot.cards.model import Card
from bot.text import fold, normalize, squash_ws

MIN_WORD_CHARS = 3  # shorter words ("in", "of", "a") are never content words
# Endings stripped from a content word (the first that fits), so "promoted" meets "promoting" and
# "depletion" meets "depletes".
ENDINGS = ("ions", "ion", "ing", "es", "ed", "s", "e")
MIN_STEM_CHARS = 4  # ... unless less than this would be left ("has", "bed" stay whole)
DRAWS_ON_MIN_WORDS = 3  # a summary draws on a fact only if it repeats at least this many of its words
DRAWS_ON_SHARE = 0.4  # ... and at least this share of them
STEM = "*"  # a `summary_says` entry ending in this matches any word it begins
SHOWN_WORDS = 3  # how many of a type's words an error message offers as examples


class Qualifier(NamedTuple):
    """An evidence type a summary must name, and the words that name it."""

    evidence: str  # the evidence type id ("preclinical")
    claim: str  # what a summary without the words states ("a lab or animal study result")
    says: tuple[str, ...]  # the words, in the vocabulary's order
    pattern: re.Pattern[str]  # any of the words, over a folded text

    def message(self) -> str:
        """The error for a summary that draws on a fact of this type without saying so."""
        shown = ", ".join(f'"{w.rstrip(STEM)}"' for w in self.says[:SHOWN_WORDS])
        more = " ..." if len(self.says) > SHOWN_WORDS else ""
        return f"summary states {self.claim} without saying so (add {shown}{more})"


def qualifiers(vocabulary: Iterable[Any]) -> dict[str, Qualifier]:
    """The qualifiers named in vocabulary documents' `evidence` entries (those with `summary_says`)."""
    out: dict[str, Qualifier] = {}
    for data in vocabulary:
        for eid, entry in ((data or {}).get("evidence") or {}).items():
            says = tuple(entry.get("summary_says") or ())
            if says:
                out[eid] = Qualifier(eid, entry.get("summary_claim", eid), says, _pattern(says))
    return out


def _pattern(says: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a type's words: whole words, stems open at the end, spaces and hyphens alike."""
    parts = []
    for w in says:
        stem = w.endswith(STEM)
        words = [re.escape(p) for p in re.split(r"[\s-]+", fold(w.rstrip(STEM)))]
        parts.append(r"[\s-]+".join(words) + (r"\w*" if stem else r"(?!\w)"))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\s+\d)")


def _stem(word: str) -> str:
    """A word without its first fitting ending ("tregs" -> "treg", "proposed", "propose" -> "propos")."""
    for end in ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= MIN_STEM_CHARS:
            return word[: -len(end)]
    return word


@lru_cache(maxsize=4096)
def content_words(text: str, stopwords: frozenset[str]) -> frozenset[str]:
    """The stems of the words of a text that say what it is about (not stopwords, not bare numbers)."""
    return frozenset(
        _stem(w)
        for w in normalize(text).split()
        if len(w) >= MIN_WORD_CHARS and w not in stopwords and any(ch.isalpha() for ch in w)
    )


def draws_on(summary: frozenset[str], fact: frozenset[str]) -> bool:
    """Whether a summary with these content words repeats enough of a fact's to state it."""
    shared = len(summary & fact)
    return shared >= DRAWS_ON_MIN_WORDS and shared >= DRAWS_ON_SHARE * len(fact)


def says(qualifier: Qualifier, text: str) -> bool:
    """Whether a text contains one of a qualifier's words."""
    return qualifier.pattern.search(squash_ws(fold(text))) is not None


def unsaid(card: Card, rules: dict[str, Qualifier], stopwords: frozenset[str]) -> Iterator[Qualifier]:
    """The qualifiers a card's summary needs (it draws on a fact of their type) and lacks, in order."""
    summary = content_words(card.summary, stopwords)
    needed = dict.fromkeys(
        f.evidence
        for f in card.facts
        if f.evidence in rules and draws_on(summary, content_words(f.text, stopwords))
    )
    for eid in needed:
        if not says(rules[eid], card.summary):
            yield rules[eid]
