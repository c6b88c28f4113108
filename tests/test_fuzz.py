"""Property-based fuzzing of what people type and of what editors write.

1. Any text as a query (unicode, Slack markup, 40,000 characters, empty), through the Slack text
   path or straight from a button value, renders a message that passes slack_sdk's Block Kit
   validation and every Slack limit, in which no `<` or `>` typed by the user survives unescaped;
   nothing raises.
2. Any mutation of a card file (or the vocabulary) makes `il2bot check` either pass (exit 0, one
   summary line) or print only `file:line: message` lines (exit 1); never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent / "slack"))

from slack_harness import check_message

from bot.cli import main
from bot.engine import Engine, load_engine
from bot.render.blocks import MAX_ECHO, escape, render
from bot.render.view import VIEWS, ViewState
from bot.reply import trial_url
from bot.slack.interaction import codec
from bot.slack.text import query_from_slack

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
TODAY = date(2026, 11, 23)
BOT_USER = "UBOT0001"
RUNS: dict[str, int] = {}
LOCATED = re.compile(r"^[^:\n]+:\d+: \S")


def fuzz(examples: int) -> settings:
    """Hypothesis settings for these tests: no deadline (40,000 characters take a while), no health checks,
    and the same examples on every run (derandomized), so that CI passes or fails the same way each time."""
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )


@cache
def engine() -> Engine:
    """The real engine over the real cards (loaded once)."""
    return load_engine()


@cache
def bot_links() -> frozenset[str]:
    """Every URL the renderer may link to: the sources', the citations', the trials' registry pages."""
    deck = engine().deck
    urls = {s.url for s in deck.sources.values() if s.url}
    for card in deck.cards:
        urls |= {c.url for c in card.citations() if c.url}
        if card.trial is not None and card.trial.nct:
            urls.add(trial_url(card.trial.nct) or "")
    return frozenset(urls)


@pytest.fixture(scope="module", autouse=True)
def report_runs(fuzz_report: Callable[[str, dict[str, int]], None]) -> Iterator[None]:
    """Print how many fuzz cases ran, once the module is done."""
    yield
    fuzz_report("queries and card files", RUNS)


def count(name: str) -> None:
    RUNS[name] = RUNS.get(name, 0) + 1


# -- queries ---------------------------------------------------------------------------------

MARKUP = ["<@U0BAD>", "<@UBOT0001>", "<!channel>", "<!here|here>", "<!everyone>", "<#C123|general>",
          "<https://evil.example|spoof>", "<https://evil.example>", "<mailto:a@b.c|mail>", "&lt;", "&gt;",
          "&amp;", "&lt;!channel&gt;", "<", ">", "&", "|", "*bold*", "_it_", "`code`", "```", "> quote",
          ":warning:", "\u202e", "\u200b", "\ufeff", "e\u0301", "👩‍⚕️", "\n", "\t", "  "]
WORDS = ["side-effects", "aldesleukin", "proleukin", "IL-2", "IL-7", "lupus", "trial", "NCT04077684",
         "dose", "HIV", "help", "what is", "kidney cancer", "melanoma", "?"]


def repeat_to(text: str, size: int) -> str:
    return (text * (size // max(len(text), 1) + 1))[:size]


QUERIES = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(MARKUP), st.sampled_from(WORDS), st.text(max_size=6)),
             max_size=12).map(" ".join),
    st.lists(st.one_of(st.sampled_from(MARKUP), st.sampled_from(WORDS)), min_size=1, max_size=6)
    .map("".join),
    st.builds(repeat_to, st.text(min_size=1, max_size=40), st.sampled_from([3000, 40_000])),
    st.builds(lambda w, m: repeat_to(f"{w} {m} ", 40_000), st.sampled_from(WORDS), st.sampled_from(MARKUP)),
    st.sampled_from(["", " ", "\n\t ", "\u200b", "?", "help", "<>", "&"]),
)


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every text Slack parses as mrkdwn in a message (plain_text cannot mention or link)."""
    if isinstance(value, dict):
        if isinstance(value.get("text"), str) and value.get("type") == "mrkdwn":
            yield value["text"]
        for k, v in value.items():
            if not (k == "text" and isinstance(v, str)):
                yield from mrkdwn_texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from mrkdwn_texts(v)


LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
QUOTE_MARK = re.compile(r"^> “", re.MULTILINE)  # a quote line, as the renderer writes it


def without_bot_markup(text: str, shared_by: str | None) -> str:
    """The text less the links, the mention and the blockquote marks the renderer itself builds."""
    text = QUOTE_MARK.sub("", LINK.sub(lambda m: "" if m[1] in bot_links() else m[0], text))
    return text.replace(f"<@{shared_by}>", "") if shared_by else text


@fuzz(500)
@given(raw=QUERIES, via_slack=st.booleans(), offset=st.integers(0, 12), ephemeral=st.booleans(),
       shared_by=st.one_of(st.none(), st.just("U0002"), st.just("U0002\n"), st.text(max_size=12)),
       view=st.sampled_from(VIEWS))
def test_any_query_renders_valid_escaped_block_kit(raw: str, via_slack: bool, offset: int, ephemeral: bool,
                                                   shared_by: str | None, view: str) -> None:
    query = query_from_slack(raw, BOT_USER) if via_slack else raw
    reply = engine().ask(query, offset=offset)
    state = ViewState(query, offset, view, shared=not ephemeral)  # type: ignore[arg-type]
    message = render(reply, state, codec=codec, shared_by=shared_by)
    count("queries")
    check_message(message)  # slack_sdk's validation and every Slack limit
    valid_user = shared_by if shared_by and re.fullmatch(r"[UW][A-Z0-9]{2,20}", shared_by) else None
    for text in [message["text"], *mrkdwn_texts(message["blocks"])]:
        left = without_bot_markup(text, valid_user)
        assert "<" not in left and ">" not in left, (query, text)
    asked = " ".join(query.split())
    plain = asked.isprintable() and not re.search(r"[*_~`]", asked)  # echoed as typed (else cleaned)
    if reply.kind != "help" and ("<" in asked or ">" in asked) and plain and len(escape(asked)) <= MAX_ECHO:
        echoed = "".join(mrkdwn_texts(message["blocks"]))
        assert f"“{escape(asked)}”" in echoed, "a short question is echoed whole, escaped"


def test_a_user_id_with_a_trailing_newline_is_not_made_a_mention() -> None:
    message = render(engine().ask("side-effects aldesleukin"), ViewState("side-effects aldesleukin"),
                     codec=codec, shared_by="U0002\n")
    assert not [t for t in mrkdwn_texts(message["blocks"]) if "<@" in t]


def test_a_question_of_many_angle_brackets_is_still_echoed() -> None:
    message = render(engine().ask("<" * 75), ViewState("<" * 75), codec=codec)
    assert "“”" not in message["blocks"][0]["text"]["text"]


# -- card files ------------------------------------------------------------------------------

YAML_BITS = [":", ": ", "- ", "[", "]", "{", "}", '"', "'", "#", "&a ", "*a", "!!python/object:os.system ",
             "|", ">", "%", "@", "`", "\t", "  ", "\n", "\x00", "\ufeff", "\x85", "---\n", "...\n", "? ",
             "null", "~", "true", "1e9999", "0x1F", "2026-02-30", "NCT0000000", "é", "\u2028", "<<: *a"]
SCALARS = st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.text(max_size=40),
                    st.sampled_from(["[]", "{}", "[a, b]", "{a: 1}", "''", '""', "~", "|\n  x", ">-"]))


@st.composite
def mutation(draw: st.DrawFn, text: str) -> bytes:
    """The file after 1 to 3 random edits: lines dropped, doubled, swapped, re-indented; YAML
    syntax, values of other types or raw bytes inserted; the file cut short."""
    lines = text.split("\n")
    raw_tail = b""
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["drop", "dup", "swap", "indent", "insert", "value", "char", "cut",
                                   "bytes", "empty"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "drop" and lines:
            del lines[i]
        elif op == "dup" and lines:
            lines.insert(i, lines[i])
        elif op == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent" and lines:
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip(" ")
        elif op == "insert":
            bit = draw(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=20)))
            line = lines[i] if lines else ""
            at = draw(st.integers(0, len(line)))
            if lines:
                lines[i] = line[:at] + bit + line[at:]
            else:
                lines = [bit]
        elif op == "value" and lines and ": " in lines[i]:
            key = lines[i].split(": ", 1)[0]
            lines[i] = f"{key}: {draw(SCALARS)}"
        elif op == "char" and lines and lines[i]:
            at = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:at] + draw(st.characters()) + lines[i][at + 1:]
        elif op == "cut":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
        elif op == "bytes":
            raw_tail = draw(st.binary(min_size=1, max_size=8))
        elif op == "empty":
            lines = []
    out = "\n".join(lines).encode("utf-8", "surrogatepass")
    return out + raw_tail


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the mini content tree (with the real schemas), edited and restored by each case."""
    root = tmp_path_factory.mktemp("fuzz") / "content"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "facts" / "schema", root / "facts" / "schema")
    return root


def run_check(root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), "check"])
    return code, out.getvalue(), err.getvalue()


def check_reports_located_errors_or_passes(root: Path, target: Path, mutated: bytes) -> None:
    original = target.read_bytes()
    target.write_bytes(mutated)
    try:
        code, out, err = run_check(root)
    finally:
        target.write_bytes(original)
    assert "Traceback" not in out + err
    lines = out.splitlines()
    if code == 0:
        assert len(lines) == 1 and lines[0].startswith("ok: "), out
    else:
        assert code == 1, (code, out, err)
        assert lines, "exit 1 with nothing said"
        bad = [line for line in lines if not LOCATED.match(line)]
        assert not bad, (bad, mutated[:300])
        assert re.fullmatch(r"\d+ problems? found\n", err), err


@fuzz(250)
@given(data=st.data())
def test_any_card_mutation_gives_ok_or_file_line_errors(content: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["minileukin.yaml", "minileukin-side-effects.yaml"]))
    target = content / "facts" / "cards" / name
    mutated = data.draw(mutation(target.read_text()))
    count("card files")
    check_reports_located_errors_or_passes(content, target, mutated)


@fuzz(100)
@given(data=st.data())
def test_any_vocabulary_or_sources_mutation_gives_ok_or_file_line_errors(content: Path,
                                                                         data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["facts/vocabulary/mini.yaml", "seeds/sources.yaml"]))
    target = content / name
    mutated = data.draw(mutation(target.read_text()))
    count("vocabulary and sources files")
    check_reports_located_errors_or_passes(content, target, mutated)


def test_the_unmutated_content_passes(content: Path) -> None:
    code, out, _ = run_check(content)
    assert code == 0 and out.startswith("ok: 2 cards")


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\x9f"])
def test_a_character_yaml_forbids_is_reported_on_one_located_line(content: Path, char: str) -> None:
    target = content / "facts" / "cards" / "minileukin.yaml"
    original = target.read_bytes()
    target.write_bytes(original.replace(b"kind: drug", f"kind: dr{char}ug".encode()))
    try:
        code, out, _ = run_check(content)
    finally:
        target.write_bytes(original)
    assert code == 1
    assert [line for line in out.splitlines() if not LOCATED.match(line)] == []
    assert out.startswith("facts/cards/minileukin.yaml:3: ")
