"""Buttons: every il2bot button is answered by the interaction protocol (bot.slack.interaction)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.slack import interaction
from bot.slack.services import Services, describe


def register(app: App, services: Services) -> None:
    """Register the button listener: acked in the request, answered in the background."""

    def click(ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()

        def answer() -> None:
            interaction.respond(
                body, action,
                render=lambda state, user: services.view(state, shared_by=user),
                send=lambda payload: services.send(body["response_url"], payload, about=describe(body)),
                first_time=lambda key: services.seen.first_time([key]),
            )

        services.background.submit(body, answer)

    app.action(interaction.ACTIONS)(click)
