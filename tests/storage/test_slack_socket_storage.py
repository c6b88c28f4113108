"""The same listeners in Socket Mode, on a real database: feedback and its modal, the question log and a
follow-up in a thread (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import fake_socket as envelopes
import pytest
from fake_socket import FakeSocketMode, socket_slack
from slack_harness import TEAM, TODAY, FakeSlack
from sqlalchemy import select

from bot.engine import Engine
from bot.slack.app import build_app
from bot.slack.services import Background
from bot.slack.settings import Settings
from bot.slack.socket import SocketModeServer
from bot.slack.web import make_web_client
from bot.storage import Storage, open_storage
from bot.storage.tables import feedback, questions

WAIT = 10.0


@pytest.fixture
def running(env: dict[str, str], engine: Engine) -> Iterator[tuple[FakeSocketMode, FakeSlack, Storage, Background]]:
    endpoint = FakeSocketMode()
    api = socket_slack(endpoint)
    storage = open_storage(env=env)
    background = Background(4)
    settings = Settings(bot_token="xoxb-test", app_token="xapp-test", api_url=api.url)
    app = build_app(settings, engine, make_web_client(settings, backoff=0.01), today=lambda: TODAY,
                    background=background, storage=storage)
    server = SocketModeServer(app, "xapp-test")
    stop = threading.Event()
    thread = threading.Thread(target=server.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert server.connected.wait(WAIT), "the app did not connect"
        yield endpoint, api, storage, background
    finally:
        stop.set()
        thread.join(timeout=WAIT)
        background.drain(5)
        storage.close()
        api.close()
        endpoint.close()


def _blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = data["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def _mention(text: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "app_mention", "user": "U0001", "text": f"<@UBOT0001> {text}", "ts": ts, "channel": "C0001"}
    return {**event, "thread_ts": thread_ts} if thread_ts else event


def test_feedback_log_and_follow_up_in_socket_mode(
        running: tuple[FakeSocketMode, FakeSlack, Storage, Background]) -> None:
    endpoint, api, storage, background = running
    endpoint.wait_acks(endpoint.send(envelopes.event(_mention("side effects of IL-7", "1700000500.000100"))))
    first = api.wait_for("/chat.postMessage")[0].data
    votes = [e for b in _blocks(first) if b.get("block_id") == "il2_feedback" for e in b["elements"]]
    assert [v["text"]["text"] for v in votes] == ["Helpful", "Not right", "Outdated"]

    url, path = api.response_url()
    endpoint.wait_acks(endpoint.send(envelopes.click(votes[1], url, ephemeral=False,
                                                      thread_ts="1700000500.000100")))
    opened = api.wait_for("/views.open")[0].data
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    state = {"values": {"il2_feedback_text": {"il2_feedback_text": {"type": "plain_text_input",
                                                                     "value": "wrong trial"}}}}
    submission = {"type": "view_submission", "team": {"id": TEAM, "domain": "test"},
                  "user": {"id": "U0002", "username": "bob", "team_id": TEAM}, "api_app_id": "A0001",
                  "token": "x", "trigger_id": "1.2.3", "view": {**view, "id": "V1", "state": state}}
    endpoint.wait_acks(endpoint.send({"envelope_id": envelopes.new_id(), "type": "interactive",
                                      "payload": submission, "accepts_response_payload": True}))
    assert api.wait_for(path)[0].data["text"] == "Thanks, the curators will look at this answer."

    endpoint.wait_acks(endpoint.send(envelopes.event(
        _mention("and the dose?", "1700000500.000200", thread_ts="1700000500.000100"))))
    second = api.wait_for("/chat.postMessage", 2)[1].data
    card = next(e["value"].split(":")[1] for b in _blocks(second) if b.get("block_id") == "il2_feedback"
                for e in b["elements"])
    assert card.startswith("il-7-"), "the follow-up inherits IL-7"

    assert background.wait_idle(WAIT) and storage.wait_idle(WAIT)
    with storage.engine.connect() as conn:
        votes_stored = [(r.vote, r.text, r.card_id) for r in conn.execute(select(feedback))]
        asked = [(r.kind, r.text) for r in conn.execute(select(questions).order_by(questions.c.id))]
    assert votes_stored == [("not_right", "wrong trial", "il-7-side-effects")]
    assert asked == [("channel", "side effects of IL-7"), ("thread", "and the dose?")]
