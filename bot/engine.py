"""The fact-matcher as a service: load the deck (cached), answer queries with Reply objects."""

from __future__ import annotations

import os

from bot.cache import load_deck_cached
from bot.cards.model import Deck
from bot.catalog import catalog
from bot.matcher import Matcher
from bot.paths import content_root
from bot.reply import Reply, answer_from_card

HELP_WORDS = frozenset({"", "help", "?", "h", "usage", "--help", "-h"})


class Engine:
    """Answers queries from a deck; shared by the CLI and the Slack app."""

    def __init__(self, deck: Deck, matcher: Matcher | None = None) -> None:
        self.deck = deck
        self.matcher = matcher or Matcher(deck)

    def ask(self, query: str, *, limit: int = 3, offset: int = 0) -> Reply:
        """Answer a query: the best cards from `offset`, or an abstention, or help."""
        text = query.strip()
        if text.casefold() in HELP_WORDS:
            return self.help(query)
        result = self.matcher.search(text, limit=offset + limit + 1)
        if not result.answered:
            return Reply(query=query, kind="abstain", suggestions=result.suggestions)
        hits = result.hits[offset : offset + limit]
        return Reply(
            query=query,
            kind="answer",
            matches=tuple(answer_from_card(self.deck, h.card, h.score) for h in hits),
            suggestions=result.suggestions,
            more=len(result.hits) > offset + limit,
            offset=offset,
        )

    def help(self, query: str = "help") -> Reply:
        """Help: example questions and the topics the cards cover."""
        return Reply(
            query=query,
            kind="help",
            examples=self.deck.examples,
            topics=tuple(t.label for t in self.deck.terms.values() if t.is_topic),
            catalog=catalog(self.deck),
        )


def load_engine(root: str | os.PathLike[str] | None = None) -> Engine:
    """An Engine over the content at root (default: the installed content), via the deck cache."""
    deck, matcher = load_deck_cached(root or content_root())
    return Engine(deck, matcher)
