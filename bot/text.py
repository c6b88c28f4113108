"""Text normalisation shared by the validator and the matcher (no third-party imports)."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")
_NUMBER = re.compile(r"(?<![\w-])\d+(?:[.,]\d+)*(?![\w])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# Dashes, slashes and the like become spaces; apostrophes vanish ("Crohn's" -> "crohns").
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")
_NON_WORD = re.compile(r"[^\w]+|_")
# "il 2" -> "il2", "interleukin 2" -> "interleukin2", "nct 04077684" -> "nct04077684",
# "anrs 119" -> "anrs119": a short name, or any word, directly followed by a short number is one
# name in this domain however it is spaced, so "interleukin 6" can never be read as "interleukin".
_SHORT_NAME_NUMBER = re.compile(r"\b(?:([a-z]{1,4}) (\d+)|([a-z]+) (\d{1,2}))\b")


def squash_ws(text: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) to one space."""
    return _WS.sub(" ", text).strip()


def numbers(text: str) -> set[str]:
    """The standalone numbers a text states ("8.4", "1535", "2019"), not those inside names."""
    return set(_NUMBER.findall(_THOUSANDS.sub("", text)))


def fold(text: str) -> str:
    """Unicode-fold text: NFKC, case-folded, accents removed, control characters dropped."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(
        ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch)[0] != "C"
    )
    return unicodedata.normalize("NFKC", text).casefold()


def normalize(text: str) -> str:
    """Matching form of a text: folded, punctuation to spaces, short name-number pairs joined."""
    text = fold(text).translate(_APOSTROPHES)
    text = _NON_WORD.sub(" ", text)
    text = _WS.sub(" ", text).strip()
    return _SHORT_NAME_NUMBER.sub(lambda m: "".join(g for g in m.groups() if g), text)


def tokens(text: str) -> list[str]:
    """The tokens of a text's matching form."""
    return normalize(text).split()
