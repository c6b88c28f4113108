"""Feedback on an answer: a vote recorded at once (Helpful) or after a "what was wrong?" modal."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from bot.render import wording
from bot.render.view import VOTE_NAMES, Vote
from bot.slack.interaction import FEEDBACK_BLOCK, FEEDBACK_VIEW

MAX_METADATA = 3000  # Slack's limit on a view's private_metadata
MAX_COMMENT = 300  # characters of the one-line "what was wrong?"
ASKS_WHY = ("not_right", "outdated")  # the votes that open the modal


class Pending(NamedTuple):
    """A vote waiting for its modal: what it is on, and where to thank the person."""

    vote: Vote
    query: str
    response_url: str


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def metadata(pending: Pending) -> str:
    """The modal's private_metadata: the vote, the answer's query and the click's response_url (bounded)."""
    data = {"a": pending.vote.answer_id, "c": pending.vote.card_id, "v": pending.vote.vote,
            "r": pending.response_url, "q": ""}
    query = pending.query[: max(MAX_METADATA - len(json.dumps(data)), 0)]
    while query and len(json.dumps({**data, "q": query})) > MAX_METADATA:  # escapes take more room
        query = query[: len(query) * 9 // 10]
    return json.dumps({**data, "q": query})


def from_metadata(raw: Any) -> Pending | None:
    """The pending vote a modal carries; None if its metadata is not one this app wrote."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") not in VOTE_NAMES:
        return None
    fields = [data.get(k) for k in ("a", "c", "q", "r")]
    if not all(isinstance(f, str) for f in fields) or not data["a"] or not data["c"]:
        return None
    vote = next(v for v in VOTE_NAMES if v == data["v"])
    return Pending(Vote(data["a"], data["c"], vote), data["q"], data["r"])


def modal(pending: Pending) -> dict[str, Any]:
    """The "what was wrong?" modal (an optional single line) for a Not right or Outdated vote."""
    return {
        "type": "modal",
        "callback_id": FEEDBACK_VIEW,
        "private_metadata": metadata(pending),
        "title": _plain(wording.FEEDBACK_TITLE),
        "submit": _plain(wording.FEEDBACK_SUBMIT),
        "close": _plain(wording.FEEDBACK_CANCEL),
        "blocks": [
            {"type": "section",
             "text": {"type": "mrkdwn", "text": wording.FEEDBACK_HEADS[pending.vote.vote]}},
            {"type": "input", "block_id": FEEDBACK_BLOCK, "optional": True,
             "label": _plain(wording.FEEDBACK_QUESTION), "hint": _plain(wording.FEEDBACK_HINT),
             "element": {"type": "plain_text_input", "action_id": FEEDBACK_BLOCK, "multiline": False,
                         "max_length": MAX_COMMENT}},
        ],
    }


def comment(view: dict[str, Any]) -> str | None:
    """The text typed in a submitted modal (None if left empty)."""
    values = ((view.get("state") or {}).get("values") or {}).get(FEEDBACK_BLOCK) or {}
    element = values.get(FEEDBACK_BLOCK) if isinstance(values, dict) else None
    text = element.get("value") if isinstance(element, dict) else None
    return " ".join(text.split())[:MAX_COMMENT] or None if isinstance(text, str) else None


def thanks(vote: Vote) -> dict[str, Any]:
    """The short private thanks sent after a vote."""
    return {"response_type": "ephemeral", "replace_original": False, "text": wording.THANKS[vote.vote]}
