"""Text normalisation shared by the validator and the matcher (no third-party imports)."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")
# Dashes, slashes and the like become spaces; apostrophes vanish ("Crohn's" -> "crohns"), and the
# possessive of a numbered name or of a name ending in s with them ("IL-2's" -> "il2", as "IL-2";
# "Cytheris's" -> "cytheris").
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")
_NAME_POSSESSIVE = re.compile(r"(?<=[\ds])['\u2019]s(?!\w)")
_NON_WORD = re.compile(r"[^\w]+|_")
# "IL-2" -> "il2", "interleukin-2" -> "interleukin2", "NCT-04077684" -> "nct04077684": a name
# hyphenated to its number is one token, as when written without the hyphen. Names spaced from
# their numbers ("IL 2", "nct 04077684") are joined by the matcher, which knows which names exist.
_NAME_HYPHEN_NUMBER = re.compile(r"(?<!\w)([^\W\d_]+)-(\d+)(?!\w)")
_HYPHEN_NUMBER = re.compile(r"[^\W\d_]-\d")  # what every match of the pattern above holds
# For ASCII text, _NON_WORD as a byte table: letters and digits stay, every other byte is a space.
_ASCII_NON_WORD = bytes(b if chr(b).isascii() and chr(b).isalnum() else ord(" ") for b in range(256))


def squash_ws(text: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) to one space."""
    return _WS.sub(" ", text).strip()


def fold(text: str) -> str:
    """Unicode-fold text: NFKC, case-folded, accents removed, control characters dropped."""
    if text.isascii() and text.isprintable():  # no accents, compatibility forms or controls to fold
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch)[0] != "C")
    return unicodedata.normalize("NFKC", text).casefold()


def normalize(text: str) -> str:
    """Matching form of a text: folded, hyphenated name-numbers joined, punctuation to spaces."""
    text = fold(text)
    if "s" in text and ("'" in text or "\u2019" in text):
        text = _NAME_POSSESSIVE.sub("", text)
    if not text.isascii():
        text = text.translate(_APOSTROPHES)
    elif "'" in text or "`" in text:  # the ASCII apostrophes (str.translate walks a dict per character)
        text = text.replace("'", "").replace("`", "")
    if "-" in text and _HYPHEN_NUMBER.search(text):  # the only texts the name-number pattern can change
        text = _NAME_HYPHEN_NUMBER.sub(r"\1\2", text)
    if text.isascii():  # every byte but a letter or digit is a space: one table lookup a byte
        return " ".join(text.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split())
    # Only word characters and spaces are left: split() collapses the runs of spaces.
    return " ".join(_NON_WORD.sub(" ", text).split())


def spell_signs(text: str, signs: dict[str, str]) -> str:
    """The text with each sign read as its words ("SLEDAI ≥ 8": "SLEDAI minimum 8")."""
    for sign, words in signs.items():
        if sign in text:
            text = text.replace(sign, f" {words} ")
    return text
