"""The /il2 slash command: ack at once, answer through the response_url (ephemeral)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.slack.services import Services
from bot.slack.text import query_from_slack

COMMAND = "/il2"


def register(app: App, services: Services) -> None:
    """Register the slash command listener."""

    def answer_command(ack: Callable[..., Any], command: dict[str, Any]) -> None:
        ack()
        message = services.message(query_from_slack(command.get("text", "")), ephemeral=True)
        services.send(command["response_url"], {**message, "response_type": "ephemeral"})

    app.command(COMMAND)(answer_command)
