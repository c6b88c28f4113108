"""What every listener needs, bound once: the engine, today's date, the reply sender, seen events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from bot.render.blocks import Message, render, render_failure
from bot.reply import Reply
from bot.slack.dedupe import SeenEvents

log = logging.getLogger("il2bot.slack")


class Answerer(Protocol):
    """Anything that answers like bot.engine.Engine."""

    def ask(self, query: str, *, limit: int = 3, offset: int = 0) -> Reply:
        """Answer a query from `offset`."""
        ...


@dataclass(frozen=True, slots=True)
class Services:
    """The dependencies of the listeners (bound into them with closures)."""

    engine: Answerer
    today: Callable[[], date]
    send: Callable[[str, dict[str, Any]], bool]  # post a message to a response_url
    seen: SeenEvents

    def message(self, query: str, *, offset: int = 0, ephemeral: bool = True,
                shared_by: str | None = None) -> Message:
        """The rendered answer to a query; a short apology if answering failed (the error is logged)."""
        try:
            reply = self.engine.ask(query, offset=offset)
            return render(reply, today=self.today(), ephemeral=ephemeral, shared_by=shared_by)
        except Exception:
            log.exception("answering %r failed", query[:100])
            return render_failure()
