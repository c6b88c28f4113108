"""The pure-Python token_ratio the one-shot `il2bot ask` scores with gives rapidfuzz's scores to the
last bit, so the command answers exactly as the Slack app does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process, utils
from test_matcher import ABSTAIN, ANSWERS

from bot.engine import Engine, load_engine
from bot.matcher import fuzzy
from bot.matcher.reader import Reader
from bot.matcher.scorer import plan

QUERIES = [q for q, _ in ANSWERS] + [str(q) for q in ABSTAIN]


def rapidfuzz_best(query: str, texts: tuple[str, ...], cutoff: float) -> tuple[str, float, int] | None:
    return process.extractOne(query, texts, scorer=fuzz.token_ratio, processor=None, score_cutoff=cutoff)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine()


def test_every_question_scores_every_card_as_rapidfuzz_does(engine: Engine) -> None:
    """Each development question against each card's title and aliases with no cutoff; every fourth
    also with the best score itself as the cutoff (the boundary), and a little above and below it."""
    m = engine.matcher
    differ, compared = [], 0
    for n, q in enumerate(QUERIES):
        text = plan(m.index, m.read(q), m.tuning).text
        for e in m.index.entries:
            found = rapidfuzz_best(text, e.texts, 0.0)
            cutoffs = [0.0]
            if found is not None and n % 4 == 0:
                x = found[1]
                near = (x, x + 1e-6, x + 1.5e-4, x - 1.5e-4, x + 0.02)
                cutoffs += [min(100.0, max(0.0, x)) for x in near]
            for cutoff in cutoffs:
                compared += 1
                if fuzzy.pure_extract_one(text, e.texts, score_cutoff=cutoff) != rapidfuzz_best(text, e.texts, cutoff):
                    differ.append((q, e.texts[0], cutoff))
    assert (compared > 40_000, differ) == (True, [])


PLAIN_WORDS = st.text(alphabet="abcde1éβ", min_size=1, max_size=6)
PLAIN_TEXTS = st.lists(PLAIN_WORDS, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(query=PLAIN_TEXTS, texts=st.lists(PLAIN_TEXTS, min_size=1, max_size=4), cutoff=st.floats(0, 100))
def test_random_plain_texts_score_as_rapidfuzz_does(query: str, texts: list[str], cutoff: float) -> None:
    """Short words from a small alphabet (two letters not ASCII): many shared and repeated tokens, many ties."""
    assert fuzzy.pure_extract_one(query, texts, score_cutoff=cutoff) == rapidfuzz_best(query, tuple(texts), cutoff)


@pytest.mark.parametrize(
    "text", ["side effects of il2", "  padded  twice ", "", "café crème", "Upper Case", "dash-ed", "x_y"]
)
def test_default_process_is_rapidfuzz_s(text: str) -> None:
    assert fuzzy.pure_default_process(text) == utils.default_process(text)


def test_an_empty_query_is_scored_by_rapidfuzz() -> None:
    assert fuzzy.pure_extract_one("", ("cd4 count",), score_cutoff=0.0) == rapidfuzz_best("", ("cd4 count",), 0.0)


def test_answers_are_the_same_scored_in_python(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    before = [engine.ask(q) for q in QUERIES]
    monkeypatch.setattr(fuzzy, "_scorers", (fuzzy.pure_extract_one, fuzzy.pure_token_ratio))
    monkeypatch.setattr(fuzzy, "default_process", fuzzy.pure_default_process)
    after = [engine.ask(q) for q in QUERIES]
    assert [q for q, b, a in zip(QUERIES, before, after, strict=True) if b != a] == []


def _one_shot_ask(question: str) -> tuple[str, bool]:
    """`il2bot ask QUESTION` (bot.cli.run) in a fresh process, its cache warmed first: what it printed,
    and whether rapidfuzz was imported by the time it exited."""
    code = (
        "import os, sys; leave = os._exit; "
        "os._exit = lambda code: (print('rapidfuzz' in sys.modules, flush=True), leave(code)); "
        f"sys.argv = ['il2bot', 'ask', {question!r}]; from bot.cli import run; run()"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=True, env=env)  # warm
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    *printed, imported = proc.stdout.splitlines()
    return "\n".join(printed), imported == "True"


def test_the_one_shot_ask_does_not_import_rapidfuzz() -> None:
    """`il2bot ask` (bot.cli.run) answers a question whose words the cards all know without it."""
    printed, imported = _one_shot_ask("side effects of IL-2")
    assert ("side effects" in printed.lower(), imported) == (True, False)


def test_typo_matching_finds_what_rapidfuzz_finds(engine: Engine) -> None:
    """Every word of every development question, and every run of two and three, against the
    vocabulary phrases of as many words and the card words of the same first letter, each with one
    and two typos allowed."""
    from rapidfuzz.distance import OSA

    rd = engine.matcher.reader
    differ, compared = [], 0
    for n, text in _word_runs(rd):
        kin = rd.word_buckets.get((text[0], len(text)), []) + rd.word_buckets.get((text[0], len(text) + 1), [])
        for choices in (rd.fuzzy_phrases.get(n, []), kin):
            for cutoff in (1, 2):
                compared += 1
                mine = fuzzy.pure_closest(text, choices, cutoff)
                theirs = process.extractOne(
                    text, choices, scorer=OSA.distance, processor=None, score_cutoff=cutoff
                )
                if mine != theirs:
                    differ.append((text, cutoff, mine, theirs))
    assert (compared > 9_000, differ) == (True, [])


def _word_runs(rd: Reader) -> Iterator[tuple[int, str]]:
    """Every word of every development question, and every run of two and three: (words, text)."""
    for q in QUERIES:
        toks = rd.tokens(q)
        for n in (1, 2, 3):
            for i in range(len(toks) - n + 1):
                yield n, " ".join(toks[i : i + n])


def test_typod_phrases_tried_within_reach_find_what_all_find(engine: Engine) -> None:
    """A typo'd phrase is compared only with the phrases whose length is within its typos of its
    own: the nearest of all phrases is the same (more edits than that, whatever the letters)."""
    rd = engine.matcher.reader
    differ, compared = [], 0
    for n, text in _word_runs(rd):
        for typos in (1, 2):
            compared += 1
            near = fuzzy.closest(text, rd._near_lengths(n, len(text), typos), typos)
            every = fuzzy.closest(text, rd.fuzzy_phrases.get(n, []), typos)
            if (near and near[:2]) != (every and every[:2]):
                differ.append((text, typos, near, every))
    assert (compared > 4_000, differ) == (True, [])


def test_remembered_typos_read_as_fresh_ones(engine: Engine) -> None:
    """What the reader remembers of typo'd words and phrases changes no reading."""
    from bot.matcher.lexicon import default_lexicon
    from bot.matcher.reader import Reader

    m = engine.matcher
    queries = [*QUERIES, "proleukn side efects", "sponser of esprit", "stdy of il7", "beeing treated"]
    for q in queries:
        m.reader.read(q)  # remembered, maybe
    lexicon = default_lexicon()
    for q in queries:
        fresh = Reader(m.deck, m.index, lexicon)
        assert m.reader.read(q) == fresh.read(q), q


@settings(max_examples=300, deadline=None)
@given(
    query=st.text(alphabet="abcdé", min_size=1, max_size=9),
    choices=st.lists(st.text(alphabet="abcdé", max_size=10), min_size=1, max_size=8),
    cutoff=st.integers(0, 3),
)
def test_random_typos_are_matched_as_rapidfuzz_matches_them(query: str, choices: list[str], cutoff: int) -> None:
    from rapidfuzz.distance import OSA

    expected = process.extractOne(query, choices, scorer=OSA.distance, processor=None, score_cutoff=cutoff)
    assert fuzzy.pure_closest(query, choices, cutoff) == expected


def test_a_one_shot_ask_with_a_typo_does_not_import_rapidfuzz() -> None:
    """"patiens" is read as "patients" in Python too."""
    assert _one_shot_ask("how many patiens were in STALWART")[1] is False


def test_texts_all_far_under_the_cutoff_are_settled_without_rapidfuzz(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts whose lengths alone put them under the cutoff are not scored in full, and when every
    text is, the answer is None, not a tie handed to rapidfuzz."""

    def handed_over(*args: object) -> None:
        raise AssertionError("handed to rapidfuzz")

    monkeypatch.setattr(fuzzy, "_rapidfuzz_extract_one", handed_over)
    texts = ("anrs 119", "interstart", "nct00120185", "can il2 delay the need to start art")
    assert fuzzy.pure_extract_one("side efects of aldesleukin", texts, score_cutoff=85.3) is None
    assert fuzzy.pure_extract_one("side efects of aldesleukin", texts, score_cutoff=0.0) == (
        "can il2 delay the need to start art",
        pytest.approx(36.0655737704918),
        3,
    )
