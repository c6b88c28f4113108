"""The /il2 slash command: ack at once, answer through the response_url (ephemeral)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.slack.conversation import in_command
from bot.slack.services import Services, describe
from bot.slack.text import query_from_slack

COMMAND = "/il2"


def register(app: App, services: Services) -> None:
    """Register the slash command: acked in the request, answered in the background."""

    def answer_command(ack: Callable[..., Any], body: dict[str, Any], command: dict[str, Any]) -> None:
        ack()
        started = time.monotonic()

        def answer() -> None:
            where = in_command(command)
            answered = services.answer(query_from_slack(command.get("text", "")), where, ephemeral=True,
                                       started=started)
            payload = {**answered.message, "response_type": "ephemeral"}
            services.send(command["response_url"], payload, about=describe(body))
            services.answered(answered, where, str(command.get("user_id", "")))

        services.background.submit(body, answer)

    app.command(COMMAND)(answer_command)
