"""Fuzzing the HTTP surface: malformed Slack payloads get a 4xx or are ignored, never a 500.

Signed requests (so they pass the signature check and reach the parsing and the listeners) carry
bad JSON, invalid UTF-8, wrong JSON types, and valid payloads with fields dropped or replaced by
values of the wrong type. Unsigned garbage must get 401. Afterwards the app still answers, and no
fuzzed request made it log a traceback.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_harness import BOT_USER, TEAM, FakeSlack, SlackClient

RUNS: dict[str, int] = {}
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# Values of every JSON type, including ones Slack never sends where a string or object belongs.
# Strings never look like URLs: a fuzzed response_url must not send anything off this machine.
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20).filter(lambda s: "://" not in s))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


def command_form(fake: FakeSlack) -> dict[str, Any]:
    url, _ = fake.response_url()
    return {"token": "x", "team_id": TEAM, "team_domain": "test", "channel_id": "C0FUZZ",
            "channel_name": "general", "user_id": "U0001", "user_name": "ann", "command": "/il2",
            "text": "side-effects aldesleukin", "api_app_id": "A0001", "response_url": url,
            "trigger_id": "1.2.3"}


def event_body(kind: str) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "app_mention", "user": "U0001", "text": f"<@{BOT_USER}> help",
                             "ts": f"{time.time():.6f}", "channel": "C0FUZZ", "event_ts": "1.0"}
    if kind == "dm":
        event.update(type="message", channel_type="im", text="help", channel="D0FUZZ")
    return {"token": "x", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback",
            "event_id": f"EvFUZZ{time.monotonic_ns()}", "event_time": 1,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}], "event": event}


def actions_payload(fake: FakeSlack) -> dict[str, Any]:
    url, _ = fake.response_url()
    return {"type": "block_actions", "team": {"id": TEAM, "domain": "test"},
            "user": {"id": "U0002", "username": "bob", "team_id": TEAM}, "api_app_id": "A0001",
            "token": "x", "trigger_id": "1.2.3", "response_url": url,
            "container": {"type": "message", "message_ts": "1.0", "channel_id": "C0FUZZ",
                          "is_ephemeral": True},
            "channel": {"id": "C0FUZZ", "name": "general"},
            "actions": [{"action_id": "il2_more", "block_id": "b", "type": "button", "value": "3:help",
                         "action_ts": "1.0"}]}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a JSON value."""
    out: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for k, v in items:
        out.append((*prefix, k))
        out.extend(paths(v, (*prefix, k)))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """The payload with some fields dropped or replaced by values of any JSON type."""
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 4))):
        where = paths(data)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    if draw(st.booleans()):
        return data
    return draw(JSON_VALUES) if draw(st.integers(0, 9)) == 0 else data


@pytest.fixture(scope="module", autouse=True)
def report_runs(fuzz_report: Callable[[str, dict[str, int]], None]) -> Iterator[None]:
    """Print how many fuzz cases ran, once the module is done."""
    yield
    fuzz_report("Slack payloads", RUNS)


def count(name: str) -> None:
    RUNS[name] = RUNS.get(name, 0) + 1


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.CRITICAL]
    assert not bad, [r.getMessage() for r in bad]


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(data=st.data())
def test_malformed_events_never_get_a_500(slack: SlackClient, caplog: pytest.LogCaptureFixture,
                                          data: st.DataObject) -> None:
    body = data.draw(mutated(event_body(data.draw(st.sampled_from(["mention", "dm"])))))
    sent = slack.post(json.dumps(body).encode(), JSON)
    count("events")
    assert sent.status < 500, (sent, body)
    no_tracebacks(caplog)


@FUZZ
@given(data=st.data())
def test_malformed_commands_never_get_a_500(slack: SlackClient, fake_slack: FakeSlack,
                                            caplog: pytest.LogCaptureFixture, data: st.DataObject) -> None:
    form = command_form(fake_slack)
    drop = data.draw(st.sets(st.sampled_from(sorted(form))))
    for key in drop:
        del form[key]
    for key in data.draw(st.sets(st.sampled_from(sorted(form)))) if form else ():
        form[key] = data.draw(st.text(max_size=30).filter(lambda s: "://" not in s))
    sent = slack.post(urllib.parse.urlencode(form).encode(), FORM)
    count("commands")
    assert sent.status < 500, (sent, form)
    no_tracebacks(caplog)


@FUZZ
@given(data=st.data())
def test_malformed_button_payloads_never_get_a_500(
    slack: SlackClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    payload = data.draw(mutated(actions_payload(fake_slack)))
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    sent = slack.post(body, FORM)
    count("buttons")
    assert sent.status < 500, (sent, payload)
    no_tracebacks(caplog)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
       content_type=st.sampled_from([JSON, FORM, "text/plain", ""]),
       wrap=st.sampled_from(["raw", "payload", "json-prefix"]))
def test_garbage_bodies_never_get_a_500(slack: SlackClient, caplog: pytest.LogCaptureFixture,
                                        raw: bytes, content_type: str, wrap: str) -> None:
    if wrap == "payload":
        raw = b"payload=" + urllib.parse.quote_from_bytes(raw).encode()
    elif wrap == "json-prefix":
        raw = b"{" + raw
    sent = slack.post(raw, content_type)
    count("garbage")
    assert sent.status < 500, (sent, raw)
    unsigned = slack.post(raw, content_type, secret="not-the-secret")
    assert unsigned.status == 401, (unsigned, raw)
    no_tracebacks(caplog)


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", b"{", b"[1, 2]", b'"text"', b"null", b"payload=%7B",
                                 b"payload=%5B%5D", b'{"type": "event_callback", "event": []}'])
def test_known_malformed_bodies_get_400_when_signed_and_401_when_not(slack: SlackClient, raw: bytes) -> None:
    for age, content_type in enumerate((JSON, FORM)):
        # Timestamps no other test uses: the same bytes signed at the same second would be a replay.
        sent = slack.post(raw, content_type, timestamp=int(time.time()) - 200 - age)
        # The content type decides how a body is read: as a form, "{" or "[1, 2]" is a form field Bolt
        # has no listener for (404); as JSON it is malformed (400).
        form_field = content_type == FORM and not raw.startswith((b"payload=", b"\xff"))
        assert sent.status == (404 if form_field else 400), (sent, raw, content_type)
        if sent.status == 400:
            assert sent.body.startswith("malformed request: ")
        assert slack.post(raw, content_type, secret="wrong").status == 401


def test_the_app_still_answers_after_the_fuzzing(slack: SlackClient, fake_slack: FakeSlack) -> None:
    sent, path = slack.command("side-effects aldesleukin")
    assert sent.status == 200
    assert len(fake_slack.wait_for(path)) == 1
