"""The app over HTTP on 127.0.0.1, driven by signed requests, against a fake Slack that records replies."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from slack_harness import ACK_LIMIT, BOT_ID, BOT_USER, WAIT, FakeSlack, Scripted, SlackClient
from slack_messages import buttons, dm, mention, message_of, no_injection, posted_to_channel, render, texts

from bot.engine import Engine
from bot.render.blocks import escape
from bot.render.view import ViewName
from bot.slack.interaction import ACTION_MORE, ACTION_PAGE, ACTION_SHARE, ACTION_VIEW
from bot.slack.services import Background

Valid = Callable[[dict[str, Any]], None]




















# -- slash command ---------------------------------------------------------------------------


def test_slash_command_acks_at_once_then_answers_ephemerally(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine, valid: Valid
) -> None:
    sent, path = slack.command("side-effects aldesleukin")
    assert sent.status == 200 and sent.body == ""
    assert sent.seconds < ACK_LIMIT
    [resp] = fake_slack.wait_for(path)
    assert resp.data["response_type"] == "ephemeral"
    message = message_of(resp)
    valid(message)
    reply = engine.ask("side-effects aldesleukin")
    assert reply.answered
    assert message == render(reply, ephemeral=True)
    headers = [b["text"]["text"] for b in message["blocks"] if b["type"] == "header"]
    assert headers and headers[0] == reply.matches[0].title
    assert ACTION_SHARE in buttons(message)
    assert "not medical advice" in message["blocks"][-1]["elements"][0]["text"]


def test_trial_answer_shows_registry_fields_and_link(
    slack: SlackClient, fake_slack: FakeSlack, valid: Valid
) -> None:
    _, path = slack.command("NCT04077684")
    message = message_of(fake_slack.wait_for(path)[0])
    valid(message)
    assert message["blocks"][2]["text"]["text"] == (
        ":warning: *Phase 2* · Recruiting, as of 27 March 2020 · 500 participants"), "under the title"
    assert any("<https://clinicaltrials.gov/study/NCT04077684|" in t for t in texts(message))


@pytest.mark.parametrize("text", ["", "help", "  HELP "])
def test_help(slack: SlackClient, fake_slack: FakeSlack, engine: Engine, valid: Valid, text: str) -> None:
    _, path = slack.command(text)
    message = message_of(fake_slack.wait_for(path)[0])
    valid(message)
    assert message["blocks"][0]["type"] == "header"
    labels = [b["text"]["text"] for b in buttons(message).values()]
    help_reply = engine.help()
    assert labels and labels[0] == help_reply.catalog[0].examples[0]
    assert any(t.startswith("*Drugs:* IL-2") for t in texts(message))


def test_abstention_says_so_kindly_and_offers_what_it_can_answer(
    slack: SlackClient, fake_slack: FakeSlack, valid: Valid
) -> None:
    for query in ("pembrolizumab side effects", "asdkjh qwezx"):
        _, path = slack.command(query)
        message = message_of(fake_slack.wait_for(path)[0])
        valid(message)
        assert not [b for b in message["blocks"] if b["type"] == "header"], "no card is shown"
        assert "The cards don't cover" in message["blocks"][0]["text"]["text"]
        assert "The cards don't cover" in message["text"]
        offered = [b["text"]["text"] for a, b in buttons(message).items() if a.startswith("il2_ask_")]
        assert "What can I ask?" in offered
        assert ACTION_SHARE not in buttons(message)


# -- buttons ---------------------------------------------------------------------------------


def _first(slack: SlackClient, fake_slack: FakeSlack, query: str) -> dict[str, Any]:
    _, path = slack.command(query)
    return message_of(fake_slack.wait_for(path)[0])


@pytest.mark.parametrize(("view", "label"), [("facts", "Show all facts"), ("sources", "Show sources")])
def test_show_all_facts_and_show_sources_replace_the_ephemeral_answer_and_come_back(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine, valid: Valid, view: ViewName, label: str
) -> None:
    first = _first(slack, fake_slack, "NCT04077684")
    show = buttons(first)[f"{ACTION_VIEW}_{view}"]
    assert show["text"]["text"].startswith(label)
    _, path = slack.click(show, ephemeral=True)
    [resp] = fake_slack.wait_for(path)
    assert resp.data["replace_original"] is True and resp.data["response_type"] == "ephemeral"
    shown = message_of(resp)
    valid(shown)
    assert shown == render(engine.ask("NCT04077684"), view=view)
    back = buttons(shown)[f"{ACTION_VIEW}_answer"]
    _, path2 = slack.click(back, ephemeral=True)
    assert message_of(fake_slack.wait_for(path2)[0]) == first


def test_show_sources_quotes_each_fact_word_for_word(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    first = _first(slack, fake_slack, "side-effects aldesleukin")
    _, path = slack.click(buttons(first)[f"{ACTION_VIEW}_sources"], ephemeral=True)
    quoted = message_of(fake_slack.wait_for(path)[0])
    card = engine.deck.card(engine.ask("side-effects aldesleukin").matches[0].id)
    assert card is not None
    quote = " ".join(card.facts[0].citations[0].quote.split())
    assert [t for t in texts(quoted) if f"“{escape(quote)}" in t], "the fact's own words"
    assert not [t for t in texts(first) if escape(quote) in t], "the answer view does not quote"


def test_also_buttons_show_another_match(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine, valid: Valid
) -> None:
    first = _first(slack, fake_slack, "side-effects aldesleukin")
    also = buttons(first)[f"{ACTION_PAGE}_0"]
    assert also["text"]["text"].startswith("Also: ")
    _, path = slack.click(also, ephemeral=True)
    [resp] = fake_slack.wait_for(path)
    assert resp.data["replace_original"] is True
    message = message_of(resp)
    valid(message)
    assert message == render(engine.ask("side-effects aldesleukin", offset=1), page=1)
    assert message["blocks"][0]["elements"][0]["text"].startswith("Match 2 for")
    [back] = [b for b in buttons(message).values() if b["text"]["text"] == "Back to the best match"]
    _, path2 = slack.click(back, ephemeral=True)
    assert message_of(fake_slack.wait_for(path2)[0]) == first


def test_a_button_on_a_public_message_answers_the_clicker_privately_in_the_thread(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine, valid: Valid
) -> None:
    slack.event(mention("NCT04077684", "1700000001.000150"))
    public = message_of(fake_slack.wait_for("/chat.postMessage")[0])
    assert ACTION_SHARE not in buttons(public)
    _, path = slack.click(buttons(public)[f"{ACTION_VIEW}_sources"], ephemeral=False,
                          thread_ts="1700000001.000150")
    [resp] = fake_slack.wait_for(path)
    assert resp.data["replace_original"] is False and resp.data["response_type"] == "ephemeral"
    assert resp.data["thread_ts"] == "1700000001.000150"
    message = message_of(resp)
    valid(message)
    assert message == render(engine.ask("NCT04077684"), view="sources")
    assert ACTION_SHARE in buttons(message)


def test_an_earlier_versions_more_results_button_still_works(slack: SlackClient, fake_slack: FakeSlack) -> None:
    action = {"action_id": ACTION_MORE, "value": "1:side-effects aldesleukin"}
    _, path = slack.click(action, ephemeral=False, thread_ts="1700000000.000001")
    [resp] = fake_slack.wait_for(path)
    assert resp.data["replace_original"] is False and resp.data["response_type"] == "ephemeral"
    assert resp.data["thread_ts"] == "1700000000.000001"
    assert message_of(resp)["blocks"][0]["elements"][0]["text"].startswith("Match 2 for")


@pytest.mark.parametrize("view", ["answer", "sources"])
def test_post_to_channel_posts_what_the_person_sees_once_then_removes_the_ephemeral(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine, valid: Valid, view: ViewName
) -> None:
    first = _first(slack, fake_slack, "NCT04077684")
    if view != "answer":
        _, path = slack.click(buttons(first)[f"{ACTION_VIEW}_{view}"], ephemeral=True)
        first = message_of(fake_slack.wait_for(path)[0])
    share = buttons(first)[ACTION_SHARE]
    assert "style" not in share, "a plain button"
    url, path2 = fake_slack.response_url()
    slack.click(share, ephemeral=True, response=(url, path2), message_ts="1700000000.424242")
    slack.click(share, ephemeral=True, response=(url, path2), message_ts="1700000000.424242")  # a double click
    shared, delete = fake_slack.wait_for(path2, count=2)
    expected = render(engine.ask("NCT04077684"), ephemeral=False, shared_by="U0002", view=view)
    valid(posted_to_channel(shared, delete, first, expected, by="U0002"))
    slack.event(mention("help", f"{time.time():.6f}", channel="CSENTINEL"))  # later work is done
    fake_slack.wait_for("/chat.postMessage")
    assert len(fake_slack.calls(path2)) == 2, "a double click posts once"


def test_did_you_mean_runs_the_suggestion(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine, valid: Valid
) -> None:
    _, path = slack.command("asdkjh qwezx")
    first = message_of(fake_slack.wait_for(path)[0])
    suggestion = next(b for a, b in buttons(first).items() if a.startswith("il2_ask_"))
    _, path2 = slack.click(suggestion, ephemeral=True)
    [resp] = fake_slack.wait_for(path2)
    message = message_of(resp)
    valid(message)
    query = suggestion["value"].split(":", 1)[1]
    assert message == render(engine.ask(query))
    assert resp.data["replace_original"] is True


def test_what_can_i_ask_button_shows_help(slack: SlackClient, fake_slack: FakeSlack) -> None:
    _, path = slack.command("asdkjh qwezx")
    first = message_of(fake_slack.wait_for(path)[0])
    [help_button] = [b for b in buttons(first).values() if b["text"]["text"] == "What can I ask?"]
    _, path2 = slack.click(help_button)
    message = message_of(fake_slack.wait_for(path2)[0])
    assert message["blocks"][0]["type"] == "header"
    assert "il2bot" in message["blocks"][0]["text"]["text"]


# -- events ----------------------------------------------------------------------------------


def test_mention_is_answered_in_its_thread(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine, valid: Valid
) -> None:
    assert slack.event(mention("side-effects aldesleukin", "1700000001.000100")).status == 200
    [post] = fake_slack.wait_for("/chat.postMessage")
    assert post.headers["authorization"] == "Bearer xoxb-test"
    assert post.data["channel"] == "C0001"
    assert post.data["thread_ts"] == "1700000001.000100"
    message = message_of(post)
    valid(message)
    assert message == render(engine.ask("side-effects aldesleukin"), ephemeral=False)
    assert ACTION_SHARE not in buttons(message)


def test_mention_inside_a_thread_is_answered_in_that_thread(
    slack: SlackClient, fake_slack: FakeSlack
) -> None:
    slack.event(mention("NCT04077684", "1700000002.000200", thread_ts="1700000000.000001"))
    [post] = fake_slack.wait_for("/chat.postMessage")
    assert post.data["thread_ts"] == "1700000000.000001"


def test_direct_message_is_answered_in_the_dm(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    slack.event(dm("side-effects aldesleukin", "1700000003.000300"))
    [post] = fake_slack.wait_for("/chat.postMessage")
    assert post.data["channel"] == "D0001"
    assert "thread_ts" not in post.data
    assert message_of(post) == render(engine.ask("side-effects aldesleukin"), ephemeral=False)


def test_a_retried_event_gets_one_reply(slack: SlackClient, fake_slack: FakeSlack,
                                       background: Background) -> None:
    event = mention("side-effects aldesleukin", "1700000004.000400", channel="C0004")
    assert slack.event(event, event_id="EvRETRY0001").status == 200
    retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    assert slack.event(event, event_id="EvRETRY0001", headers=retry).status == 200
    # The same message delivered again under another event id (app_mention and message.im) too.
    assert slack.event(event, event_id="EvRETRY0002").status == 200
    slack.event(mention("help", "1700000005.000500", channel="C0005"))  # a sentinel
    fake_slack.wait_for("/chat.postMessage", count=2)
    assert background.wait_idle(WAIT), "every answer queued so far has been sent"
    posts = fake_slack.calls("/chat.postMessage")
    assert sorted(p.data["channel"] for p in posts) == ["C0004", "C0005"]


@pytest.mark.parametrize("event", [
    dm("side-effects aldesleukin", "1700000006.1", user=BOT_USER),  # the bot itself
    dm("side-effects aldesleukin", "1700000006.2", bot_id=BOT_ID),  # the bot's own message
    dm("side-effects aldesleukin", "1700000006.3", bot_id="B0THER", subtype="bot_message"),
    dm("side-effects aldesleukin", "1700000006.4", bot_id="B0THER"),  # another app's bot user
    mention("side-effects aldesleukin", "1700000006.5", bot_id="B0THER"),  # another bot mentions us
    dm("side-effects aldesleukin", "1700000006.6", subtype="message_changed"),
    {**dm("side-effects aldesleukin", "1700000006.7"), "channel_type": "channel"},
], ids=["self-user", "self-bot", "bot_message", "other-bot", "bot-mention", "edit", "not-im"])
def test_bots_and_other_messages_are_ignored(
    slack: SlackClient, fake_slack: FakeSlack, background: Background, event: dict[str, Any]
) -> None:
    assert slack.event(event).status == 200
    slack.event(mention("help", f"{time.time():.6f}", channel="CSENTINEL"))
    fake_slack.wait_for("/chat.postMessage")
    assert background.wait_idle(WAIT), "every answer queued so far has been sent"
    assert [p.data["channel"] for p in fake_slack.calls("/chat.postMessage")] == ["CSENTINEL"]


# -- request verification --------------------------------------------------------------------


def test_bad_signature_and_stale_timestamp_are_rejected(slack: SlackClient, fake_slack: FakeSlack,
                                                       background: Background) -> None:
    bad = slack.event(mention("side-effects aldesleukin", "1700000007.1"), secret="not-the-secret")
    assert bad.status == 401
    stale = slack.event(mention("side-effects aldesleukin", "1700000007.2"),
                        timestamp=int(time.time()) - 6 * 60)
    assert stale.status == 401
    sent, path = slack.command("help", secret="not-the-secret")
    assert sent.status == 401
    slack.event(mention("help", "1700000007.3", channel="CSENTINEL"))
    fake_slack.wait_for("/chat.postMessage")
    assert background.wait_idle(WAIT), "every answer queued so far has been sent"
    assert [p.data["channel"] for p in fake_slack.calls("/chat.postMessage")] == ["CSENTINEL"]
    assert fake_slack.calls(path) == []


def test_url_verification(slack: SlackClient) -> None:
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY", "type": "url_verification"})
    sent = slack.post(body.encode(), "application/json")
    assert sent.status == 200
    assert json.loads(sent.body) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY"}
    assert slack.post(body.encode(), "application/json", secret="wrong").status == 401


# -- Web API faults --------------------------------------------------------------------------


def test_rate_limited_post_is_retried_after_retry_after(slack: SlackClient, fake_slack: FakeSlack) -> None:
    fake_slack.script("/chat.postMessage",
                      Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}))
    slack.event(mention("side-effects aldesleukin", "1700000008.000800"))
    first, second = fake_slack.wait_for("/chat.postMessage", count=2, timeout=8)
    assert first.body == second.body


def test_rate_limited_response_url_is_retried(slack: SlackClient, fake_slack: FakeSlack) -> None:
    url, path = fake_slack.response_url()
    fake_slack.script(path, Scripted(429, "rate limited", {"Retry-After": "0"}))
    slack.click({"action_id": ACTION_MORE, "value": "0:help"}, response=(url, path))
    first, second = fake_slack.wait_for(path, count=2, timeout=8)
    assert first.body == second.body


def test_server_errors_are_retried_a_bounded_number_of_times_then_logged(
    slack: SlackClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="il2bot.slack")
    error = Scripted(503, {"ok": False, "error": "service_unavailable"})
    fake_slack.script("/chat.postMessage", error, error, error, error, error)
    slack.event(mention("side-effects aldesleukin", "1700000009.000900", channel="CFAIL"))
    fake_slack.wait_for("/chat.postMessage", count=3)
    deadline = time.monotonic() + 5
    while "Slack API call failed" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "Slack API call failed" in caplog.text
    assert len(fake_slack.calls("/chat.postMessage")) == 3  # one try and two retries
    fake_slack.reset()
    slack.event(mention("help", "1700000009.000901", channel="CAFTER"))  # the app keeps serving
    [post] = fake_slack.wait_for("/chat.postMessage")
    assert post.data["channel"] == "CAFTER"


# -- escaping --------------------------------------------------------------------------------

HOSTILE = "<!channel> <@U0BAD> <https://evil.example|spoof> <!here|here> & <b>x</b> &lt;!everyone&gt;"





def test_user_text_is_escaped_in_a_slash_command_reply(slack: SlackClient, fake_slack: FakeSlack) -> None:
    _, path = slack.command(HOSTILE)
    message = message_of(fake_slack.wait_for(path)[0])
    no_injection(message)
    assert "&lt;!everyone&gt;" in message["blocks"][0]["text"]["text"]  # echoed, harmless


def test_user_text_is_escaped_in_a_mention_reply(slack: SlackClient, fake_slack: FakeSlack) -> None:
    slack.event(mention(HOSTILE, "1700000010.001000"))
    no_injection(message_of(fake_slack.wait_for("/chat.postMessage")[0]))


def test_invisible_characters_and_formatting_in_a_question(
    slack: SlackClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    _, path = slack.command("side\u200b-effects alde\u2060sleukin\u202e\x00")
    message = message_of(fake_slack.wait_for(path)[0])
    assert message == render(engine.ask("side-effects aldesleukin"), ephemeral=True)
    _, path = slack.command("*urgent* _please_ ~now~ `x`")
    message = message_of(fake_slack.wait_for(path)[0])
    assert "“∗urgent∗ ˍpleaseˍ ∼now∼ ˋxˋ”" in message["blocks"][0]["text"]["text"]


@pytest.mark.parametrize(("query", "line"), [
    ("side-effects aldesleukin",
     "answer in a channel: the best card is about what was asked (card aldesleukin-side-effects-hiv"),
    ("how many people were in STALWART", "abstain in a channel: the card on that subject does not give"),
])
def test_each_answer_is_logged_on_one_line_with_its_reason_and_without_the_question(
    slack: SlackClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, query: str, line: str
) -> None:
    caplog.set_level(logging.INFO, logger="il2bot.slack")
    _, path = slack.command(query)
    fake_slack.wait_for(path)
    deadline = time.monotonic() + WAIT
    while line not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    [record] = [r for r in caplog.records if r.getMessage().startswith(line)]
    assert query not in record.getMessage()
