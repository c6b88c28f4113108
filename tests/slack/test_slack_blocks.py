"""The Block Kit renderer: golden files, the views, Slack's limits, escaping and links, button values.

Regenerate the golden files with IL2BOT_UPDATE_GOLDEN=1 (then review the diff).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_harness import check_message

from bot.render import blocks
from bot.render.blocks import MAX_BLOCKS, MAX_SECTION_TEXT, cut, escape, fit, limit_problems, link, safe_url
from bot.render.view import VIEWS, ViewName, ViewState
from bot.reply import DISCLAIMER, Answer, FactView, HelpGroup, Partial, Reply, SourceRef, TrialFields
from bot.slack.interaction import (
    ACTION_ASK,
    ACTION_HIDE_QUOTES,
    ACTION_MORE,
    ACTION_PAGE,
    ACTION_QUOTES,
    ACTION_SHARE,
    ACTION_VIEW,
    MAX_VALUE,
    codec,
    decode,
    encode,
    target,
)

GOLDEN = Path(__file__).resolve().parent.parent / "golden_blocks"
UPDATE = os.environ.get("IL2BOT_UPDATE_GOLDEN") == "1"

HIV = SourceRef("hivinfo-aldesleukin", "Aldesleukin: drug information", "HIVinfo",
                "Aldesleukin is ...", "HIVinfo drug information", None, "2023-05-01",
                "Last Reviewed: May 1, 2023")
PUB_LIST = SourceRef("cancerindex-interleukin-2", "Interleukin 2 (Aldesleukin): latest research publications",
                     "CancerIndex", "IL-2 ...", "J Immunother Cancer. 2017; 5(1):102", None, "2019-09-02",
                     "Page last updated: 02 September, 2019")
IL7 = SourceRef("aidsmeds-il-7", "Interleukin-7 (IL-7)", "AIDSmeds (Smart + Strong)", "IL-7 is ...",
                "AIDSmeds IL-7 page", None, "2011-02-03", "Last Revised: February 03, 2011")
PUBMED = SourceRef("pubmed-rosenzwajg-2019", "Immunological and clinical effects of low-dose interleukin-2",
                   "PubMed", "Low-dose IL-2 ...", "Ann Rheum Dis. 2019 Feb;78(2):209-217",
                   "https://doi.org/10.1136/annrheumdis-2018-214229", "2019-02", "2019 Feb;78(2):209-217",
                   "https://doi.org/10.1136/annrheumdis-2018-214229")
TRIAL_SRC = SourceRef("clinicaltrials-nct04077684",
                      "Efficacy and Safety of Low-dose IL-2 in Patients With SLE", "ClinicalTrials.gov",
                      "Phase 2", "NCT04077684",
                      "https://clinicaltrials.gov/study/NCT04077684", "2020-03-27",
                      "Last Update Posted : March 27, 2020", "https://clinicaltrials.gov/study/NCT04077684")
HIV_ESPRIT = HIV._replace(quote="Phase: 3 Status: Both studies have been completed.", reference="HIVinfo ref 4",
                          url="https://clinicaltrials.gov/study/NCT00004978")


def facts(texts: tuple[str, ...], quotes: tuple[tuple[SourceRef, ...], ...]) -> tuple[FactView, ...]:
    """Facts with the quotes that support each (aligned; a missing entry means no quotes)."""
    return tuple(FactView(t, quotes[i] if i < len(quotes) else ()) for i, t in enumerate(texts))


def answer(i: int = 1, fact_texts: tuple[str, ...] | None = None,
           fact_citations: tuple[tuple[SourceRef, ...], ...] | None = None, **kw: Any) -> Answer:
    base: dict[str, Any] = dict(
        id=f"card-{i}", title=f"Card {i}: aldesleukin overview", kind="drug", score=90.0 - i,
        summary="Aldesleukin (Proleukin) is a man-made form of interleukin-2.",
        citations=(HIV, IL7), as_of="2011-02-03",
    )
    base.update(kw)
    texts = fact_texts or ("It is given by injection.", "It was approved by the FDA in 1992.")
    quotes = fact_citations if fact_citations is not None else ((HIV,), (IL7,))
    return Answer(**base, facts=facts(texts, quotes))


TRIAL = answer(
    id="trial-nct04077684", kind="trial", title="NCT04077684: low-dose IL-2 in lupus (Phase 2, recruiting)",
    summary="A multicenter, randomised, placebo-controlled trial of low-dose IL-2 in SLE.",
    fact_texts=("500 participants are planned.", "The primary outcome is the SRI-4 response at week 24."),
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
               fact_texts=tuple(f"Fact {n}: {LONG_FACT}" for n in range(60)), citations=(PUBMED, HIV, IL7),
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
        fact_texts=("Fact with <!everyone> and <#C0|general>", "x > y & y < z"),
        citations=HOSTILE_REFS, fact_citations=HOSTILE_QUOTES,
    ),),
    suggestions=("<!channel> suggestion",),
)

EVIDENCE = answer(
    7, kind="trial", title="ESPRIT (NCT00004978): aldesleukin plus ART (Phase 3, completed)",
    citations=(HIV_ESPRIT,),
    trial=TrialFields("NCT00004978", "ESPRIT", "3", "completed", None, "multiple countries",
                      "https://clinicaltrials.gov/study/NCT00004978"),
    answering=(2,),
)._replace(facts=(
    FactView("ESPRIT: Phase 3; both studies have been completed.", (HIV_ESPRIT,), "registry", "trial registry"),
    FactView("Aldesleukin is being studied in people with HIV.", (HIV,), "registry", "trial registry",
             time_sensitive=True),
    FactView("CD4 counts rose substantially with aldesleukin plus ART.", (HIV._replace(quote="CD4 rose"),),
             "trial-result", "clinical result"),
    FactView("IL-2 expanded Tregs in mice.", (PUB_LIST,), "preclinical", "lab or animal study"),
    FactView("A fact without an evidence type.", (HIV,)),
    FactView("Fragments: first and second.", (HIV._replace(quote="first"), HIV._replace(quote="second"))),
))
TWO = Reply(query="what is aldesleukin?", kind="answer", matches=(answer(1), answer(2), answer(3)), more=True,
            suggestions=("IL-7: side effects and long-term safety",))
PARTIAL = Reply(query="enrollment of ESPRIT", kind="abstain", suggestions=("ESPRIT results",),
                partial=Partial("trial-esprit", "ESPRIT (NCT00004978)", "enrollment"), reason="missing-fact")
CLARIFY = Reply(query="side effects?", kind="clarify", choices=("aldesleukin", "IL-7"))
HELP = Reply(query="help", kind="help", examples=("side-effects aldesleukin",),
             catalog=(HelpGroup("drug", ("IL-2", "IL-7"), ("side-effects aldesleukin", "dose il-7")),
                      HelpGroup("disease", ("HIV", "lupus"), ("trials lupus",)),
                      HelpGroup("study", ("ESPRIT", "NCT04077684"), ("ESPRIT results", "NCT04077684"))))

# name: (reply, view, page, shared, shared_by)
CASES: dict[str, tuple[Reply, ViewName, int, bool, str | None]] = {
    "answer": (TWO, "answer", 0, False, None),
    "answer_facts": (TWO, "facts", 0, False, None),
    "answer_sources": (TWO, "sources", 0, False, None),
    "answer_public": (Reply(query="what is aldesleukin?", kind="answer", matches=(answer(1),)), "answer", 0,
                      True, None),
    "answer_shared": (Reply(query="what is aldesleukin?", kind="answer", matches=(answer(1),)), "sources", 0,
                      True, "U0002"),
    "answer_page_2": (Reply(query="aldesleukin", kind="answer", matches=(answer(4), answer(5)), offset=3),
                      "answer", 3, False, None),
    "evidence": (Reply(query="ESPRIT results", kind="answer", matches=(EVIDENCE,)), "answer", 0, False, None),
    "evidence_sources": (Reply(query="ESPRIT results", kind="answer", matches=(EVIDENCE,)), "sources", 0, False,
                         None),
    "trial": (Reply(query="NCT04077684", kind="answer", matches=(TRIAL,)), "answer", 0, False, None),
    "long": (LONG, "answer", 0, False, None),
    "long_facts": (LONG, "facts", 0, False, None),
    "long_sources": (LONG, "sources", 0, False, None),
    "abstain": (Reply(query="pembrolizumab side effects", kind="abstain",
                      suggestions=("side-effects aldesleukin", "trials lupus")), "answer", 0, False, None),
    "abstain_partial": (PARTIAL, "answer", 0, False, None),
    "abstain_no_suggestions": (Reply(query="asdkjh qwezx", kind="abstain"), "answer", 0, False, None),
    "clarify": (CLARIFY, "answer", 0, False, None),
    "help": (HELP, "answer", 0, False, None),
    "hostile": (HOSTILE, "answer", 0, False, None),
    "hostile_sources": (HOSTILE, "sources", 0, False, None),
}


def render(reply: Reply, view: ViewName = "answer", page: int = 0, shared: bool = False,
           shared_by: str | None = None) -> dict[str, Any]:
    """The renderer with the Slack adapter's codec."""
    return blocks.render(reply, ViewState(reply.query, page, view, shared), codec=codec, shared_by=shared_by)


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



def _buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def _labels(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def _sections(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section" and "text" in b]


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    reply, view, page, shared, shared_by = CASES[name]
    message = render(reply, view, page, shared, shared_by)
    check_message(message)
    path = GOLDEN / f"{name}.json"
    text = json.dumps(message, indent=2, ensure_ascii=False) + "\n"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} is missing: run with IL2BOT_UPDATE_GOLDEN=1 to write it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert message == json.loads(path.read_text(encoding="utf-8")), f"differs from {path.name}"


def test_golden_files_are_all_cases() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(CASES), "no stale golden file"


def test_answer_shows_one_card_with_three_key_facts_and_other_matches_as_buttons() -> None:
    message = render(TWO)
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["context", "header", "section", "actions", "context", "actions", "context"]
    assert message["blocks"][0]["elements"][0]["text"] == "Answer to “what is aldesleukin?”"
    assert message["blocks"][1]["text"]["text"] == "Card 1: aldesleukin overview"
    assert message["blocks"][2]["text"]["text"] == "• It is given by injection.\n• It was approved by the FDA in 1992."
    assert _labels(message) == ["Also: Card 2: aldesleukin overview", "Card 3: aldesleukin overview",
                                "Show sources", "Post to channel"]
    also = [e for b in message["blocks"] if b.get("block_id") == "il2_also" for e in b["elements"]]
    assert [e["value"] for e in also] == ["1:what is aldesleukin?", "2:what is aldesleukin?"]
    assert all(e["action_id"].startswith(ACTION_PAGE) for e in also)
    assert message["blocks"][-1]["elements"][0]["text"] == f":information_source: {DISCLAIMER}"
    assert message["text"].startswith("Card 1: aldesleukin overview: It is given by injection.")


def test_answering_facts_come_first_marked_then_at_most_three_others() -> None:
    message = render(CASES["evidence"][0])
    facts = _sections(message)[1].split("\n")
    assert facts == [
        "▸ *CD4 counts rose substantially with aldesleukin plus ART.* _(phase 3 result)_",
        "• ESPRIT: Phase 3; both studies have been completed. _(trial registry)_",
        "• Aldesleukin is being studied in people with HIV. _(trial registry)_ :warning: _as of 1 May 2023_",
        "• IL-2 expanded Tregs in mice. _(lab or animal study)_",
    ]
    show_all = _buttons(message)[f"{ACTION_VIEW}_facts"]
    assert show_all["text"]["text"] == "Show all facts (+2)" and show_all["value"] == "0f:ESPRIT results"


def test_all_facts_view_shows_summary_and_every_fact() -> None:
    message = render(CASES["evidence"][0], "facts")
    texts = _sections(message)
    assert texts[1] == EVIDENCE.summary
    assert texts[2].count("\n") == len(EVIDENCE.facts) - 1
    assert "• A fact without an evidence type." in texts[2].split("\n"), "no label without evidence"
    assert _labels(message) == ["Show the answer", "Show sources", "Post to channel"]


def test_a_trial_shows_phase_status_with_its_date_and_enrollment_under_the_title() -> None:
    message = render(CASES["trial"][0])
    assert message["blocks"][2]["text"]["text"] == (
        ":warning: *Phase 2* · Recruiting, as of 27 March 2020 · 500 participants")
    done = render(CASES["evidence"][0])
    assert done["blocks"][2]["text"]["text"] == "*Phase 3* · completed, as of 1 May 2023"


def test_compact_sources_one_line_each_with_honest_link_labels() -> None:
    esprit = render(CASES["evidence"][0])
    [sources] = [b for b in esprit["blocks"] if b["type"] == "context" and "Sources" in b["elements"][0]["text"]]
    lines = [e["text"] for e in sources["elements"][1:]]
    assert lines == [
        "Aldesleukin: drug information · HIVinfo · 1 May 2023 · "
        "<https://clinicaltrials.gov/study/NCT00004978|NCT00004978 on ClinicalTrials.gov>",
        "Interleukin 2 (Aldesleukin): latest research publications · CancerIndex · 2 September 2019",
    ], "a source's title is never the label of a link to another page"
    trial = render(CASES["trial"][0])
    assert any("<https://clinicaltrials.gov/study/NCT04077684|Efficacy and Safety of Low-dose IL-2" in t
               for t in _all_text(trial)), "a registry record's own title links to itself"


def test_sources_view_quotes_replace_paraphrases_merge_fragments_and_name_the_paper() -> None:
    message = render(CASES["evidence"][0], "sources")
    facts = _sections(message)[1].split("\n")
    assert "“CD4 rose” — HIVinfo, HIVinfo drug information" in facts[0]
    assert not [f for f in facts if "CD4 counts rose substantially" in f], "the quote replaces the paraphrase"
    assert "“first … second”" in facts[-1], "adjacent fragments are one quote"
    assert "“IL-2 ...” — CancerIndex, J Immunother Cancer. 2017; 5(1):102" in facts[3], "names its paper"
    assert any("References: " in t for t in _all_text(message))
    assert _labels(message) == ["Show the answer", "Show all facts", "Post to channel"]


def test_post_to_channel_is_plain_and_carries_the_view() -> None:
    for view, value in (("answer", "0:q"), ("facts", "0f:q"), ("sources", "0s:q")):
        share = _buttons(render(TWO._replace(query="q"), view))[ACTION_SHARE]
        assert share["value"] == value and "style" not in share
    assert ACTION_SHARE not in _buttons(render(TWO, shared=True))


def test_a_shared_answer_says_who_shared_it() -> None:
    message = render(*CASES["answer_shared"][0:1], "sources", 0, True, "U0002")
    assert message["blocks"][0]["elements"][0]["text"] == "<@U0002> shared: answer to “what is aldesleukin?”"
    assert ACTION_SHARE not in _buttons(message)


def test_sections_are_never_folded_behind_see_more() -> None:
    for name, (reply, view, page, shared, by) in CASES.items():
        for b in render(reply, view, page, shared, by)["blocks"]:
            if b["type"] == "section":
                assert b.get("expand") is True, name


def test_abstention_says_plainly_and_offers_close_questions_and_help_without_a_footer() -> None:
    message = render(CASES["abstain"][0])
    assert message["blocks"][0]["text"]["text"].startswith(
        "The cards don't cover “pembrolizumab side effects”, so I won't guess.")
    assert message["blocks"][1]["elements"][0]["text"] == "*I can answer:*"
    assert _labels(message) == ["side-effects aldesleukin", "trials lupus", "What can I ask?"]
    assert [e["value"] for e in _buttons(message).values()] == ["0:side-effects aldesleukin", "0:trials lupus",
                                                                "0:help"]
    assert not [t for t in _all_text(message) if DISCLAIMER in t], "no sources footer without sources"
    bare = render(CASES["abstain_no_suggestions"][0])
    assert not [t for t in _all_text(bare) if "I can answer" in t] and _labels(bare) == ["What can I ask?"]


def test_a_partial_answer_names_the_missing_fact_and_offers_the_card() -> None:
    message = render(PARTIAL)
    assert _sections(message) == [
        "“enrollment of ESPRIT”: the cards on ESPRIT don't give its enrollment, so I won't guess. The card on it:"]
    assert _labels(message)[0] == "ESPRIT (NCT00004978)"


def test_clarify_asks_which_subject_with_a_button_per_choice() -> None:
    message = render(CLARIFY)
    assert _sections(message) == ["“side effects?”: which drug or study do you mean?"]
    assert [e["value"] for e in _buttons(message).values()] == ["0:side effects? aldesleukin",
                                                                "0:side effects? IL-7", "0:help"]


def test_clarify_echoes_the_question_escaped() -> None:
    message = render(CLARIFY._replace(query="<SIDE:EFFECT"))
    assert (message["text"], _sections(message)) == (
        "“&lt;SIDE:EFFECT”: which drug or study do you mean?", ["“&lt;SIDE:EFFECT”: which drug or study do you mean?"])


def test_help_names_drugs_diseases_and_studies_with_examples() -> None:
    message = render(HELP)
    assert _sections(message)[1:] == ["*Drugs:* IL-2, IL-7", "*Diseases:* HIV, lupus",
                                      "*Trials and studies:* ESPRIT, NCT04077684"]
    assert _labels(message) == ["side-effects aldesleukin", "dose il-7", "trials lupus", "ESPRIT results",
                                "NCT04077684"]
    assert not [t for t in _all_text(message) if "cited sources, not medical" in t]


def test_long_answer_is_cut_gracefully_in_every_view() -> None:
    for view in VIEWS:
        message = render(LONG, view)
        check_message(message)
        assert len([b for b in message["blocks"] if b["type"] == "header"]) == 1
        assert all(len(s) <= MAX_SECTION_TEXT for s in _sections(message))
    notes = [t for t in _all_text(render(LONG, "facts")) if "not shown here" in t]
    assert notes, "a cut card says facts were left out"


def test_hostile_text_never_becomes_a_mention_or_a_link() -> None:
    for view in VIEWS:
        message = render(HOSTILE, view)
        check_message(message)
        allowed = re.compile(r"<https://[^<>|\s]+\|[^<>]*>")
        for text in _mrkdwn(message):
            stripped = allowed.sub("", text)
            assert "<" not in stripped and ">" not in stripped, text
            for link_text in allowed.findall(text):
                assert "evil" not in link_text and "javascript" not in link_text
        links = [m for t in _mrkdwn(message) for m in allowed.findall(t)]
        assert links == ["<https://example.org/x?a=1&amp;b=2|example.org>"], "labelled by what it links to"
        assert not [t for t in _mrkdwn(message) if re.search(r"&amp;(amp|lt|gt);", t)], "escaped once"
    echo = render(HOSTILE)["blocks"][0]["elements"][0]["text"]
    assert "&lt;!channel&gt;" in echo and "&lt;@U123&gt;" in echo and "&amp;" in echo


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


# -- the interaction protocol's button values -------------------------------------------------


@given(st.text(max_size=3000), st.integers(min_value=0, max_value=9999), st.sampled_from(VIEWS))
def test_button_value_round_trip(query: str, page: int, view: ViewName) -> None:
    value = encode(ViewState(query, page, view))
    assert len(value) <= MAX_VALUE
    got = decode(value)
    assert (got.page, got.view) == (page, view)
    assert query.startswith(got.query) and (got.query == query or len(value) == MAX_VALUE)


@pytest.mark.parametrize(("action_id", "value", "state"), [
    ("il2_view_facts", "0:q", ViewState("q", 0, "facts")),
    ("il2_view_answer", "2s:q", ViewState("q", 2, "answer")),
    (f"{ACTION_PAGE}_0", "1:q", ViewState("q", 1, "answer")),
    (f"{ACTION_ASK}_3", "0:help", ViewState("help")),
    (ACTION_SHARE, "0s:q", ViewState("q", 0, "sources")),
    (ACTION_MORE, "3:side-effects aldesleukin", ViewState("side-effects aldesleukin", 3)),  # earlier versions
    (ACTION_QUOTES, "0:q", ViewState("q", 0, "sources")),
    (ACTION_HIDE_QUOTES, "0:q", ViewState("q")),
    (f"{ACTION_ASK}_0", "side-effects aldesleukin", ViewState("side-effects aldesleukin")),  # a bare value
    (f"{ACTION_ASK}_0", "NCT: 1", ViewState("NCT: 1")),
])
def test_what_a_click_shows(action_id: str, value: str, state: ViewState) -> None:
    assert target(action_id, value) == state


# -- any reply renders within the limits -----------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400) | st.sampled_from(
    ["", "<!channel>", "a & b <@U1>", "x" * 5000, "word " * 1000, "<https://x.example|y>"])
_urls = st.none() | st.sampled_from(["https://ok.example/p", "http://no.example", "https://a|b",
                                     "https://clinicaltrials.gov/study/NCT04077684"])
_refs = st.builds(SourceRef, _text, _text, _text, _text, _text, _urls,
                  st.sampled_from(["2011-02-03", "2019-02", "2019", "", "junk"]), _text, _urls)
_trials = st.none() | st.builds(TrialFields, _text | st.none(), _text | st.none(), _text | st.none(),
                                _text | st.none(), _text | st.none(), _text | st.none(),
                                st.none() | st.just("https://clinicaltrials.gov/study/NCT04077684"))
_facts = st.builds(FactView, _text, st.lists(_refs, max_size=8).map(tuple),
                   st.sampled_from(["", "trial-result", "preclinical"]), _text, st.booleans())
_answers = st.builds(Answer, _text, _text, _text, st.floats(0, 100), _text,
                     st.lists(_facts, max_size=80).map(tuple), st.lists(_refs, max_size=15).map(tuple),
                     _text, _trials, st.lists(st.integers(-2, 90), max_size=4).map(tuple))
_replies = st.builds(
    Reply, _text, st.sampled_from(["answer", "abstain", "help", "clarify"]),
    st.lists(_answers, max_size=5).map(tuple), st.lists(_text, max_size=8).map(tuple), st.booleans(),
    st.integers(0, 50), st.lists(_text, max_size=12).map(tuple), st.lists(_text, max_size=40).map(tuple),
    _text, st.none() | st.builds(Partial, _text, _text, _text), st.lists(_text, max_size=8).map(tuple),
    st.lists(st.builds(HelpGroup, _text, st.lists(_text, max_size=8).map(tuple),
                       st.lists(_text, max_size=5).map(tuple)), max_size=4).map(tuple),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_replies, st.sampled_from(VIEWS), st.booleans(), st.integers(0, 9999))
def test_any_reply_renders_valid_block_kit(reply: Reply, view: ViewName, shared: bool, page: int) -> None:
    message = render(reply, view, page, shared)
    check_message(message)
    assert len(message["blocks"]) <= MAX_BLOCKS
    allowed = re.compile(r"<https://[^<>|\s]+\|[^<>]*>")
    for text in _mrkdwn(message):
        stripped = allowed.sub("", text)
        assert "<" not in stripped and ">" not in stripped


def test_every_card_in_every_view_is_within_block_kits_limits(engine: Any) -> None:
    from bot.reply import answer_from_card

    deck = engine.deck
    for card in deck.cards:
        reply = Reply(query=card.title, kind="answer", matches=(answer_from_card(deck, card, 90.0),))
        for view in VIEWS:
            check_message(render(reply, view))
            with_feedback = blocks.render(reply, ViewState(card.title, 0, view), codec=codec,
                                          answer_id="0123456789abcdef0123456789abcdef")
            check_message(with_feedback)
            assert [b["block_id"] for b in with_feedback["blocks"] if b["type"] == "actions"][-1] == "il2_feedback"


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
        message = render(reply)
        echoes = [m for t in [*_all_text(message), message["text"]] for m in re.findall(r"“([^”]*)”", t)]
        assert echoes and set(echoes) == {echoed}, (kind, echoes)
