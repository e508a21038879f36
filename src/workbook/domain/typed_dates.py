"""Reading a date a person typed or pasted, and saying back in words what will be saved.

People type dates the way they read them on paper (03/12/2026, 3/12/26), copy them from a
letter (3 December 2026) or from another system (2026-12-03). Every date field reads them here,
so the rule is the same on every screen and testable without Qt. A date that cannot exist
(31/02/2026, 00/01/2026) is refused with its reason, never corrected to a neighbour: a record
must hold the date the person saw, or none."""

from __future__ import annotations

import calendar
import re
from datetime import date

from workbook.domain.errors import WorkbookError

FIRST_YEAR, LAST_YEAR = 1900, 2200
EXAMPLE = "for example 03/12/2026"

# English names written out: `calendar.month_name` follows the locale, which Qt sets at start.
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)}
MONTHS.update({name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)})
MONTHS["sept"] = 9

_NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[t ]\d.*)?")
_WORDS = re.compile(r"(?:[a-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4}|\d{2})")


class DateNotUnderstood(WorkbookError):
    """The text is not a date, or names a day that does not exist; the message says why."""


def read_date(text: str, today: date, *, past: bool = False) -> date | None:
    """The date in `text`, or None when it is empty. A two-digit year is this century's,
    unless that is after `today` and the date must be in the `past` (a date of birth): then
    it is the last century's. Raises DateNotUnderstood with the reason otherwise."""
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        return None
    shown = text.strip()[:40]
    parts = _parts(cleaned, shown)
    day, month, year_text = parts
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000
        if past and year > today.year:
            year -= 100
    return _checked(shown, day, month, year)


def _parts(cleaned: str, shown: str) -> tuple[int, int, str]:
    """Day, month and the year as typed, from any of the accepted shapes."""
    match = _ISO.fullmatch(cleaned)
    if match:
        return int(match.group(3)), int(match.group(2)), match.group(1)
    match = _NUMERIC.fullmatch(cleaned)
    if match:
        return int(match.group(1)), int(match.group(2)), match.group(3)
    match = _WORDS.fullmatch(cleaned)
    if match:
        month = MONTHS.get(match.group(2))
        if month is None:
            raise DateNotUnderstood(f'"{shown}": "{match.group(2)}" is not a month.')
        return int(match.group(1)), month, match.group(3)
    raise DateNotUnderstood(f'"{shown}" is not a date: type it as dd/mm/yyyy, {EXAMPLE}.')


def _checked(shown: str, day: int, month: int, year: int) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateNotUnderstood(
            f"{shown}: the year must be between {FIRST_YEAR} and {LAST_YEAR}.")
    if not 1 <= month <= 12:
        raise DateNotUnderstood(f"{shown}: there is no month {month}; months run 1 to 12.")
    if day < 1:
        raise DateNotUnderstood(f"{shown}: there is no day {day}; days start at 1.")
    length = calendar.monthrange(year, month)[1]
    if day > length:
        raise DateNotUnderstood(
            f"{shown}: {MONTH_NAMES[month - 1]} {year} has only {length} days.")
    return date(year, month, day)


def date_in_words(day: date) -> str:
    """'Wednesday 3 December 2026': the date a field will save, said so it cannot be misread
    (no question of day-month order)."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def short_date_in_words(day: date) -> str:
    """'Wed 3 Dec 2026': the same, where room is short (the chronology's filters)."""
    return f"{DAY_NAMES[day.weekday()][:3]} {day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"
