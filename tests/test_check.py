"""`il2bot check`: broken content gets exact file:line messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cards.checks import run_checks
from bot.cards.loader import Layout
from bot.cli import main

GOOD_CARD = (Path(__file__).parent / "fixtures" / "mini" / "facts" / "cards" / "minileukin.yaml").read_text()


def errors_for(root: Path) -> list[str]:
    return [str(e) for e in run_checks(Layout(root)).errors]


def test_mini_content_passes(mini_root: Path) -> None:
    report = run_checks(Layout(mini_root))
    assert report.errors == []
    assert report.summary() == (
        "ok: 2 cards, 2 facts, 2 quotes verified, 1 of 1 seeds cited, 3 vocabulary terms"
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
        ["facts/cards/broken.yaml:1: file: unknown key 'colour'"],
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
        ["facts/cards/broken.yaml:8: number 2019 is not in this fact's quotes"],
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
        "facts/vocabulary/mini.yaml:2: subjects.minileukin: unknown key 'synonyms'"
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
    refs = {c.ref for card in deck.cards if card.kind == "publication" for f in card.facts for c in f.citations}
    assert len(journals) == 30
    assert [j for j in journals if j not in refs] == []
    assert sum(1 for c in deck.cards if c.kind == "publication" and c.id.startswith("pub-")) == 31
    assert re.search(r"pub-rosenzwajg-2019", " ".join(ids))


def test_a_folder_without_content_is_named_not_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path), "check"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "facts/cards:1: missing (is this the il2bot content folder?)"
    assert "Traceback" not in out + err
    assert main(["--root", str(tmp_path), "ask", "lupus"]) == 1
    assert "missing (is this the il2bot content folder?)" in capsys.readouterr().err
