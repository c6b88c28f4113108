"""The matcher's speed-ups change no answer: what one search shares between its ranking passes, and
the bound that spares scoring facts, give what scoring everything afresh gives."""

from __future__ import annotations

import pytest
from test_matcher import ABSTAIN, ANSWERS

from bot.engine import Engine, load_engine
from bot.matcher.scorer import Search, fact_strength, fact_strength_bound, rank

QUERIES = [q for q, _ in ANSWERS] + [str(q) for q in ABSTAIN]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine()


def test_a_shared_search_ranks_as_fresh_ones_do(engine: Engine) -> None:
    """The answers, then the suggestions (no filter), then a few cards only, all through one Search."""
    m = engine.matcher
    ix, t = m.index, m.tuning
    differ, answered = [], 0
    for q in QUERIES:
        r = m.read(q)
        keep = m._keep(r)
        s = Search(ix, r, t)
        few = list(range(0, len(ix.cards), 7))
        shared = [rank(ix, r, 5, t, keep=keep, s=s), rank(ix, r, 3, t, s=s), rank(ix, r, 4, t, only=few, s=s)]
        fresh = [rank(ix, r, 5, t, keep=keep), rank(ix, r, 3, t), rank(ix, r, 4, t, only=few)]
        if shared != fresh:
            differ.append(q)
        answered += bool(shared[0])
    assert (answered > 150, differ) == (True, [])


def test_no_card_has_a_fact_stronger_than_the_bound(engine: Engine) -> None:
    m = engine.matcher
    ix, t = m.index, m.tuning
    over = [
        (q, ix.cards[n].id)
        for q in QUERIES
        for r in [m.read(q)]
        for bound in [fact_strength_bound(ix, r, t)]
        for n, e in enumerate(ix.entries)
        if fact_strength(ix, e, r, t) > bound
    ]
    assert over == []
