"""Socket Mode end to end: the real app, built in-process, served over a WebSocket by bot.slack.socket,
against a fake Socket Mode endpoint and a fake Web API / response_url server, both on 127.0.0.1.

The same cases as the HTTP end-to-end tests (tests/slack/test_slack_e2e.py), each message compared with
what the renderer makes of the engine's reply; every test checks the envelope acks the fake recorded:
each delivery acked exactly once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import fake_socket as envelopes
import pytest
from fake_socket import FakeSocketMode, socket_slack
from slack_harness import BOT_ID, BOT_USER, TODAY, WAIT, FakeSlack, Recorded, Scripted, check_message
from slack_messages import buttons, dm, mention, message_of, no_injection, posted_to_channel, render, texts

from bot.engine import Engine
from bot.render.blocks import escape
from bot.render.view import ViewName, ViewState
from bot.slack.app import ANSWER_WORKERS, build_app
from bot.slack.interaction import ACTION_MORE, ACTION_PAGE, ACTION_SHARE, ACTION_VIEW, encode
from bot.slack.services import Background
from bot.slack.settings import Settings
from bot.slack.socket import MAX_FRAME_BYTES, SocketModeServer, read_frame
from bot.slack.web import make_web_client

Fakes = tuple[FakeSlack, FakeSocketMode]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[FakeSocketMode]:
    fake = FakeSocketMode()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def api(endpoint: FakeSocketMode) -> Iterator[FakeSlack]:
    fake = socket_slack(endpoint)
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def answers() -> Background:
    """Where the app's answers run (tests wait on it to know that no further reply can come)."""
    return Background(ANSWER_WORKERS)


@pytest.fixture(scope="module")
def server(api: FakeSlack, endpoint: FakeSocketMode, engine: Engine,
           answers: Background) -> Iterator[SocketModeServer]:
    """The app in Socket Mode, connected to the fake endpoint."""
    settings = Settings(bot_token="xoxb-test", app_token="xapp-test", api_url=api.url)
    app = build_app(settings, engine, make_web_client(settings, backoff=0.01), today=lambda: TODAY,
                    background=answers)
    running = SocketModeServer(app, "xapp-test")
    stop = threading.Event()
    thread = threading.Thread(target=running.run, args=(stop,), daemon=True)
    thread.start()
    assert running.connected.wait(10), "the app did not connect"
    yield running
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.fixture
def fakes(server: SocketModeServer, api: FakeSlack, endpoint: FakeSocketMode) -> Iterator[Fakes]:
    """Both fakes, their records empty; after the test, every delivery was acked exactly once."""
    api.reset()
    endpoint.reset()
    yield api, endpoint
    assert endpoint.ack_counts() == endpoint.deliveries, "each delivery acked exactly once"














def header(message: dict[str, Any]) -> str:
    return str(next(b["text"]["text"] for b in message["blocks"] if b["type"] == "header"))








def ask(fakes: Fakes, text: str) -> dict[str, Any]:
    """Send `/il2 text`, wait for its ack and its answer; the answer's message."""
    api, endpoint = fakes
    url, path = api.response_url()
    endpoint.wait_acks(endpoint.send(envelopes.command(text, url)))
    return message_of(api.wait_for(path)[0])


def click(fakes: Fakes, button: dict[str, Any], **where: Any) -> Recorded:
    """Click a button (an interactive envelope), wait for its ack and the one reply to its response_url."""
    api, endpoint = fakes
    url, path = api.response_url()
    endpoint.wait_acks(endpoint.send(envelopes.click(button, url, **where)))
    [reply] = api.wait_for(path)
    return reply


def settled(fakes: Fakes, answers: Background) -> None:
    """A later command is answered and the answer queue is idle: no reply to an earlier request can come."""
    api, endpoint = fakes
    marker_url, marker_path = api.response_url()
    endpoint.wait_acks(endpoint.send(envelopes.command("help", marker_url)))
    api.wait_for(marker_path)
    assert answers.wait_idle(WAIT), "every answer queued so far has been sent"


# -- slash command ----------------------------------------------------------------------------------


def test_slash_command_is_acked_then_answered_through_its_response_url(fakes: Fakes, engine: Engine) -> None:
    api, endpoint = fakes
    url, path = api.response_url()
    eid = endpoint.send(envelopes.command("side-effects aldesleukin", url))
    [ack] = endpoint.wait_acks(eid)
    assert ack.payload is None, "an empty ack: the answer comes through the response_url"
    [reply] = api.wait_for(path)
    assert reply.data["response_type"] == "ephemeral"
    message = message_of(reply)
    check_message(message)
    answer = engine.ask("side-effects aldesleukin")
    assert answer.answered
    assert message == render(answer)
    assert header(message) == answer.matches[0].title
    assert ACTION_SHARE in buttons(message)
    assert "not medical advice" in message["blocks"][-1]["elements"][0]["text"]


def test_trial_answer_shows_registry_fields_and_link(fakes: Fakes) -> None:
    message = ask(fakes, "NCT04077684")
    check_message(message)
    assert message["blocks"][2]["text"]["text"] == (
        ":warning: *Phase 2* · Recruiting, as of 27 March 2020 · 500 participants"), "under the title"
    assert [t for t in texts(message) if "<https://clinicaltrials.gov/study/NCT04077684|" in t]


@pytest.mark.parametrize("text", ["", "help", "  HELP "])
def test_help(fakes: Fakes, engine: Engine, text: str) -> None:
    message = ask(fakes, text)
    check_message(message)
    assert message["blocks"][0]["type"] == "header"
    labels = [b["text"]["text"] for b in buttons(message).values()]
    assert labels[0] == engine.help().catalog[0].examples[0]
    assert [t for t in texts(message) if t.startswith("*Drugs:* IL-2")]


@pytest.mark.parametrize("query", ["pembrolizumab side effects", "asdkjh qwezx"])
def test_abstention_says_so_kindly_and_offers_what_it_can_answer(fakes: Fakes, query: str) -> None:
    message = ask(fakes, query)
    check_message(message)
    assert not [b for b in message["blocks"] if b["type"] == "header"], "no card is shown"
    assert "The cards don't cover" in message["blocks"][0]["text"]["text"]
    assert "The cards don't cover" in message["text"]
    offered = [b["text"]["text"] for a, b in buttons(message).items() if a.startswith("il2_ask_")]
    assert "What can I ask?" in offered
    assert ACTION_SHARE not in buttons(message)


def test_abstention_buttons_run_the_suggestion_and_show_help(fakes: Fakes, engine: Engine) -> None:
    first = ask(fakes, "asdkjh qwezx")
    suggestion = next(b for a, b in buttons(first).items() if a.startswith("il2_ask_"))
    ran = click(fakes, suggestion)
    query = suggestion["value"].split(":", 1)[1]
    assert ran.data["replace_original"] is True
    message = message_of(ran)
    check_message(message)
    assert message == render(engine.ask(query))
    [help_button] = [b for b in buttons(first).values() if b["text"]["text"] == "What can I ask?"]
    shown = message_of(click(fakes, help_button))
    assert shown["blocks"][0]["type"] == "header"
    assert "il2bot" in shown["blocks"][0]["text"]["text"]


# -- buttons ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("view", "label"), [("facts", "Show all facts"), ("sources", "Show sources")])
def test_show_all_facts_and_show_sources_replace_the_ephemeral_answer_and_come_back(
    fakes: Fakes, engine: Engine, view: ViewName, label: str
) -> None:
    first = ask(fakes, "NCT04077684")
    show = buttons(first)[f"{ACTION_VIEW}_{view}"]
    assert show["text"]["text"].startswith(label)
    reply = click(fakes, show, ephemeral=True)
    assert reply.data["replace_original"] is True and reply.data["response_type"] == "ephemeral"
    shown = message_of(reply)
    check_message(shown)
    assert shown == render(engine.ask("NCT04077684"), view=view)
    back = click(fakes, buttons(shown)[f"{ACTION_VIEW}_answer"], ephemeral=True)
    assert message_of(back) == first


def test_show_sources_quotes_each_fact_word_for_word(fakes: Fakes, engine: Engine) -> None:
    first = ask(fakes, "side-effects aldesleukin")
    quoted = message_of(click(fakes, buttons(first)[f"{ACTION_VIEW}_sources"], ephemeral=True))
    check_message(quoted)
    card = engine.deck.card(engine.ask("side-effects aldesleukin").matches[0].id)
    assert card is not None
    quote = " ".join(card.facts[0].citations[0].quote.split())
    assert [t for t in texts(quoted) if f"“{escape(quote)}" in t], "the fact's own words"
    assert not [t for t in texts(first) if escape(quote) in t], "the answer view does not quote"


def test_also_buttons_show_another_match(fakes: Fakes, engine: Engine) -> None:
    first = ask(fakes, "side-effects aldesleukin")
    also = buttons(first)[f"{ACTION_PAGE}_0"]
    assert also["text"]["text"].startswith("Also: ")
    reply = click(fakes, also, ephemeral=True)
    assert reply.data["replace_original"] is True
    message = message_of(reply)
    check_message(message)
    assert message == render(engine.ask("side-effects aldesleukin", offset=1), page=1)
    assert message["blocks"][0]["elements"][0]["text"].startswith("Match 2 for")
    [back] = [b for b in buttons(message).values() if b["text"]["text"] == "Back to the best match"]
    assert message_of(click(fakes, back, ephemeral=True)) == first


def test_a_button_on_a_public_message_answers_the_clicker_privately_in_the_thread(
    fakes: Fakes, engine: Engine
) -> None:
    api, endpoint = fakes
    endpoint.wait_acks(endpoint.send(envelopes.event(mention("NCT04077684", "1700000001.000150"))))
    public = message_of(api.wait_for("/chat.postMessage")[0])
    assert ACTION_SHARE not in buttons(public)
    reply = click(fakes, buttons(public)[f"{ACTION_VIEW}_sources"], ephemeral=False,
                  thread_ts="1700000001.000150")
    assert reply.data["replace_original"] is False and reply.data["response_type"] == "ephemeral"
    assert reply.data["thread_ts"] == "1700000001.000150"
    message = message_of(reply)
    check_message(message)
    assert message == render(engine.ask("NCT04077684"), view="sources")
    assert ACTION_SHARE in buttons(message)


def test_an_earlier_versions_more_results_button_still_works(fakes: Fakes) -> None:
    action = {"action_id": ACTION_MORE, "value": "1:side-effects aldesleukin"}
    reply = click(fakes, action, ephemeral=False, thread_ts="1700000000.000001")
    assert reply.data["replace_original"] is False and reply.data["response_type"] == "ephemeral"
    assert reply.data["thread_ts"] == "1700000000.000001"
    assert message_of(reply)["blocks"][0]["elements"][0]["text"].startswith("Match 2 for")


@pytest.mark.parametrize("view", ["answer", "sources"])
def test_post_to_channel_posts_what_the_person_sees_once_even_when_the_click_is_delivered_twice(
    fakes: Fakes, engine: Engine, answers: Background, view: ViewName
) -> None:
    api, endpoint = fakes
    first = ask(fakes, "NCT04077684")
    if view != "answer":
        first = message_of(click(fakes, buttons(first)[f"{ACTION_VIEW}_{view}"], ephemeral=True))
    share = buttons(first)[ACTION_SHARE]
    assert "style" not in share, "a plain button"
    url, path = api.response_url()
    clicked = envelopes.click(share, url, ephemeral=True, message_ts="1700000000.424242")
    endpoint.send(clicked)
    endpoint.send({**clicked, "retry_attempt": 1, "retry_reason": "timeout"})  # Slack saw no ack in time
    double = envelopes.click(share, url, ephemeral=True, message_ts="1700000000.424242")  # a double click
    endpoint.send(double)
    assert len(endpoint.wait_acks(clicked["envelope_id"])) == 2, "each delivery is acked"
    endpoint.wait_acks(double["envelope_id"])
    shared, delete = api.wait_for(path, count=2)
    expected = render(engine.ask("NCT04077684"), ephemeral=False, shared_by="U0002", view=view)
    check_message(posted_to_channel(shared, delete, first, expected, by="U0002"))
    settled(fakes, answers)
    assert len(api.calls(path)) == 2, "shared once (and the ephemeral deleted once)"


# -- events -----------------------------------------------------------------------------------------


def test_mention_is_answered_in_its_thread(fakes: Fakes, engine: Engine) -> None:
    api, endpoint = fakes
    eid = endpoint.send(envelopes.event(mention("side-effects aldesleukin", "1700000100.000100")))
    endpoint.wait_acks(eid)
    [posted] = api.wait_for("/chat.postMessage")
    assert posted.headers["authorization"] == "Bearer xoxb-test"
    assert posted.data["channel"] == "C0001" and posted.data["thread_ts"] == "1700000100.000100"
    message = message_of(posted)
    check_message(message)
    assert message == render(engine.ask("side-effects aldesleukin"), ephemeral=False)
    assert ACTION_SHARE not in buttons(message)


def test_mention_inside_a_thread_is_answered_in_that_thread(fakes: Fakes) -> None:
    api, endpoint = fakes
    eid = endpoint.send(envelopes.event(mention("NCT04077684", "1700000103.000200", thread_ts="1700000000.000001")))
    endpoint.wait_acks(eid)
    [post] = api.wait_for("/chat.postMessage")
    assert post.data["thread_ts"] == "1700000000.000001"


def test_direct_message_is_answered_in_the_dm(fakes: Fakes, engine: Engine) -> None:
    api, endpoint = fakes
    eid = endpoint.send(envelopes.event(dm("side-effects aldesleukin", "1700000101.000100")))
    endpoint.wait_acks(eid)
    [posted] = api.wait_for("/chat.postMessage")
    assert posted.data["channel"] == "D0001" and "thread_ts" not in posted.data
    message = message_of(posted)
    check_message(message)
    assert message == render(engine.ask("side-effects aldesleukin"), ephemeral=False)


@pytest.mark.parametrize("ignored", [
    dm("side-effects aldesleukin", "1700000104.1", user=BOT_USER),
    dm("side-effects aldesleukin", "1700000104.6", bot_id=BOT_ID),
    dm("side-effects aldesleukin", "1700000104.7", subtype="bot_message"),
    dm("side-effects aldesleukin", "1700000104.2", bot_id="B0THER"),
    mention("side-effects aldesleukin", "1700000104.3", bot_id="B0THER"),
    dm("side-effects aldesleukin", "1700000104.4", subtype="message_changed"),
    {**dm("side-effects aldesleukin", "1700000104.5"), "channel_type": "channel"},
], ids=["self-user", "self-bot", "bot_message", "other-bot", "bot-mention", "edit", "not-im"])
def test_bots_and_other_messages_are_acked_and_ignored(fakes: Fakes, answers: Background, ignored: dict[str, Any]) -> None:
    api, endpoint = fakes
    endpoint.wait_acks(endpoint.send(envelopes.event(ignored)))
    endpoint.wait_acks(endpoint.send(envelopes.event(mention("help", f"{time.time():.6f}", channel="CSENTINEL"))))
    api.wait_for("/chat.postMessage")
    assert answers.wait_idle(WAIT)
    assert [p.data["channel"] for p in api.calls("/chat.postMessage")] == ["CSENTINEL"]


# -- Web API faults ---------------------------------------------------------------------------------


def test_a_rate_limited_post_is_retried_after_retry_after(fakes: Fakes) -> None:
    api, endpoint = fakes
    api.script("/chat.postMessage", Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}))
    endpoint.wait_acks(endpoint.send(envelopes.event(mention("side-effects aldesleukin", "1700000105.1"))))
    first, second = api.wait_for("/chat.postMessage", count=2, timeout=8)
    assert first.body == second.body


def test_a_rate_limited_response_url_is_retried(fakes: Fakes) -> None:
    api, endpoint = fakes
    url, path = api.response_url()
    api.script(path, Scripted(429, "rate limited", {"Retry-After": "0"}))
    page = {"action_id": f"{ACTION_PAGE}_0", "value": encode(ViewState("help", 0))}
    endpoint.wait_acks(endpoint.send(envelopes.click(page, url)))
    first, second = api.wait_for(path, count=2, timeout=8)
    assert first.body == second.body


# -- escaping ---------------------------------------------------------------------------------------

HOSTILE = "<!channel> <@U0BAD> <https://evil.example|spoof> <!here|here> & <b>x</b> &lt;!everyone&gt;"





def test_user_text_is_escaped_in_command_and_mention_replies(fakes: Fakes) -> None:
    api, endpoint = fakes
    message = ask(fakes, HOSTILE)
    no_injection(message)
    assert "&lt;!everyone&gt;" in message["blocks"][0]["text"]["text"]  # echoed, harmless
    endpoint.wait_acks(endpoint.send(envelopes.event(mention(HOSTILE, "1700000106.1"))))
    no_injection(message_of(api.wait_for("/chat.postMessage")[0]))


def test_invisible_characters_and_formatting_in_a_question(fakes: Fakes, engine: Engine) -> None:
    message = ask(fakes, "side\u200b-effects alde\u2060sleukin\u202e\x00")
    assert message == render(engine.ask("side-effects aldesleukin"))
    message = ask(fakes, "*urgent* _please_ ~now~ `x`")
    assert "“∗urgent∗ ˍpleaseˍ ∼now∼ ˋxˋ”" in message["blocks"][0]["text"]["text"]


# -- once only --------------------------------------------------------------------------------------


def test_a_redelivered_envelope_is_acked_again_and_answered_once(fakes: Fakes, answers: Background) -> None:
    api, endpoint = fakes
    url, path = api.response_url()
    env = envelopes.command("dose il-7", url)
    endpoint.send(env)
    endpoint.send({**env, "retry_attempt": 1, "retry_reason": "timeout"})
    assert len(endpoint.wait_acks(env["envelope_id"])) == 2
    api.wait_for(path)
    settled(fakes, answers)
    assert len(api.calls(path)) == 1


def test_a_command_or_click_replayed_in_a_new_envelope_is_acked_and_answered_once(fakes: Fakes, answers: Background) -> None:
    api, endpoint = fakes
    url, path = api.response_url()
    cmd = envelopes.command("dose il-7", url)
    url2, path2 = api.response_url()
    also = envelopes.click({"action_id": f"{ACTION_PAGE}_0", "value": encode(ViewState("dose il-7", 1))}, url2)
    replays = [{**env, "envelope_id": envelopes.new_id()} for env in (cmd, also) for _ in range(3)]
    endpoint.wait_acks(endpoint.send(cmd), endpoint.send(also), *[endpoint.send(r) for r in replays])
    api.wait_for(path)
    api.wait_for(path2)
    settled(fakes, answers)
    assert (len(api.calls(path)), len(api.calls(path2))) == (1, 1)


def test_an_event_redelivered_in_a_new_envelope_is_answered_once(fakes: Fakes, answers: Background) -> None:
    api, endpoint = fakes
    first = envelopes.event(mention("dose il-7", "1700000200.000100"), event_id="EvSAME0001")
    again = envelopes.event(mention("dose il-7", "1700000200.000100"), event_id="EvSAME0001", retry_attempt=1)
    endpoint.wait_acks(endpoint.send(first), endpoint.send(again))
    api.wait_for("/chat.postMessage")
    marker = endpoint.send(envelopes.event(dm("help", "1700000200.000900")))
    endpoint.wait_acks(marker)
    api.wait_for("/chat.postMessage", count=2)
    assert answers.wait_idle(WAIT)
    assert [p.data["channel"] for p in api.calls("/chat.postMessage")] == ["C0001", "D0001"]


# -- refresh ----------------------------------------------------------------------------------------


def test_refresh_requested_reconnects_with_no_event_lost_or_doubled(fakes: Fakes) -> None:
    api, endpoint = fakes
    before = len(endpoint.connections)
    opened = len(api.calls("/apps.connections.open"))
    sent: list[str] = []
    paths: list[str] = []
    for round_ in range(3):
        for i in range(5):
            url, path = api.response_url()
            sent.append(endpoint.send(envelopes.command(f"side effects {round_}-{i}", url)))
            paths.append(path)
        endpoint.refresh()
    for i in range(5):
        url, path = api.response_url()
        sent.append(endpoint.send(envelopes.command(f"dose il-7 {i}", url)))
        paths.append(path)
    endpoint.wait_acks(*sent)
    for path in paths:
        api.wait_for(path)
    assert len(endpoint.connections) == before + 3
    assert len(api.calls("/apps.connections.open")) == opened + 3, "a new URL for each connection"
    marker_url, marker_path = api.response_url()
    endpoint.wait_acks(endpoint.send(envelopes.command("help", marker_url)))
    api.wait_for(marker_path)
    assert [len(api.calls(p)) for p in paths] == [1] * 20, "each answered exactly once"
    assert {a.connection for a in endpoint.acks} >= {before - 1, before + 2}, "acks on old and new"


# -- bad frames -------------------------------------------------------------------------------------


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The app's log records, its own and Bolt's (not those of the websockets library or the fakes)."""
    return [r for r in caplog.records if r.name.startswith(("il2bot", "slack_bolt"))]


def _answered_after(api: FakeSlack, endpoint: FakeSocketMode) -> None:
    """A good command sent after a bad frame is still answered: the connection survived."""
    url, path = api.response_url()
    endpoint.wait_acks(endpoint.send(envelopes.command("help", url)))
    api.wait_for(path)


def _one_warning(caplog: pytest.LogCaptureFixture, envelope_id: str) -> str:
    [line] = [r.getMessage() for r in ours(caplog) if envelope_id in r.getMessage()]
    assert "\n" not in line and not [r for r in ours(caplog) if r.exc_info]
    return line


@pytest.mark.parametrize(("payload", "why"), [
    ({"type": "event_callback", "event_id": "Ev1", "event": "not an object"}, "event is not an object"),
    ({"type": "event_callback", "event_id": "Ev2", "event": {"type": "app_mention", "user": 5}},
     "event.user is neither an id nor an object"),
    ({"type": "block_actions", "user": "U0002", "response_url": "https://x", "actions": [{"action_id": "a"}]},
     "user is not an object with an id"),
    ({"command": "/il2", "text": "help"}, "response_url is missing"),
])
def test_a_malformed_payload_is_acked_logged_on_one_line_and_not_answered(
    fakes: Fakes, answers: Background, caplog: pytest.LogCaptureFixture, payload: dict[str, Any], why: str
) -> None:
    api, endpoint = fakes
    caplog.set_level(logging.INFO, logger="il2bot.slack")
    kind = "events_api" if payload.get("type") == "event_callback" else (
        "interactive" if payload.get("type") else "slash_commands")
    eid = endpoint.send({"envelope_id": envelopes.new_id(), "type": kind, "payload": payload})
    endpoint.wait_acks(eid)
    assert why in _one_warning(caplog, eid)
    _answered_after(api, endpoint)
    assert answers.wait_idle(WAIT)
    assert api.calls("/chat.postMessage") == []


@pytest.mark.parametrize(("frame", "why"), [
    ('{"envelope_id": "env-broken-json", "type": "events_api", "payload": {', "not valid JSON"),
    ('{"envelope_id": "env-deep", "type": "events_api", "payload": ' + "[" * 200_000 + "]" * 200_000 + "}",
     "nested deeper than 64"),
    ('{"envelope_id": "env-no-payload", "type": "events_api"}', "payload is not an object"),
    ('{"envelope_id": "env-odd-type", "type": "mystery", "payload": {}}', "unknown type"),
    ('{"envelope_id": "env-line\\nforged INFO line", "type": "events_api", "payload": 5}',
     "payload is not an object"),
])
def test_a_malformed_envelope_is_acked_and_logged_on_one_escaped_line(
    fakes: Fakes, caplog: pytest.LogCaptureFixture, frame: str, why: str
) -> None:
    api, endpoint = fakes
    caplog.set_level(logging.INFO, logger="il2bot.slack")
    eid = json.loads(f'"{frame.split(chr(34))[3]}"')
    endpoint.send_raw(frame, envelope_id=eid)
    endpoint.wait_acks(eid)
    line = _one_warning(caplog, eid.split("\n")[0])
    assert why in line
    _answered_after(api, endpoint)


def test_a_frame_of_1_2_mb_is_acked_and_refused_and_the_connection_goes_on(
    fakes: Fakes, answers: Background, caplog: pytest.LogCaptureFixture
) -> None:
    api, endpoint = fakes
    caplog.set_level(logging.INFO, logger="il2bot.slack")
    url, path = api.response_url()
    big = envelopes.command("side effects " + "x" * 1_200_000, url)
    eid = endpoint.send(big)
    endpoint.wait_acks(eid)
    assert "over the limit of 1048576" in _one_warning(caplog, eid)
    _answered_after(api, endpoint)
    assert answers.wait_idle(WAIT)
    assert api.calls(path) == [], "refused, not answered"


def test_a_frame_without_an_envelope_id_is_logged_and_the_connection_goes_on(
    fakes: Fakes, caplog: pytest.LogCaptureFixture
) -> None:
    api, endpoint = fakes
    caplog.set_level(logging.INFO, logger="il2bot.slack")
    endpoint.send_raw('{"type": "events_api", "payload": {}}')
    endpoint.send_raw("[1, 2, 3]")
    _answered_after(api, endpoint)
    lines = [r.getMessage() for r in ours(caplog) if "cannot be acked" in r.getMessage()]
    assert len(lines) == 2 and not [r for r in ours(caplog) if r.exc_info]


# -- read_frame, the checks in one place ----------------------------------------------------------


@pytest.mark.parametrize(("raw", "kind", "envelope_id", "problem"), [
    ('{"type": "hello"}', "hello", None, None),
    ('{"type": "disconnect", "reason": "refresh_requested"}', "disconnect", None, None),
    ('{"envelope_id": "e1", "type": "slash_commands", "payload": {"command": "/il2", "response_url": "https://x"}}',
     "envelope", "e1", None),
    ('{"envelope_id": "e2", "type": "events_api", "payload": {}, "retry_attempt": "1"}', "envelope", "e2",
     "retry_attempt is not a number"),
    ('{"envelope_id": "e3", "type": "events_api", "payload": {"type": "event_callback"}}', "envelope", "e3",
     "payload: an event_callback without an event object"),
    ('{"envelope_id": "e\\"4", "type"', "envelope", 'e"4', "the envelope is not valid JSON (JSONDecodeError: "
     "Expecting ':' delimiter: line 1 column 31 (char 30))"),
    ('"just a string"', "other", None, "the frame is a JSON str, not an object"),
    ('{"type": "events_api", "payload": {}}', "other", None, "a frame of type events_api without an envelope_id"),
])
def test_read_frame(raw: str, kind: str, envelope_id: str | None, problem: str | None) -> None:
    frame = read_frame(raw)
    assert (frame.kind, frame.envelope_id, frame.problem) == (kind, envelope_id, problem)


def test_read_frame_refuses_by_size_before_parsing() -> None:
    raw = '{"envelope_id": "big", "payload": ' + "[" * 50 + "]" * 50 + "}"
    frame = read_frame(raw, max_bytes=64)
    assert (frame.envelope_id, frame.problem) == ("big", f"the envelope is {len(raw)} bytes, over the limit of 64")



def test_a_frame_over_the_transport_limit_closes_the_connection_and_the_app_reconnects(
    fakes: Fakes, caplog: pytest.LogCaptureFixture
) -> None:
    api, endpoint = fakes
    caplog.set_level(logging.INFO, logger="il2bot.slack")
    before = len(endpoint.connections)
    huge = '{"envelope_id": "env-huge", "type": "events_api", "payload": {"text": "' + "x" * MAX_FRAME_BYTES + '"}}'
    endpoint.send_raw(huge)  # not counted as a delivery: it cannot be read, so it cannot be acked
    endpoint.wait_connections(before + 1)
    _answered_after(api, endpoint)
    assert "env-huge" not in endpoint.ack_counts()
    assert [r.getMessage() for r in ours(caplog) if "connection closed" in r.getMessage()] == [
        "Socket Mode: connection closed (code 1009); reconnecting"]
    assert not [r for r in ours(caplog) if r.exc_info]


# -- Background.drain: what SIGTERM and SIGINT wait for -----------------------------------------------


def test_drain_finishes_queued_answers_and_names_those_past_the_deadline() -> None:
    release = threading.Event()
    background = Background(2)
    done: list[int] = []
    for i in range(4):
        background.submit({"command": "/il2", "trigger_id": f"t{i}"}, lambda i=i: done.append(i))
    background.submit({"command": "/il2", "trigger_id": "stuck"}, lambda: release.wait(10) and None)
    background.submit({"type": "event_callback", "event_id": "EvQUEUED", "event": {"type": "app_mention"}},
                      lambda: done.append(99))
    background.submit({"type": "event_callback", "event_id": "EvLATE", "event": {"type": "app_mention"}},
                      lambda: release.wait(10) and None)
    left = background.drain(0.5)
    release.set()
    assert sorted(done) == [0, 1, 2, 3, 99]
    assert left == ["command /il2 (trigger stuck)", "event EvLATE (app_mention)"]
    background.executor.shutdown(wait=True)
    assert background.pending() == 0
