"""The neutral view state a button carries, and the controls a renderer offers (no Slack here)."""

# No `from __future__ import annotations`: typing.NamedTuple would compile each string annotation
# at import, on the `il2bot ask` path (tests/test_startup.py checks).

from typing import Literal, NamedTuple, Protocol

ViewName = Literal["answer", "facts", "sources"]
VIEWS: tuple[ViewName, ...] = ("answer", "facts", "sources")
ControlKind = Literal["view", "page", "ask", "share", "choose", "vote"]
VoteName = Literal["helpful", "not_right", "outdated"]
VOTE_NAMES: tuple[VoteName, ...] = ("helpful", "not_right", "outdated")


class ViewState(NamedTuple):
    """What a message shows: the query, which of its matches (page), which view, and whether others see it."""

    query: str
    page: int = 0  # how many better matches are skipped: the card shown is match number `page`
    view: ViewName = "answer"  # the answer; all facts; or every fact as its verbatim quote, with sources
    shared: bool = False  # a message others see (posted to a channel, a thread or a DM): no "Post" button


class Vote(NamedTuple):
    """What a feedback button records: the answer (its id and card) and the vote."""

    answer_id: str
    card_id: str
    vote: VoteName


class Control(NamedTuple):
    """A button a renderer offers: what it does (kind), its label, and the view state it leads to.

    "choose" answers a question back ("which drug or study?") with one of its choices, in place;
    "vote" is a feedback button on an answer (its `vote` says which).
    """

    kind: ControlKind
    label: str
    target: ViewState
    vote: Vote | None = None


class Codec(Protocol):
    """Turns a control into the adapter's (action id, value); `n` numbers the controls of a message."""

    def __call__(self, control: Control, n: int) -> tuple[str, str]:
        """The action id and value of the n-th control of a message."""
        ...
