"""How dates and people read on screen and on paper, British order (dd/mm/yyyy), without Qt.

Screens, printed documents and search results all show the same text for the same value, so
a date typed from a printout finds the family on screen. Only the text is made here: which
time zone a time stamp is shown in stays with the caller."""

from __future__ import annotations

import re
from datetime import date, datetime

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def uk_date(value: str | date) -> str:
    """'2026-06-01' (or a time stamp beginning so, or a date) -> '01/06/2026'. Text that does
    not begin with a real calendar date is returned unchanged, for the reader to see as is."""
    if isinstance(value, date):  # a datetime is a date too
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    match = _ISO_DATE.fullmatch(value.strip()[:10])
    if match is None:
        return value
    year, month, day = match.groups()
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return value
    return f"{day}/{month}/{year}"


def uk_date_time(moment: datetime) -> str:
    """'01/06/2026 09:37': a moment as it is given (the caller chooses its time zone)."""
    return f"{uk_date(moment)} {moment.hour:02d}:{moment.minute:02d}"


def role_label(role: str) -> str:
    """'senior-social-worker' -> 'Senior social worker'."""
    return role.replace("-", " ").capitalize()
