"""`il2bot ask`: answer a question in the terminal, as text or JSON."""

from __future__ import annotations

import sys

from bot.cards.model import DeckError


def cmd_ask(root: str, query: str, *, as_json: bool = False, limit: int = 3, blocks: bool = False,
            full: bool = False, page: int = 0) -> int:
    """Print the answer to a query (text, JSON, or the exact Block Kit message the Slack app would send);
    exit 0 whether it answers or abstains, 1 if the content is broken."""
    from bot.engine import load_engine

    try:
        engine = load_engine(root)
    except DeckError as exc:
        for err in exc.errors[:20]:
            print(err, file=sys.stderr)
        print("The fact cards have problems; run 'il2bot check' for the full list.", file=sys.stderr)
        return 1
    from bot.render.view import ViewState

    reply = engine.ask(query, limit=limit, offset=page)
    state = ViewState(query, page, "facts" if full else "answer")
    if as_json:
        import json

        print(json.dumps(reply.to_json(), ensure_ascii=False, indent=2))
    elif blocks:
        import json

        from bot.render.blocks import render as render_blocks
        from bot.slack.interaction import codec

        print(json.dumps(render_blocks(reply, state, codec=codec), ensure_ascii=False, indent=2))
    else:
        from bot.render.terminal import render

        sys.stdout.write(render(reply, state, full=full))
    return 0
