"""Feedback values and the modal's metadata: what a button carries, bounded, and what is refused."""

from __future__ import annotations

import json

import pytest

from bot.render.view import Control, ViewState, Vote
from bot.slack import feedback
from bot.slack.interaction import MAX_VALUE, codec, decode_vote, encode_vote

ANSWER = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(("action_id", "value", "decoded"), [
    ("il2_vote_helpful", f"{ANSWER}:il-7-dose:and the dose?", (Vote(ANSWER, "il-7-dose", "helpful"), "and the dose?")),
    ("il2_vote_not_right", f"{ANSWER}:aldesleukin:a: b: c", (Vote(ANSWER, "aldesleukin", "not_right"), "a: b: c")),
    ("il2_vote_outdated", f"{ANSWER}:aldesleukin:", (Vote(ANSWER, "aldesleukin", "outdated"), "")),
    ("il2_vote_maybe", f"{ANSWER}:aldesleukin:q", None),  # not a vote
    ("il2_vote_helpful", "not-hex:aldesleukin:q", None),  # not an answer id
    ("il2_vote_helpful", f"{ANSWER}::q", None),  # no card
    ("il2_vote_helpful", f"{ANSWER}", None),  # nothing after the id
])
def test_a_feedback_button_value_decodes_or_is_refused(action_id: str, value: str, decoded: object) -> None:
    assert decode_vote(action_id, value) == decoded


def test_a_feedback_button_round_trips_within_slacks_limit() -> None:
    vote = Vote(ANSWER, "il-7-dose", "outdated")
    action_id, value = codec(Control("vote", "Outdated", ViewState("x" * 5000), vote), 3)
    assert action_id == "il2_vote_outdated" and len(value) == MAX_VALUE
    assert decode_vote(action_id, value) == (vote, "x" * (MAX_VALUE - len(ANSWER) - len("il-7-dose") - 2))
    assert encode_vote(Vote(ANSWER, "a:b", "helpful"), "q") == f"{ANSWER}:ab:q", "no colon in a card id"


@pytest.mark.parametrize("query", ["and the dose?", "é\"\\<>" * 400, "\u2028" * 2000])
def test_modal_metadata_stays_within_3000_characters_and_round_trips(query: str) -> None:
    pending = feedback.Pending(Vote(ANSWER, "il-7-dose", "not_right"), query, "https://hooks.slack.com/x/y")
    raw = feedback.metadata(pending)
    assert len(raw) <= feedback.MAX_METADATA
    back = feedback.from_metadata(raw)
    assert back is not None and back.vote == pending.vote and back.response_url == pending.response_url
    assert query.startswith(back.query) and back.query


@pytest.mark.parametrize("raw", [None, "", "{", "[]", json.dumps({"a": ANSWER, "c": "x", "v": "meh", "q": "", "r": ""}),
                                 json.dumps({"a": "", "c": "x", "v": "helpful", "q": "", "r": ""}),
                                 json.dumps({"a": ANSWER, "c": "x", "v": "helpful", "q": 3, "r": ""})])
def test_metadata_the_app_did_not_write_is_refused(raw: object) -> None:
    assert feedback.from_metadata(raw) is None


@pytest.mark.parametrize(("typed", "kept"), [("  two   words ", "two words"), ("", None), (None, None),
                                             ("x" * 500, "x" * feedback.MAX_COMMENT)])
def test_the_comment_is_one_bounded_line(typed: str | None, kept: str | None) -> None:
    view = {"state": {"values": {"il2_feedback_text": {"il2_feedback_text": {"value": typed}}}}}
    assert feedback.comment(view) == kept
