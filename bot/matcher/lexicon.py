"""The matcher's own vocabulary data: fact kinds, follow-up cues and abbreviations.

They live in `facts/vocabulary/*.yaml` beside the subjects and topics (sections `fact_kinds`,
`followups`, `focus_openers`, `not_diseases`, `disease_heads`, `advice`, `abbreviations`, `signs`,
`lay_words`, `units`, `places`, `nationalities`); the loader validates those files, this module
reads these sections.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import NamedTuple

from bot.text import normalize


class FactKind(NamedTuple):
    """A kind of fact a question can ask for (enrollment, dose, ...), and how to recognise one."""

    id: str
    label: str  # as said in "The cards on X don't give its <label>"
    asks: tuple[tuple[str, ...], ...]  # normalised phrases that ask for this kind
    patterns: tuple[re.Pattern[str], ...]  # a fact whose folded text matches one is of this kind
    trial_fields: tuple[str, ...] = ()  # trial fields (enrollment, location, nct) of this kind
    asks_alone: tuple[tuple[str, ...], ...] = ()  # phrases that ask for it only when nothing else is asked
    asks_apart: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # "what did | show": words apart
    per_drug: bool = False  # a fact of this kind answers only for the drug it names (a dose, a route)
    per_disease: bool = False  # ... on a card about several diseases, only for one it names (a result)
    per_concept: bool = False  # ... for a concept asked (CD8 cells), only by a number beside its name
    per_organization: bool = False  # an organisation: not one the question names ("before Clinigen")
    per_place: bool = False  # a country: named by the fact, not one the question names ("besides the US")
    per_measure: bool = False  # asked of a concept (the HIV reservoir), only by a fact naming it
    per_each: bool = False  # asked of two or more things, only on a card about each ("A better than B")
    spells_name: bool = False  # what a name stands for: given by words spelling out the name asked
    evidence: tuple[str, ...] = ()  # the evidence types of facts that can give it (none: any)
    figure: bool = False  # its answer is a number: a fact gives it only by stating a number not asked
    not_asks: tuple[tuple[str, ...], ...] = ()  # phrases with its words that ask for something else
    counted: bool = False  # asked as "how many X", given only by a number counting X
    counted_alike: tuple[str, ...] = ()  # words counting the same things ("patients", "participants")
    vague_counts: tuple[str, ...] = ()  # words counting in place of a number ("several small trials")
    not_labels: tuple[str, ...] = ()  # label words of facts that do not give it ("Design:" for a result)
    narrowed_to: str = ""  # the kind asked instead when a narrowing word is in the question ...
    narrowing: tuple[str, ...] = ()  # ... ("how many people quit": a count of some, not the enrollment)
    replaces: tuple[str, ...] = ()  # kinds it is asked instead of, when both are asked
    drops_topics: tuple[str, ...] = ()  # topics its asking words say ("where do I order": not a place)
    event_words: tuple[str, ...] = ()  # words asking the date of an event ("when did it start") ...
    event_topics: tuple[str, ...] = ()  # ... given by a fact on these topics, or naming an event
    unit_asks: tuple[str, ...] = ()  # units asking for it, typed with no number ("the regimen in IU/kg")
    asks_last: tuple[str, ...] = ()  # words asking for it as a terse question's last word ("cosmic n")
    said_of: tuple[str, ...] = ()  # words after which a question says what its figure is of ("what %
    # had brain metastases"): given only by a fact naming something said after one
    named: tuple[re.Pattern[str], ...] = ()  # one named in a question ("subcutaneous or IV?") is given
    # only by a fact naming one too, not by one saying "injections"


class Lexicon(NamedTuple):
    """Everything in the vocabulary the matcher reads beyond subjects and topics."""

    kinds: tuple[FactKind, ...] = ()
    followups: tuple[tuple[str, ...], ...] = ()  # openings that mark a follow-up ("and", "what about")
    abbreviations: dict[tuple[str, ...], tuple[str, ...]] = {}  # noqa: RUF012 - never mutated
    cased: tuple[tuple[re.Pattern[str], str], ...] = ()  # abbreviations only in capitals ("US")
    common: frozenset[str] = frozenset()  # ordinary English words (common-english.txt), normalised
    advice: tuple[tuple[str, ...], ...] = ()  # phrases asking for personal advice ("should i take")
    signs: dict[str, str] = {}  # noqa: RUF012 - never mutated; signs read as words ("≥": "minimum")
    lay_words: dict[str, tuple[str, ...]] = {}  # noqa: RUF012 - never mutated; "hepatic": ("liver",)
    focus_openers: tuple[tuple[str, ...], ...] = ()  # "which", "what kind of": the next word is asked for
    not_diseases: frozenset[str] = frozenset()  # words with a disease's ending naming none ("diagnosis")
    disease_heads: frozenset[str] = frozenset()  # words ending a disease's name ("cancer", "disease")
    units: dict[tuple[str, ...], str] = {}  # noqa: RUF012 - never mutated; units of figures ("mcg": "ug")
    places: dict[tuple[str, ...], str] = {}  # noqa: RUF012 - never mutated; "united kingdom": "the UK"
    nationalities: dict[tuple[str, ...], str] = {}  # noqa: RUF012 - never mutated; "french": "France"
    disease_names: frozenset[str] = frozenset()  # diseases' names with no disease ending ("covid")
    small_talk: frozenset[str] = frozenset()  # words of chat no source is about ("weather", "lunch")
    drug_brands: frozenset[str] = frozenset()  # brands of drugs no card covers ("keytruda")


COMMON_ENGLISH = "common-english.txt"  # generated by make_common_english.py beside it


def load_lexicon(vocabulary_dir: str) -> Lexicon:
    """Read the matcher's sections of every vocabulary file (files the loader has validated)."""
    import yaml

    kinds: list[FactKind] = []
    followups: list[tuple[str, ...]] = []
    advice: list[tuple[str, ...]] = []
    abbreviations: dict[tuple[str, ...], tuple[str, ...]] = {}
    cased: list[tuple[re.Pattern[str], str]] = []
    signs: dict[str, str] = {}
    lay_words: dict[str, tuple[str, ...]] = {}
    focus_openers: list[tuple[str, ...]] = []
    not_diseases: set[str] = set()
    disease_names: set[str] = set()
    small_talk: set[str] = set()
    drug_brands: set[str] = set()
    disease_heads: set[str] = set()
    units: dict[tuple[str, ...], str] = {}
    places: dict[tuple[str, ...], str] = {}
    nationalities: dict[tuple[str, ...], str] = {}
    if not os.path.isdir(vocabulary_dir):
        return Lexicon()
    for name in sorted(os.listdir(vocabulary_dir)):
        if not name.endswith((".yaml", ".yml")):
            continue
        try:
            with open(os.path.join(vocabulary_dir, name), encoding="utf-8") as f:
                data = yaml.safe_load(f)
        except (OSError, yaml.YAMLError):
            continue  # the loader reports broken files
        if not isinstance(data, dict):
            continue
        for kid, k in (data.get("fact_kinds") or {}).items():
            if not isinstance(k, dict):
                continue
            kinds.append(
                FactKind(
                    id=str(kid),
                    label=str(k.get("label", kid)),
                    asks=tuple(t for a in k.get("asks") or () if (t := tuple(normalize(str(a)).split()))),
                    patterns=_compiled(k.get("patterns")),
                    trial_fields=tuple(str(x) for x in k.get("trial_fields") or ()),
                    per_drug=bool(k.get("per_drug", False)),
                    per_disease=bool(k.get("per_disease", False)),
                    per_concept=bool(k.get("per_concept", False)),
                    per_organization=bool(k.get("per_organization", False)),
                    per_place=bool(k.get("per_place", False)),
                    spells_name=bool(k.get("spells_name", False)),
                    per_measure=bool(k.get("per_measure", False)),
                    per_each=bool(k.get("per_each", False)),
                    figure=bool(k.get("figure", False)),
                    counted=bool(k.get("counted", False)),
                    counted_alike=tuple(normalize(str(x)) for x in k.get("counted_alike") or ()),
                    vague_counts=tuple(normalize(str(x)) for x in k.get("vague_counts") or ()),
                    not_labels=tuple(normalize(str(x)) for x in k.get("not_labels") or ()),
                    narrowed_to=str(k.get("narrowed_to", "")),
                    narrowing=tuple(normalize(str(x)) for x in k.get("narrowing") or ()),
                    replaces=tuple(str(x) for x in k.get("replaces") or ()),
                    drops_topics=tuple(str(x) for x in k.get("drops_topics") or ()),
                    event_words=tuple(normalize(str(x)) for x in k.get("event_words") or ()),
                    event_topics=tuple(str(x) for x in k.get("event_topics") or ()),
                    unit_asks=tuple(str(x) for x in k.get("unit_asks") or ()),
                    asks_last=tuple(normalize(str(x)) for x in k.get("asks_last") or ()),
                    said_of=tuple(normalize(str(x)) for x in k.get("said_of") or ()),
                    named=_compiled(k.get("named")),
                    not_asks=tuple(
                        t for a in k.get("not_asks") or () if (t := tuple(normalize(str(a)).split()))
                    ),
                    evidence=tuple(str(x) for x in k.get("evidence") or ()),
                    asks_alone=tuple(
                        t for a in k.get("asks_alone") or () if (t := tuple(normalize(str(a)).split()))
                    ),
                    asks_apart=tuple(_apart(str(a)) for a in k.get("asks_apart") or () if "|" in str(a)),
                )
            )
        followups += _phrases(data.get("followups"))
        advice += _phrases(data.get("advice"))
        focus_openers += _phrases(data.get("focus_openers"))
        not_diseases.update(normalize(str(w)) for w in data.get("not_diseases") or ())
        disease_names.update(normalize(str(w)) for w in data.get("disease_names") or ())
        disease_heads.update(normalize(str(w)) for w in data.get("disease_heads") or ())
        small_talk.update(normalize(str(w)) for w in data.get("small_talk") or ())
        drug_brands.update(normalize(str(w)) for w in data.get("drug_brands") or ())
        signs.update({str(k): str(v) for k, v in (data.get("signs") or {}).items()})
        for word, lay in (data.get("lay_words") or {}).items():
            lay_words[normalize(str(word))] = tuple(str(x) for x in lay)
        for unit, read in (data.get("units") or {}).items():
            if toks := tuple(normalize(str(unit)).split()):
                units[toks] = str(read)
        for place, names in (data.get("places") or {}).items():
            places.update((toks, str(place)) for toks in _phrases(names))
        for adjective, place in (data.get("nationalities") or {}).items():
            if toks := tuple(normalize(str(adjective)).split()):
                nationalities[toks] = str(place)
        for short, long in (data.get("abbreviations") or {}).items():
            short, long = str(short), str(long)
            if short != short.lower():
                cased.append((re.compile(rf"(?<!\w){re.escape(short)}(?!\w)"), long))
            elif toks := tuple(normalize(short).split()):
                abbreviations[toks] = tuple(normalize(long).split())
    return Lexicon(
        tuple(kinds),
        tuple(followups),
        abbreviations,
        tuple(cased),
        _common(vocabulary_dir),
        tuple(advice),
        signs,
        lay_words,
        tuple(focus_openers),
        frozenset(not_diseases),
        frozenset(disease_heads),
        units,
        places,
        nationalities,
        frozenset(disease_names),
        frozenset(small_talk),
        frozenset(drug_brands),
    )


def _compiled(patterns: Iterable[object] | None) -> tuple[re.Pattern[str], ...]:
    """The patterns that compile (il2bot check names the others: check_fact_kind_patterns)."""
    out = []
    for p in patterns or ():
        try:
            out.append(re.compile(str(p)))
        except re.error:
            continue
    return tuple(out)


def _phrases(items: Iterable[object] | None) -> list[tuple[str, ...]]:
    """A list of phrases, each as its normalised words (empty ones dropped)."""
    return [t for a in items or () if (t := tuple(normalize(str(a)).split()))]


def _apart(ask: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An ask in two parts with other words between ("what did | show"), each as its normalised words."""
    before, _, after = ask.partition("|")
    return tuple(normalize(before).split()), tuple(normalize(after).split())


def _common(vocabulary_dir: str) -> frozenset[str]:
    """The ordinary English words listed beside the vocabulary (none if the list is missing)."""
    try:
        with open(os.path.join(vocabulary_dir, COMMON_ENGLISH), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return frozenset()
    return frozenset(
        w for line in lines if line and not line.startswith("#") for w in normalize(line).split()
    )


def default_lexicon() -> Lexicon:
    """The lexicon of the installed content."""
    from bot.paths import content_root

    return load_lexicon(os.path.join(str(content_root()), "facts", "vocabulary"))

