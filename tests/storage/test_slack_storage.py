"""The Slack app on a real database, end to end with signed requests: feedback buttons and their modal,
the question log, `il2bot report --json` reflecting both, follow-ups in threads and DMs (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_harness import SECRET, TODAY, FakeSlack, SlackClient, check_message, serve_asgi
from sqlalchemy import select

from bot.cli import main
from bot.engine import Engine
from bot.slack.app import build_app, build_asgi
from bot.slack.conversation import Where, in_click, in_command, in_event
from bot.slack.services import Background
from bot.slack.settings import Settings
from bot.slack.web import make_web_client
from bot.storage import Storage, open_storage
from bot.storage.tables import feedback, questions

WAIT = 10.0


class Bot:
    """The app on its storage, served over HTTP, with a client that signs as Slack does."""

    def __init__(self, slack: SlackClient, storage: Storage, background: Background) -> None:
        self.slack = slack
        self.storage = storage
        self.background = background

    def settle(self) -> None:
        """Wait (bounded) until every answer was sent and every write committed."""
        assert self.background.wait_idle(WAIT)
        assert self.storage.wait_idle(WAIT)

    def rows(self, table: Any) -> list[Any]:
        self.settle()
        with self.storage.engine.connect() as conn:
            return list(conn.execute(select(table)).all())


@pytest.fixture
def bot(env: dict[str, str], fake: FakeSlack, engine: Engine) -> Iterator[Bot]:
    storage = open_storage(env=env)
    background = Background(4)
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.url)
    app = build_app(settings, engine, make_web_client(settings, backoff=0.01), today=lambda: TODAY,
                    background=background, storage=storage)
    running = serve_asgi(build_asgi(app))
    try:
        yield Bot(SlackClient(running.base, fake), storage, background)
    finally:
        running.server.should_exit = True
        running.thread.join(timeout=5)
        background.drain(5)
        storage.close()


def posted(fake: FakeSlack, count: int) -> list[dict[str, Any]]:
    return [r.data for r in fake.wait_for("/chat.postMessage", count)]


def blocks_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = data["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def buttons(data: dict[str, Any], block_id: str) -> list[dict[str, Any]]:
    return [e for b in blocks_of(data) if b.get("block_id") == block_id for e in b["elements"]]


def mention(bot: Bot, text: str, *, ts: str, thread_ts: str | None = None, channel: str = "C0001",
            user: str = "U0001") -> None:
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT0001> {text}", "ts": ts, "channel": channel}
    if thread_ts:
        event["thread_ts"] = thread_ts
    assert bot.slack.event(event).status == 200


def dm(bot: Bot, text: str, *, ts: str, channel: str = "D0001") -> None:
    assert bot.slack.event({"type": "message", "channel_type": "im", "user": "U0001", "text": text,
                            "ts": ts, "channel": channel}).status == 200


def submit_view(slack: SlackClient, view: dict[str, Any], text: str | None, user: str = "U0002") -> int:
    """The view_submission Slack sends when the person presses Send in the modal."""
    state = {"values": {"il2_feedback_text": {"il2_feedback_text": {"type": "plain_text_input", "value": text}}}}
    payload = {"type": "view_submission", "team": {"id": "T0001", "domain": "test"},
               "user": {"id": user, "username": "bob", "team_id": "T0001"}, "api_app_id": "A0001",
               "token": "x", "trigger_id": "9.9.9",
               "view": {**view, "id": "V0001", "team_id": "T0001", "state": state, "hash": "h1",
                        "app_id": "A0001", "bot_id": "BBOT0001"}}
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return slack.post(body, "application/x-www-form-urlencoded").status


# -- where a question was asked --------------------------------------------------------------------


@pytest.mark.parametrize(("event", "where"), [
    ({"channel": "C1", "ts": "1.1"}, Where("channel", "thread:C1:1.1")),
    ({"channel": "C1", "ts": "1.2", "thread_ts": "1.1"}, Where("thread", "thread:C1:1.1")),
    ({"channel": "D1", "ts": "1.3", "channel_type": "im"}, Where("dm", "dm:D1")),
    ({"channel": "D1", "ts": "1.4", "thread_ts": "1.3", "channel_type": "im"}, Where("dm", "dm:D1")),
])
def test_where_an_event_was_asked(event: dict[str, Any], where: Where) -> None:
    assert in_event(event) == where


@pytest.mark.parametrize(("body", "where"), [
    ({"container": {"channel_id": "C1", "thread_ts": "1.1", "is_ephemeral": False}}, Where("thread", "thread:C1:1.1")),
    ({"container": {"channel_id": "D1", "is_ephemeral": False}}, Where("dm", "dm:D1")),
    ({"container": {"channel_id": "C1", "is_ephemeral": True}}, Where("channel", None)),
])
def test_where_a_click_was(body: dict[str, Any], where: Where) -> None:
    assert in_click(body) == where


def test_a_slash_command_has_no_follow_up_context() -> None:
    assert in_command({"channel_id": "C1"}) == Where("channel", None)
    assert in_command({"channel_id": "D1", "channel_name": "directmessage"}) == Where("dm", None)


# -- feedback --------------------------------------------------------------------------------------


def test_helpful_is_recorded_at_once_and_thanked(bot: Bot, fake: FakeSlack) -> None:
    mention(bot, "side effects of IL-7", ts="100.1")
    answer = posted(fake, 1)[0]
    check_message({"text": answer["text"], "blocks": blocks_of(answer)})
    votes = buttons(answer, "il2_feedback")
    assert [b["text"]["text"] for b in votes] == ["Helpful", "Not right", "Outdated"]
    assert all("style" not in b for b in votes), "small buttons, not primary"
    answer_id, card_id, query = votes[0]["value"].split(":", 2)
    assert (card_id, query) == ("il-7-side-effects", "side effects of IL-7")
    sent, path = bot.slack.click(votes[0], ephemeral=False, thread_ts="100.1")
    assert sent.status == 200
    thanks = fake.wait_for(path)[0].data
    assert thanks == {"response_type": "ephemeral", "replace_original": False,
                      "text": "Thanks, noted as helpful."}
    rows = bot.rows(feedback)
    assert [(r.answer_id, r.card_id, r.query, r.vote, r.text) for r in rows] == [
        (answer_id, "il-7-side-effects", "side effects of IL-7", "helpful", None)]
    assert rows[0].user_hash == bot.storage.user_hash("U0002") and "U0002" not in rows[0].user_hash


def test_not_right_opens_a_modal_whose_submission_changes_the_vote(bot: Bot, fake: FakeSlack) -> None:
    mention(bot, "side effects of IL-7", ts="200.1")
    votes = buttons(posted(fake, 1)[0], "il2_feedback")
    answer_id = votes[0]["value"].split(":")[0]
    bot.slack.click(votes[0], ephemeral=False, thread_ts="200.1")  # Helpful first
    assert bot.slack.click(votes[1], ephemeral=False, thread_ts="200.1", trigger_id="7.7.7")[0].status == 200
    opened = fake.wait_for("/views.open")[0].data
    assert opened["trigger_id"] == "7.7.7"
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert view["callback_id"] == "il2_feedback" and view["type"] == "modal"
    field = view["blocks"][1]
    assert (field["optional"], field["element"]["multiline"], field["label"]["text"]) == (
        True, False, "What was wrong? (optional)")
    from slack_sdk.models.views import View
    View(**view).validate_json()  # a view Slack accepts

    assert submit_view(bot.slack, view, "  the dose is from   the other trial ") == 200
    rows = bot.rows(feedback)
    assert [(r.answer_id, r.vote, r.text) for r in rows] == [
        (answer_id, "not_right", "the dose is from the other trial")], "one vote per person: the second replaces it"
    thanks = [r.data["text"] for r in fake.requests if r.path.startswith("/response/")]
    assert thanks == ["Thanks, noted as helpful.", "Thanks, the curators will look at this answer."]

    # Outdated, with nothing typed: the vote changes again, no text.
    bot.slack.click(votes[2], ephemeral=False, thread_ts="200.1")
    opened = fake.wait_for("/views.open", 2)[1].data
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert submit_view(bot.slack, view, None) == 200
    assert [(r.vote, r.text) for r in bot.rows(feedback)] == [("outdated", None)]


def test_a_forged_feedback_form_records_nothing(bot: Bot, fake: FakeSlack) -> None:
    view = {"type": "modal", "callback_id": "il2_feedback", "private_metadata": "{not json"}
    assert submit_view(bot.slack, view, "spam") == 200
    assert bot.rows(feedback) == []


# -- the question log --------------------------------------------------------------------------------


def test_every_question_from_slack_is_logged(bot: Bot, fake: FakeSlack, env: dict[str, str],
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sent, path = bot.slack.command("what is aldesleukin")
    assert sent.status == 200
    fake.wait_for(path)
    mention(bot, "side effects of IL-7", ts="300.1")
    posted(fake, 1)
    mention(bot, "zzz qqq unknown thing", ts="300.2", thread_ts="300.1")
    dm(bot, "side effects of IL-7", ts="300.3")
    posted(fake, 3)
    # the thread mention and the DM are handled at the same time: their rows come in either order
    order = ("channel", "thread", "dm")
    rows = sorted(bot.rows(questions), key=lambda r: (order.index(r.kind), r.id))
    assert [(r.kind, r.text, r.answered, r.reason, r.top_card) for r in rows] == [
        ("channel", "what is aldesleukin", True, None, "aldesleukin"),
        ("channel", "side effects of IL-7", True, None, "il-7-side-effects"),
        ("thread", "zzz qqq unknown thing", False, "unknown words: zzz, qqq", None),
        ("dm", "side effects of IL-7", True, None, "il-7-side-effects"),
    ]
    assert all(r.user_hash == bot.storage.user_hash("U0001") for r in rows)
    assert all(r.latency_ms is not None and 0 < r.latency_ms < WAIT * 1000 for r in rows)
    assert all(r.score is not None for r in rows if r.answered)
    answer_ids = [r.answer_id for r in rows]
    assert answer_ids[2] is None and len({a for a in answer_ids if a}) == 3

    # A vote, then the report curators read.
    votes = buttons(posted(fake, 3)[0], "il2_feedback")
    bot.slack.click(votes[0], ephemeral=False, thread_ts="300.1")
    bot.settle()
    monkeypatch.chdir(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    assert main(["report", "--since", "1d", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert (got["asked"], got["declined"]) == (4, 1)
    assert got["declined_groups"] == [{"question": "zzz qqq unknown thing", "count": 1,
                                       "reason": "unknown words: zzz, qqq",
                                       "variants": ["zzz qqq unknown thing"]}]
    cards = {c["card_id"]: c for c in got["cards"]}
    assert (cards["il-7-side-effects"]["answers"], cards["il-7-side-effects"]["helpful"]) == (2, 1)


def test_question_text_is_not_kept_when_logging_is_off(env: dict[str, str], fake: FakeSlack,
                                                        engine: Engine) -> None:
    storage = open_storage(env={**env, "IL2BOT_LOG_QUESTIONS": "off"})
    background = Background(2)
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.url)
    app = build_app(settings, engine, make_web_client(settings, backoff=0.01), background=background,
                    storage=storage)
    running = serve_asgi(build_asgi(app))
    try:
        bot = Bot(SlackClient(running.base, fake), storage, background)
        dm(bot, "side effects of IL-7", ts="400.1")
        posted(fake, 1)
        assert [(r.kind, r.text, r.answered, r.top_card) for r in bot.rows(questions)] == [
            ("dm", None, True, "il-7-side-effects")]
    finally:
        running.server.should_exit = True
        running.thread.join(timeout=5)
        background.drain(5)
        storage.close()


# -- follow-ups in threads and DMs ----------------------------------------------------------------


def headers(fake: FakeSlack, count: int) -> list[str]:
    """The title of each posted answer (its header), or the first section of a question back."""
    out = []
    for data in posted(fake, count):
        blocks = blocks_of(data)
        head = next((b for b in blocks if b["type"] == "header"), None)
        out.append(head["text"]["text"] if head else blocks[0]["text"]["text"])
    return out


def test_a_follow_up_mention_in_the_thread_inherits_its_subject(bot: Bot, fake: FakeSlack) -> None:
    mention(bot, "side effects of IL-7", ts="500.1")
    posted(fake, 1)
    bot.settle()
    mention(bot, "and the dose?", ts="500.2", thread_ts="500.1")
    data = posted(fake, 2)[1]
    assert data["thread_ts"] == "500.1"
    votes = buttons(data, "il2_feedback")
    assert votes and votes[0]["value"].split(":")[1].startswith("il-7-"), "answered about IL-7"
    rows = sorted(bot.rows(questions), key=lambda r: r.id)
    assert [(r.kind, r.answered) for r in rows] == [("channel", True), ("thread", True)]
    assert rows[1].top_card.startswith("il-7-")

    # Another thread has no such context: the bot asks which drug or study.
    mention(bot, "and the dose?", ts="600.1")
    assert headers(fake, 3)[2] == "“and the dose?”: which drug or study do you mean?"


def test_a_dm_follow_up_inherits_the_last_answer_in_the_dm(bot: Bot, fake: FakeSlack) -> None:
    dm(bot, "what is aldesleukin", ts="700.1")
    posted(fake, 1)
    bot.settle()
    dm(bot, "what about the side effects?", ts="700.2")
    data = posted(fake, 2)[1]
    assert buttons(data, "il2_feedback")[0]["value"].split(":")[1] == "aldesleukin-side-effects-hiv"
    dm(bot, "what about the side effects?", ts="700.3", channel="D0002")  # another DM: no context
    assert headers(fake, 3)[2] == "“what about the side effects?”: which drug or study do you mean?"


def test_a_question_back_is_answered_by_its_buttons_and_the_thread_then_remembers(
        bot: Bot, fake: FakeSlack) -> None:
    mention(bot, "and the dose?", ts="800.1")
    choices = buttons(posted(fake, 1)[0], "il2_choices")
    il7 = next(c for c in choices if c["text"]["text"] == "IL-7")
    assert il7["action_id"].startswith("il2_choose_")
    sent, path = bot.slack.click(il7, ephemeral=False, thread_ts="800.1", message_ts="800.2")
    assert sent.status == 200
    answer = fake.wait_for(path)[0].data
    assert (answer["replace_original"], answer["response_type"]) == (True, "in_channel")
    assert next(e["value"].split(":")[1] for e in buttons(answer, "il2_feedback")).startswith("il-7-")
    bot.settle()
    mention(bot, "what about the side effects?", ts="800.3", thread_ts="800.1")
    assert headers(fake, 2)[1] == "IL-7: side effects and long-term safety"
