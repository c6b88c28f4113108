"""Turn the text Slack sends (mrkdwn with entities and <...> markup) into the plain question typed."""

from __future__ import annotations

import re

_MARKUP = re.compile(r"<([^<>]*)>")
# Characters that change nothing a reader sees but split words for the matcher: controls, zero-width
# spaces and joiners, bidi marks, embeddings, overrides and isolates, the BOM.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\ufeff]")


def _plain(markup: str, bot_user_id: str | None) -> str:
    target, _, label = markup.partition("|")
    if target.startswith("@"):  # a user mention: <@U123> or <@U123|name>
        if bot_user_id and target[1:] == bot_user_id:
            return " "
        return f" {label} " if label else " "
    if target.startswith("#"):  # a channel: <#C123|general>
        return f" #{label} " if label else " "
    if target.startswith("!"):  # <!here>, <!channel>, <!subteam^ID|@team>, <!date^...|fallback>
        return f" {label} " if target.startswith("!date") and label else " "
    return label or target  # a link: <https://x|label> or <https://x>


def query_from_slack(text: str, bot_user_id: str | None = None) -> str:
    """The question as typed: mentions of the bot dropped, links to their labels, entities decoded,
    invisible characters dropped."""
    text = _MARKUP.sub(lambda m: _plain(m[1], bot_user_id), _INVISIBLE.sub("", text or ""))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())
