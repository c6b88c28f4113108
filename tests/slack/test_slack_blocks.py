"""The Block Kit renderer: golden files, Slack's limits, escaping and links, dates, button values.

Regenerate the golden files with IL2BOT_UPDATE_GOLDEN=1 (then review the diff).
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_harness import check_message

from bot.render.blocks import (
    ACTION_HIDE_QUOTES,
    ACTION_MORE,
    ACTION_QUOTES,
    ACTION_SHARE,
    MAX_BLOCKS,
    MAX_BUTTON_VALUE,
    MAX_QUOTE,
    MAX_QUOTES_PER_FACT,
    MAX_SECTION_TEXT,
    cut,
    date_note,
    decode_value,
    encode_value,
    escape,
    fit,
    limit_problems,
    link,
    render,
    safe_url,
)
from bot.reply import DISCLAIMER, Answer, Reply, SourceRef, TrialFields

GOLDEN = Path(__file__).resolve().parent.parent / "golden_blocks"
TODAY = date(2026, 11, 23)
UPDATE = os.environ.get("IL2BOT_UPDATE_GOLDEN") == "1"

HIV = SourceRef("hivinfo-aldesleukin", "Aldesleukin: drug information", "HIVinfo",
                "Aldesleukin is ...", "HIVinfo drug information", None, "2023-05-01",
                "Last Reviewed: May 1, 2023")
IL7 = SourceRef("aidsmeds-il-7", "Interleukin-7 (IL-7)", "AIDSmeds (Smart + Strong)", "IL-7 is ...",
                "AIDSmeds IL-7 page", None, "2011-02-03", "Last Revised: February 03, 2011")
PUBMED = SourceRef("pubmed-rosenzwajg-2019", "Immunological and clinical effects of low-dose interleukin-2",
                   "PubMed", "Low-dose IL-2 ...", "Ann Rheum Dis. 2019 Feb;78(2):209-217",
                   "https://doi.org/10.1136/annrheumdis-2018-214229", "2019-02", "2019 Feb;78(2):209-217")
TRIAL_SRC = SourceRef("clinicaltrials-nct04077684",
                      "Efficacy and Safety of Low-dose IL-2 in Patients With SLE", "ClinicalTrials.gov",
                      "Phase 2", "NCT04077684",
                      "https://clinicaltrials.gov/study/NCT04077684", "2020-03-27",
                      "Last Update Posted : March 27, 2020")


def answer(i: int = 1, **kw: Any) -> Answer:
    base: dict[str, Any] = dict(
        id=f"card-{i}", title=f"Card {i}: aldesleukin overview", kind="drug", score=90.0 - i,
        summary="Aldesleukin (Proleukin) is a man-made form of interleukin-2.",
        facts=("It is given by injection.", "It was approved by the FDA in 1992."),
        citations=(HIV, IL7), as_of="2011-02-03", fact_citations=((HIV,), (IL7,)),
    )
    base.update(kw)
    return Answer(**base)


TRIAL = answer(
    id="trial-nct04077684", kind="trial", title="NCT04077684: low-dose IL-2 in lupus (Phase 2, recruiting)",
    summary="A multicenter, randomised, placebo-controlled trial of low-dose IL-2 in SLE.",
    facts=("500 participants are planned.", "The primary outcome is the SRI-4 response at week 24."),
    citations=(TRIAL_SRC,), as_of="2020-03-27", fact_citations=((TRIAL_SRC,), (TRIAL_SRC,)),
    trial=TrialFields("NCT04077684", "Efficacy and Safety of Low-dose IL-2 in Patients With SLE", "Phase 2",
                      "Recruiting", "500 participants", "Peking University People's Hospital",
                      "https://clinicaltrials.gov/study/NCT04077684"),
)
LONG_FACT = "Low-dose IL-2 expanded regulatory T cells without effector T-cell activation in all. " * 4
LONG_QUOTE = PUBMED._replace(quote="Treg cells rose from day 8 in all patients & diseases (p < 0.001). " * 20)
MANY_QUOTES = tuple(PUBMED._replace(quote=f"Quote {n} of the same abstract.") for n in range(8))
LONG = Reply(
    query="everything about low-dose IL-2", kind="answer", more=True,
    matches=(
        answer(1, title="Low-dose IL-2 " * 20, summary="A very long summary. " * 200,
               facts=tuple(f"Fact {n}: {LONG_FACT}" for n in range(60)), citations=(PUBMED, HIV, IL7),
               fact_citations=(MANY_QUOTES, *[(LONG_QUOTE, HIV)] * 59)),
        answer(2), answer(3),
    ),
    suggestions=("Low-dose IL-2 in 11 autoimmune diseases (Rosenzwajg 2019): safety and tolerability " * 2,),
)
HOSTILE_QUERY = "<!channel> <@U123> <https://x.example|spoof> & <#C1> *bold* `code`"
HOSTILE_REFS = (
    SourceRef("s1", "Spoof <!channel>", "Site & co", "q", "ref <b>", "javascript:alert(1)",
              "2020-01-01", "2020"),
    SourceRef("s2", "Pipes | and > in title", "Site", "q", "ref2", "https://evil.example/a|b",
              "2020-01-01", "2020"),
    SourceRef("s3", "Plain http", "Site", "q", "ref3", "http://insecure.example/", "2020-01-01",
              "2020"),
    SourceRef("s4", "Good link", "Site", "q", "ref4", "https://example.org/x?a=1&b=2", "2024-06-01",
              "2024"),
)
HOSTILE_QUOTES = (
    (HOSTILE_REFS[0]._replace(quote="<!channel> said <https://evil.example|this> & <@U999>\n> spoof\n• x"),
     HOSTILE_REFS[1]._replace(quote="> a leading quote mark, *bold* and `code`")),
    (HOSTILE_REFS[3]._replace(quote="x > y & y < z"),),
)
HOSTILE = Reply(
    query=HOSTILE_QUERY, kind="answer",
    matches=(answer(
        title="Title with <!here> & <@U999>", summary="Summary <https://evil.example|click> & more",
        facts=("Fact with <!everyone> and <#C0|general>", "x > y & y < z"),
        citations=HOSTILE_REFS, fact_citations=HOSTILE_QUOTES,
    ),),
    suggestions=("<!channel> suggestion",),
)

CASES: dict[str, tuple[Reply, dict[str, Any]]] = {
    "answer": (Reply(query="what is aldesleukin?", kind="answer", matches=(answer(1), answer(2)), more=True,
                     suggestions=("IL-7: side effects and long-term safety",)), {}),
    "answer_quotes": (Reply(query="what is aldesleukin?", kind="answer", matches=(answer(1), answer(2)),
                            more=True, suggestions=("IL-7: side effects and long-term safety",)),
                      {"quotes": True}),
    "answer_public": (Reply(query="what is aldesleukin?", kind="answer", matches=(answer(1),)),
                      {"ephemeral": False}),
    "answer_shared": (Reply(query="what is aldesleukin?", kind="answer", matches=(answer(1),)),
                      {"ephemeral": False, "shared_by": "U0002"}),
    "answer_page_2": (Reply(query="aldesleukin", kind="answer", matches=(answer(4),), offset=3), {}),
    "trial": (Reply(query="NCT04077684", kind="answer", matches=(TRIAL,)), {}),
    "long": (LONG, {}),
    "long_quotes": (LONG, {"quotes": True}),
    "abstain": (Reply(query="pembrolizumab side effects", kind="abstain",
                      suggestions=("side-effects aldesleukin", "trials lupus")), {}),
    "abstain_no_suggestions": (Reply(query="asdkjh qwezx", kind="abstain"), {}),
    "help": (Reply(query="help", kind="help", examples=("side-effects aldesleukin", "NCT04077684"),
                   topics=("side effects", "dose and schedule", "eligibility")), {}),
    "hostile": (HOSTILE, {}),
    "hostile_quotes": (HOSTILE, {"quotes": True}),
}
QUOTE_MARK = re.compile(r"^> ", re.MULTILINE)  # a blockquote line, as the renderer writes it


def _mrkdwn(message: dict[str, Any]) -> list[str]:
    """The fallback text and every mrkdwn text (plain_text is never parsed for mentions or links)."""
    found = [message["text"]]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "mrkdwn":
                found.append(value["text"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(message["blocks"])
    return found


def _all_text(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items()
                for t in ([v] if k == "text" and isinstance(v, str) else _all_text(v))]
    if isinstance(value, list):
        return [t for v in value for t in _all_text(v)]
    return []


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    reply, options = CASES[name]
    message = render(reply, today=TODAY, **options)
    check_message(message)
    path = GOLDEN / f"{name}.json"
    text = json.dumps(message, indent=2, ensure_ascii=False) + "\n"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} is missing: run with IL2BOT_UPDATE_GOLDEN=1 to write it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert message == json.loads(path.read_text(encoding="utf-8")), f"differs from {path.name}"


def test_answer_layout() -> None:
    message = render(CASES["answer"][0], today=TODAY)
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds[:5] == ["context", "header", "section", "section", "context"]
    assert message["blocks"][1]["text"]["text"] == "Card 1: aldesleukin overview"
    facts = "• It is given by injection.\n• It was approved by the FDA in 1992."
    assert message["blocks"][3]["text"]["text"] == facts
    citations = message["blocks"][4]["elements"]
    assert citations[0]["text"].endswith("Source dated 1 May 2023 (3 years old)")
    assert citations[1]["text"].endswith(":warning: Source dated 3 February 2011 (15 years old)")
    assert message["blocks"][-1]["elements"][0]["text"] == f":information_source: {DISCLAIMER}"
    nav = {e["action_id"]: e for e in message["blocks"][-2]["elements"]}
    assert nav[ACTION_MORE]["value"] == "2:what is aldesleukin?"
    assert nav[ACTION_SHARE]["value"] == "0:what is aldesleukin?"
    assert message["text"].startswith("Card 1: aldesleukin overview: Aldesleukin (Proleukin)")


def test_trial_fields_and_registry_link() -> None:
    message = render(CASES["trial"][0], today=TODAY)
    [trial] = [b for b in message["blocks"] if "fields" in b]
    assert [f["text"].split("\n")[0] for f in trial["fields"]] == ["*Phase*", "*Status*", "*Enrollment*",
                                                                     "*Location*"]
    registry = "<https://clinicaltrials.gov/study/NCT04077684|NCT04077684 on ClinicalTrials.gov>"
    assert registry in trial["text"]["text"]


def test_long_answer_is_cut_gracefully_with_more() -> None:
    message = render(LONG, today=TODAY)
    check_message(message)
    headers = [b for b in message["blocks"] if b["type"] == "header"]
    assert len(headers) == 1, "later answers move to the next page"
    assert headers[0]["text"]["text"].endswith("…")
    notes = [t for t in _all_text(message) if "more facts from this card" in t]
    assert notes, "a cut card says facts were left out"
    more = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
            if e["action_id"] == ACTION_MORE]
    assert more and more[0]["value"] == "1:everything about low-dose IL-2"
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert sections[0].endswith("…") and len(sections[0]) <= 3000
    assert all(line.startswith("• Fact") for s in sections[1:] for line in s.split("\n"))


def test_hostile_text_never_becomes_a_mention_or_a_link() -> None:
    message = render(HOSTILE, today=TODAY)
    check_message(message)
    allowed = re.compile(r"<https://[^<>|\s]+\|[^<>]*>")
    for text in _mrkdwn(message):
        stripped = allowed.sub("", text)
        assert "<" not in stripped and ">" not in stripped, text
        for link_text in allowed.findall(text):
            assert "evil" not in link_text and "javascript" not in link_text
    links = [m for t in _mrkdwn(message) for m in allowed.findall(t)]
    assert links == ["<https://example.org/x?a=1&amp;b=2|Good link>"]
    echo = message["blocks"][0]["elements"][0]["text"]
    assert "&lt;!channel&gt;" in echo and "&lt;@U123&gt;" in echo and "&amp;" in echo


def _nav(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_quotes_view_shows_each_fact_with_its_quotes_and_hide_quotes() -> None:
    reply = CASES["answer_quotes"][0]
    plain, quoted = render(reply, today=TODAY), render(reply, today=TODAY, quotes=True)
    check_message(quoted)
    assert quoted["blocks"][3]["text"]["text"] == (
        "• It is given by injection.\n"
        "> “Aldesleukin is ...” — HIVinfo\n"
        "• It was approved by the FDA in 1992.\n"
        "> “IL-7 is ...” — AIDSmeds (Smart + Strong)"
    )
    assert _nav(plain)[ACTION_QUOTES]["text"]["text"] == "Show quotes"
    assert _nav(plain)[ACTION_QUOTES]["value"] == "0:what is aldesleukin?"
    assert ACTION_QUOTES not in _nav(quoted)
    assert _nav(quoted)[ACTION_HIDE_QUOTES]["value"] == "0:what is aldesleukin?"
    assert _nav(quoted)[ACTION_HIDE_QUOTES]["text"]["text"] == "Hide quotes"
    assert {ACTION_MORE, ACTION_SHARE} <= set(_nav(quoted))
    differs = [i for i, (a, b) in enumerate(zip(plain["blocks"], quoted["blocks"], strict=True)) if a != b]
    assert [quoted["blocks"][i]["type"] for i in differs] == ["section", "section", "actions"], \
        "only the facts of each answer and the quotes button change"
    assert quoted["text"] == plain["text"]


def test_show_quotes_keeps_the_page_offset_and_is_offered_on_public_answers() -> None:
    page_2 = render(CASES["answer_page_2"][0], today=TODAY)
    assert _nav(page_2)[ACTION_QUOTES]["value"] == "3:aldesleukin"
    assert _nav(render(CASES["answer_page_2"][0], today=TODAY, quotes=True))[ACTION_HIDE_QUOTES]["value"] == \
        "3:aldesleukin"
    public = render(CASES["answer_public"][0], today=TODAY, ephemeral=False)
    assert set(_nav(public)) == {ACTION_QUOTES}


def test_no_show_quotes_button_without_quotes() -> None:
    reply = Reply(query="q", kind="answer", matches=(answer(1, fact_citations=()),))
    assert ACTION_QUOTES not in _nav(render(reply, today=TODAY))
    blank = Reply(query="q", kind="answer", matches=(answer(1, fact_citations=((HIV._replace(quote=" \n"),),)),))
    assert ACTION_QUOTES not in _nav(render(blank, today=TODAY))
    quoted = render(reply, today=TODAY, quotes=True)  # asked for anyway: the facts, and a way back
    assert "• It is given by injection.\n• It was approved by the FDA in 1992." in _all_text(quoted)
    assert ACTION_HIDE_QUOTES in _nav(quoted)


def test_a_quote_is_named_by_its_source_only_when_the_answer_cites_several() -> None:
    one = Reply(query="q", kind="answer", matches=(answer(1, fact_citations=((HIV,), (HIV,))),))
    assert "> “Aldesleukin is ...”\n•" in render(one, today=TODAY, quotes=True)["blocks"][3]["text"]["text"]
    same_site = (HIV, HIV._replace(source_id="hivinfo-2", source_title="Another HIVinfo page", quote="Other"))
    two = Reply(query="q", kind="answer", matches=(answer(1, fact_citations=(same_site,)),))
    text = render(two, today=TODAY, quotes=True)["blocks"][3]["text"]["text"]
    assert "“Aldesleukin is ...” — Aldesleukin: drug information\n> “Other” — Another HIVinfo page" in text


def test_long_answer_with_quotes_is_cut_gracefully_within_the_limits() -> None:
    message = render(LONG, today=TODAY, quotes=True)
    check_message(message)
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert all(len(s) <= MAX_SECTION_TEXT for s in sections)
    assert [t for t in _all_text(message) if "more facts from this card" in t], "a cut card says so"
    first = sections[1].split("\n• ")[0]
    assert first.count("\n> “Quote ") == MAX_QUOTES_PER_FACT
    assert first.endswith(f"\n> _…and {8 - MAX_QUOTES_PER_FACT} more quotes_")
    long_quotes = [line for s in sections for line in s.split("\n") if line.startswith("> “Treg")]
    assert long_quotes and all(line.endswith("…” — PubMed") for line in long_quotes)
    assert all(len(line) <= MAX_QUOTE + 20 for line in long_quotes)
    assert "&lt; 0.001" in long_quotes[0] and " &amp; " in long_quotes[0]
    shown = len([b for b in message["blocks"] if b["type"] == "header"])
    assert _nav(message)[ACTION_MORE]["value"] == f"{shown}:everything about low-dose IL-2"


def test_hostile_quotes_are_escaped_and_cannot_forge_a_line() -> None:
    message = render(HOSTILE, today=TODAY, quotes=True)
    check_message(message)
    allowed = re.compile(r"<https://[^<>|\s]+\|[^<>]*>")
    for text in _mrkdwn(message):
        stripped = allowed.sub("", QUOTE_MARK.sub("", text))
        assert "<" not in stripped and ">" not in stripped, text
    facts = message["blocks"][3]["text"]["text"].split("\n")
    assert facts == [
        "• Fact with &lt;!everyone&gt; and &lt;#C0|general&gt;",
        "> “&lt;!channel&gt; said &lt;https://evil.example|this&gt; &amp; &lt;@U999&gt; &gt; spoof • x” "
        "— Spoof &lt;!channel&gt;",
        "> “&gt; a leading quote mark, *bold* and `code`” — Pipes | and &gt; in title",
        "• x &gt; y &amp; y &lt; z",
        "> “x &gt; y &amp; y &lt; z” — Good link",
    ], "sources sharing a site are named by their titles"


def test_abstention_offers_suggestions_and_help_not_a_card() -> None:
    message = render(CASES["abstain"][0], today=TODAY)
    assert "header" not in [b["type"] for b in message["blocks"]]
    labels = [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["side-effects aldesleukin", "trials lupus", "What can I ask?"]
    values = [e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values == ["0:side-effects aldesleukin", "0:trials lupus", "0:help"]


def test_limit_problems_catches_what_slack_sdk_does_not() -> None:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    assert "51 blocks (max 50)" in limit_problems({"text": "t", "blocks": [block] * 51})
    fields = {"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}
    assert any("field over" in p for p in limit_problems({"text": "t", "blocks": [fields]}))
    assert "no plain text fallback" in limit_problems({"text": "", "blocks": []})
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}
    assert any("11 elements" in p for p in limit_problems({"text": "t", "blocks": [context]}))


# -- helpers ---------------------------------------------------------------------------------


def test_escape_and_fit() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert fit("a & b", 100) == "a &amp; b"
    cut_text = fit("word & " * 100, 50)
    assert len(cut_text) <= 50 and cut_text.endswith("…")
    assert not re.search(r"&[a-z]*…$", cut_text), "an entity is never cut in half"
    assert cut("one two three four", 10) == "one two…"
    assert cut("short", 10) == "short"


@pytest.mark.parametrize(("url", "ok"), [
    ("https://clinicaltrials.gov/study/NCT04077684", True),
    ("https://doi.org/10.1136/annrheumdis-2018-214229", True),
    ("http://clinicaltrials.gov/", False),
    ("javascript:alert(1)", False),
    ("https://evil.example/a|b", False),
    ("https://evil.example/a>b", False),
    ("https://user:pw@evil.example/", False),
    ("https:///nohost", False),
    ("https://x.example/ space", False),
    (None, False),
])
def test_safe_url(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok
    assert link(url, "label").startswith("<") is ok


@pytest.mark.parametrize(("as_of", "note"), [
    ("2011-02-03", ":warning: Source dated 3 February 2011 (15 years old)"),
    ("2019-02", ":warning: Source dated February 2019 (7 years old)"),
    ("2019", ":warning: Source dated 2019 (7 years old)"),
    ("2025-06-30", "Source dated 30 June 2025"),
    ("2024-11-24", "Source dated 24 November 2024"),
    ("2024-11-23", ":warning: Source dated 23 November 2024 (2 years old)"),
    ("2030-01-01", "Source dated 1 January 2030"),
    ("not a date", "Source dated as printed"),
])
def test_date_note(as_of: str, note: str) -> None:
    assert date_note(as_of, "as printed", TODAY) == note


@given(st.text(max_size=3000), st.integers(min_value=0, max_value=9999))
def test_button_value_round_trip(query: str, offset: int) -> None:
    value = encode_value(query, offset)
    assert len(value) <= MAX_BUTTON_VALUE
    got_query, got_offset = decode_value(value)
    assert got_offset == offset
    assert query.startswith(got_query) and (got_query == query or len(value) == MAX_BUTTON_VALUE)


def test_bare_button_value_is_a_query() -> None:
    assert decode_value("side-effects aldesleukin") == ("side-effects aldesleukin", 0)
    assert decode_value("NCT: 1") == ("NCT: 1", 0)


# -- any reply renders within the limits -----------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400) | st.sampled_from(
    ["", "<!channel>", "a & b <@U1>", "x" * 5000, "word " * 1000, "<https://x.example|y>"])
_refs = st.builds(SourceRef, _text, _text, _text, _text, _text,
                  st.none() | st.sampled_from(["https://ok.example/p", "http://no.example", "https://a|b"]),
                  st.sampled_from(["2011-02-03", "2019-02", "2019", "", "junk"]), _text)
_trials = st.none() | st.builds(TrialFields, _text | st.none(), _text | st.none(), _text | st.none(),
                                _text | st.none(), _text | st.none(), _text | st.none(),
                                st.none() | st.just("https://clinicaltrials.gov/study/NCT04077684"))
_answers = st.builds(Answer, _text, _text, _text, st.floats(0, 100), _text,
                     st.lists(_text, max_size=80).map(tuple), st.lists(_refs, max_size=15).map(tuple),
                     _text, _trials, st.lists(st.lists(_refs, max_size=8).map(tuple), max_size=80).map(tuple))
_replies = st.builds(
    Reply, _text, st.sampled_from(["answer", "abstain", "help"]), st.lists(_answers, max_size=5).map(tuple),
    st.lists(_text, max_size=8).map(tuple), st.booleans(), st.integers(0, 50),
    st.lists(_text, max_size=12).map(tuple), st.lists(_text, max_size=40).map(tuple),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_replies, st.booleans(), st.booleans())
def test_any_reply_renders_valid_block_kit(reply: Reply, ephemeral: bool, quotes: bool) -> None:
    message = render(reply, today=TODAY, ephemeral=ephemeral, quotes=quotes)
    check_message(message)
    assert len(message["blocks"]) <= MAX_BLOCKS
    allowed = re.compile(r"<https://[^<>|\s]+\|[^<>]*>")
    for text in _mrkdwn(message):
        stripped = allowed.sub("", QUOTE_MARK.sub("", text) if quotes else text)
        assert "<" not in stripped and ">" not in stripped


def test_a_later_match_is_shown_whole_or_left_for_more_results() -> None:
    facts = tuple(f"Fact {n}: {LONG_FACT}" for n in range(20))
    reply = Reply(query="q", kind="answer", matches=(answer(1, facts=facts), answer(2, facts=facts)))
    message = render(reply, today=TODAY)
    check_message(message)
    assert len([b for b in message["blocks"] if b["type"] == "header"]) == 1
    assert not [t for t in _all_text(message) if "more facts from this card" in t]
    more = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
            if e["action_id"] == ACTION_MORE]
    assert more and more[0]["value"] == "1:q"


# -- the echoed question ---------------------------------------------------------------------


@pytest.mark.parametrize(("query", "echoed"), [
    ("*bold* _it_ ~strike~ `code`", "∗bold∗ ˍitˍ ∼strike∼ ˋcodeˋ"),
    ("nul\x00 zero\u200bwidth \u202eevil\u202c bidi\u2066x\u2069 bom\ufeff", "nul zerowidth evil bidix bom"),
    ("a <b> & c", "a &lt;b&gt; &amp; c"),
    ("snake_case il-2", "snakeˍcase il-2"),
])
def test_the_echoed_question_is_cleaned_and_its_formatting_escaped(query: str, echoed: str) -> None:
    for kind in ("answer", "abstain"):
        reply = Reply(query=query, kind=kind, matches=(answer(1),) if kind == "answer" else ())
        message = render(reply, today=TODAY)
        echoes = [m for t in [*_all_text(message), message["text"]] for m in re.findall(r"“([^”]*)”", t)]
        assert echoes and set(echoes) == {echoed}, (kind, echoes)
