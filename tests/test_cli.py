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


def test_ask_prints_title_status_key_facts_and_compact_sources(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["ask", "NCT04077684"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Answer to “NCT04077684”"
    assert lines[2].startswith("NCT04077684: low-dose IL-2")
    underline = next(i for i, line in enumerate(lines) if line.startswith("==="))
    assert lines[underline + 1] == "⚠ Phase 2 · Recruiting, as of 27 March 2020 · 500 participants"
    assert "Sources:" in lines
    assert any("<https://clinicaltrials.gov/study/NCT04077684> · ClinicalTrials.gov · 27 March 2020" in line
               for line in lines)
    assert any('il2bot ask --full "NCT04077684"' in line for line in lines)
    assert "not medical advice" in " ".join(lines)
    assert len(lines) <= 25 and all(len(line) <= 100 for line in lines)


@pytest.mark.parametrize("columns", ["40", "100", "160"])
def test_every_line_wraps_to_the_terminal_width(
    columns: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    for args in (["ask", "side-effects aldesleukin"], ["ask", "--full", "ESPRIT results"], ["ask", "help"],
                 ["ask", "pembrolizumab side effects"]):
        assert main(args) == 0
        lines = capsys.readouterr().out.splitlines()
        assert max(len(line) for line in lines) <= int(columns), (args, columns)


def test_full_prints_every_fact_quotes_and_references(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--full", "NCT04077684"]) == 0
    out = capsys.readouterr().out
    card = load_engine().ask("NCT04077684").matches[0]
    flat = " ".join(out.split())
    assert all(" ".join(f.text.split()) in flat for f in card.facts)
    assert "Word for word, from the sources:" in out and "References: NCT04077684" in flat
    assert "--full" not in out


def test_blocks_prints_the_exact_block_kit_message(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.render import blocks
    from bot.render.view import ViewState
    from bot.slack.interaction import codec

    assert main(["ask", "--blocks", "ESPRIT results"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = blocks.render(load_engine().ask("ESPRIT results"), ViewState("ESPRIT results"), codec=codec)
    assert printed == expected and blocks.limit_problems(printed) == []


def test_page_shows_another_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--page", "1", "side-effects aldesleukin"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Match 2 for “side-effects aldesleukin”")
    assert load_engine().ask("side-effects aldesleukin").matches[1].title.split(":")[0] in out


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
        links = [c["url"] for c in m["citations"] if c["url"] is not None]  # a source may have no link
        assert [u for u in links if not u.startswith("https://")] == []
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
    assert out.startswith("The cards don't cover “pembrolizumab side effects”, so I won't guess.")
    assert "I can answer:" in out


@pytest.mark.parametrize("args", [["ask"], ["ask", "help"]])
def test_ask_without_query_prints_help(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Drugs: IL-2" in out and 'il2bot ask "side-effects aldesleukin"' in out and "Diseases: " in out
    assert "Trials and studies: " in out


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


@pytest.mark.parametrize("option", ["--full", "--blocks", "--page=1"])
def test_cli_path_imports_neither_slack_bolt_nor_numpy(option: str) -> None:
    """With a warm cache, ask imports no Slack, numpy or schema-validation code (start-up time)."""
    assert run("ask", "warm the cache").returncode == 0
    code = (
        f"import sys; from bot.cli import main; main(['ask', '{option}', 'side effects of IL-2']); "
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


@pytest.mark.parametrize("query", ["side effects of aldesleukin", "low-dose vs high-dose IL-2",
                                   "high-dose IL-2 side effects in cancer"])
def test_the_default_terminal_answer_fits_one_screen_and_keeps_every_answering_fact(query: str) -> None:
    reply = load_engine().ask(query)
    text = render(reply, cols=100)
    assert len(text.splitlines()) <= 25
    answering = [reply.matches[0].facts[i].text for i in reply.matches[0].answering]
    assert answering, "the matcher names the facts that answer"
    flat = " ".join(text.split())
    assert all(" ".join(fact.split())[:60] in flat for fact in answering)
