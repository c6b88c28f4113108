"""The matcher's own vocabulary data: fact kinds, follow-up cues and abbreviations.

They live in `facts/vocabulary/*.yaml` beside the subjects and topics (sections `fact_kinds`,
`followups`, `abbreviations`); the loader validates those files, this module reads these sections.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

from bot.text import normalize


class FactKind(NamedTuple):
    """A kind of fact a question can ask for (enrollment, dose, ...), and how to recognise one."""

    id: str
    label: str  # as said in "The cards on X don't give its <label>"
    asks: tuple[tuple[str, ...], ...]  # normalised phrases that ask for this kind
    patterns: tuple[re.Pattern[str], ...]  # a fact whose folded text matches one is of this kind
    trial_fields: tuple[str, ...] = ()  # trial fields (enrollment, location, nct) of this kind


class Lexicon(NamedTuple):
    """Everything in the vocabulary the matcher reads beyond subjects and topics."""

    kinds: tuple[FactKind, ...] = ()
    followups: tuple[tuple[str, ...], ...] = ()  # openings that mark a follow-up ("and", "what about")
    abbreviations: dict[tuple[str, ...], tuple[str, ...]] = {}  # noqa: RUF012 - never mutated
    cased: tuple[tuple[re.Pattern[str], str], ...] = ()  # abbreviations only in capitals ("US")


def load_lexicon(vocabulary_dir: str) -> Lexicon:
    """Read the matcher's sections of every vocabulary file (files the loader has validated)."""
    import yaml

    kinds: list[FactKind] = []
    followups: list[tuple[str, ...]] = []
    abbreviations: dict[tuple[str, ...], tuple[str, ...]] = {}
    cased: list[tuple[re.Pattern[str], str]] = []
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
            patterns = []
            for p in k.get("patterns") or ():
                try:
                    patterns.append(re.compile(str(p)))
                except re.error:
                    continue  # il2bot check names the bad pattern
            kinds.append(
                FactKind(
                    id=str(kid),
                    label=str(k.get("label", kid)),
                    asks=tuple(t for a in k.get("asks") or () if (t := tuple(normalize(str(a)).split()))),
                    patterns=tuple(patterns),
                    trial_fields=tuple(str(x) for x in k.get("trial_fields") or ()),
                )
            )
        followups += [t for a in data.get("followups") or () if (t := tuple(normalize(str(a)).split()))]
        for short, long in (data.get("abbreviations") or {}).items():
            short, long = str(short), str(long)
            if short != short.lower():
                cased.append((re.compile(rf"(?<!\w){re.escape(short)}(?!\w)"), long))
            elif toks := tuple(normalize(short).split()):
                abbreviations[toks] = tuple(normalize(long).split())
    return Lexicon(tuple(kinds), tuple(followups), abbreviations, tuple(cased))


def default_lexicon() -> Lexicon:
    """The lexicon of the installed content."""
    from bot.paths import content_root

    return load_lexicon(os.path.join(str(content_root()), "facts", "vocabulary"))
