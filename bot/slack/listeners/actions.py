"""Buttons: "More results", "Did you mean ..."/examples (run a query again), "Show quotes"/"Hide quotes"
(the same answer with or without each fact's quotes), "Post to channel"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.render.blocks import (
    ACTION_ASK_PATTERN,
    ACTION_HIDE_QUOTES,
    ACTION_MORE,
    ACTION_QUOTES,
    ACTION_SHARE,
    decode_value,
)
from bot.slack.services import Services, describe


def _thread(body: dict[str, Any]) -> dict[str, str]:
    thread_ts = (body.get("container") or {}).get("thread_ts")
    return {"thread_ts": thread_ts} if thread_ts else {}


def share_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    """What identifies one answer offered for posting: its message (channel and ts) and the button's value."""
    container = body.get("container") or {}
    where = (f"{container.get('channel_id')}:{container.get('message_ts')}" if container.get("message_ts")
             else body.get("response_url", ""))
    return f"share:{where}:{action.get('value', '')}"


def register(app: App, services: Services) -> None:
    """Register the button listeners: acked in the request, answered in the background."""

    def run_again(quotes: bool) -> Callable[..., None]:
        """A listener answering the query and offset in the button's value, with or without quotes."""

        def listener(ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
            ack()

            def answer() -> None:
                query, offset = decode_value(action.get("value", ""))
                message = services.message(query, offset=offset, ephemeral=True, quotes=quotes)
                if (body.get("container") or {}).get("is_ephemeral"):
                    payload = {**message, "response_type": "ephemeral", "replace_original": True}
                else:  # a message others see: answer the person who clicked, privately
                    payload = {**message, "response_type": "ephemeral", "replace_original": False,
                               **_thread(body)}
                services.send(body["response_url"], payload, about=describe(body))

            services.background.submit(body, answer)

        return listener

    def share(ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        if not services.seen.first_time([share_key(body, action)]):
            return  # this answer was already posted: a double click, or a replay

        def answer() -> None:
            query, offset = decode_value(action.get("value", ""))
            user = (body.get("user") or {}).get("id")
            message = services.message(query, offset=offset, ephemeral=False, shared_by=user)
            payload = {**message, "response_type": "in_channel", "replace_original": False, **_thread(body)}
            shared = services.send(body["response_url"], payload, about=describe(body))
            if shared and (body.get("container") or {}).get("is_ephemeral"):
                services.send(body["response_url"], {"delete_original": True}, about=describe(body))

        services.background.submit(body, answer)

    app.action(ACTION_MORE)(run_again(quotes=False))
    app.action(ACTION_ASK_PATTERN)(run_again(quotes=False))
    app.action(ACTION_QUOTES)(run_again(quotes=True))
    app.action(ACTION_HIDE_QUOTES)(run_again(quotes=False))
    app.action(ACTION_SHARE)(share)
