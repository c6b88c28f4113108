"""The fact-matcher: a golden table of real questions, abstentions, and reading rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_blind import quotes_answer  # the blind set's fact-level scoring, shared

from bot.engine import Context, Engine, load_engine
from bot.matcher import Matcher
from bot.matcher.index import labelled_numbers, stem
from bot.matcher.kinds import spells
from bot.matcher.scorer import Tuning
from bot.text import normalize

# Gates two points under the figures measured after issue 9's nineteenth pass (README lists each pass;
# in brackets, the figures with the code at the pass's start, 37d8c26; questions76-80 on arrival).
DEV3_TOP1 = 0.920  # questions3: 94.1% and 98.1% (94.1% and 98.1%)
DEV3_ABSTENTION = 0.961
DEV4_TOP1 = 0.920  # questions4: 94.1% and 94.5% (94.5% and 92.7%)
DEV4_ABSTENTION = 0.925
DEV5_TOP1 = 0.904  # questions5: 92.5% and 98.1% (92.5% and 98.1%)
DEV5_ABSTENTION = 0.960
DEV6_TOP1 = 0.918  # questions6: 93.9% and 92.5% (93.9% and 92.5%)
DEV6_ABSTENTION = 0.904
DEV7_TOP1 = 0.950  # questions7: 97.1% and 96.6% (97.1% and 96.6%)
DEV7_ABSTENTION = 0.945
DEV8_TOP1 = 0.959  # questions8: 97.9% and 98.1% (97.9% and 98.1%)
DEV8_ABSTENTION = 0.960
DEV9_TOP1 = 0.937  # questions9: 95.7% and 98.1% (95.7% and 98.1%)
DEV9_ABSTENTION = 0.961
DEV10_TOP1 = 0.912  # questions10, paraphrased hard: 93.2% and 98.2% (93.2% and 98.2%)
DEV10_ABSTENTION = 0.962
DEV11_TOP1 = 0.937  # questions11: 95.8% and 96.4% (95.8% and 96.4%)
DEV11_ABSTENTION = 0.943
DEV12_TOP1 = 0.937  # questions12: 95.7% and 98.2% (95.7% and 98.2%)
DEV12_ABSTENTION = 0.962
DEV13_TOP1 = 0.937  # questions13, every style and deep detail: 95.8% and 97.4% (95.8% and 97.4%)
DEV13_ABSTENTION = 0.954
DEV14_TOP1 = 0.941  # questions14, hurried and indirect: 96.2% and 100.0% (96.2% and 100.0%)
DEV14_ABSTENTION = 0.980
DEV15_TOP1 = 0.888  # questions15, every paragraph in order: 90.8% and 98.4% (90.8% and 98.4%)
DEV15_ABSTENTION = 0.963
DEV16_TOP1 = 0.943  # questions16, four personas: 96.3% and 98.4% (96.3% and 96.8%)
DEV16_ABSTENTION = 0.964
DEV17_TOP1 = 0.956  # questions17, busy and terse, numbers: 97.7% and 98.6% (97.7% and 98.6%)
DEV17_ABSTENTION = 0.966
DEV18_TOP1 = 0.891  # questions18, lay words, why and how, expert shorthand: 91.2% and 93.8% (91.2% and 93.8%)
DEV18_ABSTENTION = 0.917
DEV19_TOP1 = 0.889  # questions19, busy Slack mix: 91.0% and 96.8% (91.0% and 96.8%)
DEV19_ABSTENTION = 0.948
DEV20_TOP1 = 0.952  # questions20, sceptical reviewers, near-misses: 97.2% and 89.8% (97.2% and 89.8%)
DEV20_ABSTENTION = 0.877
DEV21_TOP1 = 0.901  # questions21, every style: 92.1% and 100.0% (92.1% and 100.0%)
DEV21_ABSTENTION = 0.980
DEV22_TOP1 = 0.924  # questions22, adjacent teams, own words: 94.5% and 97.7% (94.5% and 97.7%)
DEV22_ABSTENTION = 0.957
DEV23_TOP1 = 0.943  # questions23, mid-conversation checks and fragments: 96.4% and 93.1% (96.4% and 93.1%)
DEV23_ABSTENTION = 0.911
DEV24_TOP1 = 0.936  # questions24, every style (held out, measured once): 95.6% and 98.6% (95.6% and 98.6%)
DEV24_ABSTENTION = 0.966
DEV25_TOP1 = 0.919  # questions25, patients, families, pharmacists: 93.9% and 95.7% (93.9% and 95.7%)
DEV25_ABSTENTION = 0.937
DEV26_TOP1 = 0.945  # questions26, trial staff, design detail: 96.5% and 91.8% (96.5% and 91.8%)
DEV26_ABSTENTION = 0.897
DEV27_TOP1 = 0.942  # questions27, every style: 96.2% and 95.2% (96.2% and 95.2%)
DEV27_ABSTENTION = 0.931
DEV28_TOP1 = 0.940  # questions28, half-remembered names, near-misses: 96.1% and 89.0% (96.1% and 89.0%)
DEV28_ABSTENTION = 0.870
DEV29_TOP1 = 0.936  # questions29, busy channel, half-remembered numbers: 95.6% and 95.2% (95.6% and 95.2%)
DEV29_ABSTENTION = 0.932
DEV30_TOP1 = 0.924  # questions30, six writers, every style (held out, measured once): 94.4% and 96.7% (94.4% and 96.7%)
DEV30_ABSTENTION = 0.947
DEV31_TOP1 = 0.950  # questions31, patient advocates and new hires, lay words: 97.0% and 95.7% (97.0% and 95.7%)
DEV31_ABSTENTION = 0.936
DEV32_TOP1 = 0.910  # questions32, experienced researchers, terse shorthand: 93.0% and 96.7% (93.0% and 96.7%)
DEV32_ABSTENTION = 0.946
DEV33_TOP1 = 0.971  # questions33, probing near-misses: 99.2% and 93.3% (99.2% and 93.3%)
DEV33_ABSTENTION = 0.912
DEV34_TOP1 = 0.919  # questions34, typed fast on a phone: 93.9% and 96.8% (93.9% and 96.8%)
DEV34_ABSTENTION = 0.948
DEV35_TOP1 = 0.906  # questions35, pharmacists and coordinators checking details: 92.6% and 96.3% (92.9% and 96.3%)
DEV35_ABSTENTION = 0.943
DEV36_TOP1 = 0.938  # questions36, six voices (held out, measured once): 95.8% and 90.6% (95.8% and 90.6%)
DEV36_ABSTENTION = 0.885
DEV37_TOP1 = 0.870  # questions37, writers and second-language English, paraphrased: 89.0% and 95.4% (89.0% and 95.4%)
DEV37_ABSTENTION = 0.934
DEV38_TOP1 = 0.932  # questions38, a busy mixed channel, exact details: 95.2% and 94.9% (95.2% and 94.9%)
DEV38_ABSTENTION = 0.928
DEV39_TOP1 = 0.939  # questions39, a journal club: design, numbers, rationale: 95.9% and 97.4% (95.9% and 97.4%)
DEV39_ABSTENTION = 0.953
DEV40_TOP1 = 0.924  # questions40, half-remembered names, lay words, chat shorthand: 94.4% and 95.7% (94.4% and 95.7%)
DEV40_ABSTENTION = 0.936
DEV41_TOP1 = 0.873  # questions41, patient advocates, lay words, long chatty messages: 89.3% and 95.0% (89.3% and 95.0%)
DEV41_ABSTENTION = 0.929
DEV42_TOP1 = 0.911  # questions42, slash-command keywords, chat prefixes, typos (held out, measured once): 93.2% and 89.2% (93.2% and 89.2%)
DEV42_ABSTENTION = 0.871
DEV43_TOP1 = 0.916  # questions43, research associates comparing and checking, paraphrased: 93.6% and 93.3% (93.6% and 93.3%)
DEV43_ABSTENTION = 0.913
DEV44_TOP1 = 0.921  # questions44, second-language English, shorthand, misspelt names: 94.1% and 99.1% (94.1% and 99.1%)
DEV44_ABSTENTION = 0.971
DEV45_TOP1 = 0.945  # questions45, sceptical reviewers, many precise near-misses: 96.5% and 87.6% (96.5% and 87.6%)
DEV45_ABSTENTION = 0.855
DEV46_TOP1 = 0.930  # questions46, hospital pharmacists, handling and logistics near-misses: 95.1% and 88.6% (95.1% and 89.1%)
DEV46_ABSTENTION = 0.866
DEV47_TOP1 = 0.882  # questions47, coordinators' terse keyword checks: 90.2% and 87.2% (90.2% and 86.2%)
DEV47_ABSTENTION = 0.851
DEV48_TOP1 = 0.919  # questions48, advocacy writers and journalists checking claims: 94.0% and 87.6% (94.0% and 87.6%)
DEV48_ABSTENTION = 0.856
DEV49_TOP1 = 0.937  # questions49, new team members and students, broad and narrow: 95.7% and 83.4% (95.7% and 83.0%)
DEV49_ABSTENTION = 0.814
DEV50_TOP1 = 0.937  # questions50, many styles (held out, measured once): 95.8% and 92.6% (95.8% and 92.1%)
DEV50_ABSTENTION = 0.905
DEV51_TOP1 = 0.945  # questions51, regulatory-affairs and registry specialists: 96.6% and 92.5% (96.6% and 92.5%)
DEV51_ABSTENTION = 0.904
DEV52_TOP1 = 0.845  # questions52, patients and families in everyday words: 86.5% and 90.0% (86.5% and 90.0%)
DEV52_ABSTENTION = 0.880
DEV53_TOP1 = 0.910  # questions53, laboratory scientists and immunologists: 93.1% and 90.4% (93.1% and 90.4%)
DEV53_ABSTENTION = 0.883
DEV54_TOP1 = 0.937  # questions54, tricky near-misses (facts moved between studies): 95.7% and 88.3% (95.7% and 87.8%)
DEV54_ABSTENTION = 0.862
DEV55_TOP1 = 0.950  # questions55, many styles (held out in the fourteenth pass): 97.1% and 91.9% (97.1% and 90.1%)
DEV55_ABSTENTION = 0.899
DEV56_TOP1 = 0.913  # questions56, hospital and specialty pharmacists: 93.3% and 96.8% (93.3% and 96.3%)
DEV56_ABSTENTION = 0.948
DEV57_TOP1 = 0.874  # questions57, patient advocates, journalists and newsletter writers: 89.5% and 89.2% (89.5% and 88.8%)
DEV57_ABSTENTION = 0.872
DEV58_TOP1 = 0.928  # questions58, terse slash-command keywords: 94.8% and 91.4% (94.8% and 90.5%)
DEV58_ABSTENTION = 0.894
DEV59_TOP1 = 0.911  # questions59, clinical research coordinators and trial managers: 93.1% and 84.2% (93.1% and 84.2%)
DEV59_ABSTENTION = 0.821
DEV60_TOP1 = 0.943  # questions60, many styles (held out in the fifteenth pass): 96.4% and 88.8% (96.4% and 87.5%)
DEV60_ABSTENTION = 0.868
DEV61_TOP1 = 0.932  # questions61, tricky near-misses (facts moved between studies): 95.2% and 88.2% (95.2% and 87.8%)
DEV61_ABSTENTION = 0.862
DEV62_TOP1 = 0.855  # questions62, long chatty messages with context: 87.5% and 88.1% (87.5% and 87.3%)
DEV62_ABSTENTION = 0.861
DEV63_TOP1 = 0.904  # questions63, nurses, ward and infusion-unit staff: 92.5% and 87.6% (92.5% and 87.6%)
DEV63_ABSTENTION = 0.856
DEV64_TOP1 = 0.916  # questions64, claims to check (false claims are to decline): 93.7% and 81.1% (93.7% and 79.4%)
DEV64_ABSTENTION = 0.791
DEV65_TOP1 = 0.911  # questions65, many styles (held out in the sixteenth pass): 93.2% and 91.4% (93.2% and 91.4%)
DEV65_ABSTENTION = 0.893
DEV66_TOP1 = 0.943  # questions66, drug-safety, medical-information and regulatory staff: 96.4% and 92.0% (96.4% and 91.6%)
DEV66_ABSTENTION = 0.900
DEV67_TOP1 = 0.939  # questions67, students and junior researchers: 95.9% and 88.7% (95.9% and 88.7%)
DEV67_ABSTENTION = 0.866
DEV68_TOP1 = 0.939  # questions68, systematic near-misses, study by study: 96.0% and 90.8% (96.0% and 90.8%)
DEV68_ABSTENTION = 0.888
DEV69_TOP1 = 0.892  # questions69, very short messages and keywords: 91.3% and 92.0% (91.3% and 91.5%)
DEV69_ABSTENTION = 0.899
DEV70_TOP1 = 0.934  # questions70, many styles (held out in the seventeenth pass): 95.5% and 86.8% (95.5% and 86.3%)
DEV70_ABSTENTION = 0.847
DEV71_TOP1 = 0.923  # questions71, sceptical clinicians and analysts, exact figures: 94.4% and 94.0% (94.4% and 93.5%)
DEV71_ABSTENTION = 0.920
DEV72_TOP1 = 0.878  # questions72, patients, carers and family, lay words: 89.8% and 90.2% (89.8% and 89.3%)
DEV72_ABSTENTION = 0.881
DEV73_TOP1 = 0.850  # questions73, laboratory scientists, technical shorthand: 87.1% and 88.0% (87.1% and 87.6%)
DEV73_ABSTENTION = 0.860
DEV74_TOP1 = 0.927  # questions74, comparisons and superlatives: 94.8% and 90.3% (94.8% and 90.3%)
DEV74_ABSTENTION = 0.882
DEV75_TOP1 = 0.929  # questions75, many styles (held out in the eighteenth pass): 95.0% and 91.5% (95.0% and 90.1%)
DEV75_ABSTENTION = 0.895
DEV76_TOP1 = 0.931  # questions76, hospital pharmacists and pharmacy technicians: 95.1% and 90.3% (95.1% and 88.9%)
DEV76_ABSTENTION = 0.883
DEV77_TOP1 = 0.908  # questions77, advocacy and communications staff, plain language: 92.9% and 91.4% (92.9% and 88.6%)
DEV77_ABSTENTION = 0.893
DEV78_TOP1 = 0.939  # questions78, near-misses study by study, a fact of another kind: 96.0% and 94.2% (96.0% and 93.7%)
DEV78_ABSTENTION = 0.921
DEV79_TOP1 = 0.897  # questions79, very short messages, abbreviations, non-native English: 91.8% and 86.5% (91.8% and 84.8%)
DEV79_ABSTENTION = 0.845
DEV80_TOP1 = 0.930  # questions80, many styles (held out, measured once): 95.1% and 89.9% (95.1% and 89.4%)
DEV80_ABSTENTION = 0.879

DEV = Path(__file__).parent / "dev"
GOLDEN = DEV / "golden"
ANSWERS = [
    (row["q"], row["id"])
    for path in sorted(GOLDEN.glob("*.yaml"))
    if path.name != "abstain.yaml"
    for row in yaml.safe_load(path.read_text()) or []
]
ABSTAIN = yaml.safe_load((GOLDEN / "abstain.yaml").read_text())


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine()


def test_golden_table_is_big_enough() -> None:
    assert len(ANSWERS) >= 150
    assert len(ABSTAIN) >= 25


def test_golden_top1_accuracy(engine: Engine) -> None:
    misses = []
    for query, expected in ANSWERS:
        reply = engine.ask(query, limit=3)
        got = reply.matches[0].id if reply.matches else "(abstained)"
        if got != expected:
            misses.append(f"{query!r}: expected {expected}, got {got}")
    accuracy = 1 - len(misses) / len(ANSWERS)
    print(f"\ngolden top-1: {accuracy:.1%} of {len(ANSWERS)} queries")
    print("\n".join(misses))
    assert accuracy >= 0.975, "\n".join(misses)


def test_golden_abstention(engine: Engine) -> None:
    wrong = [f"{q!r} answered with {r.matches[0].id}" for q in ABSTAIN if (r := engine.ask(q)).answered]
    rate = 1 - len(wrong) / len(ABSTAIN)
    print(f"\nabstention: {rate:.1%} of {len(ABSTAIN)} queries")
    print("\n".join(wrong))
    assert rate >= 0.98, "\n".join(wrong)


def test_every_card_is_reachable_by_a_golden_query(engine: Engine) -> None:
    expected = {card_id for _, card_id in ANSWERS}
    assert sorted(c.id for c in engine.deck.cards if c.id not in expected) == []
    assert sorted(expected - {c.id for c in engine.deck.cards}) == []


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("IL-2", "il2"),
        ("IL2", "il2"),
        ("IL 2", "il 2"),
        ("Interleukin-2", "interleukin2"),
        ("anti-PD-1", "anti pd1"),
        ("IL-2-producing", "il2 producing"),
        ("NCT04077684", "nct04077684"),
        ("in 11 diseases", "in 11 diseases"),
        ("Crohn\u2019s disease", "crohns disease"),
        ("IL-2's role", "il2 role"),  # a numbered name's possessive is the name
        ("CD4\u2019s count", "cd4 count"),
        ("Cytheris's IL-7", "cytheris il7"),  # ... and so is the possessive of a name ending in s
        ("Beh\u00e7et", "behcet"),
        ("ＩＬ－７", "il7"),
        ("side-effects", "side effects"),
        ("\u202eIL-2\u202c", "il2"),
    ],
)
def test_normalisation(text: str, normal: str) -> None:
    assert normalize(text) == normal


@pytest.mark.parametrize(
    ("british", "american"),
    [("tumours", "tumors"), ("randomised", "randomized"), ("haemoglobin", "hemoglobin"), ("diarrhoea", "diarrhea"),
     ("oedema", "edema"), ("centre", "center"), ("analysed", "analyzed"), ("behaviour", "behavior")],
)
def test_british_spellings_are_read_as_american_ones(british: str, american: str) -> None:
    assert stem(british) == stem(american)


@pytest.mark.parametrize(
    ("query", "focus"),
    [
        ("what kind of cells make IL-2", "cell"),  # the word after which/what is what is asked for
        ("which trial paired aldesleukin with NK cells", "trial"),
        ("what is IL-2", ""),  # a stopword is no focus
        ("side effects of IL-7", ""),
    ],
)
def test_the_word_a_which_or_what_question_asks_for(engine: Engine, query: str, focus: str) -> None:
    assert engine.matcher.read(query).focus == focus


@pytest.mark.parametrize(
    ("query", "span"),
    [
        ("how many of the 46 patients had lupus", ("patient", "lupus")),  # "of the 46" is skipped
        ("how many toxic deaths in the SIOPEN study", ("toxic", "death")),
        ("how many were enrolled", ()),  # what is counted is not said
        ("how many of the 46 had lupus", ("46",)),  # a part of the 46: "5 of the 46" counts it
    ],
)
def test_what_a_how_many_question_counts(engine: Engine, query: str, span: tuple[str, ...]) -> None:
    assert engine.matcher.read(query).focus_span == span


@pytest.mark.parametrize(
    "query", ["which cells naturally make IL-2?", "which cells make IL-2 naturally in the body?"]
)
def test_a_fact_holding_the_word_asked_for_answers_first(engine: Engine, query: str) -> None:
    """"Which cells naturally make IL-2": the fact naming the cells, not "made naturally in the body",
    though "cells" is a common word and "body" a rare one."""
    assert engine.ask(query).matches[0].id == "what-is-il-2"


@pytest.mark.parametrize(
    ("form", "verb"),
    [("made", "make"), ("ran", "run"), ("taken", "take"), ("found", "find"), ("held", "hold"), ("dated", "date"), ("aged", "age"), ("hoping", "hope")],
)
def test_irregular_verb_forms_are_read_as_the_verb(form: str, verb: str) -> None:
    """"Which cells make IL-2" finds "made by T-lymphocytes": no suffix fold reaches "made"."""
    assert stem(form) == stem(verb)


@pytest.mark.parametrize(("plural", "name"), [("cd4s", "cd4"), ("cd8s", "cd8"), ("3s", "3s")])
def test_a_numbered_name_in_the_plural_is_the_name(plural: str, name: str) -> None:
    assert stem(plural) == name


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("arvs", "arv"), ("tils", "til"), ("days", "day"), ("aids", "aids"), ("plus", "plus"), ("bias", "bias"),
        ("pros", "pros"), ("does", "does"), ("goes", "goes"),
    ],
)
def test_a_short_word_in_the_plural_is_the_word(plural: str, singular: str) -> None:
    """"Is IL-7 meant to replace ARVs?" finds "ARV therapy"; AIDS is no plural of an aid."""
    assert stem(plural) == singular


@pytest.mark.parametrize(
    ("query", "subjects", "topics"),
    [
        ("side-effects aldesleukin", ["il-2"], ["side-effects"]),
        ("what are the side effects of proleukin?", ["il-2"], ["overview", "side-effects"]),
        ("proleukn side efects", ["il-2"], ["side-effects"]),
        ("interleukn-7 dose", ["il-7"], ["dosing"]),
        # a topic phrase about "it" is read with the subject's name in its place
        ("how does aldesleukin work", ["il-2"], ["mechanism"]),
        ("what does IL-7 do to T cells?", ["il-7"], ["overview", "mechanism"]),
        ("low dose IL2 in SLE", ["low-dose-il-2", "lupus"], []),
        ("eligibility nct 04077684", ["lupus-il2-trial"], ["eligibility"]),  # a registry number names its study
        ("who can join the lupus trial?", ["lupus-il2-trial"], ["eligibility"]),
        ("ILIADE", ["iliade"], []),
        ("ANRS 119", ["anrs-119"], []),
        ("anrs119", ["anrs-119"], []),
        ("IL 2 side effects", ["il-2"], ["side-effects"]),
        ("interleukin 7", ["il-7"], []),
        # a study called by what it did, not by its name
        ("design of the low-dose IL-2 basket trial", ["low-dose-il-2", "ld-il2-11-diseases-trial"], ["design"]),
        # a study called by its author or what it tested, its registry number one of its names
        ("Nguyen TIL study primary endpoint", ["nguyen-til-trial"], ["primary-outcome"]),
        ("Rosenzwajg 2019 results", ["ld-il2-11-diseases-trial"], ["results"]),  # its author names it
        ("sponsor of the CD4-ZETA study", ["cd4-zeta-trial"], ["organization"]),  # not the CD4 cells
        ("MAGE-A3 trial enrollment", ["mage-a3-trial"], ["enrollment"]),
        ("NK cell trial phase", ["nk-cell-trial"], ["phase"]),
        ("the next step after the Rosenzwajg study", ["ld-il2-11-diseases-trial"], ["results"]),  # a conclusion
        # "when" asks for a date as a question's word, not as a clause's
        ("side effects when aldesleukin is given with ART", ["il-2", "antiretroviral-therapy"], ["side-effects"]),
        ("when was ESPRIT published", ["esprit"], ["dates"]),
        # "did it work" is read around a study's name, with filler and the study's own noun skipped
        ("did the ILIADE trial actually work", ["iliade"], ["trials", "mechanism", "results"]),
        ("does IL-2 in lupus work", ["il-2", "lupus"], ["mechanism", "results"]),
        ("did the 11-disease study show it works", ["ld-il2-11-diseases-trial"], ["results"]),
        ("how does IL-7 work", ["il-7"], ["mechanism"]),
        ("which cells does IL-7 increase", ["il-7"], ["mechanism"]),  # what it makes the body make
        ("what does IL-7 make the immune system produce", ["il-7"], ["overview", "mechanism"]),
        ("what do regulatory T cells do", ["regulatory-t-cells"], ["overview", "mechanism"]),  # do, does, did alike
        ("Peking trial exclusions", ["lupus-il2-trial"], ["eligibility"]),  # a study named by where it runs
        ("what does ESPRIT stand for", ["esprit"], ["overview", "identity"]),
        ("the V6A diphtheria IL-2 toxin", ["denileukin-diftitox"], []),  # IL-2 inside the drug's name
        ("can IL-2 cure kidney cancer", ["il-2", "renal-cell-carcinoma"], []),  # a cure is not only HIV's
        ("a nurse on the IL-2 unit asked about chills", ["il-2"], ["overview"]),  # a nurse is not nursing a baby
        ("is IL-7 safe while nursing", ["il-7"], ["side-effects", "pregnancy"]),
        ("commercial ties of the ld-IL2 authors", ["low-dose-il-2"], ["competing-interests", "investigators"]),
        ("how many have enrolled in the SLE IL-2 placebo trial", ["lupus", "il-2", "lupus-il2-trial"],
         ["enrollment", "design", "trials"]),  # the only placebo-controlled lupus trial, a drug named inside
        ("what was the point of putting 11 diseases in one trial", ["ld-il2-11-diseases-trial"],
         ["overview", "rationale", "trials"]),  # the study by its title, in short
        ("the cells that calm the immune system down", ["regulatory-t-cells"], []),  # Tregs in lay words
        ("vasculitis in the ld-IL2 trial", ["vasculitis", "low-dose-il-2"], ["trials"]),  # GPA, Takayasu's, Behcet's
        ("which lupus drugs are allowed in the background", ["lupus"], ["eligibility"]),  # allowed: who may join
        ("washout from other trials for the SLE study", ["lupus-il2-trial"], ["eligibility", "trials"]),  # no approval
        ("what else is IL-7 being trialled for", ["il-7"], ["overview", "approval"]),
        # a molecule's structure is its chemistry; how a treatment was structured is not
        ("how was the MAGE-A3 + high dose IL-2 treatment structured", ["mage-a3", "high-dose-il-2"], []),
        ("what is the molecular structure of aldesleukin", ["il-2"], ["overview", "chemistry"]),
        # a study completed is its status; a "complete" list is not
        ("has ESPRIT completed yet", ["esprit"], ["status"]),
        ("is the HIV side effect info for aldesleukin complete", ["hiv", "il-2"], ["side-effects", "overview"]),
        # a study's name with a drug's name inside it ("Rosenzwajg ld-IL2 study")
        (
            "results of the 11 autoimmune diseases low-dose IL-2 trial",
            ["autoimmune-disease", "low-dose-il-2", "ld-il2-11-diseases-trial"],
            ["results", "trials"],
        ),
    ],
)
def test_reading_finds_subjects_and_topics(
    engine: Engine, query: str, subjects: list[str], topics: list[str]
) -> None:
    r = engine.matcher.read(query)
    assert (r.subjects, r.topics) == (subjects, topics)


@pytest.mark.parametrize(
    ("query", "unknown"),
    [
        ("interleukin-6 side effects", ["interleukin6"]),
        ("interleukin 6 side effects", ["interleukin6"]),
        ("IL-17 for psoriasis", ["il17"]),
        ("il 17 psoriasis", ["il17"]),
        ("nct 99999999", ["nct99999999"]),
        ("pembrolizumab", ["pembrolizumab"]),
    ],
)
def test_numbers_and_names_are_never_fuzzed_into_known_ones(
    engine: Engine, query: str, unknown: list[str]
) -> None:
    assert engine.matcher.read(query).unknown == unknown


def test_exact_title_returns_that_card(engine: Engine) -> None:
    for card in engine.deck.cards:
        reply = engine.ask(card.title)
        assert reply.matches[0].id == card.id


def test_answers_are_best_first_and_limited(engine: Engine) -> None:
    reply = engine.ask("aldesleukin hiv trials", limit=2)
    scores = [a.score for a in reply.matches]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_more_results_pages_on(engine: Engine) -> None:
    first = engine.ask("aldesleukin hiv trials", limit=2)
    second = engine.ask("aldesleukin hiv trials", limit=2, offset=2)
    assert first.more
    assert not {a.id for a in first.matches} & {a.id for a in second.matches}


def test_abstention_offers_suggestions(engine: Engine) -> None:
    reply = engine.ask("pembrolizumab side effects")
    assert reply.kind == "abstain" and reply.matches == ()
    assert reply.suggestions


@pytest.mark.parametrize("query", ["", "help", "  HELP  ", "?"])
def test_help(engine: Engine, query: str) -> None:
    reply = engine.ask(query)
    assert reply.kind == "help" and reply.examples and reply.topics


def test_every_help_example_is_answered(engine: Engine) -> None:
    assert [e for e in engine.deck.examples if not engine.ask(e).answered] == []


@pytest.mark.parametrize(
    ("name", "min_top1", "min_abstention"),
    [("holdout1.yaml", 0.965, 0.96), ("holdout2.yaml", 0.914, 0.98)],
)
def test_holdout_questions_written_independently(
    engine: Engine, name: str, min_top1: float, min_abstention: float
) -> None:
    """Questions written by separate sessions from the seeds and card titles only: a generalisation check."""
    data = yaml.safe_load((DEV / name).read_text())
    right = sum(
        1
        for row in data["answer"]
        if (r := engine.ask(row["q"])).matches and r.matches[0].id in (row.get("ids") or [row["id"]])
    )
    abstained = sum(1 for q in data["abstain"] if not engine.ask(str(q)).answered)
    top1, abstention = right / len(data["answer"]), abstained / len(data["abstain"])
    print(
        f"\nholdout {name}: top-1 {top1:.1%} of {len(data['answer'])}; abstention {abstention:.1%} of {len(data['abstain'])}"
    )
    assert top1 >= min_top1 and abstention >= min_abstention


@pytest.mark.parametrize(
    ("name", "min_top1", "min_abstention"),
    [
        ("questions3", DEV3_TOP1, DEV3_ABSTENTION),
        ("questions4", DEV4_TOP1, DEV4_ABSTENTION),
        ("questions5", DEV5_TOP1, DEV5_ABSTENTION),
        ("questions6", DEV6_TOP1, DEV6_ABSTENTION),
        ("questions7", DEV7_TOP1, DEV7_ABSTENTION),
        ("questions8", DEV8_TOP1, DEV8_ABSTENTION),
        ("questions9", DEV9_TOP1, DEV9_ABSTENTION),
        ("questions10", DEV10_TOP1, DEV10_ABSTENTION),
        ("questions11", DEV11_TOP1, DEV11_ABSTENTION),
        ("questions12", DEV12_TOP1, DEV12_ABSTENTION),
        ("questions13", DEV13_TOP1, DEV13_ABSTENTION),
        ("questions14", DEV14_TOP1, DEV14_ABSTENTION),
        ("questions15", DEV15_TOP1, DEV15_ABSTENTION),
        ("questions16", DEV16_TOP1, DEV16_ABSTENTION),
        ("questions17", DEV17_TOP1, DEV17_ABSTENTION),
        ("questions18", DEV18_TOP1, DEV18_ABSTENTION),
        ("questions19", DEV19_TOP1, DEV19_ABSTENTION),
        ("questions20", DEV20_TOP1, DEV20_ABSTENTION),
        ("questions21", DEV21_TOP1, DEV21_ABSTENTION),
        ("questions22", DEV22_TOP1, DEV22_ABSTENTION),
        ("questions23", DEV23_TOP1, DEV23_ABSTENTION),
        ("questions24", DEV24_TOP1, DEV24_ABSTENTION),
        ("questions25", DEV25_TOP1, DEV25_ABSTENTION),
        ("questions26", DEV26_TOP1, DEV26_ABSTENTION),
        ("questions27", DEV27_TOP1, DEV27_ABSTENTION),
        ("questions28", DEV28_TOP1, DEV28_ABSTENTION),
        ("questions29", DEV29_TOP1, DEV29_ABSTENTION),
        ("questions30", DEV30_TOP1, DEV30_ABSTENTION),
        ("questions31", DEV31_TOP1, DEV31_ABSTENTION),
        ("questions32", DEV32_TOP1, DEV32_ABSTENTION),
        ("questions33", DEV33_TOP1, DEV33_ABSTENTION),
        ("questions34", DEV34_TOP1, DEV34_ABSTENTION),
        ("questions35", DEV35_TOP1, DEV35_ABSTENTION),
        ("questions36", DEV36_TOP1, DEV36_ABSTENTION),
        ("questions37", DEV37_TOP1, DEV37_ABSTENTION),
        ("questions38", DEV38_TOP1, DEV38_ABSTENTION),
        ("questions39", DEV39_TOP1, DEV39_ABSTENTION),
        ("questions40", DEV40_TOP1, DEV40_ABSTENTION),
        ("questions41", DEV41_TOP1, DEV41_ABSTENTION),
        ("questions42", DEV42_TOP1, DEV42_ABSTENTION),
        ("questions43", DEV43_TOP1, DEV43_ABSTENTION),
        ("questions44", DEV44_TOP1, DEV44_ABSTENTION),
        ("questions45", DEV45_TOP1, DEV45_ABSTENTION),
        ("questions46", DEV46_TOP1, DEV46_ABSTENTION),
        ("questions47", DEV47_TOP1, DEV47_ABSTENTION),
        ("questions48", DEV48_TOP1, DEV48_ABSTENTION),
        ("questions49", DEV49_TOP1, DEV49_ABSTENTION),
        ("questions50", DEV50_TOP1, DEV50_ABSTENTION),
        ("questions51", DEV51_TOP1, DEV51_ABSTENTION),
        ("questions52", DEV52_TOP1, DEV52_ABSTENTION),
        ("questions53", DEV53_TOP1, DEV53_ABSTENTION),
        ("questions54", DEV54_TOP1, DEV54_ABSTENTION),
        ("questions55", DEV55_TOP1, DEV55_ABSTENTION),
        ("questions56", DEV56_TOP1, DEV56_ABSTENTION),
        ("questions57", DEV57_TOP1, DEV57_ABSTENTION),
        ("questions58", DEV58_TOP1, DEV58_ABSTENTION),
        ("questions59", DEV59_TOP1, DEV59_ABSTENTION),
        ("questions60", DEV60_TOP1, DEV60_ABSTENTION),
        ("questions61", DEV61_TOP1, DEV61_ABSTENTION),
        ("questions62", DEV62_TOP1, DEV62_ABSTENTION),
        ("questions63", DEV63_TOP1, DEV63_ABSTENTION),
        ("questions64", DEV64_TOP1, DEV64_ABSTENTION),
        ("questions65", DEV65_TOP1, DEV65_ABSTENTION),
        ("questions66", DEV66_TOP1, DEV66_ABSTENTION),
        ("questions67", DEV67_TOP1, DEV67_ABSTENTION),
        ("questions68", DEV68_TOP1, DEV68_ABSTENTION),
        ("questions69", DEV69_TOP1, DEV69_ABSTENTION),
        ("questions70", DEV70_TOP1, DEV70_ABSTENTION),
        ("questions71", DEV71_TOP1, DEV71_ABSTENTION),
        ("questions72", DEV72_TOP1, DEV72_ABSTENTION),
        ("questions73", DEV73_TOP1, DEV73_ABSTENTION),
        ("questions74", DEV74_TOP1, DEV74_ABSTENTION),
        ("questions75", DEV75_TOP1, DEV75_ABSTENTION),
        ("questions76", DEV76_TOP1, DEV76_ABSTENTION),
        ("questions77", DEV77_TOP1, DEV77_ABSTENTION),
        ("questions78", DEV78_TOP1, DEV78_ABSTENTION),
        ("questions79", DEV79_TOP1, DEV79_ABSTENTION),
        ("questions80", DEV80_TOP1, DEV80_ABSTENTION),
    ],
)
def test_questions_written_from_the_sources_alone_are_answered_with_the_fact(
    engine: Engine, name: str, min_top1: float, min_abstention: float
) -> None:
    """Development sets written from the seeds alone with the verbatim span that answers each
    question: right when the top card quotes that span (scored as the blind set is)."""
    data = yaml.safe_load((DEV / f"{name}.yaml").read_text())
    right = sum(
        1
        for row in data["answer"]
        if (r := engine.ask(row["q"])).answered and quotes_answer(r.matches[0], row["answer"])
    )
    abstained = sum(1 for row in data["abstain"] if not engine.ask(row["q"]).answered)
    top1, abstention = right / len(data["answer"]), abstained / len(data["abstain"])
    print(
        f"\n{name}: top-1 (the fact) {top1:.1%} of {len(data['answer'])}; "
        f"abstention {abstention:.1%} of {len(data['abstain'])}"
    )
    assert (top1 >= min_top1, abstention >= min_abstention) == (True, True), (top1, abstention)


# -- ordinary English: a common word no card uses is not a content word the cards lack ------------

ORDINARY_WORDS = [
    # (query, fact kinds asked, ordinary words, unknown words)
    ("how many melanoma patients ended up on TIL + low dose IL2", ["enrollment"], ["ended"], []),
    ("is IL-7 supposed to fit with ART, big problem?", [], ["supposed", "fit", "problem"], []),  # "big": a stopword
    ("how many melanoma patients got TIL + low dose IL2", ["enrollment"], [], []),
    ("who sponserd SILCAAT", ["sponsor"], [], []),  # a typo of a word that asks for a kind of fact
    ("pembrolizumab side effects", [], [], ["pembrolizumab"]),
    ("IL-2 for hair loss", [], ["hair"], []),
    ("is IL-7 safe if you're pregnant", [], [], []),  # a contraction is no content word
    ("coordinator here: SRI-4 responder for our CRF, in plain English", [], [], []),  # who asks, and why
    ("besides HIV what else is IL-7 beeing studied for", [], [], []),  # a slip in a word that says nothing
    ("my mum wants to know if IL-7 is safe while breastfeeding", [], [], []),  # "wants" is a form of "want"
    ("who markets Proleukin now", ["sponsor"], [], []),  # the words that ask are not words the cards lack
    ("wht does IL-2 do, in everyday words", [], [], []),
    ("what is aldesleukin, in simple terms", [], [], []),
    # "how many people" with a word saying which of them asks a count of some, not the enrollment
    ("how many people quit the ILIADE study early", ["count"], [], []),
    ("how many patients were enrolled in the lupus trial", ["enrollment"], [], []),
    ("what % of melanoma patients respond", ["rate"], [], []),
    ("how much testing has IL-7 had so far", [], [], []),  # how much of something else is no dose
    ("how long was the dinutuximab beta infusion", ["duration"], [], []),  # how long it lasted
    # a route named asks for the route only alone: "the IL-2 dose in the subcutaneous arm" asks a dose
    ("IL-2 dose used in HR-NBL1/SIOPEN subcutaneous arm", ["dose"], [], []),
    ("is IL-7 given as an injection?", ["route"], [], []),
    # a regimen asks what the treatment was; in a unit of dose, it asks the dose
    ("What's the relapse prevention regimen in the Bernson AML paper?", [], [], []),
    ("standard high-dose Proleukin regimen for metastatic RCC in IU/kg", ["label-dose"], [], []),  # the label's
    ("ESPRIT: was the IL-2 given IV or under the skin, and what CD4 counts were enrolled?", ["route", "enrollment"],
     [], []),  # a route offered as a choice asks it, beside another kind
    ("a patient who might enrol in NCT04077684 - how often are the injections?", ["route"], [], []),  # joining
    ("can I use the CancerIndex site to diagnose myself", [], [], []),  # "myself" says who, like "herself"
    ("in lay terms, what is IL-2", [], [], []),  # how to say it, like "in plain English"
    ("sorry if this is basic - what did the COSMIC study look at?", [], [], []),  # "sorry", like "thanks"
    # what the asker is preparing says why they ask, not what
    ("I'm putting together a glossary for new starters - what other names does aldesleukin go by?", [], [], []),
    ("list the other names for aldesleukin for the eCRF drug dictionary", [], [], []),
    ("what dose did everyone get in the 11 disease trial?", ["dose"], [], []),  # "everyone", like "anyone"
    ("On which day did inflammation peak in the Ceylan paediatric study?", [], [], []),  # children, in a word
    ("my partner mentioned aldesleukin, is it able to help? not sure", [], [], []),  # talk, not content
]


def test_chat_shorthand_says_nothing(engine: Engine) -> None:
    """"fwiw", "iirc", "tbh" are asides, not words a card must cover."""
    assert engine.matcher.read("what is nktr 214 fwiw").words == ["nktr214"]


def test_a_slip_in_a_long_stopword_is_that_stopword(engine: Engine) -> None:
    """"breifly" is "briefly" (it says nothing), not the cards' word "brief"."""
    assert engine.matcher.read("IL-7 mechanism, breifly").words == ["il7", "mechanism"]


@pytest.mark.parametrize(("query", "kinds", "common", "unknown"), ORDINARY_WORDS)
def test_ordinary_words_are_told_from_unknown_ones(
    engine: Engine, query: str, kinds: list[str], common: list[str], unknown: list[str]
) -> None:
    r = engine.matcher.read(query)
    assert (r.kinds, r.common, r.unknown) == (kinds, common, unknown)


def test_a_typo_is_read_as_the_nearest_word_with_the_dropped_letter_restored(engine: Engine) -> None:
    assert engine.matcher.read("what does IL-7 do to the immune sytem?").words == ["il7", "immun", "system"]


def test_a_short_word_with_a_dropped_letter_is_restored_when_only_one_word_fits(engine: Engine) -> None:
    assert engine.matcher.read("NK cell + aldesleukin stdy HIV").unknown == []
    assert "study" in engine.matcher.read("NK cell + aldesleukin stdy HIV").words


def test_a_typo_is_corrected_by_the_length_typed_not_that_of_its_stem(engine: Engine) -> None:
    """"rnage" (five letters typed, stem "rnag") is "range"; chat filler and "ppl" are read as meant."""
    typo, chat = engine.matcher.read("HR-NBL1 age rnage"), engine.matcher.read("how many ppl in ILIADE pls")
    assert (typo.words[-1], typo.unknown) == ("rang", [])
    assert (chat.kinds, chat.unknown) == (["enrollment"], [])


TYPO_IN_ASKS = [
    # (query, fact kinds asked): a typo'd word of an ask in several words is read as that word
    ("how many poeple were in the Cytheris IL-7 phase I/II study?", ["enrollment"]),
    ("How many partcipants were in the IL-7 phase I/II study?", ["enrollment"]),
    ("how many people were in the IL-7 phase I/II study?", ["enrollment"]),
    ("postcode of the Bejing site?", []),  # a typo of a place's name is that place, not "being"
]


@pytest.mark.parametrize(("query", "kinds"), TYPO_IN_ASKS)
def test_a_typo_in_an_ask_of_several_words_still_asks(engine: Engine, query: str, kinds: list[str]) -> None:
    assert engine.matcher.read(query).kinds == kinds


def test_words_spelt_right_are_never_fuzzed_into_a_phrase(engine: Engine) -> None:
    """Only a phrase with a misspelt word is a typo: "at all" is not T-ALL, "side efects" is side effects."""
    assert "t-all" not in engine.matcher.read("why test IL-2 in lupus at all?").subjects
    assert "side-effects" in engine.matcher.read("IL-7 side efects").topics


GENERAL_ANSWERS = [
    # (query, answered card or None, reason)
    # "rates" alone asks a rate (a percentage by arm), when no other kind is asked
    ("blood clot rates DaRenCa arms?", "pub-donskov-2018", "the best card is about what was asked"),
    ("address/city of the SLE IL-2 study site", "lupus-trial-contacts", "the best card is about what was asked"),
    # abbreviations: side effects in capitals ("SEs"), the lupus trial's hospital ("PUPH")
    ("What serious SEs were seen in ESPRIT or SILCAAT with aldesleukin?", "aldesleukin-side-effects-hiv",
     "the best card is about what was asked"),
    ("how is SRI-4 response defined in the PUPH trial", "lupus-trial-primary-outcome",
     "the best card is about what was asked"),
    ("prior nephrectomy rates by arm, DaRenCa", "pub-donskov-2018", "the best card is about what was asked"),
    # an ordinary English word no card uses is no unknown word ("supposed", "ones")
    ("in plain english, what is an immunomodulator supposed to do?", "aldesleukin-mechanism",
     "the best card is about what was asked"),
    ("colorectal T cells - which ones went with good outcomes?", "pub-taylor-2018", "the best card is about what was asked"),
    # "has conducted several small trials" says how much testing has been done
    ("How much testing has Cytheris done on IL-7 so far?", "il-7-clinical-trials", "the best card is about what was asked"),
    # "a mild to moderate form" says how severe the disease had to be
    ("were vasculitis patients (GPA, Takayasu) part of the ld-IL2 cross-disease trial?", "ld-il2-autoimmune-diseases",
     "the best card is about what was asked"),  # a disease group the source lists one by one
    ("What disease severity was required for entry in the 11-disease ld-IL2 trial?", "trial-nct01988506",
     "the best card is about what was asked"),
    # a place in a study's name is the study's, not a subject asked of its own (the hospital)
    ("Which active infections exlude pts from the Peking SLE trial?", "lupus-trial-exclusion-criteria",
     "the best card is about what was asked"),
    # a study named by its size is the one whose cards state it, not another on the same subject
    ("What were the adverse event rates (injection site reactions etc.) in the 46-patient ld-IL2 study?", None,
     "the best card does not state the size of the study asked (46)"),
    ("what dose in the 46 patient autoimmune study", "ld-il2-autoimmune-dose", "the best card is about what was asked"),
    # who is asking, and the chat around a question, are not what it asks
    ("hiya, NCT00120185 - what was that one?", "trial-anrs-119", "the best card is about what was asked"),
    ("bit of a niche one: min SLEDAI for entry", "lupus-trial-eligibility", "the best card is about what was asked"),
    ("my aunt is 78 with lupus - too old for the IL-2 lupus trial? what ages?", "lupus-trial-eligibility",
     "the best card is about what was asked"),
    # what a question is for, said at its end, is not what it asks
    ("sponsor of NCT03346499 for our site log?", "trial-nct03346499", "the best card is about what was asked"),
    # the words of a topic's idiom ("in the first place") say the topic, and are covered with it
    ("why do they think IL-2 matters in SLE in the first place?", "lupus-trial-background",
     "the best card is about what was asked"),
    # a sponsor asked in other words, or with a slip; a topic asked about loosely
    ("who was behind the ANRS 119 trial", "trial-anrs-119", "the best card is about what was asked"),
    ("who sponserd SILCAAT", "trial-silcaat", "the best card is about what was asked"),
    ("any big problems with IL-7 side effects?", "il-7-side-effects", "the best card is about what was asked"),
    # a long message says more than it asks
    (
        "hi team, quick one before our journal club tomorrow - a colleague keeps asking me and I never"
        " remember: what are the side effects of aldesleukin in people with HIV?",
        "aldesleukin-side-effects-hiv",
        "the best card is about what was asked",
    ),
    # the fact asked lives on the card the publication names as related, or another close card
    ("What dose of IL-2 was used in the 11 autoimmune diseases trial?", "ld-il2-autoimmune-dose",
     "the best card is about what was asked"),
    ("ld-il2 dose autoimmune", "ld-il2-autoimmune-dose", "the best card is about what was asked"),
    # a name only one card's title or aliases hold answers, whatever topic the words around it suggest
    ("where were the IL2 muteins designed", "pub-leon-2018", "the best card is about what was asked"),
    # a paper named by a name only its card holds (its author), as a study is named
    ("side effects in the Kleef case?", "pub-kleef-2018", "the best card is about what was asked"),
    ("Sullivan's Cancer Discovery piece - what holds back high-dose IV IL2?", "pub-sullivan-2019",
     "the best card is about what was asked"),
    ("what assay did Shokrzadeh et al use?", "pub-shokrzadeh-2018", "the best card is about what was asked"),
    # the kind of molecule a drug is: its class, on the card introducing it
    ("what type of protein is IL-7?", "what-is-il-7", "the best card is about what was asked"),
    # why a study was done: its rationale or purpose
    ("what is the reasoning behind low-dose IL-2 in SLE?", "lupus-trial-background", "the best card is about what was asked"),
    ("the point of running one trial across 11 autoimmune diseases?", "ld-il2-autoimmune-rationale",
     "the best card is about what was asked"),
    ("what was the point of ANRS 119?", "trial-anrs-119", "the best card is about what was asked"),
    # what IL-2 does is on the card introducing it, not only on a drug's mechanism card
    ("what does IL-2 stimulate", "what-is-il-2", "the best card is about what was asked"),
    ("which authors work for ILTOO", "rosenzwajg-2019-competing-interests", "the best card is about what was asked"),
    # a sign in a card says what a word asks ("SLEDAI ≥ 8"); lay words are read as the sources' own
    ("min SLEDAI to get in", "lupus-trial-eligibility", "the best card is about what was asked"),
    ("was the ESPRIT IL-2 given as a shot under the skin?", "trial-esprit", "the best card is about what was asked"),
    # a study named decides the cards: a disease beside it is the patient's (an exclusion asked)
    ("can a patient who had breast cancer join the lupus IL-2 study?", "lupus-trial-exclusion-criteria",
     "the best card is about what was asked"),
    # a study's name alone asks for its own card, not a card with a fact that names it
    ("ILIADE", "trial-iliade", "the best card is about what was asked"),
    # a card saying "peptic ulcers", "meperidine" and "rigors" is found by its lay words
    ("are lupus patients with stomach ulcers excluded from the trial", "lupus-trial-exclusion-criteria",
     "the best card is about what was asked"),
    ("pethidine for shivering on high-dose IL-2", "high-dose-il-2-side-effects", "the best card is about what was asked"),
    ("are men allowed in NCT04077684", "lupus-trial-eligibility", "the best card is about what was asked"),  # the sexes
    ("side effects in the breast cancer il2 hyperthermia case", "pub-kleef-2018", "the best card is about what was asked"),
    ("does an eye problem keep you out of the lupus IL-2 trial", "lupus-trial-exclusion-criteria",
     "the best card is about what was asked"),  # cataracts are an eye problem; "keep out" asks who can join
    ("ESPRIT CD4 entry cutoff", "trial-esprit", "the best card is about what was asked"),  # entry: who can join
    ("MAGE-A3 trial in inoperable melanoma", "trial-nct01266603", "the best card is about what was asked"),
    ("did the Tregs blow up in the 11-disease low-dose IL-2 trial", "pub-rosenzwajg-2019",
     "the best card is about what was asked"),  # lay words for the cards' general words: expand
    ("Do patients have to have tried the usual lupus treatments first before joining?", "lupus-trial-eligibility",
     "the best card is about what was asked"),  # "tried" is talk: what was tried is said by the rest
    ("what's the problem with current lupus treatments that this trial is trying to fix?", "lupus-trial-background",
     "the best card is about what was asked"),  # "challenging", "an unmet need" in lay words
    ("can I use the CancerIndex site to decide on my dad's treatment?", "cancerindex-page",
     "the best card is about what was asked"),  # a source's web site, not a trial site
    ("do autoimmune-type side effects after high dose IL-2 predict a better outcome?", "pub-curti-2017",
     "the best card is about what was asked"),  # immune-related adverse events, not an autoimmune disease
    ("What immune effects did earlier open-label trials attribute to low-dose IL-2 in SLE?", "lupus-trial-background",
     "the best card is about what was asked"),  # earlier trials are the background, not this one's design
    ("stomach cancer cytokine paper - which one was higher in patients?", "pub-shokrzadeh-2018",
     "the best card is about what was asked"),  # "the cytokine" is the drug or the measure, not a class
    ("does IL-2 act on B cells as well as T cells?", "what-is-il-2",
     "the best card is about what was asked"),  # B cells are B-lymphocytes
    ("what next step did the authors recommend after the basket trial?", "pub-rosenzwajg-2019",
     "the best card is about what was asked"),  # its results "should licence the launch of" phase II trials
    ("were any gut or liver conditions in the 11-disease trial", "ld-il2-autoimmune-diseases",
     "the best card is about what was asked"),  # Crohn's, colitis; autoimmune hepatitis, cholangitis
    ("how many people quit ILIADE because aldesleukin made them feel unwell", "trial-iliade",
     "the best card is about what was asked"),  # feeling unwell is a side effect
    # a card saying "infusion" and "masking" is found by "drip" and "blinded"
    ("a trial giving a drip of natural killer cells with aldesleukin", "trial-nct03346499",
     "the best card is about what was asked"),
    # why a trial is needed: the problem with today's treatments that its background states
    ("what's wrong with current lupus treatments", "lupus-trial-background",
     "the best card is about what was asked"),
    # a card saying "death worldwide" is found by how "deadly" a cancer is "globally"
    ("how deadly is gastric adenocarcinoma globally per that abstract?", "pub-shokrzadeh-2018",
     "the best card is about what was asked"),
    # a card saying "without ART" is found by "IL-2 alone"
    ("ANRS 119 - was the idea to hold off starting HIV meds using IL-2 alone?", "trial-anrs-119",
     "the best card is about what was asked"),
    # a card saying "disease activity" is found by how "active" the disease is
    ("How active does someone's lupus need to be to qualify?", "lupus-trial-eligibility",
     "the best card is about what was asked"),
    # a card saying "diseases" is found by "conditions"
    ("Are people with other autoimmune conditions on top of lupus allowed in?", "lupus-trial-exclusion-criteria",
     "the best card is about what was asked"),
    # a card naming T helper cells is found by "T cell subsets"
    ("which T cell subsets does low dose IL-2 push up or down in lupus?", "lupus-trial-background",
     "the best card is about what was asked"),
    # a card saying "limits its use" is found by what "holds it back"
    ("what holds back high-dose IL-2 according to Sullivan", "pub-sullivan-2019", "the best card is about what was asked"),
    # a card saying "leukemia" and "grade" is found by "blasts" and "degree"
    ("do CD25+ AML blasts respond to IL-2?", "pub-nakase-2018", "the best card is about what was asked"),
    ("what degree of heart failure excludes patients", "lupus-trial-exclusion-criteria",
     "the best card is about what was asked"),
    # a card saying "secretion" and "herb" is found by "release" and "herbal"
    ("does the herbal compound berberine affect IL-2 release", "pub-hu-2019", "the best card is about what was asked"),
    # what the study drug is called is on the card that names it among the arms
    ("what's the IL-2 product called in the lupus trial record?", "lupus-trial-arms-dosing",
     "the best card is about what was asked"),
    # a card saying "defined" and "deterioration" is found by "rule" and "worsening"
    ("SRI response BILAG rule?", "lupus-trial-primary-outcome", "the best card is about what was asked"),
    # a paper named by its study's name; "Epub" on its card says when it was published
    ("when was the 11-disease paper epublished?", "pub-rosenzwajg-2019", "the best card is about what was asked"),
    # a person's CMV status is their serostatus, not a trial's status
    ("did CMV status matter in the AML control cohort?", "pub-bernson-2018", "the best card is about what was asked"),
    # a background stating why a study was done is its rationale
    ("rationale for bevacizumab with IL2", "pub-donskov-2018", "the best card is about what was asked"),
    # "gamma-chain cytokines" (IL-2, IL-7) are not the soluble common gamma chain receptor
    ("Which J Intern Med review on gamma-chain cytokines is cited for aldesleukin?", "aldesleukin-mechanism",
     "the best card is about what was asked"),
    # "how much" of nothing named asks no dose; the SRI is the lupus trial's primary outcome
    ("how much PGA worsening is allowed for SRI response", "lupus-trial-primary-outcome",
     "the best card is about what was asked"),
    ("how much SELENA-SLEDAI drop counts for SRI response?", "lupus-trial-primary-outcome",
     "the best card is about what was asked"),
    # clinical shorthand (onc, diff, adenoca) and lay words (survive) for what the cards spell out
    ("median FU in Ladenstein lancet onc", "pub-ladenstein-2018", "the best card is about what was asked"),
    ("p value for TTR diff bosschieter", "pub-bosschieter-2019", "the best card is about what was asked"),
    ("which cytokine might be a biomarker for gastric adenoca", "pub-shokrzadeh-2018",
     "the best card is about what was asked"),
    ("how long did the Kleef patient survive?", "pub-kleef-2018", "the best card is about what was asked"),
    ("what was the Sullivan 2019 Cancer Discovery piece called", "pub-sullivan-2019",
     "the best card is about what was asked"),
    ("which Journal of Internal Medicine article do they cite about aldesleukin as an immune modulator?",
     "aldesleukin-mechanism", "the best card is about what was asked"),
    ("are patients with overlap / other autoimmune diseases allowed in?", "lupus-trial-exclusion-criteria",
     "the best card is about what was asked"),
    # a study called by its country's adjective: a card saying "Iran" is found by "Iranian"
    ("in the Iranian stomach cancer study, which cytokine was raised", "pub-shokrzadeh-2018",
     "the best card is about what was asked"),
    # ordinary words still count when nothing else of the question is covered
    ("IL-2 for hair loss", None, "the best card does not cover enough of the question"),
    # an unknown word with a disease's ending, and no disease of ours named, is another disease
    ("IL-2 trial results in multiple sclerosis", None, "not a disease the cards cover: sclerosis"),
    ("IL-2 in myelofibrosis", None, "not a disease the cards cover: myelofibrosis"),
    ("IL-7 for sepsis - any trials?", None, "not a disease the cards cover: sepsis"),  # among exclusions only
    # ... or a disease's name with no such ending (vocabulary: disease_names)
    ("did low dose IL-2 improve outcomes in covid?", None, "not a disease the cards cover: covid"),
    ("ld-IL2 for GVHD prophylaxis results", None, "not a disease the cards cover: gvhd"),
    # ... but a disease named by a fact on the topic asked is what is asked (a criterion)
    ("does a history of chronic infection or sepsis exclude you?", "lupus-trial-exclusion-criteria",
     "the best card is about what was asked"),
    ("IL-7 dosing in sepsis trials", None, "not a disease the cards cover: sepsis"),
    # ... or a one-word name of a disease with no such ending (vocabulary data)
    ("any results from low-dose IL-2 in ALS", None, "not a disease the cards cover: als"),
    ("does low dose IL-2 help vitiligo?", None, "not a disease the cards cover: vitiligo"),
    # ... or an unknown word before "cancer" or "disease"; a word with such an ending may name none
    ("IL-2 response rate in pancreatic cancer", None, "not a disease the cards cover: pancreatic cancer"),
    ("side effects of IL-2 in Lyme disease", None, "not a disease the cards cover: lyme disease"),
    ("time from diagnosis to recurrence with OK-432 and IL-2", "pub-wang-2019", "the best card is about what was asked"),
    # a sibling of our drugs' names, asked about, is another drug
    ("what is the dose of IL-15 in melanoma?", None, "not a name the cards are about: il15"),
    # the TIL trial's registry card answers for its study by the study's names
    ("Nguyen TIL study primary endpoint", "trial-nct01883323", "the best card is about what was asked"),
    # of two close cards, the one holding every word the other holds, and more, answers
    ("NCT04077684 intervention model", "lupus-trial-design", "the best card is about what was asked"),
    # clinical shorthand: a reference, a registration number, liver enzymes
    ("ILIADE ref", "trial-iliade", "the best card is about what was asked"),
    ("AST limit for the lupus IL-2 trial", "lupus-trial-exclusion-criteria", "the best card is about what was asked"),
    # the card that explains a drug class is about it
    ("what does immunomodulator mean", "aldesleukin-mechanism", "the best card is about what was asked"),
    # a study's own card giving the kind asked answers, though the many things asked weaken the match
    ("who sponsored ANRS 119 and what is its other name", "trial-anrs-119", "the best card is about what was asked"),
    ("when did the IL2 mutein work start", "pub-leon-2018", "the best card is about what was asked"),  # its name
    ("IL-15 levels after chemotherapy in the Nguyen TIL trial", "pub-nguyen-2019",
     "the best card is about what was asked"),
]


LONG_MESSAGES = [
    # (the context a long message sets out first, the question it then asks, the card that answers)
    ("Our journal club is next week and I volunteered to cover the HIV outcome trials of aldesleukin.",
     "In ESPRIT, did IL-2 reduce opportunistic disease or death?", "trial-esprit"),
    ("I am preparing a newsletter for our advocacy group about cytokine therapies in HIV.",
     "What are the side effects of IL-7?", "il-7-side-effects"),
    ("Quick context: I'm new on the pharmacy team and still learning the protocols for the lupus study.",
     "What dose of IL-2 do patients get?", "lupus-trial-arms-dosing"),
    # a question about "that" is about what its context named
    ("My aunt's doctor keeps saying her drug is an immune modulator.", "What does that mean?",
     "aldesleukin-mechanism"),
    # short, but it ends with its question: the context before it is still context
    ("Writing a newsletter for our advocacy group on cytokine therapies in HIV.",
     "What are the side effects of IL-7?", "il-7-side-effects"),
]


@pytest.mark.parametrize(("context", "question", "card"), LONG_MESSAGES)
def test_a_long_message_is_answered_on_the_question_it_asks(
    engine: Engine, context: str, question: str, card: str
) -> None:
    """The sentences that ask are read, about the drugs, studies and diseases the whole message names."""
    reply = engine.ask(f"{context} {question}")
    assert (reply.matches[0].id if reply.answered else reply.reason) == card


PERSONAL_ADVICE = [
    # (query, answered card or None): advice for one person is declined; the same subject asked
    # about is answered
    ("I have lupus and still flare on steroids - should I take low-dose IL-2?", None),
    ("should I switch from my HIV pills to aldesleukin?", None),
    ("is it safe for me to get IL-7 while breastfeeding?", None),
    ("my mum has lupus - is low-dose IL-2 suitable for her?", None),
    # advice for someone else is advice too
    ("should my husband ask about aldesleukin for his melanoma?", None),
    ("my aunt has lupus, would low-dose IL-2 be good for her?", None),
    ("my mum has Crohn's - should she sign up for a low-dose IL-2 trial?", None),
    ("is it ok for me to start low dose IL-2 alongside my methotrexate?", None),
    # what one person may take or do, in the first person, or for a pet
    ("Can I take ibuprofen while I'm on low dose IL-2 injections?", None),
    ("which hospital near me gives high dose IL-2?", None),
    ("can IL-2 cure my psoriasis?", None),
    ("can IL-2 be given to my dog who has melanoma?", None),
    ("can you enrol me in the Beijing lupus IL-2 study?", None),
    ("can you book my dad in for his next IL-2 cycle?", None),
    ("can my husband keep working while he's having IL-2 treatment?", None),
    ("how long has my husband got with spread kidney cancer?", None),
    ("my son has neuroblastoma - should we ask for IL-2 with his antibody treatment?", None),
    # what would help or suit one person, whatever is named between; what to do now
    ("would aldesleukin help me? my CD4 is 300", None),
    ("IL-7 or IL-2 - which is better for me?", None),
    ("my mum is on high dose IL-2 and has a fever, what should we do", None),
    # one person's case put to the bot: a candidate, safe for him, a cure for me, what I can do
    ("my brother has kidney cancer with sarcomatoid features, is he a good candidate for HD IL-2", None),
    ("my brother has HIV and hepatitis B. would IL-7 be safe for him?", None),
    ("I just got diagnosed with HIV and I'm scared. Is IL-2 going to cure me?", None),
    ("I've got lupus, can I inject myself with IL-2 at home?", None),
    ("is my Crohn's bad enough for low dose IL2?", None),
    # ... but checking what one understood, or checking a fact, is no one's case
    ("is my understanding right that ESPRIT showed no clinical benefit?", "trial-esprit"),
    ("can I just check the IL-7 dose in the phase I/II?", "il-7-trial-results"),
    # ... said as what the question is for, after it ("for my kid")
    ("is il2 safe for my kid w neuroblastoma", None),
    # a way in for one person, or what it would do for their illness
    ("I weigh 85 kg, is there any way I can still get into the Beijing lupus study?", None),
    ("would I qualify for the NK cell trial? I'm on ART, undetectable", None),
    ("I've got Crohn's, where can I get ld-IL2 in London?", None),
    ("I'm 40 with psoriasis, will low-dose IL-2 clear my skin?", None),
    ("my CD4 dropped after stopping ART, do I need IL-2 or just restart meds?", None),
    ("I'm on mycophenolate and prednisone 40mg for lupus - am I too high on steroids to join?", None),
    ("my oncologist wants to combine nivolumab and IL-2 for my TNBC, good idea?", None),
    ("my mum is on HD IL-2 and getting rigors - should we give her tramadol?", None),
    ("My mom is 77 with lupus, just above the age limit. Is there another low-dose IL-2 trial she can join?", None),
    ("I'm HIV positive and breastfeeding — would it be ok to enroll in an IL-7 study?", None),
    ("my brother has HIV and wants to join one of these IL-2 studies - who helps decide if that's a good idea?",
     "aldesleukin-more-information"),
    # one relative's case: what they can get, whether it is worth it or better for them
    ("can my kid with neuroblastoma get the sc il-2 regimen", None),
    ("my uncle has metastatic kidney cancer, is HD il-2 worth it for him?", None),
    ("is my son eligible for IL-2 with dinutuximab for neuroblastoma?", None),
    ("is proleukin ok for my dad", None),
    # one person's own symptoms, levels or daily life
    ("can I drive after my IL-2 injection?", None),
    ("is my rash from the il2?", None),
    ("i got a fever after my il2 shot today, go to ER?", None),
    ("how do i get my viral load down", None),
    # ... but how one can find out, and what a relative asks about, are questions
    ("how can my patient find out if they're eligible for an IL-7 trial?", "il-7-clinical-trials"),
    ("my aunt is 78 with lupus - too old for the IL-2 lupus trial? what ages?", "lupus-trial-eligibility"),
    # whether someone can still join is asked of the criteria, which the source gives
    ("I got rituximab 4 months ago, can I still join the lupus IL-2 trial?", "lupus-trial-exclusion-criteria"),
    # right after which/what/who it asks where to find something, not what to do
    ("where should i look for IL-7 trials", "il-7-clinical-trials"),
    ("what doses are compared in the lupus trial of low-dose IL-2?", "lupus-trial-arms-dosing"),
    # who is to help decide whether it is right for her: a person to consult, the source says who
    ("my dad wants to join an IL-2 trial, who can help him decide if it's right for him?",
     "aldesleukin-more-information"),
    ("my sister wants to join an aldesleukin trial - who should she talk to about whether it's right for her?",
     "aldesleukin-more-information"),
    ("who should help me decide if an IL-2 trial for HIV is right for me?", "aldesleukin-more-information"),
]


@pytest.mark.parametrize(("query", "answer"), PERSONAL_ADVICE)
def test_personal_advice_is_declined(engine: Engine, query: str, answer: str | None) -> None:
    reply = engine.ask(query)
    advice = "the cards give what their sources say, not personal medical advice"
    assert (reply.matches[0].id if reply.answered else None, reply.reason == advice) == (answer, answer is None)


@pytest.mark.parametrize(("query", "answer", "reason"), GENERAL_ANSWERS)
def test_questions_in_ordinary_words_are_answered(
    engine: Engine, query: str, answer: str | None, reason: str
) -> None:
    reply = engine.ask(query)
    assert (reply.matches[0].id if reply.answered else None, reply.reason) == (answer, reason)


# -- answerability: a question asking for a kind of fact the card on its subject lacks ------------

ANSWERABILITY = [
    # (query, answered card or None, card offered as context when abstaining, fact kind missing)
    ("how many people were in STALWART", None, "trial-stalwart", "enrollment"),
    # numbers offered as choices are not stated by the question: "eleven participants" answers
    ("how many stopped early for side effects in ILIADE, 11 or 12?", "aldesleukin-side-effects-hiv", None, None),
    ("How many patients have been enrolled so far in NCT04077684?", None, "trial-nct04077684", "actual enrollment"),
    ("how many people have actually signed up to the lupus IL-2 trial so far", None, "trial-nct04077684",
     "actual enrollment"),
    ("how many signed up for ESPRIT", None, "trial-esprit", "enrollment"),
    # a postcode before "site status" counts no sites
    ("how many sites are in the lupus IL-2 RCT, other than Beijing?", None, "trial-nct04077684", "count"),
    # how many dropped out is counted by people who stopped, not by the "46 patients" enrolled
    ("how many people dropped out of ILIADE due to aldesleukin side effects?", "aldesleukin-side-effects-hiv",
     None, None),
    ("how many patients dropped out of the 11-disease ld-IL2 trial?", None, "trial-nct01988506", "count"),
    # the name of a product, its maker between, is a name the card must give
    ("what's the name of ILTOO pharma's IL-2 drug?", None, "rosenzwajg-2019-competing-interests", "other names"),
    ("What's the name of the Cuban no-alpha IL2 mutein drug in trials?", None, "pub-leon-2018", "other names"),
    # the institute that sponsored a study is no site of it: "which hospitals" needs one named as a site
    ("which French hospitals took part in ILIADE?", None, "trial-iliade", "location"),
    ("which hospital ran the lupus IL-2 trial?", "lupus-trial-contacts", None, None),
    # when a study ran is the date of that event: not its paper's year
    ("what years did the DaRenCa-1 trial run?", None, "pub-donskov-2018", "date"),
    # where a company is based: a country or city it is said to be in ("the French company Cytheris"),
    # and "which city" a city, not a country
    ("where is ILTOO Pharma based?", None, "rosenzwajg-2019-competing-interests", "location"),
    ("which city is Cytheris in", None, "what-is-il-7", "location"),
    ("who's developing IL-7 and where are they based?", "il-7-developer", None, None),
    ("where is ILTOO Pharma headquartered", None, "rosenzwajg-2019-competing-interests", "location"),
    ("oral cancer il2 snp study city", None, "pub-singh-2017", "location"),
    # "what dose" asks an amount in a unit of doses: not "a mean of 16.5 total doses"; "how many doses"
    # and "more doses" count them
    ("what HD IL-2 dose did the Pittsburgh sarcomatoid patients receive", None, "pub-achkar-2017", "dose"),
    ("on average how many IL-2 doses did the TIL patients actually get?", "pub-nguyen-2019", None, None),
    ("did more HD IL-2 doses mean better response in sarcomatoid RCC?", "pub-achkar-2017", None, None),
    ("what dose of IL-7 was given in the phase I/II", "il-7-trial-results", None, None),
    # the standard or approved dose is the label's: no study's dose, and no card gives the label's
    ("what's the label dose of Proleukin for metastatic kidney cancer?", None, "aldesleukin-fda-approval",
     "approved dose"),
    ("standard HD IL2 dose for kidney cancer, is it 600,000 IU/kg every 8 hrs?", None, "pub-achkar-2017",
     "approved dose"),
    # which/what asks a kind though its word names a subject too ("cancers", "cancer centre")
    ("which cancers is IL-7 being studied in?", None, "il-7-research-uses", "cancer types"),
    ("what cancers is proleukin approved for", "aldesleukin-fda-approval", None, None),
    ("which cancer centre ran the MAGE-A3 plus HD IL-2 study?", None, "pub-mcquade-2018", "location"),
    # how many of them were women (or men, or seropositive) is a count of some, not the enrollment
    ("how many sarcomatoid RCC patients were women?", None, "pub-achkar-2017", "count"),
    ("how many women got OK-432 + IL-2 in the ovarian study", "pub-wang-2019", None, None),
    # a rate of what people had is given by a fact naming it, or a word of its root ("mets": metastatic)
    ("what % of the sarcomatoid mRCC patients were women", None, "pub-achkar-2017", "rates"),
    ("what fraction of PROCLAIM patients had prior checkpoint inhibitors", None, "pub-curti-2017", "rates"),
    ("what fraction of the sarcomatoid group had mets at first presentation?", "pub-achkar-2017", None, None),
    ("what % of RCC/melanoma pts get lasting responses to HD IL2", "pub-leon-2018", None, None),
    # sites besides the one named are given by a fact naming several, not the one set aside
    ("which other hospitals besides Peking University People's Hospital are sites for NCT04077684?", None,
     "trial-nct04077684", "other sites"),
    ("which hospital in Utah besides Huntsman gives high-dose IL-2?", None, "pub-khong-2018", "other sites"),
    ("how many other sites took part in HR-NBL1?", "pub-ladenstein-2018", None, None),
    # survival in figures (the median, the numbers) is a number, not that survival was better
    ("PROCLAIM actual survival numbers for pts with irAEs", None, "pub-curti-2017", "survival figures"),
    ("DaRenCa overal survival numbers", "pub-donskov-2018", None, None),
    ("In metastatic RCC with sarcomatoid features, what's the typical median survival?", "pub-achkar-2017", None, None),
    # who sponsored a study is not a company its authors hold shares in or licensed patents to
    ("who sponsored NCT01988506", None, "trial-nct01988506", "sponsor or developer"),
    ("which company licensed the ld-IL2 patents?", "rosenzwajg-2019-competing-interests", None, None),
    ("who sponsored SILCAAT", "trial-silcaat", None, None),
    # the dose of a drug whose name stems apart from its spelling, and not the amount said of another
    ("what dose of berberine should T-ALL patients take?", None, "pub-hu-2019", "dose"),
    ("what hydroxychloroquine dose must patients be on to enter NCT04077684?", None,
     "lupus-trial-eligibility", "dose"),
    # a hospital stay is given by a fact on being in or out of hospital, not any length of time
    ("how long was the hospital stay for HD IL-2 in the sarcomatoid cohort?", None, "pub-achkar-2017",
     "hospital stay"),
    ("did the Ceylan neuroblastoma kids have to stay in hospital for the whole infusion?", "pub-ceylan-2018",
     None, None),
    # where on the body a drug is injected is no route: no card names a site on the body
    ("where on the body are the lupus trial injections given", None, "trial-nct04077684",
     "injection site on the body"),
    ("what dose was used in ESPRIT", None, "trial-esprit", "dose"),
    ("IL-2 dose used in HR-NBL1/SIOPEN subcutaneous arm", None, "pub-ladenstein-2018", "dose"),
    # a fact naming several drugs gives the dose of the one whose name an amount is said beside
    # a which/what ask one word on; enrollment as "number randomised"; the PI; a concentration
    ("which Danish centres took part in DaRenCa study-1", None, "trial-nct01274273", "location"),
    ("ILIADE number randomised", None, "trial-iliade", "enrollment"),
    ("who was the PI on NCT03308786", None, "trial-nct03308786", "investigator"),
    ("what IL-2 concentration did they combine with sorafenib in the Huh7 cells?", None, "pub-zhang-2019",
     "measured levels"),
    # an ask in two parts, around a study described at length
    ("what did the CROI 2022 presentation for NCT01013415 show", None, "trial-nct01013415", "results"),
    # "how big ... fold change" asks a fold change, not an enrollment
    ("how big was the Treg increase - fold change - in the Rosenzwajg trial?", None, "pub-rosenzwajg-2019",
     "fold change"),
    # ages: "a 50-year-old woman" gives one; a page's age is when it was revised
    ("how old were the patients in the TIL low-dose IL-2 melanoma trial?", None, "pub-nguyen-2019", "ages"),
    ("TNBC case report with IL-2 hyperthermia - how old was the patient?", "pub-kleef-2018", None, None),
    ("how old is the AIDSmeds IL-7 info - last revised when?", "what-is-il-7", None, None),
    # a phase stated names the trial asked about; it asks no phase
    ("which phase I/II trial number is testing the Cuban no-alpha IL2 mutein?", None, "pub-leon-2018", "identifier"),
    ("what phase is aldesleukin in for HIV?", "aldesleukin", None, None),
    # a response rate is a figure for the disease asked, not that irAEs went with better tumour control
    ("What was the complete response rate in melanoma patients in PROCLAIM?", None, "pub-curti-2017", "response rate"),
    ("what was the ORR with HD IL-2 in the sarcomatoid cohort?", "pub-achkar-2017", None, None),
    # the time off treatment, not another length of time on the card ("the first 24 weeks")
    ("ILIADE - median time off ART in the IL-2 arm vs control?", None, "trial-iliade", "time off treatment"),
    ("did ILIADE patients get more time off ART with IL-2 vs without?", "trial-iliade", None, None),
    # a vague count is the count a source gives ("has conducted several small trials")
    ("how many il-7 trials has cytheris done", "il-7-clinical-trials", None, None),
    ("how many people were in the Cytheris IL-7 phase I/II study?", None, "il-7-trial-results", "enrollment"),
    # countries by name, not one the question names or sets aside, nor "12 countries" or "international"
    ("esprit countries besides the US?", None, "trial-esprit", "countries"),
    ("which 12 countries took part in hr-nbl1", None, "pub-ladenstein-2018", "countries"),
    ("which countries ran ESPRIT?", "trial-esprit", None, None),
    ("ILIADE - which countries?", "trial-iliade", None, None),
    ("Cytheris - which country is the company from", "il-7-developer", None, None),  # "the French company"
    # the drugs given by name, not a class or a line of therapy
    ("which 2nd line drugs did the sarcomatoid RCC pts get after IL-2", None, "pub-achkar-2017", "drugs by name"),
    ("which drugs were compared in DaRenCa-1?", "pub-donskov-2018", None, None),
    ("what drug class is IL-7 in", "il-7-developer", None, None),
    # the numbers in each arm, not the total enrolled
    ("how many pts per arm in DaRenCa-1", None, "trial-nct01274273", "numbers in each arm or group"),
    ("how many patients per disease in the ld-IL2 11 disease study", None, "trial-nct01988506",
     "numbers in each arm or group"),
    ("how many pts in each arm of the ovarian IMCT review", "pub-wang-2019", None, None),  # "26 received ... and 25"
    ("how many patients were in each DaRenCa arm?", None, "trial-nct01274273", "numbers in each arm or group"),
    ("enrollment per arm in NCT04077684?", None, "trial-nct04077684", "numbers in each arm or group"),
    # how many responded asks a count of some of them, not the total
    ("Rosenzwajg trial - how many patients responded clinically?", None, "pub-rosenzwajg-2019", "count"),
    ("neuroblastoma IL-2 trial: how many were randomised to each arm?", "pub-ladenstein-2018", None, None),  # "n=200 to"
    ("IFN dose in DaRenCa-1", "trial-nct01274273", None, None),  # "IFN 3 MIU ... and IL2 2.4 MIU/m"
    ("IL-2 dose in DaRenCa-1", "trial-nct01274273", None, None),
    ("IL-2 dose given with dinutuximab beta in the neuroblastoma trial?", None, "pub-ladenstein-2018", "dose"),
    ("what dose of subcutaneous IL-2 was given with dinutuximab beta in the neuroblastoma study?", None,
     "pub-ladenstein-2018", "dose"),  # the drug a few words after "dose of"
    ("What IL-2 dose was given subcutaneously with long-term ch14.18/CHO infusion?", None, "pub-ceylan-2018",
     "dose"),  # a route word not asked ("infusion") names no drug whose dose is asked
    ("MTD of hu14.18-IL2 immunocytokine", "pub-albertini-2018", None, None),  # one drug's name holds IL2
    # a rare word of the cards beside "dose" names another medicine: a fact naming it gives its dose
    ("what's the isotretinoin dose for high risk neuroblastoma", None, "pub-ladenstein-2018", "dose"),
    ("What GM-CSF dose was alternated with IL-2 in the neuroblastoma immunotherapy?", None, "pub-ladenstein-2018",
     "dose"),
    # the size of a change, a measured level, a hazard or odds ratio: figures, not any result
    ("how much did Treg % rise in the ld-IL2 basket trial?", None, "pub-rosenzwajg-2019", "figure for the change or difference"),
    ("how much did CD4 counts go up on IL-7", "il-7-trial-results", None, None),
    # ... of a concept asked, a number beside its name: "CD4 count increased from 200" is not CD8's
    ("How much did CD8 counts rise on IL-7?", None, "il-7-trial-results", "figure for the change or difference"),
    # "by how many months": a number of months changed, not any percentage on the card
    ("by how many months did survival improve in PROCLAIM patients who had irAEs?", None, "pub-curti-2017",
     "figure for the change or difference"),
    ("how much does SLEDAI have to drop for an SRI-4 response?", "lupus-trial-primary-outcome", None, None),
    ("how many extra weeks off ART did the IL-2 arm get in ILIADE?", None, "trial-iliade",
     "figure for the change or difference"),  # not "in the first 24 weeks", when side effects came
    ("What was the mean serum IL-2 concentration in the gastric cancer patients?", None,
     "pub-shokrzadeh-2018", "measured levels"),
    ("were serum IL-2 levels different in stomach cancer pts vs healthy people", "pub-shokrzadeh-2018", None, None),
    ("What hazard ratio for opportunistic disease or death did ESPRIT report?", None, "trial-esprit", "hazard or odds ratio"),
    ("IL-2 -330 odds ratio for oral cancer", "pub-singh-2017", None, None),
    ("DaRenCa study-1: what was the HR for PFS, IL2/IFN/BEV vs IL2/IFN?", None, "pub-donskov-2018",
     "hazard or odds ratio"),  # a ratio asked for a survival figure: not the medians
    # a boxed warning, or where to order the drug: no card gives one
    ("does Proleukin have a boxed warning for capillary leak syndrome?", None, "pub-ladenstein-2018",
     "boxed warning"),
    ("where do I order Proleukin for our hospital pharmacy?", None, "aldesleukin", "supplier"),  # no place
    # which were the most common: a fact naming the commonest, not a list of side effects
    ("Which irAE was most common in PROCLAIM, thyroid?", None, "pub-curti-2017", "most frequent events"),
    ("ILIADE commonest side effects", "aldesleukin-side-effects-hiv", None, None),
    ("most common grade 3/4 AE in DaRenCa-1", "pub-donskov-2018", None, None),
    ("how do I order Proleukin?", None, "aldesleukin", "supplier"),  # not where to read more about it
    # a minimum, a maximum, a range or an entry cut-off is given by a fact stating one ("SLEDAI ≥ 8",
    # "300/mm^3 or greater", "18 to 75 years"); ESPRIT's card, which also names SILCAAT, gives ESPRIT's
    ("minimum disease activity score needed for NCT04077684", "lupus-trial-eligibility", None, None),
    ("is there an upper age limit for the lupus IL-2 study? Mum is 70", "lupus-trial-eligibility", None, None),
    ("ESPRIT CD4 cutoff for entry", "trial-esprit", None, None),
    ("SILCAAT CD4 cutoff for entry - what number?", None, "trial-silcaat", "cut-off"),
    ("what CD4 count did you need to be eligible for ESPRIT?", "trial-esprit", None, None),  # how high it had to be
    ("what CD4 count did you need to be eligible for SILCAAT?", None, "trial-silcaat", "cut-off"),
    ("liver enzyme cutoff for exclusion in NCT04077684", "lupus-trial-exclusion-criteria", None, None),
    # whether they can enrol asks who may join, not how many did
    ("If someone had rituximab last year, can they enrol in the ld-IL2 SLE study?", "lupus-trial-exclusion-criteria",
     None, None),
    # whether results are posted on a registry record is its status ("No results posted")
    ("any results posted for the lupus IL2 RCT yet?", "lupus-trial-dates-status", None, None),
    # who funded a study is given by a fact on its funding, not by its sponsor or responsible party
    ("who funded HR-NBL1/SIOPEN?", "pub-ladenstein-2018", None, None),
    ("who funds the Chinese lupus low-dose IL-2 RCT?", None, "trial-nct04077684", "funding"),  # its own card
    # an organisation set aside ("before Clinigen") is not the one asked for; one named with the study is
    ("Who owned Proleukin before Clinigen?", None, "aldesleukin", "sponsor or developer"),
    ("Which company now owns Proleukin after Clinigen?", None, "aldesleukin", "sponsor or developer"),
    ("who owns Proleukin?", "aldesleukin", None, None),
    ("who sponsored the Case Western study trying to shrink the hidden HIV reservoir with interleukin-2?",
     "trial-nct03308786", None, None),
    # a result asked of one disease, on a card about several, is on a fact naming that disease
    ("What results has IL-7 shown in hepatitis C?", None, "il-7-research-uses", "results"),
    ("HD IL-2 durable response rate in RCC/melanoma per León", "pub-leon-2018", None, None),
    # when a study started or finished is on a fact about its dates, or naming the event; not the
    # date its record was registered or its results published
    ("when did the ESPRIT study finish?", None, "trial-esprit", "date"),
    ("when did NCT03308786 finish", None, "trial-nct03308786", "date"),
    ("when did the Peking lupus IL-2 trial actually start?", "lupus-trial-dates-status", None, None),
    ("where were the IL2 muteins designed, and when did the project start?", "pub-leon-2018", None, None),
    ("when was ESPRIT registered?", "trial-esprit", None, None),
    # a generic name or an "also known as" is given by a fact naming one (a brand name, study names)
    ("what is the generic name of NKTR-214?", None, "pub-sullivan-2019", "other names"),
    ("ANRS 119 also known as?", "trial-anrs-119", None, None),
    ("aldesleukin aka?", "aldesleukin", None, None),
    # a trial's registry record names its owner, the sponsor: the card is on the organisation topic
    ("Who ran SILCAAT? I need the sponsor for a grant table.", "trial-silcaat", None, None),
    ("how many patients in the lupus trial", "trial-nct04077684", None, None),
    # "how long" asks a duration, unless it asks something else ("how long is it stable": storage)
    ("what was the ESPRIT follow-up duration?", None, "trial-esprit", "follow-up"),
    ("for how long must lupus treatment have failed before joining the trial?", "lupus-trial-eligibility", None, None),
    ("how long is reconstituted proleukin stable", None, "il-2-vs-il-7", "storage and preparation"),
    # where results were presented asks a venue, not the results
    ("where were the NCT01013415 results presented", "trial-nct01013415", None, None),
    # "what did X find" asks X's results, its name read as "it"
    ("what did COSMIC find?", None, "trial-cosmic", "results"),
    ("did STALWART show anything?", None, "trial-stalwart", "results"),
    ("did the COSMIC trial shrink the reservoir?", None, "trial-cosmic", "results"),
    # who manufactures a drug is not who sponsors a trial of it
    ("who manufactures the IL-2 used in the lupus trial?", None, "trial-nct04077684", "manufacturer"),
    ("who manufactures aldesleukin", "aldesleukin", None, None),
    # those who stopped ILIADE early are not its enrollment
    ("what was the total enrollment of ILIADE", None, "trial-iliade", "enrollment"),
    ("how many people quit the ILIADE study early", "trial-iliade", None, None),
    ("who makes proleukin?", "aldesleukin", None, None),
    ("what dose of IL-2 in the lupus trial", "lupus-trial-arms-dosing", None, None),
    # what a pharmacist asks that no card gives: said so, with the drug's card as context
    ("cost of aldesleukin", None, "aldesleukin", "price"),
    ("how should proleukin be stored", None, "aldesleukin", "storage and preparation"),
    ("molecular weight of aldesleukin", None, "aldesleukin", "molecular weight"),
    ("what is the half-life of IL-7", None, "what-is-il-7", "half-life"),
    # a registry's aim ("to see whether aldesleukin could decrease ...") is not a result
    ("results of the COSMIC study", None, "trial-cosmic", "results"),
    # survival is a result of its own: a card reporting responses does not give it
    ("median overall survival in the MAGE-A3 + HDIL-2 melanoma trial", None, "pub-mcquade-2018", "overall survival figures"),
    # overall survival is asked in figures: event-free survival, or "better overall survival", is not it
    ("overall survival in the HR-NBL1 dinutuximab beta +/- IL-2 trial?", None, "pub-ladenstein-2018", "overall survival figures"),
    ("PROCLAIM: what was median OS in melanoma pts who developed irAEs?", None, "pub-curti-2017", "overall survival figures"),
    ("event-free survival in the HR-NBL1 dinutuximab beta +/- IL-2 trial", "pub-ladenstein-2018", None, None),
    # what a study found, asked of "they" or as its findings; a registry record gives none
    ("what were the CROI 2022 findings from the CD4-ZETA + IL-2 study?", None, "trial-nct01013415", "results"),
    ("did the Case Western IL-2 reservoir study actually shrink the reservoir?", None, "trial-nct03308786",
     "results"),
    ("who ran the Case Western IL-2 reservoir study", "trial-nct03308786", None, None),
    # a paper's first author is named by its reference
    ("first author of the NEJM 2009 IL-2 in HIV paper", "trial-esprit", None, None),
    # "the ClinicalTrials.gov number" asks an identifier, not where to read more
    ("What's the clinicaltrials.gov number for the TIL with low-dose IL-2 melanoma trial?", "trial-nct01883323",
     None, None),
    ("who was the first author of the STALWART results paper?", None, "trial-stalwart", "publication reference"),
    # where a study stands asks its recruitment status, given by its record or a fact saying it
    ("recruitment status of NCT01988506?", None, "trial-nct01988506", "recruitment status"),
    ("is the lupus IL-2 trial still recruiting", "lupus-trial-dates-status", None, None),
    # where a paper named at length was published, or whether a trial has been, asks its reference
    ("where was the IL-7 phase I/II published?", None, "il-7-trial-results", "publication reference"),
    ("has NCT04077684 been published in a journal yet?", None, "trial-nct04077684", "publication reference"),
    ("where was the neuroblastoma IL-2 phase 3 published?", "pub-ladenstein-2018", None, None),
    # which centre or institution ran a study asks where it was run: "a single institution" names none
    ("Which cancer centre ran the MAGE-A3 plus HD IL-2 study?", None, "pub-mcquade-2018", "location"),
    ("which institution ran the Nguyen TIL phase II?", None, "trial-nct01883323", "location"),
    # the card of the study named that gives the kind asked answers, though it matches more weakly
    ("median PFS in each arm of DaRenCa-1?", "pub-donskov-2018", None, None),
    # who was enrolled asks what sort of people, not how many
    ("Who was enrolled in STALWART - people on HIV meds or off them?", "trial-stalwart", None, None),
    # a sibling drug's dose is not the one asked (the low-dose TIL regimen for high-dose IL-2)
    ("what's the usual high-dose IV Proleukin dose for metastatic melanoma?", None, None, None),
    ("what's the usual high-dose IV Proleukin dose in IU/kg for metastatic melanoma?", None, "pub-nguyen-2019", "dose"),
    ("what IL-2 dose did the Nguyen TIL trial use", "trial-nct01883323", None, None),  # its registry card
    # a dose asked in a unit is given by a number in that unit ("125,000 IU/kg/day"), not "16.5 doses"
    ("HD IL-2 dose in IU/kg for metastatic RCC", None, "pub-achkar-2017", "dose"),
    ("IL-2 dose in IU/kg in the TIL trial", "trial-nct01883323", None, None),
    ("what is the IL-2 dose per m2 in the DaRenCa study-1?", None, "trial-nct01274273", "dose"),
    ("ld-IL2 1 MIU/day schedule in the lupus trial", "lupus-trial-arms-dosing", None, None),  # a unit stated
    # a paper's date is not the date of an approval it mentions
    ("in what year was denileukin diftitox (Ontak) approved?", None, "pub-cheung-2019", "date"),
    ("when was the Cheung denileukin paper published", "pub-cheung-2019", None, None),
    # how many have enrolled so far asks the actual enrollment, not the planned (estimated) one
    ("how many patients have actually been enrolled so far in NCT04077684?", None, "trial-nct04077684",
     "actual enrollment"),
    ("how many patients is NCT04077684 planning to enrol", "trial-nct04077684", None, None),
    # which group did best asks a comparison between the groups, not any result
    ("which of the 11 autoimmune diseases responded best to low-dose IL-2?", None, "pub-rosenzwajg-2019",
     "comparison between its groups"),
    ("which worked best for rigors on IL-2, meperidine or tramadol?", "pub-khong-2018", None, None),
    ("which of the three IL-2 doses worked best in NCT04077684?", None, "trial-nct04077684",
     "comparison between its groups"),
    # by what fold asks a figure, not any result
    ("by what fold did Tregs increase in the 11 autoimmune diseases trial?", None, "pub-rosenzwajg-2019",
     "fold change"),
    ("how many fold less lethal to mice was the V6A toxin", "pub-cheung-2019", None, None),
    # an abbreviation in a fact counts what it stands for ("152 irAEs" counts adverse events)
    ("how many immune-related adverse events were logged in PROCLAIM?", "pub-curti-2017", None, None),
    # how many of one disease, in a study of several: a count naming it, not the whole study's
    ("how many SLE patients were in the Rosenzwajg ld-IL2 trial?", None, "pub-rosenzwajg-2019", "enrollment"),
    ("how many melanoma patients got TIL with low dose IL-2", "pub-nguyen-2019", None, None),
    # ... or one disease of the group a study's card is about (RA among eleven autoimmune diseases)
    ("how many RA patients enrolled in the Rosenzwajg basket trial", None, "pub-rosenzwajg-2019", "enrollment"),
    ("how many patients in the Rosenzwajg basket trial", "ld-il2-autoimmune-design", None, None),
    # whether a drug has been tried in people asks how far it has got
    ("has the NARA1 antibody been tested in people yet?", None, "pub-boyman-2019", "phase"),
    ("has IL-7 been tested in humans?", "il-7-trial-results", None, None),
    ("has the Carmenate IL-2 antagonist gone into patients?", None, "pub-carmenate-2018", "phase"),
    ("is NARA1 in clinical trials?", None, "pub-boyman-2019", "phase"),
    ("has the no-alpha IL-2 mutein gone into humans yet?", "pub-leon-2018", None, None),
    ("what were the follow-up lengths in ESPRIT and SILCAAT?", None, "trial-esprit", "follow-up"),
    ("Who was the principal investigator of the Case Western IL-2 reservoir study?", None, "trial-nct03308786", "investigator"),
    ("principal investigator of the Beijing lupus IL-2 trial", "lupus-trial-contacts", None, None),
    ("who was the lead doctor on the case western IL-2 reservoir trial?", None, "trial-nct03308786", "investigator"),
    ("did IL-2 improve survival in ESPRIT?", "trial-esprit", None, None),
    ("3-year event-free survival in HR-NBL1", "pub-ladenstein-2018", None, None),
    # a dose of another drug is given only by a fact naming that drug (not the corticosteroid limit)
    ("rituximab dose for lupus", None, "lupus-trial-exclusion-criteria", "dose"),  # the card naming it
    ("what bevacizumab dose was used in the DaRenCa study-1?", None, "trial-nct01274273", "dose"),  # not given
    # a dose said of one of our drugs ("IL-2 dose") is given by a fact naming it, not the antibody's
    ("what IL-2 dose did the kids get in the HR-NBL1/SIOPEN dinutuximab beta trial?", None,
     "pub-ladenstein-2018", "dose"),
    ("what dinutuximab beta dose was used in HR-NBL1/SIOPEN?", "pub-ladenstein-2018", None, None),
    ("what IL-2 dose is used in the lupus trial", "lupus-trial-arms-dosing", None, None),
    # "how much" asks for a dose, unless the question asks for something else
    ("how much IL-2 is given in the lupus trial", "lupus-trial-arms-dosing", None, None),
    # (nothing but the fact asked of a subject: the card introducing it is offered)
    ("how much does IL-7 cost and does Medicaid pay for it?", None, "what-is-il-7", "price"),
    # ... or how a result compared ("how much safer", "how much less"), given by a result-type fact
    ("how much safer in mice is the V6A DAB-IL-2", "pub-cheung-2019", None, None),
    # a card on several studies gives ILIADE's enrollment, not ESPRIT's: ESPRIT's own card is offered
    ("how many people were enrolled in ESPRIT?", None, "trial-esprit", "enrollment"),
    # a figure is given only by a fact stating a number the question does not: "a short half-life"
    # gives no half-life, and "46 patients with 11 diseases" no count of the 46 with psoriasis (the
    # study's own card is offered: "the 11-disease low-dose IL-2 trial" names it, the drug inside)
    ("how long is the half-life of high-dose IL-2", None, "low-dose-vs-high-dose-il-2", "half-life"),
    (
        "in the 11-disease low-dose IL-2 trial, how many of the 46 patients had psoriasis",
        None,
        "pub-rosenzwajg-2019",
        "count",
    ),
    # "how many X" is given by a number counting X: not "11 diseases" for the 46 with lupus, not
    # "5 days" for deaths; patients, participants and children count alike
    ("how many of the 46 patients in the Rosenzwajg study had lupus", None, "pub-rosenzwajg-2019", "count"),
    ("how many deaths were there in ESPRIT", None, "trial-esprit", "count"),
    # "how many stopped" counts the people who stopped ("eleven participants ... stopped")
    ("How many stopped early on aldesleukin in ANRS118?", "trial-iliade", None, None),
    # ... or by a lay word for it, either way ("deaths": "died", "centres": "institutions")
    ("how many toxic deaths in the SIOPEN IL2 study", "pub-ladenstein-2018", None, None),
    ("how many centres took part in the HR-NBL1/SIOPEN randomisation", "pub-ladenstein-2018", None, None),
    ("how many of the 46 in the Rosenzwajg study had psoriasis", None, "pub-rosenzwajg-2019", "count"),
    ("how many of the 188 children in HR-NBL1 received their allocated treatment", "pub-ladenstein-2018", None, None),
    ("how many children were in the HR-NBL1 trial", "pub-ladenstein-2018", None, None),
    # a place is a hospital, a university, an institute: not "their academic institutions"
    ("which hospital ran the Rosenzwajg study", None, "pub-rosenzwajg-2019", "location"),
    ("how many cycles of aldesleukin in ILIADE", "trial-iliade", None, None),
    ("allocation ratio of the lupus IL-2 trial", "lupus-trial-design", None, None),
    # to enrol is to join: who can, not how many did
    ("what SLEDAI score do you need to enroll in the lupus IL-2 trial", "lupus-trial-eligibility", None, None),
    ("enrollment of the lupus IL-2 trial", "trial-nct04077684", None, None),
    ("how many participants is the lupus IL-2 trial planning to enrol", "trial-nct04077684", None, None),  # estimated
    ("what treatment must lupus patients have failed before enrolling", "lupus-trial-eligibility", None, None),
    # a phase is given by a trial field or a fact naming one; asked with where it was published, the
    # card gives the other
    ("what phase was COSMIC", None, "trial-cosmic", "phase"),
    ("what phase was COSMIC and where was it published", "trial-cosmic", None, None),
    ("STALWART phase?", "trial-stalwart", None, None),
    ("reg number of COSMIC", None, "trial-cosmic", "identifier"),  # its card gives no registry number
    # the kind a which/what names is the one asked, beside a verb that asks another ("inject")
    ("what dose of aldesleukin did ESPRIT participants inject", None, "trial-esprit", "dose"),
    ("what fraction of kidney cancers show sarcomatoid features", "pub-achkar-2017", None, None),  # a result
    # contact details are asked for by email, phone, "who do I contact"
    ("phone and email for the Beijing lupus IL-2 study", "lupus-trial-contacts", None, None),
    ("email for the ESPRIT investigators", None, "trial-esprit", "contact details"),
    # a trial's primary outcome is the measure it set, not a result it found
    ("primary outcome of the lupus IL-2 trial and when is it measured", "lupus-trial-primary-outcome", None, None),
    ("secondary outcome measures of the lupus IL-2 trial", None, "trial-nct04077684", "secondary outcomes"),
    ("secondary outcomes of the Peking lupus IL-2 trial?", None, "trial-nct04077684", "secondary outcomes"),
    ("odds ratio for the AC genotype in oral cancer", "pub-singh-2017", None, None),  # no allocation
    # the paper's card lacks the identifier; its related registry card gives it (a trial field), and
    # a closer card's stronger facts of other kinds do not take the answer back
    ("what is the NCT number of the TIL with low dose IL-2 trial in melanoma", "trial-nct01883323", None, None),
    # "NCT" alone asks for the identifier; the related registry card of the paper's own study gives
    # it by its facts (its name words need not be in them: it is about that one study)
    ("TIL low dose IL-2 trial NCT?", "trial-nct01883323", None, None),
    # a source page's own dates are on its page card
    ("when was the HIVinfo aldesleukin page last reviewed", "hivinfo-page", None, None),
    ("when was the IL-7 page last revised?", "what-is-il-7", None, None),
    # who makes the drug a trial uses is its manufacturer, not the trial's sponsor
    ("who makes the recombinant IL-2 used in the Beijing lupus trial?", None, "trial-nct04077684", "manufacturer"),
    ("who makes Proleukin", "aldesleukin", None, None),
    ("where in India was the IL-2 -330 oral cancer study done?", None, "pub-singh-2017", "location"),
    # on a card about two diseases, the date asked of one must be a date of that one
    ("what year was Proleukin approved for melanoma specifically", None, "aldesleukin-fda-approval", "date"),
    # a label cited by its date gives no date of an approval: declined, not answered with that date
    ("when was Proleukin approved", None, None, None),
    # which inhibitor or chemotherapy drugs asks their names ("immune checkpoint inhibition" names none)
    ("which checkpoint inhibitor is NKTR-214 being combined with - nivolumab?", None, "pub-sullivan-2019", "drugs by name"),
    # a vial's strength (no source gives one); how low a count had to be is a cut-off
    ("proleukin vial size", None, "aldesleukin", "vial strength"),
    ("how many million IU in one Proleukin vial", None, "ld-il2-autoimmune-dose", "vial strength"),  # (a dose card, by the units)
    ("what CD4 count cutoff defined 'low' in SILCAAT?", None, "trial-silcaat", "cut-off"),
    # what a product is called is a name the source gives it ("Other Name: Human recombinant IL-2")
    ("which IL-2 product was used in the Rosenzwajg study - Proleukin?", None, "pub-rosenzwajg-2019", "other names"),
    ("what is the drug name of the Cuban no-alpha IL2 mutein", None, "pub-leon-2018", "other names"),
    ("what's the IL-2 product called in the lupus trial listing", "lupus-trial-arms-dosing", None, None),
    # how long people stayed off treatment asks a time off it; whether they stayed off longer, a result
    ("how long on average were ILIADE pts able to stay off ART", None, "trial-iliade", "time off treatment"),
    ("did the ILIADE people stay off ART longer than controls?", "trial-iliade", None, None),
    # "when will" asks a date too: IL-7's cards give no approval, and say so by their coverage
    ("when will IL-7 be approved for HIV?", None, None, None),
    # a paper's card gives its own background and endpoints (not only a trial or overview card)
    ("primary endpoint of the TIL lowdose IL2 study", "pub-nguyen-2019", None, None),
    # whether a treatment named at length did something is a result ("did | activate")
    ("did ld-IL2 activate effector T cells too?", "ld-il2-autoimmune-results", None, None),
    ("Did ld-IL2 activate effector T cells in the 11-disease trial?", "ld-il2-autoimmune-results", None, None),
    ("did IL-2 on top of ART raise CD4 counts in the big phase 3 HIV trials?", "trial-silcaat", None, None),
    # where a study described at length was run asks its location ("where was | conducted")
    ("where was the MAGE-A3 HDIL-2 phase II conducted?", None, "trial-nct01266603", "location"),
    ("where was the neuroblastoma IL-2 trial run", "pub-ladenstein-2018", None, None),
    # how many came off a study, or dropped out, is a count of some of them, not the enrollment
    ("how many people in ILIADE came off study because of IL-2 toxicity", "aldesleukin-side-effects-hiv", None, None),
    # a median age is a median, not the ages a trial allowed; a total count of people is its enrollment
    ("median age of the kids in the SIOPEN IL-2 randomisation?", None, "pub-ladenstein-2018", "median age"),
    ("median age in the sarcomatoid HD IL-2 cohort", "pub-achkar-2017", None, None),
    ("how many total participants were in the ILIADE trial", None, "trial-iliade", "enrollment"),
    # a paper published online is its e-publication ("Epub 2018 Nov 24")
    ("when was the Rosenzwajg paper published online?", "pub-rosenzwajg-2019", None, None),
    # a drug's activity (antitumour, clinical, minor) is a result
    ("does NKTR-214 work well on its own?", "pub-sullivan-2019", None, None),
    # a route is any way into the body the source names: into the bladder (intravesical), the pleura
    ("bladder cancer IL-2 - what route", "pub-bosschieter-2019", None, None),
    # who a study enrolled (its population) is not how many: enrolled with a description asks who
    ("what population did SILCAAT enrol", "trial-silcaat", None, None),
    ("silcaat enrolled what kind of patients", "trial-silcaat", None, None),
    ("SILCAAT enrolled people with high CD4 or low CD4?", "trial-silcaat", None, None),
    ("how many people did SILCAAT enrol", None, "trial-silcaat", "enrollment"),
    # a maker is a company, not a brand; a brand is a name the source calls one (not "Other Name:")
    ("which company made Proleukin before Clinigen?", None, "aldesleukin", "manufacturer"),
    ("which brand of IL-2 is used in the Peking lupus trial - is it Proleukin?", None, "trial-nct04077684", "brand name"),
    ("who makes proleukin?", "aldesleukin", None, None),
    # a follow-up is a length of time said of the follow-up, not the weeks of dosing before it
    ("PROCLAIM median followup", "pub-curti-2017", None, None),
    ("how long is follow-up after the 24 weeks of injections in the lupus trial?", None, "lupus-trial-arms-dosing", "follow-up"),
    # a rate (what percent, the incidence) is a percentage or "n of N", not "1 of 11 autoimmune diseases"
    ("what percentage of PROCLAIM patients had irAEs", "pub-curti-2017", None, None),
    ("what proportion of the Achkar patients had metastatic disease at presentation", "pub-achkar-2017", None, None),
    # (all were post-nephrectomy, the card says, but it states no rate of it: the card is offered as context)
    ("what proportion of patients had prior nephrectomy in Achkar", None, "pub-achkar-2017", "rates"),
    ("what percent of people on aldesleukin in ESPRIT had a serious side effect?", None, "trial-esprit", "rates"),
    ("injection site reaction rate with ld-IL2 in the autoimmune basket trial", None, "trial-nct01988506", "rates"),
    # a kind of fact no card gives (a price) is missing beside one the card gives (a dose); a figure
    # no card states may still be what a result is about (the time off ART)
    ("IL-7 cost per dose", None, "il-7-trial-results", "price"),
    ("ILIADE outcome - did IL-2 lengthen time off ART?", "trial-iliade", None, None),
    # a copy by another maker (a biosimilar) is not the generic name; a takeover's date is an event's
    ("is there a generic or biosimilar aldesleukin?", None, "aldesleukin", "generic or biosimilar versions"),
    ("what's the generic name of Proleukin", "aldesleukin", None, None),
    ("in what year did Clinigen take over Proleukin", None, "aldesleukin", "date"),
    # when a study enrolled asks the dates of its recruitment, not how many it enrolled
    ("when did enrollment run for NCT01988506?", None, "trial-nct01988506", "date"),
    ("when did they recruit for the neuroblastoma IL-2 randomisation?", "pub-ladenstein-2018", None, None),
    # a route named in the question ("sc or iv?") is answered by a fact naming a route, not "injections"
    ("were ld-IL2 injections sc or iv in the 11 autoimmune disease trial", None, "ld-il2-autoimmune-dose",
     "route of administration"),
    ("was IL-2 given subcutaneously or IV in the lupus trial?", "lupus-trial-arms-dosing", None, None),
    # how many women is not how many patients; a fax is no phone number; who bought a company
    ("how many women vs men in the 46 patient ld-IL2 trial", None, "low-dose-vs-high-dose-il-2", "count"),
    ("what's the fax number for the Peking lupus trial team?", None, "trial-nct04077684", "fax number"),
    ("who bought Cytheris", None, "what-is-il-7", "acquisition"),
    # what a count rose to, or its rise in numbers, is a figure beside that count
    ("what did CD8 counts rise to on IL-7?", None, "what-is-il-7", "figure for the change or difference"),
    ("il-7 cd8 increase how much", None, "what-is-il-7", "figure for the change or difference"),
    ("what did CD4 counts rise to on IL-7?", "il-7-trial-results", None, None),
    # how long an effect lasted after treatment is given by a fact on its persistence, not by how
    # long dosing ran
    ("how long did the CD4 boost last after stopping IL-7", None, "il-7-mechanism", "duration of effect"),
    ("how long did the dominant TIL clone persist in the responder", "pub-nguyen-2019", None, None),
    # how a harm or a disease is managed is given by a fact on managing or preventing one
    ("how do you treat IL-2 capillary leak syndrome", None, "pub-ladenstein-2018", "management"),
    ("how is Takayasu arteritis normally treated", None, "ld-il2-autoimmune-diseases", "management"),
    ("how do you manage rigors on HD IL-2?", "pub-khong-2018", None, None),
    # a DOI is given with one paper's reference only; no source gives a PubMed ID
    ("does anyone have the DOI for the ILIADE paper in AIDS 2012?", None, "trial-iliade", "DOI"),
    ("doi for the Rosenzwajg low dose IL-2 paper", "pub-rosenzwajg-2019", None, None),
    ("what's the PMID for the Rosenzwajg Ann Rheum Dis paper?", None, "pub-rosenzwajg-2019", "PubMed ID"),
    # a weight range is no body mass index; a pregnancy test is no contraception
    ("is there a BMI limit for the lupus IL-2 trial?", None, "trial-nct04077684", "body mass index"),
    ("Is there a contraception requirement for women in the SLE low-dose IL-2 trial?", None, "trial-nct04077684",
     "contraception requirements"),
    # a maximum tolerated dose is not any dose tested
    ("max tolerated dose of IL-7?", None, "il-7-trial-results", "maximum tolerated dose"),
    ("hu14.18-IL2 MTD from phase I", "pub-albertini-2018", None, None),
    # how long responses lasted is said of the responses, not any length of time on the card
    ("how long did the partial responses last in the TIL + low dose IL-2 study?", None, "pub-nguyen-2019",
     "duration of response"),
    ("how long did responses last in the MAGE-A3 HDIL-2 trial?", "pub-mcquade-2018", None, None),
    # a dose adjustment (for the kidneys) is not a dose; an IC50 is not a concentration tested
    ("renal dose adjustment for aldesleukin?", None, "pub-achkar-2017", "dose adjustments"),
    ("berberine IC50 for IL-2 secretion", None, "pub-hu-2019", "binding affinity or potency"),
    # which chemo or which meds asks the drugs by name, not a class ("lymphodepleting chemotherapy")
    ("which lymphodepleting chemo drugs were used in the Nguyen TIL study", None, "pub-nguyen-2019", "drugs by name"),
    ("what background meds were the lupus pts allowed to be recieving?", "lupus-trial-eligibility", None, None),
    # the date of an event is given by a fact naming that event, not another one ("enrollment")
    ("start date NCT01883323", None, "trial-nct01883323", "date"),
    ("when was NCT01347996 registered?", None, "trial-nct01347996", "date"),
    ("when was STALWART registered", "trial-stalwart", None, None),
    # which tumours asks them by name, not "tumor growth"
    ("which mouse tumour models were used with the Carmenate IL-2 antagonist", None, "pub-carmenate-2018",
     "cancer types"),
    ("which tumours show durable regressions with high-dose IV IL2?", "high-dose-il-2-side-effects", None, None),
    # who was kept blind asks the masking, given only by a fact saying it
    ("masking of the DaRenCa study-1", None, "trial-nct01274273", "masking"),
    ("who is blinded in the lupus low dose interleukin 2 trial?", "lupus-trial-design", None, None),
    # a registry other than ClinicalTrials.gov asks its own number, not the NCT one
    ("EudraCT number for ANRS 119", None, "trial-anrs-119", "identifier"),
    ("ChiCTR registration number for NCT04077684", None, "trial-nct04077684", "identifier"),
    ("NCT number for ANRS 119", "trial-anrs-119", None, None),
    # ... and which regimen, ARVs or later therapies asks the drugs by name too
    ("which ART regimen did ESPRIT participants take", None, "trial-esprit", "drugs by name"),
    ("sarcomatoid 2nd line drugs", None, "pub-achkar-2017", "drugs by name"),
    ("which subsequent therapies did the sarcomatoid mRCC pts get after HD IL-2", None, "pub-achkar-2017", "drugs by name"),
    # which hospital or clinic is answered by a fact naming one, not a country
    ("which clinic treated the TNBC hyperthermia patient", None, "pub-kleef-2018", "location"),
    ("which hospital runs the lupus IL-2 trial?", "lupus-trial-contacts", None, None),
    # the odds ratio for a response rate asks the ratio, not the rate
    ("pooled OR for ORR in the thoracic IL-2 MPE meta-analysis", None, "pub-han-2018", "hazard or odds ratio"),
    # whether a drug was approved is said by a fact saying it was approved
    ("was NKTR-214 ever approved by the FDA?", None, "pub-sullivan-2019", "approval"),
    ("what is Proleukin approved for?", "aldesleukin-fda-approval", None, None),
    ("denileukin diftitox approval year", None, "pub-cheung-2019", "date"),  # the year asked is a date
    # terse asks: "#" is "number of", "n pts" the enrollment, sites and an institution's name a location
    ("stalwart # sites", None, "trial-stalwart", "count"),
    ("esprit n pts", None, "trial-esprit", "enrollment"),
    ("cosmic n", None, "trial-cosmic", "enrollment"),  # "n" typed last, after a study's name
    ("esprit PI", None, "trial-esprit", "investigator"),  # "PI" typed last
    ("lupus trial PI", "lupus-trial-contacts", None, None),
    ("DaRenCa study-1 n", "trial-nct01274273", None, None),
    ("who were the investigators on ESPRIT?", None, "trial-esprit", "investigator"),
    ("nguyen TIL study institution name", None, "pub-nguyen-2019", "location"),
    ("ladenstein neuroblastoma trial countries list", None, "pub-ladenstein-2018", "countries"),
    # an ask in two parts around a study described at length
    ("where was the phase II MAGE-A3 plus high-dose IL-2 melanoma trial carried out?", None, "trial-nct01266603",
     "location"),
    # what a name stands for is said by words spelling it out, not by the name
    ("what does SILCAAT stand for", None, "trial-silcaat", "full name"),
    ("what does ESPRIT stand for", "trial-esprit", None, None),
    ("DaRenCa - what does it stand for?", "trial-nct01274273", None, None),
    # a result asked of a measure (viral load, Tregs) is given by a result naming it, not by others
    ("did IL-7 reduce viral load?", None, "what-is-il-7", "results"),
    ("after TIL, did the low-dose IL-2 expand Tregs in the blood?", "pub-nguyen-2019", None, None),
    ("did IL-2 change HIV levels in COSMIC?", "trial-cosmic", None, None),
    # a claim to check asks whether it happened
    ("is it true that IL-2 lowered HIV levels in SILCAAT?", None, "trial-silcaat", "results"),
    ("fact check: did ESPRIT show higher CD4 counts with aldesleukin?", "trial-esprit", None, None),
    # where a study described at length was held, or a patient treated, asks a place
    ("where was the TNBC hyperthermia + IL-2 patient treated?", None, "pub-kleef-2018", "location"),
    ("how many doses of high dose IL-2 are in one cycle normally?", None, "pub-achkar-2017", "schedule per cycle"),
    # one thing better than another is answered by a card about both that compares them
    ("is IL-7 more effective than aldesleukin for raising CD4 counts in HIV?", None, "il-7-trial-results",
     "comparison of the two"),
    ("IL-7 vs IL-2 - which gives a bigger CD4 rise in head to head trials?", None, "il-2-vs-il-7",
     "comparison of the two"),
    ("is IL-7 better than IL-2 at making new T cells?", "il-7-vs-proleukin", None, None),
    ("was the toxicity of HDIL-2 plus MAGE-A3 worse than HDIL-2 alone?", "pub-mcquade-2018", None, None),
    # a concentration asked alone is given by an amount per volume or a molar one
    ("Tan IIA concentration in the SW480 experiments", None, "pub-qian-2018", "measured levels"),
    ("berberine cytotoxic to Jurkat at what conc", "pub-hu-2019", None, None),
    # which mouse strain or assay is given by a fact naming one, not by "in mice" or a result
    ("what mouse strain was used in the IL-2 + rAd-p53 glioblastoma study?", None, "pub-qiao-2018",
     "animal strain"),
    ("what immune-monitoring assays were used in the MAGE-A3 + HDIL-2 trial, flow panel?", None,
     "pub-mcquade-2018", "assay or method"),
    ("which ELISA kit did the gastric cancer cytokine paper use?", "pub-shokrzadeh-2018", None, None),
    # a maximum dose asks a dose: the steroid cap is no hydroxychloroquine dose
    ("max hydroxychloroquine dose allowed as background in the lupus IL-2 trial?", None,
     "lupus-trial-eligibility", "dose"),
    ("max steroid dose allowed as background therapy in the Peking trial?", "lupus-trial-eligibility", None, None),
    # ... nor a dose of mycophenolate, which the same list names right after the steroid cap
    ("MMF max dose for background therapy in NCT04077684", None, "lupus-trial-eligibility", "dose"),
    # what a cycle holds is given by a fact saying so, not by how many cycles were given
    ("how many days per cycle did ILIADE participants inject IL-2?", None, "trial-iliade", "schedule per cycle"),
    ("how many cycles of aldesleukin did ILIADE pts get before the treatment interruption",
     "trial-iliade", None, None),
    # which side effects people had is given by a fact on harms, not by the study's CD4 results
    ("which side effects were seen in COSMIC?", None, "trial-cosmic", "side effects"),
    ("what side effects did people get in the NK cell + IL-2 trial?", None, "trial-nct03346499", "side effects"),
    ("what side effects did people get on aldesleukin in ILIADE?", "aldesleukin-side-effects-hiv", None, None),
]


LABELLED_NUMBERS = [
    # (query, answered card or None): a numbered category or span of years asked is one the card states
    ("5-year overall survival in HR-NBL1", None),
    ("3-year event-free survival in HR-NBL1", "pub-ladenstein-2018"),
    ("which IL-7 dose is going into phase 3", None),
    ("is ILIADE a phase 2/3 trial", "trial-iliade"),
    ("low-dose IL-2 trials in type 1 diabetes", None),
    ("grade 3/4 toxicities in the Danish renal trial", "pub-donskov-2018"),
    ("Is a 17-year-old eligible for the lupus trial?", "lupus-trial-eligibility"),  # an age is no span
    # choices offered ("phase 2 or phase 3?"): one of them on the card is enough
    ("is aldesleukin phase 2 or phase 3 for HIV right now? someone said phase 2", "aldesleukin"),
    ("HR-NBL1 5-year or 3-year event-free survival?", "pub-ladenstein-2018"),
]


@pytest.mark.parametrize(
    ("text", "labelled"),
    [
        ("a Phase I/II study", ["phase 1", "phase 2"]),
        ("grade 3/4 toxicities", ["grade 3", "grade 4"]),
        ("type 1 diabetes", ["type 1"]),
        ("5-year overall survival", ["5-year"]),
        ("followed for three years", ["3-year"]),
        ("a 17-year-old man", []),  # an age
        ("treated three years ago", []),  # a time ago
        ("IL-2 for 5 days", []),  # only spans of years
    ],
)
def test_labelled_numbers_are_read_with_their_label(text: str, labelled: list[str]) -> None:
    assert sorted(labelled_numbers(text)) == labelled


@pytest.mark.parametrize(("query", "answer"), LABELLED_NUMBERS)
def test_a_labelled_number_asked_must_be_on_the_card(engine: Engine, query: str, answer: str | None) -> None:
    reply = engine.ask(query)
    assert (reply.matches[0].id if reply.answered else None) == answer, reply.reason


@pytest.mark.parametrize(("query", "answer", "partial", "missing"), ANSWERABILITY)
def test_answerability(
    engine: Engine, query: str, answer: str | None, partial: str | None, missing: str | None
) -> None:
    reply = engine.ask(query)
    got = (
        reply.matches[0].id if reply.answered else None,
        reply.partial.id if reply.partial else None,
        reply.partial.missing if reply.partial else None,
    )
    assert got == (answer, partial, missing), reply.reason


FACT_KINDS = [
    # (a fact's text, the kinds of fact it gives, recognised by facts/vocabulary/answers.yaml)
    ("Study type: Interventional (Clinical Trial); estimated enrollment: 500 participants.", ["count", "enrollment"]),
    # those who stopped are some of the participants, not the enrollment
    ("Eleven participants receiving aldesleukin stopped the study early.", ["count", "population"]),
    # (an amount could be the label's dose, by its text alone: FACT_KINDS_BY_EVIDENCE)
    ("Dose: IFN 3 MIU subcutaneously (sc) daily.", ["count", "dose", "drug-names", "expansion", "label-dose", "route"]),
    ("All patients received ld-IL2 (1 million IU/day) for 5 days.", ["count", "dose", "duration", "label-dose"]),
    ("Organization: Clinigen Group PLC.", ["manufacturer", "sponsor"]),  # a drug summary's organization makes it
    ("Competing interests: MR and DK are employees of ILTOO Pharma.", ["sponsor"]),
    ("NKTR-214 has a favorable toxicity profile and compelling pharmacodynamic effects.", ["side-effects"]),  # not a pharma
    ("ClinicalTrials.gov identifier: NCT04077684.", ["identifier"]),
    # a ratio is a number, not the level of its confidence intervals
    ("The hazard ratio for EFS was 0.82 (95% CI 0.6-1.1).",
     ["change", "count", "effect-size", "rate", "response-rate", "result", "survival",
      "survival-figure"]),
    ("Design: pooled odds ratios (OR) with 95% confidence intervals were determined.",
     ["change", "count", "expansion", "rate", "response-rate"]),
    ("Berberine induced cell cycle arrest at G1 phase.", ["drug-names", "phase"]),  # a cell-cycle phase is a phase asked
    ("The average CD4 count increased from 200 to over 500 within 14 days.", ["change", "count", "date", "duration", "result"]),
    ("Serum IL-2 was 12.5 pg/mL in patients.", ["concentration", "count"]),
    ("The most common side effects were weakness, fever, and nausea.", ["most-common", "side-effects"]),
    ("The genotype was associated with cancer [odds ratio (OR): 3.0].", ["assay", "count", "effect-size", "expansion"]),
    ("Inclusion: SLE disease activity index (SLEDAI) ≥ 8.", ["count", "expansion", "threshold"]),
    ("Patients with CD4+ cell counts 300/mm^3 or greater.", ["count", "population", "threshold"]),  # who, by a cut-off
    ("Infusions ran over 8 hours on 5 consecutive days.", ["count", "duration", "route"]),
    # a number of people written in words, hyphenated or in brackets, is an enrollment
    ("Twenty-eight patients were randomized.", ["count", "enrollment"]),
    ("A single-institution experience of 21 (twenty one) patients.", ["actual-enrollment", "count", "enrollment"]),
    ("Location: Peking University People's Hospital, Beijing, China.", ["country", "place"]),
    # a design says what a study measured, not what it found (the label denies the result)
    ("Design: tumor control was compared and survival was analyzed by tumor type.", ["survival", "survival-figure"]),
    ("Tumor control was compared and survival was analyzed by tumor type.", ["result", "survival", "survival-figure"]),
    ("Registered on May 13, 2005.", ["count", "date"]),
    # the owner of a registry record, its title between, is the study's sponsor
    ("Registration: ClinicalTrials.gov record 'IL-2 for X' of Case Western Reserve University.", ["place", "sponsor"]),
    ("Most side effects occurred in the first 24 weeks.", ["count", "date", "duration", "side-effects"]),  # a time answers "when"
    ("Aldesleukin is being studied in people with HIV-1 infection.", ["population"]),  # HIV-1's 1 counts nobody
    ("Abrams D, et al. N Engl J Med. 2009;361(16):1548-1559.", ["count", "date", "reference"]),
    ("It has a short in vivo half-life.", ["half-life"]),
    ("No difference in the risk of opportunistic disease or death.",
     ["comparison", "head-to-head", "side-effects", "survival", "survival-figure"]),
    # "high-dose IL-2" names a treatment, it gives no dose; a count of doses does
    ("Toxicity has limited the use of high-dose IL-2 in melanoma.", ["cancer-types", "side-effects"]),  # names one
    ("Patients received high dose IL2 therapy from May 2009.", ["count", "date"]),
    ("Patients were randomly assigned (1:1) to receive it.", ["count", "ratio"]),
    ("Ann Rheum Dis. 2019;78(2):209-217.", ["count", "date", "reference"]),  # a volume's pages: no ratio
    ("A Phase I/II study of IL-7.", ["phase"]),
    ("Patients received an average of 6.8 doses of IL-2.", ["count", "dose"]),
    # an estimated enrollment is planned, not actual; a comparison between groups is recognised
    ("Estimated enrollment: 500 participants.", ["count", "enrollment"]),
    ("152 irAEs were reported in 130 patients.", ["actual-enrollment", "count", "enrollment"]),
    ("Meperidine was associated with significantly lower rates of fever.",
     ["comparison", "drug-names", "head-to-head", "result", "side-effects"]),
    ("Cells were treated with 10 µM of the inhibitor.", ["concentration", "count"]),
    # what each cycle holds, not which day of a cycle something happened
    ("Aldesleukin was given on days 1 to 5 every 8 weeks.", ["count", "cycle-schedule", "duration"]),
    ("Inflammation peaked at d11 of each cycle.", []),
    # a source named with its date in passing gives no date
    ("IL-7 was being studied for HIV (AIDSmeds, last revised 2011).", []),
]

FACT_KINDS_BY_EVIDENCE = [
    # (a fact's text, its evidence type, the kinds it gives): a registry's aim is no result
    ("The study looked at whether aldesleukin could decrease the latent reservoir.", "registry", []),
    ("Aldesleukin decreased the latent reservoir.", "trial-result", ["result"]),
    # an amount is the approved dose only on a drug label
    ("All patients received ld-IL2 (1 million IU/day) for 5 days.", "trial-result", ["count", "dose", "duration"]),
    ("Dose: 600,000 IU/kg every 8 hours.", "label", ["count", "dose", "duration", "label-dose"]),
]


@pytest.mark.parametrize(("text", "kinds"), FACT_KINDS)
def test_fact_kinds_are_recognised_from_the_text(engine: Engine, text: str, kinds: list[str]) -> None:
    assert sorted(engine.matcher.index.kinds_of(text)) == kinds


UNITS_ASKED = [
    # (question, the units it asks a figure in: typed with no number before them)
    ("standard HD IL-2 dose in IU/kg for metastatic RCC", ("iu", "kg")),
    ("what aldesleukin dose (MIU, how often) was used in ESPRIT?", ("miu",)),
    ("IL-7 dose in mcg per kg", ("ug", "kg")),
    ("the dose in million international units", ("miu",)),
    ("was berberine toxic to the cells at 40 ug/ml?", ()),  # a unit stated with its number
    ("ld-IL2 1 MIU/day schedule", ()),
    ("is there a weight limit? she's about 50 kg", ()),
    ("what dose was used in ESPRIT", ()),
]

UNITS_STATED = [
    # (a fact's text, the units asked, whether it states a number in them)
    ("Low-dose subcutaneous IL-2 (125,000 IU/kg/day, maximum 9-10 doses over 2 weeks).", ("iu", "kg"), True),
    ("All patients received ld-IL2 (1 million IU/day) for 5 days.", ("miu",), True),
    ("IL-2 was given at 1.0MIU every other day.", ("miu",), True),  # a number typed against its unit
    ("IL-2 2.4 MIU/m2 three times weekly.", ("miu", "m2"), True),
    ("Patients received an average of 6.8 doses of IL-2.", ("iu", "kg"), False),  # a count of doses
    ("IL-2 2.4 MIU/m2 three times weekly.", ("iu", "kg"), False),  # another unit
    ("Low-dose IL-2 (125,000 IU/kg/day).", ("kg",), True),  # "the dose per kg"
    ("either 10 micrograms per kilogram of body weight or 20 ug/kg", ("ug", "kg"), True),
]


NO_OTHERS: frozenset[str] = frozenset()
DOSES_OF = [
    # (a fact's text, the drug names asked, other drugs' names, whether it states an amount beside one
    # of them, no nearer to another drug's name)
    ("IFN 3 MIU subcutaneously (sc) daily and IL2 2.4 MIU/m", frozenset({"il2"}), frozenset({"ifn"}), True),
    ("All patients received ld-IL2 (1 million IU/day) for 5 days.", frozenset({"il2"}), NO_OTHERS, True),
    ("Six cycles of 100 mg/m... ch14.18/CHO ran d8-18 with s.c. IL-2 on d8-12.", frozenset({"il2"}), NO_OTHERS, False),
    ("The bevacizumab dose is not given.", frozenset({"bevacizumab"}), NO_OTHERS, False),
    ("background: corticosteroids (≤1.0 mg/kg), hydroxychloroquine", frozenset({"hydroxychloroquin"}),
     frozenset({"corticosteroid"}), False),
]


SPELLED_OUT = [
    # (a name, a text, whether the text's words in a row spell the name out, stopwords skipped)
    ("esprit", "evaluation of subcutaneous proleukin in a randomized international trial", True),
    ("darenca", "results from the Danish Renal Cancer Group (DaRenCa) study-1", True),
    ("silcaat", "SILCAAT: aldesleukin plus ART in people with low CD4 counts", False),  # the name is no spelling
    ("stalwart", "a study of the safety of aldesleukin with and without ART", False),
]


@pytest.mark.parametrize(("name", "text", "spelled"), SPELLED_OUT)
def test_a_name_is_spelled_out_by_the_first_letters_of_words_in_a_row(
    engine: Engine, name: str, text: str, spelled: bool
) -> None:
    assert spells(name, normalize(text).split(), engine.matcher.index.stopwords) is spelled


NUMBERS_BESIDE = [
    # (a fact's text, the concept's names, whether a number not asked stands beside one)
    ("increases in CD4 and CD8 cells, and the average CD4 count increased from 200 to over 500",
     frozenset({"cd8"}), False),
    ("the average CD4 count increased from 200 to over 500", frozenset({"cd4"}), True),
]


@pytest.mark.parametrize(("text", "names", "stated"), NUMBERS_BESIDE)
def test_a_change_in_a_concept_is_a_number_beside_its_name(
    engine: Engine, text: str, names: frozenset[str], stated: bool
) -> None:
    assert engine.matcher.reader.numbers_beside(text, names, frozenset()) is stated


@pytest.mark.parametrize(("text", "names", "others", "stated"), DOSES_OF)
def test_a_dose_is_an_amount_beside_the_drug_s_name(
    engine: Engine, text: str, names: frozenset[str], others: frozenset[str], stated: bool
) -> None:
    assert engine.matcher.reader.doses_of(text, names, others) is stated


@pytest.mark.parametrize(("query", "units"), UNITS_ASKED)
def test_units_asked_are_typed_without_a_number(engine: Engine, query: str, units: tuple[str, ...]) -> None:
    reader = engine.matcher.reader
    assert reader.asked_units(reader.read(query).norm) == units


@pytest.mark.parametrize(("text", "units", "stated"), UNITS_STATED)
def test_a_figure_in_the_units_asked_is_a_number_in_them(
    engine: Engine, text: str, units: tuple[str, ...], stated: bool
) -> None:
    assert engine.matcher.reader.states_units(text, units) is stated


@pytest.mark.parametrize(("text", "evidence", "kinds"), FACT_KINDS_BY_EVIDENCE)
def test_some_fact_kinds_need_their_evidence(engine: Engine, text: str, evidence: str, kinds: list[str]) -> None:
    assert sorted(engine.matcher.index.kinds_of(text, evidence)) == kinds


ANSWERING_FACTS = [
    # (query, card, a fact answering it, best first, starts with)
    (
        "how many patients in the lupus trial",
        "trial-nct04077684",
        "Study type: Interventional (Clinical Trial); estimated enrollment: 500",
    ),
    ("who makes proleukin?", "aldesleukin", "Organization: Clinigen Group PLC."),
    (
        "what dose of IL-2 in the lupus trial",
        "lupus-trial-arms-dosing",
        "Three doses of IL2 (0.2 MIU, 0.5 MIU or 1 MIU) versus placebo",
    ),
    # what a study found comes before the reference to the paper that reported it
    ("ESPRIT results", "trial-esprit", "Results of ESPRIT and SILCAAT (New England Journal of Medicine, 2009)"),
]


@pytest.mark.parametrize(("query", "card", "first"), ANSWERING_FACTS)
def test_the_facts_that_answer_come_first(engine: Engine, query: str, card: str, first: str) -> None:
    answer = engine.ask(query).matches[0]
    assert answer.id == card
    assert answer.facts[answer.answering[0]].text.startswith(first)
    assert engine.ask(query).to_json()["answer"][0]["text"].startswith(first)


# -- passing mentions: a card that only mentions what is asked does not answer it -----------------

PASSING_MENTIONS = [
    # (query, answered card or None, reason when abstaining)
    ("IL-2 and pregnancy", None, "the best card only mentions the topic asked"),
    # a brand of a drug no card covers, with no drug-name ending, is another drug
    ("how does Keytruda compare with high-dose IL-2 for melanoma survival?", None,
     "not a drug the cards cover: keytruda"),
    # small talk naming one of our places is chat, not a question on the trial held there
    ("what's the weather in Beijing today", None, "that is not a question the cards answer: weather"),
    ("where do I park at Peking University People's Hospital?", None,
     "that is not a question the cards answer: park"),
    ("what are the visiting hours at the University of Pittsburgh Medical Center?", None,
     "that is not a question the cards answer: visiting"),
    ("can i go to the gym after il2 injection", None, "that is not a question the cards answer: gym"),
    ("low dose IL-2 in type 1 diabetes", None, "not a disease the cards cover: diabetes"),
    # a cytokine measured in one study (serum IL-10) is not that study's name: its side effects as a
    # therapy are a topic that study's card does not cover
    ("side effects of IL-10 therapy", None, "no card on that subject covers that topic"),
    ("interferon gamma side effects", None, "no card on that subject covers that topic"),  # not interferon-alpha
    ("which cytokines were raised in the gastric cancer IL-10 study", "pub-shokrzadeh-2018",
     "the best card is about what was asked"),
    # viral hepatitis is a subject of the lupus trial's exclusion card, but only as one criterion
    ("aldesleukin for hepatitis C treatment", None, "the best card does not cover enough of the question"),
    (
        "can pregnant women join the SLE IL-2 trial",
        "lupus-trial-exclusion-criteria",
        "the best card is about what was asked",
    ),
    # a word the best card has only among labelled criteria, in a question naming none of its subjects
    ("does IL-2 cause cataracts?", None, "the best card only mentions what was asked"),
    # a disease no card is about (tuberculosis, among the lupus trial's exclusions) is another disease,
    # unless a study is named: then it is the patient's
    ("is IL-2 any good for tuberculosis", None, "not a disease the cards cover: tuberculosis"),
    ("tuberculosis and the lupus IL-2 trial", "lupus-trial-exclusion-criteria", "the best card is about what was asked"),
    # a form of a disease of ours that no card knows is not the disease the cards cover
    ("Are patients with lupus nephritis allowed in the ld-IL2 SLE trial?", None, "not a disease the cards cover: lupus nephritis"),
    # another drug only the exclusion criteria name (in an alias) is not their topic
    ("how does rituximab work in lupus", None, "no card on that subject covers that topic"),
    # named with the trial, the same criterion answers; the card that covers the question goes first
    (
        "does having cataracts keep you out of the SLE low-dose IL-2 study?",
        "lupus-trial-exclusion-criteria",
        "the best card is about what was asked",
    ),
    # a card that gives the kind asked answers, though contacts are not what it is about ...
    ("email for clinicaltrials info on the IL-7 page", "il-7-clinical-trials", "the best card is about what was asked"),
    # ... unless the organisation asked is not the one its fact of that kind names
    ("Cytheris phone number / contact for IL-7", None, "the best card only mentions the topic asked"),
    # a study's side effects or regimen are answered only by a card speaking of them, not by the
    # study's own card that says nothing of them
    ("side effects seen in stalwart", None, "the best card does not cover side effects"),
    ("iliade art regimen", None, "the best card does not cover dose and schedule"),
    ("side effects seen in ILIADE", "aldesleukin-side-effects-hiv", "the best card is about what was asked"),
    # a drug no card covers, by its name's ending, even beside a drug the cards do cover
    ("does tocilizumab help with IL-2 capillary leak", None, "not a drug the cards cover: tocilizumab"),
    ("is tebentafusp approved for uveal melanoma?", None, "not a drug the cards cover: tebentafusp"),
    # ... as a possessive or a plural too
    ("what's pembrolizumab's response rate in advanced melanoma?", None,
     "not a drug the cards cover: pembrolizumabs"),
    # a concept asked of another subject is answered only by a card naming it, by any of its names
    ("does IL-7 expand Tregs?", None, "the best card does not mention regulatory T cells (Tregs)"),
    ("did the ILIADE trial measure Treg expansion with IL-2", None,
     "the best card does not mention regulatory T cells (Tregs)"),
    ("what IL-7 dose is used in the reservoir-reduction studies?", None,
     "the best card does not mention the latent HIV reservoir"),
    ("does low dose IL-2 expand Tregs in lupus?", "lupus-trial-background", "the best card is about what was asked"),
    ("did responders in the McQuade study have more TILs at baseline?", "pub-mcquade-2018",
     "the best card is about what was asked"),  # "tumor-infiltrating T cells"
    ("in ILIADE what kind of patients got IL-2 before stopping ART - CD4 and viral load status?", "trial-iliade",
     "the best card is about what was asked"),  # "viral suppression"
]


@pytest.mark.parametrize(("query", "answer", "reason"), PASSING_MENTIONS)
def test_passing_mentions_do_not_answer(engine: Engine, query: str, answer: str | None, reason: str) -> None:
    reply = engine.ask(query)
    assert (reply.matches[0].id if reply.answered else None, reply.reason) == (answer, reason)


STATED_FIGURES = [
    # (query, answered card or None, reason): an amount the question states that the best card never
    # states is a figure the cards do not give ("right?" of a wrong dose is not answered by the card)
    ("Cytheris tested IL-7 at 30 ug/kg, right?", None, "the best card does not state 30 ug/kg"),
    ("HD IL-2 gets around a 40% response rate in kidney cancer, true?", None, "the best card does not state 40%"),
    ("I read they used 3 million IU a day in the Rosenzwajg trial", None, "the best card does not state 3 miu"),
    # ... or a year it never states
    ("high-dose IL-2 was first approved in 1998 right?", None, "the best card does not state 1998"),
    ("was high-dose IL-2 first approved in 1992?", "pub-leon-2018", "the best card is about what was asked"),
    # ... its decimals read whole: "0.2 MIU" on the card does not state 2 MIU
    ("the lupus trial compares 0.5, 1 and 2 MIU, right?", None, "the best card does not state 2 miu"),
    ("was the steroid cap 0.5mg/kg in the lupus IL-2 trial?", None, "the best card does not state 0.5 mg/kg"),
    # ... an amount the card states is answered, written with a thousands comma too
    ("IL-7 was tested at 10 and 20 ug/kg, right?", "il-7-trial-results", "the best card is about what was asked"),
    ("did the TIL trial use 125,000 IU/kg of IL-2?", "trial-nct01883323", "the best card is about what was asked"),
    ("the lupus trial doses are 0.2, 0.5 and 1.0 MIU, right?", "lupus-trial-arms-dosing",
     "the best card is about what was asked"),
    # ... and neither amounts offered as choices nor a person's weight claim a figure
    ("IL-7 phase I/II doses - was it 10 and 20 ug/kg or 10 and 30?", "il-7-trial-results", "the best card is about what was asked"),
    ("is there a weight limit for the lupus IL-2 trial? pt is 90 kg", "lupus-trial-eligibility", "the best card is about what was asked"),
]


@pytest.mark.parametrize(("query", "answer", "reason"), STATED_FIGURES)
def test_amounts_the_best_card_never_states_are_declined(
    engine: Engine, query: str, answer: str | None, reason: str
) -> None:
    reply = engine.ask(query)
    assert (reply.matches[0].id if reply.answered else None, reply.reason) == (answer, reason)


PLACES = [
    # (query, answered card or None, reason)
    # a place the best card does not name, nor any card on its study, is a setting the cards lack
    ("what's the brand name of aldesleukin in the UK?", None, "the cards do not cover the UK"),
    ("Is Proleukin approved by the EMA in Europe too?", None, "the cards do not cover Europe"),
    ("Was Argentina one of the ESPRIT countries?", None, "the cards do not cover Argentina"),
    ("brand name of aldesleukin in Europe / the UK?", None, "the cards do not cover Europe, the UK"),
    # a place the card names is answered
    ("Is aldesleukin approved in the US?", "aldesleukin-fda-approval", "the best card is about what was asked"),
    ("was ILIADE run in France?", "trial-iliade", "the best card is about what was asked"),
    # "multiple countries, including the United States" names no other
    ("was ESPRIT run in the United Kingdom?", None, "the cards do not cover the UK"),
    # an adjective or a city describes a study, from what the writer knows of its authors
    ("the French basket trial of low-dose IL-2 in 11 autoimmune conditions - journal ref?", "pub-rosenzwajg-2019",
     "the best card is about what was asked"),
    ("What lower IL-2 dose did the Toronto TIL melanoma trial use instead?", "trial-nct01883323",
     "the best card is about what was asked"),
    # an organisation's country is said by a fact naming it, not by the US site of a card mentioning it
    ("what country is Cytheris from?", "il-7-developer", "the best card is about what was asked"),
]


@pytest.mark.parametrize(("query", "answer", "reason"), PLACES)
def test_a_place_the_cards_do_not_name_is_not_answered_for(
    engine: Engine, query: str, answer: str | None, reason: str
) -> None:
    reply = engine.ask(query)
    assert (reply.matches[0].id if reply.answered else None, reply.reason) == (answer, reason)


# -- follow-ups: a question naming no drug or study inherits the thread's subject, or asks back ----

FOLLOW_UPS = [
    # (earlier question in the thread or None, follow-up, kind of reply, card answered or offered)
    (None, "and the dose?", "clarify", None),
    (None, "and in HIV?", "clarify", None),
    (None, "what about HIV?", "clarify", None),
    ("esprit trial", "and the dose?", "abstain", "trial-esprit"),
    ("STALWART", "how many people?", "abstain", "trial-stalwart"),
    ("esprit trial", "what about the side effects?", "answer", "aldesleukin-side-effects-hiv"),
    ("what is IL-7", "what about side effects?", "answer", "il-7-side-effects"),
    ("side-effects aldesleukin", "what about HIV?", "answer", "aldesleukin-side-effects-hiv"),
    ("lupus trial eligibility", "and the exclusion criteria?", "answer", "lupus-trial-exclusion-criteria"),
    # a word only one card holds names what is asked: no follow-up, whatever the thread
    (None, "SRI-4 response definition", "answer", "lupus-trial-primary-outcome"),
    # a term asked to be defined is what the question is about, not a follow-up
    (None, "what do immune modulators do?", "answer", "aldesleukin-mechanism"),
]


@pytest.mark.parametrize(("earlier", "query", "kind", "card"), FOLLOW_UPS)
def test_follow_ups(engine: Engine, earlier: str | None, query: str, kind: str, card: str | None) -> None:
    context = engine.ask(earlier).context() if earlier else None
    reply = engine.ask(query, context=context)
    shown = reply.matches[0].id if reply.matches else reply.partial.id if reply.partial else None
    assert (reply.kind, shown) == (kind, card), reply.reason


def test_clarify_offers_the_main_drugs_and_studies(engine: Engine) -> None:
    reply = engine.ask("and the dose?")
    assert reply.choices[:2] == ("IL-2", "IL-7")
    assert {"ESPRIT", "SILCAAT", "STALWART"} <= set(reply.choices)
    assert all(engine.matcher.read(c).subjects for c in reply.choices)


def test_reply_keeps_what_a_follow_up_inherits(engine: Engine) -> None:
    assert engine.ask("side-effects aldesleukin").context() == Context(
        ("il-2",), "aldesleukin-side-effects-hiv", ("side-effects",)
    )
    assert engine.ask("how many people were in STALWART").context() == Context(
        ("stalwart",), "trial-stalwart", ("enrollment",)
    )
    assert engine.ask("pembrolizumab side effects").context() is None


def test_a_question_naming_its_subject_is_not_a_follow_up(engine: Engine) -> None:
    context = engine.ask("esprit trial").context()
    assert engine.ask("what is IL-7", context=context).matches[0].id == "what-is-il-7"


def test_reason_is_in_json(engine: Engine) -> None:
    assert (
        engine.ask("IL-2 and pregnancy").to_json()["reason"] == "the best card only mentions the topic asked"
    )
    partial = engine.ask("how many people were in STALWART").to_json()
    assert (partial["answered"], partial["partial"]["id"], partial["partial"]["missing"]) == (
        False,
        "trial-stalwart",
        "enrollment",
    )


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("MOA of IL-2", "mechanism of action of il2"),
        ("IL-2 in kids", "il2 in children"),
        ("IL-2 in the US", "il2 in the united states"),
        ("tell us about IL-2", "tell us about il2"),
        ("IL-2 jabs", "il2 injections"),
        ("flu jab on IL-2", "flu vaccine on il2"),
        ("SLEDAI ≥ 8", "sledai minimum 8"),  # a sign reads as the word a question would use
        ("what % responded", "what percent responded"),  # ... and "what %" asks for a result
        ("germs that rule you out", "infections that exclude"),
        # clinical shorthand for what the abstracts spell out
        ("DaRenCa-1 mOS by arm", "darenca1 median overall survival by arm"),
        ("mPFS on 2L tx", "median progression free survival on second line treatment"),
        ("NCT04077684 excl PUD", "nct04077684 exclusion peptic ulcer"),
        ("exclusionary infections", "exclusion infections"),
        ("the 2nd gen toxin", "the second generation toxin"),
        ("PGA worsening", "physician global assessment worsening"),
        ("the attacking T cells", "the effector t cells"),  # lay words for a clinical idea
        ("tiny doses of IL-2", "low doses of il2"),
        ("has the US regulator signed off IL-2", "has the fda approved il2"),
        ("alt names for aldesleukin", "other names for aldesleukin"),
        ("TIL lowdose IL2 study", "til low dose il2 study"),
        ("LDIL2 in lupus", "ld il2 in lupus"),  # not "hdil2" a letter away
        ("the HR for PFS in DaRenCa", "the hazard ratio for pfs in darenca"),
        ("HR-NBL1 EFS", "hr nbl1 efs"),  # a capitals abbreviation of two words; not a study's name
        ("who makes Proleukin these days", "who makes proleukin nowadays"),  # now, not a number of days
        ("how many enrolled so far", "how many enrolled yet"),  # up to now, not a distance
        ("Curti JITC 2017", "curti j immunother cancer 2017"),  # a journal by its initials
        ("HDIL-2 first approval year", "hd il2 first approval year"),
        ("would cataracts keep her out", "would cataracts exclude her"),
        ("to hold off starting ART", "to delay starting art"),
        ("did they put up with it", "did they tolerate it"),
        ("who is kept in the dark", "who is kept masked"),
        ("what dev phase is it", "what development phase is it"),
        ("gr 3/4 fatigue", "grade 3 4 fatigue"),
        ("randomised and eligible ITT", "randomised and eligible intention to treat"),
        ("fewer OIs or deaths", "fewer opportunistic infections or deaths"),
        ("std tx", "standard treatment"),
        ("bladder ca", "bladder cancer"),
        ("where does berberine come from", "where does berberine isolated from"),  # not "come in"
        ("why did it fall out of favour", "why did it limited"),
        ("PROCLAIM median followup", "proclaim median follow up"),
        ("what will interleukin seven do", "what will interleukin 7 do"),
        ("recruitment window for the randomisation", "recruitment dates for the randomisation"),
        ("can il7 get rid of the reservoir", "can il7 eradicate the reservoir"),
        ("IL-7 combos", "il7 combinations"),
        ("it synergizes with what", "it synergy with what"),
        ("body weight window", "weight window"),
        ("IL-7 and viral load", "il7 and levels of hiv"),  # as the IL-7 page says it
        ("who's on call this weekend", "whos on duty this weekend"),  # a rota, not what something is called
    ],
)
def test_abbreviations_are_read_as_what_they_stand_for(engine: Engine, query: str, words: str) -> None:
    assert engine.matcher.read(query).norm == words


def test_tuning_is_frozen() -> None:
    from bot.matcher.scorer import TUNING

    with pytest.raises(AttributeError):
        TUNING.answer_threshold = 0.0  # type: ignore[misc]


class _WholeCoverage(Tuning):
    """The coverage rule without its relief for a study's own card giving the kind asked."""

    __slots__ = ()
    kind_given_relief = 1.0


@pytest.mark.parametrize(
    ("query", "card"),
    [
        ("SIOPEN: how many on the IL-2 arm ended up with the whole planned treatment?", "pub-ladenstein-2018"),
    ],
)
def test_a_study_card_giving_the_kind_asked_needs_less_of_the_question_covered(
    engine: Engine, query: str, card: str
) -> None:
    strict = Matcher(engine.deck, None, _WholeCoverage()).search(query)
    found = engine.matcher.search(query)
    assert (strict.reason, found.answered, found.hits[0].card.id) == (
        "the best card does not cover enough of the question",
        True,
        card,
    )


def test_a_word_only_one_card_holds_capitalised_names_it(engine: Engine) -> None:
    names, positions = engine.matcher.index.names, engine.matcher.positions
    assert (names["kleef"], names["siopen"], "bladder" in names, "case" in names, "arvs" in names) == (
        positions["pub-kleef-2018"],
        positions["pub-ladenstein-2018"],
        False,  # no name: written in lower case
        False,  # ordinary English
        False,  # a name of antiretroviral therapy, which many cards are on
    )


def test_a_first_author_names_the_paper_and_its_trial(engine: Engine) -> None:
    entries, positions = engine.matcher.index.entries, engine.matcher.positions
    named_by = {
        card: {s for s in entries[positions[card]].subjects if s.startswith("name:")}
        for card in ("pub-sullivan-2019", "pub-nguyen-2019", "trial-nct01883323", "high-dose-il-2-side-effects")
    }
    assert named_by == {
        "pub-sullivan-2019": {"name:sullivan", "name:nktr214"},  # "Sullivan" is ordinary English,
        # but "Sullivan 2019: ..." names it
        "pub-nguyen-2019": {"name:nguyen", "name:il15"},
        "trial-nct01883323": {"name:nguyen"},  # the trial the paper reports
        "high-dose-il-2-side-effects": set(),  # a card citing both papers among others
    }
