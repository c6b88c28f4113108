"""`il2bot ask`: what a person sees in a terminal, the JSON contract, bad input, the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cache import cache_dir, load_deck_cached
from bot.cli import main
from bot.engine import load_engine
from bot.render.terminal import render
from bot.reply import answer_from_card


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_ask_prints_title_facts_citations_and_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "NCT04077684"]) == 0
    out = capsys.readouterr().out
    assert "NCT04077684" in out.splitlines()[0]
    assert "Key facts" in out and "Citations" in out and "Sources" in out
    assert "https://clinicaltrials.gov/study/NCT04077684" in out
    assert "ClinicalTrials.gov: Efficacy and Safety of Low-dose IL-2 in Patients With SLE" in out
    assert "Source dated 27 March 2020 (" in out  # its age, as of today
    assert "not medical advice" in out


def test_ask_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--limit", "2", "side-effects aldesleukin"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"query", "answered", "matches", "suggestions"}
    assert data["query"] == "side-effects aldesleukin" and data["answered"] is True
    assert 1 <= len(data["matches"]) <= 2
    for m in data["matches"]:
        assert set(m) >= {"id", "title", "score", "summary", "facts", "citations", "as_of"}
        assert 0 <= m["score"] <= 100 and m["as_of"][:2] == "20"
        for c in m["citations"]:
            assert set(c) >= {"source", "quote", "reference", "url"}
            assert c["url"] is None or c["url"].startswith("https://")
        assert len(m["fact_quotes"]) == len(m["facts"]) and all(m["fact_quotes"]), "each fact has quotes"
        assert {q for qs in m["fact_quotes"] for q in qs} == {c["quote"] for c in m["citations"]}
    assert [m["score"] for m in data["matches"]] == sorted(
        (m["score"] for m in data["matches"]), reverse=True
    )


def test_each_fact_of_an_answer_knows_its_own_quotes() -> None:
    deck = load_engine().deck
    for card in deck.cards:
        answer = answer_from_card(deck, card, 90.0)
        assert len(answer.facts) == len(card.facts)
        for fact, shown in zip(card.facts, answer.facts, strict=True):
            refs = shown.citations
            assert {(r.source_id, r.quote) for r in refs} == {(c.source, c.quote) for c in fact.citations}
            assert all(r.source_title == deck.sources[r.source_id].title for r in refs)


def test_ask_json_abstains(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "ibuprofen dose"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is False and data["matches"] == [] and data["suggestions"]


def test_abstention_text_is_short_and_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "pembrolizumab side effects"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("I don't have a card on that")
    assert "You could ask about:" in out


@pytest.mark.parametrize("args", [["ask"], ["ask", "help"]])
def test_ask_without_query_prints_help(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Examples:" in out and 'il2bot ask "side-effects aldesleukin"' in out and "Topics:" in out


def test_same_query_as_slash_command_text(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ask", "--json", "side-effects aldesleukin"])
    one = json.loads(capsys.readouterr().out)
    main(["ask", "--json", "side-effects", "aldesleukin"])
    two = json.loads(capsys.readouterr().out)
    assert one == two


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "IL-2 " * 2_000,
        "side effects\x00\x07\x1b[31m aldesleukin\r\n",
        "🧬💉 IL-2 😷",
        "\u202eما هي الآثار الجانبية\u202c",
        "!!!???...---",
        "the of and what is",
        "<!channel> <@U123> <https://x|spoof>",
    ],
    ids=[
        "10k chars",
        "repeated words",
        "control chars",
        "emoji",
        "rtl",
        "punctuation",
        "stop words",
        "slack markup",
    ],
)
def test_bad_input_answers_or_abstains_without_traceback(
    query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", query]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data["answered"], bool)
    assert main(["ask", query]) == 0
    assert "\x1b" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "--limit", "0", "x"], "must be between 1 and 50"),
        (["ask", "--limit", "many", "x"], "'many' is not a whole number"),
        (["nonsense"], "invalid choice: 'nonsense'"),
    ],
)
def test_bad_arguments_get_a_clear_message(args: list[str], message: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_path_imports_neither_slack_bolt_nor_numpy() -> None:
    """With a warm cache, ask imports no Slack, numpy or schema-validation code (start-up time)."""
    assert run("ask", "warm the cache").returncode == 0
    code = (
        "import sys; from bot.cli import main; main(['ask', 'side effects of IL-2']); "
        "print(sorted(m for m in ('slack_bolt', 'slack_sdk', 'numpy', 'jsonschema') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


def test_broken_card_is_named_not_raised(mini_root: Path) -> None:
    (mini_root / "facts" / "cards" / "minileukin.yaml").write_text("id: [\n")
    proc = run("--root", str(mini_root), "ask", "minileukin")
    assert proc.returncode == 1
    assert proc.stderr.startswith("facts/cards/minileukin.yaml:2: invalid YAML")
    assert "il2bot check" in proc.stderr and "Traceback" not in proc.stderr


def test_cache_is_rebuilt_when_a_card_changes(mini_root: Path) -> None:
    deck, _ = load_deck_cached(mini_root)
    assert deck.card("minileukin") is not None
    card = mini_root / "facts" / "cards" / "minileukin.yaml"
    card.write_text(card.read_text().replace("title: Minileukin", "title: Minileukin, renamed"))
    deck, _ = load_deck_cached(mini_root)
    assert deck.card("minileukin").title == "Minileukin, renamed"  # type: ignore[union-attr]


def test_corrupt_cache_is_rebuilt_not_trusted(mini_root: Path) -> None:
    load_deck_cached(mini_root)
    for path in Path(cache_dir()).glob("deck-*.pickle"):
        path.write_bytes(b"not a pickle")
    _, matcher = load_deck_cached(mini_root)
    assert matcher.search("minileukin side effects").hits[0].card.id == "minileukin-side-effects"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_text_gets_a_reply(text: str) -> None:
    engine = load_engine()
    reply = engine.ask(text)
    assert reply.kind in {"answer", "abstain", "help", "clarify"}
    assert reply.answered == bool(reply.matches)
    rendered = render(reply)
    assert isinstance(rendered, str) and rendered.endswith("\n")
