"""Bolt listeners, one module per kind, each with register(app, services)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, guards
from bot.slack.services import Services


def register_listeners(app: App, services: Services) -> None:
    """Register the event guards and every listener on the app."""
    guards.register(app, services)
    commands.register(app, services)
    events.register(app, services)
    actions.register(app, services)
