"""Buttons: views and pages (bot.slack.interaction), a question back's choices, feedback and its modal."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import feedback, interaction
from bot.slack.conversation import in_click
from bot.slack.services import Services, describe, log


def _user(body: dict[str, Any]) -> str:
    user = (body.get("user") or {}).get("id")
    return user if isinstance(user, str) else ""


def register(app: App, services: Services) -> None:
    """Register the button listeners and the feedback modal's submission: acked at once, answered after."""

    def send(body: dict[str, Any], payload: dict[str, Any]) -> bool:
        return services.send(body["response_url"], payload, about=describe(body))

    def choose(body: dict[str, Any], action: dict[str, Any]) -> None:
        """A choice of a question back: answered in place, where it was asked; the thread remembers it."""
        started = time.monotonic()
        where = in_click(body)
        container = body.get("container") or {}
        state = interaction.target(str(action.get("action_id", "")), str(action.get("value", "")))
        shared = not container.get("is_ephemeral")
        answered = services.answer(state.query, where, ephemeral=not shared, started=started)
        kind = "in_channel" if shared else "ephemeral"
        if send(body, {**answered.message, "response_type": kind, "replace_original": True}):
            services.answered(answered, where, _user(body))

    def click(ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()

        def answer() -> None:
            if str(action.get("action_id", "")).startswith(interaction.ACTION_CHOOSE):
                choose(body, action)
                return
            interaction.respond(
                body, action,
                render=lambda state, user: services.view(state, shared_by=user),
                send=lambda payload: send(body, payload),
                first_time=lambda key: services.seen.first_time([key]),
            )

        services.background.submit(body, answer)

    def vote(ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any],
             client: WebClient) -> None:
        ack()
        decoded = interaction.decode_vote(str(action.get("action_id", "")), str(action.get("value", "")))
        storage = services.storage
        if decoded is None or storage is None:
            log.info("ignored a feedback click that is not one of this app's (%s)", describe(body))
            return
        chosen, query = decoded
        if chosen.vote in feedback.ASKS_WHY:
            # views.open must come within the trigger id's 3 seconds: first thing after the ack.
            pending = feedback.Pending(chosen, query, str(body.get("response_url", "")))


            def ask_why() -> None:
                client.views_open(trigger_id=str(body.get("trigger_id", "")), view=feedback.modal(pending))

            services.background.submit(body, ask_why)
            return

        def record() -> None:
            storage.record_vote(answer_id=chosen.answer_id, user_id=_user(body), vote=chosen.vote,
                                card_id=chosen.card_id, query=query)
            send(body, feedback.thanks(chosen))

        services.background.submit(body, record)

    def submitted(ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()  # closes the modal
        pending = feedback.from_metadata(view.get("private_metadata"))
        storage = services.storage
        if pending is None or storage is None:
            log.info("ignored a feedback form that is not one of this app's (%s)", describe(body))
            return

        def record() -> None:
            chosen = pending.vote
            storage.record_vote(answer_id=chosen.answer_id, user_id=_user(body), vote=chosen.vote,
                                card_id=chosen.card_id, query=pending.query, text=feedback.comment(view))
            if pending.response_url.startswith(("https://", "http://")):
                services.send(pending.response_url, feedback.thanks(chosen), about=describe(body))

        services.background.submit(body, record)

    app.action(interaction.ACTIONS)(click)
    app.action(interaction.VOTES)(vote)
    app.view(interaction.FEEDBACK_VIEW)(submitted)
