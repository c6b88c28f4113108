"""`il2bot check`: broken content gets exact file:line messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cards.checks import check_summary_qualifiers, run_checks, unvouched
from bot.cards.loader import Layout, load
from bot.cards.qualifiers import content_words, draws_on, qualifiers, says, unsaid
from bot.cards.tokens import stated_tokens
from bot.cli import main
from bot.text import fold

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
GOOD_CARD = (FIXTURES / "mini" / "facts" / "cards" / "minileukin.yaml").read_text()
# A card full of numbers, codes and name-numbers, and the seed lines it quotes (added to the mini seed).
IDENTITY = "minileukin-identity.yaml"
IDENTITY_CARD = (FIXTURES / "digits" / IDENTITY).read_text(encoding="utf-8")
IDENTITY_SEED_LINES = (FIXTURES / "digits" / "seed-lines.txt").read_text(encoding="utf-8")
# A card with a mouse result and a proposed idea whose summary says so, and the seed lines it quotes.
MICE = "minileukin-mice.yaml"
MICE_CARD = (FIXTURES / "qualifiers" / MICE).read_text(encoding="utf-8")
MICE_SEED_LINES = (FIXTURES / "qualifiers" / "seed-lines.txt").read_text(encoding="utf-8")


def errors_for(root: Path) -> list[str]:
    return [str(e) for e in run_checks(Layout(root)).errors]


def test_mini_content_passes(mini_root: Path) -> None:
    report = run_checks(Layout(mini_root))
    assert report.errors == []
    assert report.summary() == (
        "ok: 2 cards, 2 facts, 2 quotes verified, 1 of 1 seeds cited, 5 vocabulary terms"
    )


BROKEN_CARDS = {
    "malformed YAML": (
        "id: x\ntitle: [unclosed\nkind: drug\n",
        ["facts/cards/broken.yaml:3: invalid YAML: did not find expected ',' or ']'"],
    ),
    "empty file": ("", ["facts/cards/broken.yaml:1: empty file"]),
    "not a mapping": ("- just\n- a list\n", ["facts/cards/broken.yaml:1: file: must be object, not list"]),
    "missing field": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "summary: Minileukin is a synthetic version of a natural protein.\n", ""
        ),
        ["facts/cards/broken.yaml:1: file: 'summary' is required"],
    ),
    "unknown key": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "kind: drug\n", "kind: drug\ncolour: red\n"
        ),
        ["facts/cards/broken.yaml:4: file: unknown key 'colour'"],
    ),
    "misspelled key": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace("summary:", "summry:"),
        [
            "facts/cards/broken.yaml:1: file: 'summary' is required",
            "facts/cards/broken.yaml:6: file: unknown key 'summry'",
        ],
    ),
    "unknown key in a fact": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace("    evidence:", "    evidense:"),
        ["facts/cards/broken.yaml:13: facts.0: unknown key 'evidense'"],
    ),
    "wrong type": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "topics: [overview]", "topics: overview"
        ),
        ["facts/cards/broken.yaml:5: topics: must be array, not str"],
    ),
    "bad enum": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace("kind: drug", "kind: rumour"),
        [
            "facts/cards/broken.yaml:3: kind: 'rumour' is not one of ['overview', 'drug', 'trial', 'publication', 'topic']"
        ],
    ),
    "duplicate key": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\ntitle: Twice\n"),
        ["facts/cards/broken.yaml:3: duplicate key 'title'"],
    ),
    "duplicate id": (
        GOOD_CARD,
        ["facts/cards/minileukin.yaml:1: duplicate id 'minileukin' (first used in facts/cards/broken.yaml)"],
    ),
    "quote not in seed": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "that is made naturally", "that is made artificially"
        ),
        [
            "facts/cards/broken.yaml:11: quote not found in seeds/mini.txt: 'Minileukin is a synthetic version of a protein that is made…'"
        ],
    ),
    "unknown source": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace("source: mini", "source: nowhere"),
        ["facts/cards/broken.yaml:10: unknown source 'nowhere' (not in seeds/sources.yaml)"],
    ),
    "number not in quote": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "text: Minileukin is a synthetic", "text: In 2019, minileukin is a synthetic"
        ),
        ["facts/cards/broken.yaml:8: '2019' is not in this fact's quotes"],
    ),
    "no evidence type": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace("    evidence: review\n", ""),
        ["facts/cards/broken.yaml:8: fact 1 has no evidence type"],
    ),
    "unknown evidence type": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace("evidence: review", "evidence: rumour"),
        [
            "facts/cards/broken.yaml:13: fact 1: unknown evidence type 'rumour' (known: label, registry, "
            "trial-result, review, preclinical, case-report, hypothesis, contact)"
        ],
    ),
    "unknown subject": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "subjects: [minileukin]", "subjects: [minileukin, unicorns]"
        ),
        ["facts/cards/broken.yaml:4: unknown subject 'unicorns' (add it to facts/vocabulary/)"],
    ),
    "NCT subject not in seed": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "subjects: [minileukin]", "subjects: [NCT99999999]"
        ),
        ["facts/cards/broken.yaml:4: subject NCT99999999 does not occur in the seeds this card cites"],
    ),
    "topic used as subject": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "subjects: [minileukin]", "subjects: [overview]"
        ),
        ["facts/cards/broken.yaml:4: 'overview' is a topic, not a subject"],
    ),
    "trial field not in seed": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            "kind: drug\n", 'kind: trial\ntrial:\n  phase: "3"\n'
        ),
        ["facts/cards/broken.yaml:5: trial.phase '3' does not occur in the seeds this card cites"],
    ),
    "invented url": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            'ref: "Mini sheet"',
            'ref: "Mini sheet"\n        url: https://clinicaltrials.gov/study/NCT07654321',
        ),
        [
            "facts/cards/broken.yaml:13: url https://clinicaltrials.gov/study/NCT07654321 is not derived from an identifier in seeds/mini.txt"
        ],
    ),
    "non-https url": (
        GOOD_CARD.replace("id: minileukin\n", "id: broken\n").replace(
            'ref: "Mini sheet"', 'ref: "Mini sheet"\n        url: http://example.com/x'
        ),
        [
            "facts/cards/broken.yaml:13: facts.0.cite.0.url: 'http://example.com/x' does not match '^https://(doi\\\\.org/10\\\\.[0-9]{4,9}/\\\\S+|clinicaltrials\\\\.gov/study/NCT[0-9]{8})$'"
        ],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_CARDS), ids=list(BROKEN_CARDS))
def test_broken_card_gets_exact_errors(mini_root: Path, case: str) -> None:
    text, expected = BROKEN_CARDS[case]
    (mini_root / "facts" / "cards" / "broken.yaml").write_text(text)
    assert errors_for(mini_root) == expected


def with_card(root: Path, name: str, card: str, seed_lines: str) -> Path:
    """The content at root with one more card and the seed lines it quotes."""
    seed = root / "seeds" / "mini.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + seed_lines, encoding="utf-8")
    (root / "facts" / "cards" / name).write_text(card, encoding="utf-8")
    return root


@pytest.fixture
def digits_root(mini_root: Path) -> Path:
    """The mini content with the identity card and the seed lines it quotes."""
    return with_card(mini_root, IDENTITY, IDENTITY_CARD, IDENTITY_SEED_LINES)


def test_identity_card_passes_as_a_careful_reader_compares(digits_root: Path) -> None:
    """Unicode dashes, the middle dot, thousands separators, a thin space, a spelled-out number,
    a date in another order and the card's own drug name (ML-2) all count as stated."""
    report = run_checks(Layout(digits_root))
    assert [str(e) for e in report.errors] == []
    assert report.summary().startswith("ok: 3 cards, 8 facts, 8 quotes verified")


# One changed character in the identity card, and the exact errors it gets (line: message). A
# number the summary repeats is then also reported there: no fact states it any more.
ELIGIBILITY = "Eligibility: weight 45–80Kg; 10µg/kg every day; a response in 12-20% after 9-10 doses."
NOT_STATED = "6: summary: '{}' is not stated by any fact of the card"
WRONG_TOKENS = {
    "CAS number, last digit": (
        ("number: 110942-02-4.", "number: 110942-02-7."),
        [NOT_STATED.format("110942-02-4"), "8: '110942-02-7' is not in this fact's quotes"],
    ),
    "upper bound of a range glued to its unit": (
        (ELIGIBILITY, ELIGIBILITY.replace("45–80Kg", "45–90Kg")),
        [NOT_STATED.format("45-80Kg"), "14: '45-90Kg' is not in this fact's quotes"],
    ),
    "lower bound of a percentage range": (
        (ELIGIBILITY, ELIGIBILITY.replace("12-20%", "13-20%")),
        ["14: '13-20%' is not in this fact's quotes"],
    ),
    "dose glued to its unit": (
        (ELIGIBILITY, ELIGIBILITY.replace("10µg/kg", "18µg/kg")),
        ["14: '18\u03bcg/kg' is not in this fact's quotes"],
    ),
    "count range": (
        (ELIGIBILITY, ELIGIBILITY.replace("9-10 doses", "9-11 doses")),
        [NOT_STATED.format("9-10"), "14: '9-11' is not in this fact's quotes"],
    ),
    "phone number": (
        ("number: 1-800-448-0440", "number: 1-800-448-0441"),
        ["20: '1-800-448-0441' is not in this fact's quotes"],
    ),
    "name-number": (
        ("(ML-2) is CD122-biased", "(ML-2) is CD132-biased"),
        [NOT_STATED.format("CD122-biased"), "26: 'CD132-biased' is not in this fact's quotes"],
    ),
    "study number": (("in ANRS118 the", "in ANRS418 the"), ["26: 'ANRS418' is not in this fact's quotes"]),
    "hyphenated name-number": (
        ("the SRI-4 response", "the SRI-5 response"),
        ["26: 'SRI-5' is not in this fact's quotes"],
    ),
    "short name-number": (("through p38;", "through p39;"), ["26: 'p39' is not in this fact's quotes"]),
    "decimal against a middle dot": (("was 8.4%", "was 8.5%"), ["26: '8.5%' is not in this fact's quotes"]),
    "a name-number like the drug's own": (
        ("(ML-2) is", "(ML-3) is"),
        ["26: 'ML-3' is not in this fact's quotes"],
    ),
    "spelled-out number": (
        ('text: "42 of', 'text: "43 of'),
        [NOT_STATED.format("42"), "32: '43' is not in this fact's quotes"],
    ),
    "thousands separator": (
        ('text: "42 of 1535', 'text: "42 of 1536'),
        [NOT_STATED.format("1535"), "32: '1536' is not in this fact's quotes"],
    ),
    "thin-space thousands": (
        ("; 10000 doses", "; 10001 doses"),
        ["32: '10001' is not in this fact's quotes"],
    ),
    "day of a date in another order": (
        ("on 1 May 2023", "on 2 May 2023"),
        ["38: '2023-05-02' is not in this fact's quotes"],
    ),
    "summary number no quote states": (
        ("after 9-10 doses.\nfacts", "after 9-12 doses.\nfacts"),
        ["6: summary: '9-12' is not in any quote of the card"],
    ),
    "summary number no fact states": (
        (ELIGIBILITY, ELIGIBILITY.replace("after 9-10 doses", "after several doses")),
        [NOT_STATED.format("9-10")],
    ),
}


@pytest.mark.parametrize("case", list(WRONG_TOKENS), ids=list(WRONG_TOKENS))
def test_every_changed_digit_is_caught(digits_root: Path, case: str) -> None:
    (old, new), expected = WRONG_TOKENS[case]
    assert IDENTITY_CARD.count(old) == 1
    (digits_root / "facts" / "cards" / IDENTITY).write_text(IDENTITY_CARD.replace(old, new), encoding="utf-8")
    assert errors_for(digits_root) == [f"facts/cards/{IDENTITY}:{e}" for e in expected]


@pytest.mark.parametrize("phase", ["Phase 3", "Phase 46", "phase 2/3"])
def test_summary_phase_must_be_the_phase_the_quotes_give(mini_root: Path, phase: str) -> None:
    """A phase is one token with its number: "Phase 46" is wrong although "46" is quoted."""
    path = mini_root / "facts" / "cards" / "minileukin-side-effects.yaml"
    path.write_text(path.read_text().replace("summary: In a Phase 2 study", f"summary: In a {phase} study"))
    assert errors_for(mini_root) == [
        f"facts/cards/minileukin-side-effects.yaml:6: summary: '{phase}' is not in any quote of the card"
    ]


@pytest.mark.parametrize("written", ["phase II", "Phase-2", "phase 2"])
def test_a_phase_may_be_written_as_a_careful_reader_would(mini_root: Path, written: str) -> None:
    path = mini_root / "facts" / "cards" / "minileukin-side-effects.yaml"
    path.write_text(path.read_text().replace("summary: In a Phase 2 study", f"summary: In a {written} study"))
    assert errors_for(mini_root) == []


# The token rule on its own: (fact text, quote, the fact's tokens the quote does not state).
TOKEN_RULE = [
    ("CAS 110942-02-4", "110942-02-4 (CAS)", []),
    ("CAS 110942-02-7", "110942-02-4 (CAS)", ["110942-02-7"]),
    ("02-4", "110942-02-4 (CAS)", ["02-4"]),  # a token is compared whole, not as pieces of another
    ("weight up to 80 kg", "weight 45-80Kg", []),  # a quoted range states its ends
    ("weight 45-80 Kg", "weight 45-80Kg", []),
    ("IL-3", "IL-2/IL-3 interplay", []),
    ("2 weeks", "low-dose IL-2 therapy", ["2"]),  # a name-number's digit is not a number
    ("6.8%", "thrombosis (6.8 versus 18.6%, p = .01)", []),  # a percentage is stated by its number
    ("6.8 mg", "6.8%", ["6.8"]),
    ("NCT00004978", "ESPRIT (NCT00004978and SILCAAT", []),  # the seed's own typo glues a word on
    ("8.4", "8·4", []),
    ("1535", "1,535 participants", []),
    ("1,535", "1535 participants", []),
    ("10000", "10\u2009000 doses", []),
    ("1-800-448-0440", "1\u2011800\u2011448\u20110440", []),
    ("12–20%", "12-20%", []),
    ("42 patients", "Forty two patients", []),
    ("118 patients", "One hundred and eighteen patients", []),
    ("1 May 2023", "May 1, 2023", []),
    ("May 2, 2023", "1 May 2023", ["2023-05-02"]),
    ("Phase 2", "a phase II trial", []),
    ("Phase 2", "phase 3 trial of 2 arms", ["Phase 2"]),
    ("grade 3 or 4", "Grade 3/4 adverse events", []),
    ("stage 2", "stages 2, 3, or 4S", []),
    ("CD4+", "CD4 count", ["CD4+"]),
    ("CD4", "CD4+ T cells", []),
]


@pytest.mark.parametrize(("fact", "quote", "missing"), TOKEN_RULE)
def test_token_rule(fact: str, quote: str, missing: list[str]) -> None:
    assert unvouched(fact, set(stated_tokens(quote)), None) == missing


WORDS = [
    "0",
    "12",
    "3.5",
    "45-80Kg",
    "IL-2",
    "CD4+",
    "Phase",
    "stages",
    "II",
    "2/3",
    "May",
    "1,",
    "2023",
    "Forty",
    "two",
    "1,535",
    "8·4%",
    "–",
    "(",
    "of",
    "10\u2009000",
    "p<0·001",
    "-",
    "grade",
    "3/4",
    "5th",
]


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=10), st.sampled_from([" ", "-", "/"]))
@settings(max_examples=300, deadline=None)
def test_a_text_states_every_token_it_has(words: list[str], glue: str) -> None:
    """The token rule is consistent: a fact quoting itself is never flagged."""
    text = glue.join(words)
    assert unvouched(text, set(stated_tokens(text)), None) == []


def test_missing_seed_file(mini_root: Path) -> None:
    (mini_root / "seeds" / "mini.txt").unlink()
    assert errors_for(mini_root) == [
        "seeds/sources.yaml:2: source 'mini': seed file mini.txt is missing or unreadable"
    ]


def test_source_date_must_be_in_seed(mini_root: Path) -> None:
    path = mini_root / "seeds" / "sources.yaml"
    path.write_text(path.read_text().replace("May 1, 2023", "June 1, 2024"))
    assert errors_for(mini_root) == [
        "seeds/sources.yaml:2: source 'mini': date_text 'Last Reviewed: June 1, 2024' is not in seeds/mini.txt"
    ]


def test_an_impossible_unquoted_date_is_located_not_raised(mini_root: Path) -> None:
    path = mini_root / "seeds" / "sources.yaml"
    path.write_text(path.read_text().replace('date: "2023-05-01"', "date: 2026-02-30"))
    assert errors_for(mini_root) == [
        "seeds/sources.yaml:7: invalid value '2026-02-30' (day is out of range for month); quote it if it is text"
    ]


def test_vocabulary_phrase_naming_two_terms(mini_root: Path) -> None:
    path = mini_root / "facts" / "vocabulary" / "mini.yaml"
    path.write_text(path.read_text().replace("terms: [what is]", "terms: [what is, Mini]"))
    assert errors_for(mini_root) == [
        "facts/vocabulary/mini.yaml:10: 'overview': term 'Mini' also names 'minileukin'"
    ]


def test_unknown_vocabulary_key(mini_root: Path) -> None:
    path = mini_root / "facts" / "vocabulary" / "mini.yaml"
    path.write_text(path.read_text().replace("    kind: drug\n", "    kind: drug\n    synonyms: [x]\n"))
    assert errors_for(mini_root) == [
        "facts/vocabulary/mini.yaml:5: subjects.minileukin: unknown key 'synonyms'"
    ]


def test_cli_prints_errors_and_exits_1(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mini_root / "facts" / "cards" / "broken.yaml").write_text("id: [\n")
    assert main(["--root", str(mini_root), "check"]) == 1
    out, err = capsys.readouterr()
    [line] = out.splitlines()  # the YAML reader's own words differ between libyaml and pure Python
    assert line.startswith("facts/cards/broken.yaml:2: invalid YAML: ")
    assert "Traceback" not in out + err
    assert err == "1 problem found\n"


def test_cli_success_prints_one_summary_line(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(mini_root), "check"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("ok: 2 cards") and out.count("\n") == 1


def test_coverage_lists_uncited_seed_lines(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(mini_root), "check", "--coverage"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[:4] == [
        "seeds/mini.txt:1: not cited: Mini drug sheet",
        "seeds/mini.txt:5: not cited: Study Name: NCT01234567",
        "seeds/mini.txt:6: not cited: Status: This study has been completed.",
        "seeds/mini.txt:8: not cited: Last Reviewed: May 1, 2023",
    ]
    assert "coverage: 4 seed lines not cited by any card" in out


def test_binary_card_file_is_reported_not_raised(mini_root: Path) -> None:
    (mini_root / "facts" / "cards" / "broken.yaml").write_bytes(b"\xff\xfe\x00garbage")
    assert errors_for(mini_root) == ["facts/cards/broken.yaml:1: not UTF-8 text (invalid start byte)"]


def test_python_m_bot_check_runs_on_the_repository() -> None:
    proc = subprocess.run([sys.executable, "-m", "bot", "check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok: ")


def test_real_summaries_say_in_words_what_their_lab_and_hypothesis_facts_are() -> None:
    from bot.paths import content_root

    loaded = load(Layout(Path(content_root())))
    assert [str(e) for e in check_summary_qualifiers(loaded)] == []


# The real summaries the rule guards: each draws on a lab or hypothesis fact, and would be flagged
# (for that evidence type) if its qualifier words ("mouse", "in vitro", "propose" ...) were deleted.
# A card whose summary is rewritten to draw on other facts leaves this table; review it like a diff.
GUARDED_SUMMARIES = {
    "pub-benonisson-2018": ["preclinical"],
    "pub-bernson-2018": ["hypothesis"],
    "pub-boyman-2019": ["preclinical"],
    "pub-carmenate-2018": ["preclinical"],
    "pub-cheung-2019": ["preclinical"],
    "pub-hu-2019": ["preclinical"],
    "pub-kim-2018": ["preclinical"],
    "pub-leon-2018": ["preclinical"],
    "pub-nakase-2018": ["hypothesis"],
    "pub-qian-2018": ["preclinical"],
    "pub-qiao-2018": ["preclinical"],
    "pub-zhang-2019": ["preclinical"],
    "il-7-research-uses": ["hypothesis"],
    "il-7-vs-proleukin": ["hypothesis"],
    "lupus-trial-background": ["hypothesis"],
    "ld-il2-autoimmune-rationale": ["hypothesis"],
}


def test_the_rule_would_catch_every_real_summary_losing_its_qualifiers() -> None:
    from bot.paths import content_root

    loaded = load(Layout(Path(content_root())))
    rules = qualifiers(doc.data for doc in loaded.vocabulary_docs.values())

    def stripped(summary: str) -> str:
        for q in rules.values():
            summary = q.pattern.sub(" ", fold(summary))
        return summary

    stop = loaded.deck.stopwords
    flagged = {
        card.id: [q.evidence for q in unsaid(card._replace(summary=stripped(card.summary)), rules, stop)]
        for card in loaded.deck.cards
    }
    assert {cid: kinds for cid, kinds in flagged.items() if kinds} == GUARDED_SUMMARIES
    with_such_facts = {c.id for c in loaded.deck.cards if any(f.evidence in rules for f in c.facts)}
    assert with_such_facts == set(GUARDED_SUMMARIES)


def test_every_nct_number_in_the_seeds_has_its_trial_card() -> None:
    import re

    from bot.paths import content_root

    root = Path(content_root())
    text = " ".join(p.read_text() for p in (root / "seeds").glob("*.txt"))
    ncts = set(re.findall(r"NCT\d{8}", text))
    report = run_checks(Layout(root))
    trial_ncts = {c.trial.nct for c in report.loaded.deck.cards if c.kind == "trial" and c.trial}
    assert len(ncts) == 14
    assert sorted(ncts - trial_ncts) == []


def test_every_named_study_and_publication_has_a_card() -> None:
    import re

    from bot.paths import content_root

    root = Path(content_root())
    deck = run_checks(Layout(root)).loaded.deck
    ids = {c.id for c in deck.cards}
    for study in ("esprit", "silcaat", "stalwart", "iliade", "anrs-119", "cosmic"):
        assert f"trial-{study}" in ids
    # CancerIndex lists 30 publications, each with its journal line ending in "[PubMed]".
    page = (root / "seeds" / "cancerindex-interleukin-2.txt").read_text()
    journals = [line.split(" [PubMed]")[0].strip() for line in page.splitlines() if "[PubMed]" in line]
    refs = {
        c.ref for card in deck.cards if card.kind == "publication" for f in card.facts for c in f.citations
    }
    assert len(journals) == 30
    assert [j for j in journals if j not in refs] == []
    assert sum(1 for c in deck.cards if c.kind == "publication" and c.id.startswith("pub-")) == 31
    assert re.search(r"pub-rosenzwajg-2019", " ".join(ids))


def test_a_folder_without_content_is_named_not_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(tmp_path), "check"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "facts/cards:1: missing (is this the il2bot content folder?)"
    assert "Traceback" not in out + err
    assert main(["--root", str(tmp_path), "ask", "lupus"]) == 1
    assert "missing (is this the il2bot content folder?)" in capsys.readouterr().err


def test_a_topic_the_matcher_relies_on_must_exist(mini_root: Path) -> None:
    vocab = mini_root / "facts" / "vocabulary" / "mini.yaml"
    vocab.write_text(vocab.read_text().replace("  overview:\n", "  introduction:\n"))
    assert errors_for(mini_root) == [
        "facts/cards/minileukin.yaml:5: unknown topic 'overview' (add it to facts/vocabulary/)",
        "facts/vocabulary/mini.yaml:1: the matcher relies on the topic 'overview', which the vocabulary lacks",
    ]


# The kinds of fact the matcher relies on, written after the kind a test is about (its lines keep
# their numbers).
RELIED_ON_KINDS = {
    "date": ("label: date", "asks: [when was]", "patterns: ['\\b20\\d\\d\\b']"),
    "reference": ("label: publication reference", "asks: [which journal]", "patterns: ['\\bjournal\\b']"),
    "funder": ("label: funder", "asks: [who funded]", "patterns: ['\\bfund']"),
    "place": ("label: location", "asks: [which hospital]", "patterns: ['\\bhospital\\b']"),
    "sponsor": ("label: sponsor", "asks: [who sponsored]", "patterns: ['\\bsponsor']"),
}


def _write_fact_kind(mini_root: Path, kind: str, *lines: str) -> None:
    """The mini content's fact kinds: one kind, with these lines below its id, then those relied on."""
    answers = mini_root / "facts" / "vocabulary" / "answers.yaml"
    kinds = [(kind, lines), *((k, v) for k, v in RELIED_ON_KINDS.items() if k != kind)]
    answers.write_text("fact_kinds:\n" + "".join(f"  {k}:\n" + "".join(f"    {x}\n" for x in v) for k, v in kinds))


def test_a_fact_kind_the_matcher_relies_on_must_exist(mini_root: Path) -> None:
    answers = mini_root / "facts" / "vocabulary" / "answers.yaml"
    answers.write_text("fact_kinds:\n  date:\n    label: date\n    asks: [when was]\n    patterns: ['\\b20']\n")
    assert errors_for(mini_root) == [
        "facts/vocabulary/mini.yaml:1: the matcher relies on the fact kind 'funder', which the vocabulary lacks",
        "facts/vocabulary/mini.yaml:1: the matcher relies on the fact kind 'place', which the vocabulary lacks",
        "facts/vocabulary/mini.yaml:1: the matcher relies on the fact kind 'reference', which the vocabulary lacks",
        "facts/vocabulary/mini.yaml:1: the matcher relies on the fact kind 'sponsor', which the vocabulary lacks",
    ]


def test_a_fact_kind_may_require_only_known_evidence_types(mini_root: Path) -> None:
    _write_fact_kind(
        mini_root,
        "result",
        "label: results",
        "asks: [result]",
        "patterns: ['\\bresult']",
        "evidence: [trial-result, animal-study]",
    )
    assert errors_for(mini_root) == [
        "facts/vocabulary/answers.yaml:6: fact kind 'result': unknown evidence type 'animal-study' "
        "(known: case-report, contact, hypothesis, label, preclinical, registry, review, trial-result)",
    ]


def test_a_fact_kind_may_be_narrowed_only_to_a_known_kind(mini_root: Path) -> None:
    _write_fact_kind(
        mini_root,
        "enrollment",
        "label: enrollment",
        "asks: [how many people]",
        "patterns: ['\\benrol']",
        "narrowed_to: tally",
        "narrowing: [quit]",
    )
    assert errors_for(mini_root) == [
        "facts/vocabulary/answers.yaml:6: fact kind 'enrollment': narrowed to 'tally', which is no fact kind",
    ]


def test_a_fact_kind_may_replace_only_known_kinds(mini_root: Path) -> None:
    _write_fact_kind(
        mini_root,
        "actual-enrollment",
        "label: actual enrollment",
        "asks: [enrolled so far]",
        "patterns: ['\\benrolled\\b']",
        "replaces: [enrolment]",
    )
    assert errors_for(mini_root) == [
        "facts/vocabulary/answers.yaml:6: fact kind 'actual-enrollment': replaces 'enrolment', which is no fact kind",
    ]


def test_a_fact_kind_may_drop_only_known_topics(mini_root: Path) -> None:
    _write_fact_kind(
        mini_root,
        "supply",
        "label: supplier",
        "asks: [where do i order]",
        "patterns: ['\\bwholesaler']",
        "drops_topics: [whereabouts]",
    )
    assert errors_for(mini_root) == [
        "facts/vocabulary/answers.yaml:6: fact kind 'supply': drops 'whereabouts', which is no topic",
    ]


def test_a_fact_kind_gives_events_dates_only_on_known_topics(mini_root: Path) -> None:
    _write_fact_kind(
        mini_root,
        "date",
        "label: date",
        "asks: [when did]",
        "patterns: ['\\b20\\d\\d\\b']",
        "event_words: [start]",
        "event_topics: [calendar]",
    )
    assert errors_for(mini_root) == [
        "facts/vocabulary/answers.yaml:7: fact kind 'date': event topic 'calendar' is no topic",
    ]


def test_a_fact_kind_pattern_is_a_regular_expression(mini_root: Path) -> None:
    _write_fact_kind(
        mini_root,
        "route",
        "label: route",
        "asks: [route]",
        "patterns: ['\\binject']",
        "named: ['\\bsubcutane', '(iv']",
    )
    assert errors_for(mini_root) == [
        "facts/vocabulary/answers.yaml:6: fact kind 'route': named 2 is no regular expression "
        "(missing ), unterminated subpattern at position 0)",
    ]


# --- Summaries keep their facts' qualifiers ("in mice", "proposed") ------------------------------
MICE_SUMMARY = (
    "In mice, minileukin shrank melanoma tumours and doubled survival; "
    "the authors propose that it may also restore regulatory T cells in lupus."
)
LAB_RESULT = (
    'summary states a lab or animal study result without saying so (add "in mice", "in cells", "in vitro" ...)'
)
LAB = f"facts/cards/{MICE}:8: {LAB_RESULT}"
IDEA = (
    f"facts/cards/{MICE}:8: summary states a proposed idea as established without saying so "
    '(add "proposed", "suggests", "may" ...)'
)


@pytest.fixture
def mice_root(mini_root: Path) -> Path:
    """The mini content with the mouse-study card and the seed lines it quotes."""
    return with_card(mini_root, MICE, MICE_CARD, MICE_SEED_LINES)


def test_a_summary_saying_in_mice_and_proposed_passes(mice_root: Path) -> None:
    assert f"summary: {MICE_SUMMARY}\n" in MICE_CARD
    assert errors_for(mice_root) == []


# The summary of the mouse-study card rewritten, and the exact errors it gets.
UNQUALIFIED_SUMMARIES = {
    "mouse result without in mice": (
        "Minileukin shrank melanoma tumours and doubled survival; "
        "the authors propose that it may also restore regulatory T cells in lupus.",
        [LAB],
    ),
    "proposed idea stated as established": (
        "In mice, minileukin shrank melanoma tumours and doubled survival; "
        "it also restores regulatory T cells in lupus.",
        [IDEA],
    ),
    "both unqualified": (
        "Minileukin shrank melanoma tumours and doubled survival and restores regulatory T cells in lupus.",
        [LAB, IDEA],
    ),
    "a hedge inside another word is no hedge": (
        "In mice, minileukin shrank melanoma tumours and doubled survival; "
        "at the Mayo clinic it also restores regulatory T cells in lupus.",
        [IDEA],
    ),
    "a hedge does not qualify a lab result": (
        "Minileukin shrank melanoma tumours and doubled survival, the authors propose.",
        [LAB],
    ),
    "qualified in other words": (
        "In a mouse study minileukin shrank melanoma tumours and doubled survival; "
        "the authors hypothesise that it also restores regulatory T cells in lupus.",
        [],
    ),
    "a summary that does not repeat the lab or proposed facts": (
        "Minileukin is given by injection under the skin once a day; it was studied in lupus.",
        [],
    ),
}


@pytest.mark.parametrize("case", list(UNQUALIFIED_SUMMARIES), ids=list(UNQUALIFIED_SUMMARIES))
def test_a_summary_must_say_it_states_a_lab_result_or_a_proposed_idea(mice_root: Path, case: str) -> None:
    summary, expected = UNQUALIFIED_SUMMARIES[case]
    (mice_root / "facts" / "cards" / MICE).write_text(MICE_CARD.replace(MICE_SUMMARY, summary), encoding="utf-8")
    assert errors_for(mice_root) == expected


# The real vocabulary's words: (evidence type, text, whether the text says it).
REAL_QUALIFIERS = qualifiers([yaml.safe_load((REPO / "facts" / "vocabulary" / "evidence.yaml").read_text())])
SAYS = [
    ("preclinical", "In mice, the drug shrank tumours", True),
    ("preclinical", "in Mice", True),
    ("preclinical", "tested in-vitro", True),
    ("preclinical", "in SW480 colorectal cancer cells in vitro", True),
    ("preclinical", "in a rat model", True),
    ("preclinical", "in xenografted animals", True),
    ("preclinical", "a laboratory (cell) study", True),
    ("preclinical", "rather effective", False),  # whole words: "rat" is not "rather"
    ("preclinical", "blocked IL-2 signalling in vivo", False),  # in vivo may be in people
    ("preclinical", "expands regulatory T cells", False),
    ("hypothesis", "the authors hypothesised that", True),
    ("hypothesis", "researchers hope it will boost CD4 counts", True),
    ("hypothesis", "it has a broad therapeutic potential", True),
    ("hypothesis", "it may help", True),
    ("hypothesis", "started in May 2019", False),  # a month, not a hedge
    ("hypothesis", "at the Mayo clinic", False),
    ("hypothesis", "low-dose IL-2 is used because it expands Tregs", False),
]


@pytest.mark.parametrize(("evidence", "text", "said"), SAYS)
def test_qualifier_words(evidence: str, text: str, said: bool) -> None:
    assert says(REAL_QUALIFIERS[evidence], text) is said


# When a summary draws on a fact: (summary, fact, whether it does), stopwords aside.
DRAWS_ON = [
    ("Low-dose IL-2 promoted Tregs and inhibited Th17 cells.", "low-dose IL-2 promoting Treg, inhibiting Th17", True),
    ("The authors propose that this depletion reduces the benefit.",
     "Proposed mechanism: depletes NK cells, which reduces the clinical benefit.", True),
    ("Tregs expand.", "Tregs expand and control inflammation.", False),  # fewer than 3 shared words
    ("Berberine suppressed IL-2 secretion.", "Berberine suppressed IL-2 mRNA expression and protein "
     "secretion, but had no cytotoxic effect at doses of 40 μg/ml in PHA-stimulated Jurkat cells.", False),
]


@pytest.mark.parametrize(("summary", "fact", "drawn"), DRAWS_ON)
def test_a_summary_draws_on_a_fact_it_repeats_enough_of(summary: str, fact: str, drawn: bool) -> None:
    stop = frozenset({"and", "but", "had", "the"})
    assert draws_on(content_words(summary, stop), content_words(fact, stop)) is drawn


VOCABULARY_ERRORS = {
    "words without the claim they qualify": (
        "    summary_claim: a lab or animal study result\n",
        "",
        ["facts/vocabulary/evidence.yaml:21: evidence.preclinical: 'summary_claim' is a dependency of 'summary_says'"],
    ),
    "a word in capitals": (
        "[in mice, in cells,",
        "[In Mice, in cells,",
        [
            "facts/vocabulary/evidence.yaml:25: evidence.preclinical.summary_says.0: "
            "'In Mice' does not match \"^[a-z]+([ '-][a-z]+)*\\\\*?$\""
        ],
    ),
}


@pytest.mark.parametrize("case", list(VOCABULARY_ERRORS), ids=list(VOCABULARY_ERRORS))
def test_qualifier_vocabulary_is_validated(mini_root: Path, case: str) -> None:
    old, new, expected = VOCABULARY_ERRORS[case]
    path = mini_root / "facts" / "vocabulary" / "evidence.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert errors_for(mini_root) == expected


def test_an_ask_apart_has_two_parts(mini_root: Path) -> None:
    _write_fact_kind(
        mini_root,
        "result",
        "label: results",
        "asks: [results]",
        "asks_apart: ['what did show']",
        "patterns: ['\\bresult']",
    )
    assert [e.split(": ", 1)[1] for e in errors_for(mini_root)] == [
        "fact_kinds.result.asks_apart.0: 'what did show' does not match '^[^|]+[|][^|]+$'"
    ]
