"""The fact-matcher as a service: load the deck (cached), answer queries with Reply objects."""

from __future__ import annotations

import os

from bot.cache import load_deck_cached
from bot.cards.model import Deck
from bot.matcher import Context, Matcher
from bot.paths import content_root
from bot.reply import Partial, Reply, answer_from_card

HELP_WORDS = frozenset({"", "help", "?", "h", "usage", "--help", "-h"})

__all__ = ["Context", "Engine", "load_engine"]


class Engine:
    """Answers queries from a deck; shared by the CLI and the Slack app."""

    def __init__(self, deck: Deck, matcher: Matcher | None = None) -> None:
        self.deck = deck
        self.matcher = matcher or Matcher(deck)

    def ask(self, query: str, *, limit: int = 3, offset: int = 0, context: Context | None = None) -> Reply:
        """Answer a query: the best cards from `offset`, or an abstention, a question back, or help.

        `context` is the previous reply's `Reply.context()` in the same thread or DM: a follow-up
        that names no drug or study ("and the dose?") inherits its subject.
        """
        text = query.strip()
        if text.casefold() in HELP_WORDS:
            return self.help(query)
        result = self.matcher.search(text, limit=offset + limit + 1, context=context)
        if result.clarify:
            return Reply(query=query, kind="clarify", reason=result.reason, choices=result.clarify)
        if not result.answered:
            partial = None
            if result.partial is not None:
                card = result.partial.card
                partial = Partial(card.id, card.title, result.missing)
            return Reply(
                query=query,
                kind="abstain",
                suggestions=result.suggestions,
                reason=result.reason,
                partial=partial,
                subjects=result.subjects,
                about=result.topics,
                card_id=partial.id if partial else "",
            )
        hits = result.hits[offset : offset + limit]
        return Reply(
            query=query,
            kind="answer",
            matches=tuple(
                answer_from_card(self.deck, h.card, h.score, result.answering if h is result.hits[0] else ())
                for h in hits
            ),
            suggestions=result.suggestions,
            more=len(result.hits) > offset + limit,
            offset=offset,
            reason=result.reason,
            subjects=result.subjects,
            about=result.topics,
            card_id=result.hits[0].card.id,
        )

    def help(self, query: str = "help") -> Reply:
        """Help: example questions and the topics the cards cover."""
        from bot.catalog import catalog  # only help needs it (not on the `il2bot ask` path)

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
