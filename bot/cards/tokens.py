"""Digit-bearing tokens of card texts, read the way a careful reader reads them (for `il2bot check`).

Kept apart from `bot.text` so that answering a question never pays for compiling these patterns.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WS = re.compile(r"\s+")


# --- Digit-bearing tokens, compared the way a careful reader compares them -----------------------
# A token is a run of word characters joined by - . / : @ + (a range "45-80kg", a code
# "110942-02-4", a phone number "1-800-448-0440", a DOI, "10µg/kg", "cd122"). Tokens are compared
# whole, so changing any one digit of a token yields a token the quotes do not contain.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"))
_SPACES = re.compile(r"[\u00a0\u2007\u2009\u200a\u202f\u205f\u3000]")
_THIN_THOUSANDS = re.compile(r"(?<=\d)[\u2009\u202f](?=\d{3}(?!\d))")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?![\d]))")
_MIDDLE_DOT = re.compile(r"(?<=\d)[\u00b7\u2219\u22c5](?=\d)")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_TOKEN = re.compile(r"[\w%µ°]+(?:[-./:@+][\w%µ°]+)*\+?")
_PARTS = re.compile(r"[-./:@+]+")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])-(?=\d)|(?<=\d)-(?=[^\W\d_])")
_HAS_DIGIT = re.compile(r"\d")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TRAILING_LETTERS = re.compile(r"(?<=\d)[^\W\d_]+$")
# Words whose number names a category rather than counts something: "Phase 2" is one token, so a
# summary's "Phase 2" needs a quote saying phase 2 (or phase II), not just any "2".
_LABELS = {
    "phase": "phase",
    "stage": "stage",
    "grade": "grade",
    "type": "type",
    "class": "class",
    "cohort": "cohort",
}
_LABELS |= {"arm": "arm", "cycle": "cycle"}
_LABELS |= {("classes" if w == "class" else w + "s"): w for w in list(_LABELS)}  # "stages 2, 3" = "stage 2"
NUMBERED_LABELS = frozenset(_LABELS)
_PLURAL_LABEL = re.compile(r"^(" + "|".join(w for w in _LABELS if _LABELS[w] != w) + r")(?=\d)")
_LABELLED = re.compile(
    r"(?<![\w%µ°][-./:@+])\b("
    + "|".join(sorted(NUMBERED_LABELS))
    + r")\s+(\d+(?:[-/.]\d+)*)(?![\w%µ°]|[-./:@+][\w%µ°])",
    re.IGNORECASE,
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
_ROMAN_MAX = max(map(len, _ROMAN))
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for m in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_MDY = re.compile(rf"\b{_MONTH} (\d{{1,2}}),? (\d{{4}})\b", re.IGNORECASE)
_DATE_DMY = re.compile(rf"\b(\d{{1,2}}) {_MONTH},? (\d{{4}})\b", re.IGNORECASE)
_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
_TEENS = "sixteen seventeen eighteen nineteen"
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_NUMBER_WORDS = {w: i for i, w in enumerate(f"{_UNITS} {_TEENS}".split())} | {
    w: 10 * i for i, w in enumerate(_TENS.split(), 2)
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_WORD_SET = frozenset([*_NUMBER_WORDS, *_SCALES])
_LOWER_WORD = re.compile(r"[a-z]+")
_YEAR = re.compile(r"\d{4}")
_SPELLED = re.compile(
    r"\b(?:"
    + "|".join([*_NUMBER_WORDS, *_SCALES])
    + r")(?:(?:[\s-]|\sand\s)(?:"
    + "|".join([*_NUMBER_WORDS, *_SCALES])
    + r"))*\b",
    re.IGNORECASE,
)


def _spelled_value(words: str) -> int:
    """The value of spelled-out number words ("forty two" -> 42, "two hundred and five" -> 205)."""
    total, current = 0, 0
    for w in re.split(r"[\s-]+", words.casefold()):
        if w in _NUMBER_WORDS:
            current += _NUMBER_WORDS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w in _SCALES:
            total += max(current, 1) * _SCALES[w]
            current = 0
    return total + current


def spelled_numbers(text: str) -> list[str]:
    """The numbers a text spells out, as digits ("Forty two received" -> ["42"])."""
    if _NUMBER_WORD_SET.isdisjoint(_LOWER_WORD.findall(text.casefold())):
        return []
    return [str(_spelled_value(m.group(0))) for m in _SPELLED.finditer(text)]


def _iso_mdy(m: re.Match[str]) -> str:
    return f"{m.group(3)}-{_MONTHS[m.group(1).casefold()]:02d}-{int(m.group(2)):02d}"


def _iso_dmy(m: re.Match[str]) -> str:
    return f"{m.group(3)}-{_MONTHS[m.group(2).casefold()]:02d}-{int(m.group(1)):02d}"


@lru_cache(maxsize=4096)
def reading_form(text: str) -> str:
    """Text as a careful reader compares numbers: folded, one dash, one decimal point, dates as ISO."""
    text = _THIN_THOUSANDS.sub("", text)
    text = _MIDDLE_DOT.sub(".", unicodedata.normalize("NFKC", text).translate(_DASHES))
    text = _SPACES.sub(" ", _THOUSANDS.sub("", text))
    text = _POSSESSIVE.sub("", text)
    if not _YEAR.search(text):  # no date to rewrite (the date patterns are the slow part)
        return text
    text = _DATE_MDY.sub(_iso_mdy, text)
    return _DATE_DMY.sub(_iso_dmy, text)


@lru_cache(maxsize=65536)
def _canonical(token: str) -> str:
    """A token case-folded, spaces and hyphens between a name and its number dropped ("IL-3" = "il3",
    "Phase 2" = "phase2")."""
    key = _LETTER_DIGIT.sub("", _WS.sub("", token.casefold()))
    return _PLURAL_LABEL.sub(lambda m: _LABELS[m.group(1)], key) if key[:1].isalpha() else key


def digit_tokens(text: str) -> list[str]:
    """The digit-bearing tokens of a text in reading form ("45-80Kg", "CD122", "2023-05-01"); a
    number that names a phase, stage, grade ... is one token with its label ("Phase 2")."""
    labelled = [m.group(0) for m in _LABELLED.finditer(text)]
    rest = _LABELLED.sub(" ", text)
    return labelled + [t for t in _TOKEN.findall(rest) if _HAS_DIGIT.search(t)]


def token_keys(token: str) -> tuple[str, ...]:
    """The forms under which a token may be found stated: itself, and a percentage as its number
    ("6.8%" is stated by "6.8 versus 18.6%")."""
    key = _canonical(token)
    return (key, key[:-1]) if key.endswith("%") and key[:-1] else (key,)


@lru_cache(maxsize=4096)
def stated_tokens(text: str) -> frozenset[str]:
    """Every token form a text vouches for: whole tokens, their parts, number+unit joins, labelled
    numbers ("Phase II" states "phase 2"), dates split into parts, and spelled-out numbers as digits
    ("forty two" -> "42")."""
    form = reading_form(text)
    out: set[str] = set()
    words = _TOKEN.findall(form)
    for i, tok in enumerate(words):
        before = words[i - 1] if i > 0 else ""
        if tok.isalpha():  # no digit; but "Phase II" states "phase 2"
            if len(tok) <= _ROMAN_MAX and tok.upper() in _ROMAN and before.casefold() in NUMBERED_LABELS:
                out.add(_canonical(before + str(_ROMAN[tok.upper()])))
            continue
        if not _HAS_DIGIT.search(tok):
            continue
        key = _canonical(tok)
        parts = [p for p in _PARTS.split(key) if p]  # a range's ends, a code's groups (not IL-2's 2)
        out.update((key, key.rstrip("+"), _TRAILING_LETTERS.sub("", key)))  # "80Kg" states 80
        out.update(parts)
        out.update(_TRAILING_LETTERS.sub("", p) for p in parts)
        out.update(p for p in key.split("/") if p)  # "IL-2/IL-3" states "IL-3"
        # Joined to a neighbour: "80 kg" states "80kg", "ANRS 118" states "ANRS118", "Grade 3/4"
        # states "grade 3/4", "grade 3" and "grade 4".
        if i + 1 < len(words):
            out.update((_canonical(tok + words[i + 1]), _canonical(tok + "-" + words[i + 1])))
        if before:
            out.update((_canonical(before + tok), _canonical(before + "-" + tok)))
    for label, number in _LABELLED.findall(form):  # "Grade 3/4" states "grade 3/4", "grade 3", "grade 4"
        out.update(_canonical(label + p) for p in (number, *_PARTS.split(number)))
    for iso in _ISO_DATE.findall(form):
        out.update((iso[0], str(int(iso[2]))))
    out.update(spelled_numbers(form))
    return frozenset(out)


def name_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """A pattern finding any of these names in reading form, however its name-number is joined
    ("IL-2" also finds "il2" and "il 2"), as a whole word."""
    alts = []
    for phrase in phrases:
        form = reading_form(phrase).casefold()
        pieces = re.findall(r"[^\W\d_]+|\d+|[^\w\s]|\s+", form)
        out = ""
        for a, b in zip(["", *pieces], pieces, strict=False):
            if b.isspace() or b == "-":
                out += r"[-\s]?"
            else:
                if a and (a[-1].isdigit() != b[0].isdigit()) and a[-1].isalnum() and b[0].isalnum():
                    out += r"[-\s]?"
                out += re.escape(b)
        alts.append(out)
    if not alts:
        return None
    alternatives = "|".join(sorted(alts, key=len, reverse=True))
    return re.compile(r"(?<![\w.])(?:" + alternatives + r")(?![\w])", re.IGNORECASE)
