"""What help lists: the drugs, diseases and studies the cards cover, each with example questions.

Everything comes from the content (vocabulary subjects, the cards that name them, the deck's example
questions and the questions cards list as aliases): nothing here is a phrase for one subject.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.cards.model import TRIAL_CARD, Deck
from bot.reply import HelpGroup

HELP_KINDS = ("drug", "disease", "study")  # the subject kinds help names, in this order
NAMES_PER_KIND = 5  # the subjects most cards are about
EXAMPLES_PER_KIND = 3
_TRIAL_ID = re.compile(r"\bNCT\d{8}\b", re.IGNORECASE)


def _short(label: str) -> str:
    """A subject's label without its parenthesised synonyms: 'IL-7 (interleukin-7)' -> 'IL-7'."""
    return label.split(" (")[0].strip() or label


def _names_it(question: str, words: list[str]) -> bool:
    text = f" {question.casefold()} "
    return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text) for w in words)


def catalog(deck: Deck) -> tuple[HelpGroup, ...]:
    """Per subject kind, the most covered subjects and two or three questions that name them."""
    counts = Counter(s for card in deck.cards for s in card.subjects)
    trial_cards = [c for c in deck.cards if c.kind == TRIAL_CARD]
    candidates = [*deck.examples, *(a for c in deck.cards for a in c.aliases if a.rstrip().endswith("?"))]
    used: set[str] = set()
    groups = []
    for kind in HELP_KINDS:
        terms = sorted((t for t in deck.terms.values() if t.kind == kind and counts[t.id]),
                       key=lambda t: -counts[t.id])
        top = terms[:NAMES_PER_KIND]
        if not top:
            continue
        words = [w.casefold() for t in top for w in (*t.terms, _short(t.label))]
        examples: list[str] = []
        for q in candidates:
            named = _names_it(q, words) or (kind == "study" and bool(_TRIAL_ID.search(q)))
            if named and q.casefold() not in used and len(examples) < EXAMPLES_PER_KIND:
                examples.append(q)
                used.add(q.casefold())
        names = [_short(t.label) for t in top]
        if kind == "study":
            names += [c.trial.nct for c in trial_cards if c.trial and c.trial.nct
                      and c.trial.nct not in names][: max(NAMES_PER_KIND - len(names), 2)]
        groups.append(HelpGroup(kind, tuple(dict.fromkeys(names)), tuple(examples)))
    return tuple(groups)
