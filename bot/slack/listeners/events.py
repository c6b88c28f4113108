"""Mentions (answered in the thread of the mention) and direct messages (answered in the DM)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.services import Services
from bot.slack.text import query_from_slack


def register(app: App, services: Services) -> None:
    """Register the app_mention and message.im listeners (events are acked by Bolt)."""

    def post(client: WebClient, event: dict[str, Any], context: BoltContext, thread_ts: str | None) -> None:
        query = query_from_slack(event.get("text", ""), context.bot_user_id)
        message = services.message(query, ephemeral=False)
        client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts,
                                unfurl_links=False, unfurl_media=False, **message)

    def answer_mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        post(client, event, context, event.get("thread_ts") or event["ts"])

    def answer_direct_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if event.get("channel_type") == "im":
            post(client, event, context, event.get("thread_ts"))

    app.event("app_mention")(answer_mention)
    app.event("message")(answer_direct_message)
