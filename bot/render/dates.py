"""How current a source is: its own date in words, and its age (shared by every renderer)."""

# No `from __future__ import annotations`: typing.NamedTuple would compile each string annotation
# at import, on the `il2bot ask` path (tests/test_startup.py checks).

import re
import time
from typing import NamedTuple, Protocol


class Day(Protocol):
    """Anything with a year, month and day: a datetime.date, or Today."""

    @property
    def year(self) -> int: ...
    @property
    def month(self) -> int: ...
    @property
    def day(self) -> int: ...


class Today(NamedTuple):
    """A calendar day, without importing datetime (the CLI's start-up path)."""

    year: int
    month: int
    day: int


def today() -> Today:
    """The local calendar day."""
    t = time.localtime()
    return Today(t.tm_year, t.tm_mon, t.tm_mday)


OLD_SOURCE_YEARS = 2  # a source at least this many years old gets a visible note

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_source_date(iso: str) -> tuple[str, Today] | None:
    """A source's own ISO date (YYYY, YYYY-MM or YYYY-MM-DD) as words and as its first day."""
    m = _ISO_DATE.match(iso.strip())
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    first = Today(year, month, day)
    if m[3]:
        return f"{day} {MONTHS[month - 1]} {year}", first
    if m[2]:
        return f"{MONTHS[month - 1]} {year}", first
    return str(year), first


def years_between(start: Day, today: Day) -> int:
    """Whole years from start to today (0 when start is in the future)."""
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)


def source_dated(as_of: str, as_of_text: str, today: Day) -> tuple[str, bool]:
    """('Source dated 3 February 2011 (15 years old)', is_old) for a source's own date."""
    parsed = parse_source_date(as_of)
    if parsed is None:
        return f"Source dated {as_of_text or as_of or 'unknown'}", False
    words, first = parsed
    age = years_between(first, today)
    if age >= OLD_SOURCE_YEARS:
        return f"Source dated {words} ({age} years old)", True
    return f"Source dated {words}", False
