"""The interaction protocol: action ids, button values carrying a view state, what a click re-renders.

No Slack library is imported here (`il2bot ask --blocks` uses the codec without Slack).
A button value is `{page}{view letter}:{query}` ("0f:side-effects aldesleukin"); values written by
earlier versions (`{offset}:{query}`, or a bare query) still decode.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.render.view import VIEWS, VOTE_NAMES, Control, ViewName, ViewState, Vote, VoteName

ACTION_VIEW = "il2_view"  # il2_view_answer / il2_view_facts / il2_view_sources: the same match, another view
ACTION_PAGE = "il2_page"  # il2_page_N: another match of the same query ("Also: ...")
ACTION_ASK = "il2_ask"  # il2_ask_N: run the query in the value (suggestions, examples, choices, help)
ACTION_SHARE = "il2_share"  # post what the person is looking at to the channel, once
ACTION_CHOOSE = "il2_choose"  # il2_choose_N: answer a question back with one of its choices, in place
ACTION_VOTE = "il2_vote"  # il2_vote_helpful / il2_vote_not_right / il2_vote_outdated: feedback on an answer
FEEDBACK_VIEW = "il2_feedback"  # callback id of the "what was wrong?" modal
FEEDBACK_BLOCK = "il2_feedback_text"  # the modal's input block and its element's action id
ACTION_MORE = "il2_more"  # earlier versions' "More results": a page
ACTION_QUOTES = "il2_quotes"  # earlier versions' "Show quotes": the sources view
ACTION_HIDE_QUOTES = "il2_hide_quotes"  # earlier versions' "Hide quotes": the answer view
ACTIONS = re.compile(
    rf"^(?:{ACTION_VIEW}_(?:answer|facts|sources)|{ACTION_PAGE}_\d+|{ACTION_ASK}_\d+|{ACTION_CHOOSE}_\d+|"
    rf"{ACTION_SHARE}|{ACTION_MORE}|{ACTION_QUOTES}|{ACTION_HIDE_QUOTES})$"
)
MAX_VALUE = 2000  # Slack's limit on a button value
MAX_PAGE = 9999
_LETTER: dict[ViewName, str] = {"answer": "", "facts": "f", "sources": "s"}
_VIEW_OF = {letter: view for view, letter in _LETTER.items()}
_HEAD = re.compile(r"^(\d{1,4})([fs]?)$")


def encode(state: ViewState) -> str:
    """A button value carrying a view state (page, view, query), within Slack's 2000 characters."""
    prefix = f"{min(max(state.page, 0), MAX_PAGE)}{_LETTER[state.view]}:"
    return prefix + state.query[: MAX_VALUE - len(prefix)]


def decode(value: str) -> ViewState:
    """The view state a button value carries (a bare value is a query, answer view, first match)."""
    head, sep, rest = value.partition(":")
    m = _HEAD.match(head) if sep and head.isascii() else None
    if not m:
        return ViewState(value)
    return ViewState(rest, int(m[1]), _VIEW_OF[m[2]])


def codec(control: Control, n: int) -> tuple[str, str]:
    """The action id and value of a renderer's control (`n` keeps action ids unique in a message)."""
    if control.kind == "view":
        return f"{ACTION_VIEW}_{control.target.view}", encode(control.target)
    if control.kind == "page":
        return f"{ACTION_PAGE}_{n}", encode(control.target)
    if control.kind == "share":
        return ACTION_SHARE, encode(control.target)
    if control.kind == "choose":
        return f"{ACTION_CHOOSE}_{n}", encode(ViewState(control.target.query))
    if control.kind == "vote" and control.vote is not None:
        return f"{ACTION_VOTE}_{control.vote.vote}", encode_vote(control.vote, control.target.query)
    return f"{ACTION_ASK}_{n}", encode(ViewState(control.target.query))


VOTES = re.compile(rf"^{ACTION_VOTE}_(helpful|not_right|outdated)$")
_ANSWER_ID = re.compile(r"^[0-9a-f]{1,64}$")


def encode_vote(vote: Vote, query: str) -> str:
    """A feedback button's value: `{answer id}:{card id}:{query}`, within Slack's 2000 characters."""
    prefix = f"{vote.answer_id}:{vote.card_id.replace(':', '')}:"
    return prefix + query[: MAX_VALUE - len(prefix)]


def decode_vote(action_id: str, value: str) -> tuple[Vote, str] | None:
    """The vote a feedback button records and the query it answered; None if not a well-formed one."""
    m = VOTES.match(action_id)
    answer_id, _, rest = value.partition(":")
    card_id, sep, query = rest.partition(":")
    if not m or not sep or not _ANSWER_ID.match(answer_id) or not card_id:
        return None
    name: VoteName = next(v for v in VOTE_NAMES if v == m[1])
    return Vote(answer_id, card_id, name), query


def target(action_id: str, value: str) -> ViewState:
    """What a click shows: the view state of its value, as the action id says."""
    state = decode(value)
    for view in VIEWS:
        if action_id == f"{ACTION_VIEW}_{view}":
            return state._replace(view=view)
    if action_id == ACTION_QUOTES:
        return state._replace(view="sources")
    if action_id in (ACTION_HIDE_QUOTES, ACTION_MORE) or action_id.startswith((ACTION_ASK, ACTION_CHOOSE)):
        return state._replace(view="answer")
    return state


Render = Callable[[ViewState, "str | None"], dict[str, Any]]  # a view state (and who shared it) -> message
Send = Callable[[dict[str, Any]], bool]  # post a payload to the click's response_url


def share_key(body: dict[str, Any], value: str) -> str:
    """What makes a share click the same click again: the message it is on, and what it shares."""
    container = body.get("container") or {}
    where = f"{container.get('channel_id', '')}:{container.get('message_ts', '')}"
    if where == ":":
        where = str(body.get("response_url", ""))
    return f"share:{where}:{value}"


def respond(body: dict[str, Any], action: dict[str, Any], render: Render, send: Send,
            first_time: Callable[[str], bool]) -> None:
    """Answer a click: re-render the view it asks for in place (ephemeral) or privately to the clicker
    (a message others see); "Post to channel" posts what the person is looking at, once, then removes
    the private copy."""
    action_id = str(action.get("action_id", ""))
    value = str(action.get("value", ""))
    container = body.get("container") or {}
    thread = {"thread_ts": container["thread_ts"]} if container.get("thread_ts") else {}
    state = target(action_id, value)
    if action_id == ACTION_SHARE:
        if not first_time(share_key(body, value)):
            return
        user = (body.get("user") or {}).get("id")
        message = render(state._replace(shared=True), user if isinstance(user, str) else None)
        shared = send({**message, "response_type": "in_channel", "replace_original": False, **thread})
        if shared and container.get("is_ephemeral"):
            send({"delete_original": True})
        return
    message = render(state._replace(shared=False), None)
    if container.get("is_ephemeral"):
        send({**message, "response_type": "ephemeral", "replace_original": True})
    else:  # a message others see: answer the person who clicked, privately
        send({**message, "response_type": "ephemeral", "replace_original": False, **thread})
