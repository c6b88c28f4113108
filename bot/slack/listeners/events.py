"""Mentions (answered in the thread of the mention) and direct messages (answered in the DM)."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.conversation import in_event
from bot.slack.services import Services
from bot.slack.text import query_from_slack


def register(app: App, services: Services) -> None:
    """Register the app_mention and message.im listeners: acked by Bolt, answered in the background."""

    def post(body: dict[str, Any], client: WebClient, event: dict[str, Any], context: BoltContext,
             thread_ts: str | None) -> None:
        bot_user_id = context.bot_user_id
        started = time.monotonic()

        def answer() -> None:
            query = query_from_slack(event.get("text", ""), bot_user_id)
            where = in_event(event)
            answered = services.answer(query, where, ephemeral=False, started=started)
            client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts,
                                    unfurl_links=False, unfurl_media=False, **answered.message)
            services.answered(answered, where, str(event.get("user", "")))

        services.background.submit(body, answer)

    def answer_mention(body: dict[str, Any], event: dict[str, Any], context: BoltContext,
                       client: WebClient) -> None:
        post(body, client, event, context, event.get("thread_ts") or event["ts"])

    def answer_direct_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext,
                              client: WebClient) -> None:
        if event.get("channel_type") == "im":
            post(body, client, event, context, event.get("thread_ts"))

    app.event("app_mention")(answer_mention)
    app.event("message")(answer_direct_message)
