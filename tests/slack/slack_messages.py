"""What the Slack tests read from the app's messages, and the events they send: shared by the HTTP and
Socket Mode end-to-end tests, so both transports are held to the same expectations."""

from __future__ import annotations

import json
from typing import Any

from slack_harness import BOT_USER

from bot.render import blocks
from bot.render.view import ViewName, ViewState
from bot.reply import Reply
from bot.slack.interaction import ACTION_SHARE, codec

INJECTIONS = ("<!channel", "<!here", "<!everyone", "<@U0BAD", "<https://evil", "<b>")


def render(reply: Reply, *, ephemeral: bool = True, shared_by: str | None = None,
           view: ViewName = "answer", page: int = 0) -> dict[str, Any]:
    """What the app renders for a reply (the same renderer and codec)."""
    state = ViewState(reply.query, page or reply.offset, view, not ephemeral)
    return blocks.render(reply, state, codec=codec, shared_by=shared_by)


def texts(value: Any) -> list[str]:
    """Every text string in a message."""
    if isinstance(value, dict):
        out = [v for k, v in value.items() if k == "text" and isinstance(v, str)]
        return out + [t for k, v in value.items() if k != "text" or not isinstance(v, str) for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The message's buttons by action_id."""
    return {e["action_id"]: e for b in message.get("blocks", []) if b["type"] == "actions"
            for e in b["elements"]}


def message_of(recorded: Any) -> dict[str, Any]:
    """The message a recorded Web API or response_url call carried."""
    data = recorded.data
    blocks_ = data["blocks"]
    return {"text": data["text"], "blocks": json.loads(blocks_) if isinstance(blocks_, str) else blocks_}


def mention(text: str, ts: str, channel: str = "C0001", **extra: Any) -> dict[str, Any]:
    """An app_mention event."""
    return {"type": "app_mention", "user": "U0001", "text": f"<@{BOT_USER}> {text}", "ts": ts,
            "channel": channel, **extra}


def dm(text: str, ts: str, channel: str = "D0001", **extra: Any) -> dict[str, Any]:
    """A direct message event."""
    return {"type": "message", "channel_type": "im", "user": "U0001", "text": text, "ts": ts,
            "channel": channel, **extra}


def no_injection(message: dict[str, Any]) -> None:
    """No echoed text became a mention, a broadcast or a link."""
    assert [(bad, text) for text in texts(message) for bad in INJECTIONS if bad in text] == []


def posted_to_channel(shared: Any, delete: Any, first: dict[str, Any], expected: dict[str, Any],
                      by: str) -> dict[str, Any]:
    """Check what Post to channel sent through the response_url: `expected` posted in the channel (not
    replacing the ephemeral answer), credited to `by`, without a share button, with the blocks the person
    was looking at (buttons and context aside), and the ephemeral answer then deleted. Returns the message."""
    message = message_of(shared)
    assert (shared.data["response_type"], shared.data["replace_original"]) == ("in_channel", False)
    assert message == expected
    assert message["blocks"][0]["elements"][0]["text"].startswith(f"<@{by}> shared:")
    assert ACTION_SHARE not in buttons(message)
    same = [b for b in first["blocks"] if b["type"] not in ("actions", "context")]
    assert same == [b for b in message["blocks"] if b["type"] not in ("actions", "context")]
    assert delete.data == {"delete_original": True}
    return message
