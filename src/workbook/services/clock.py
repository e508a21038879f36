"""Time is a parameter (as pyca's Fernet does): services ask a Clock, tests pass a fixed one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the microsecond: sortable, and unique enough for ordering."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# Every region Workbook knows (England and Wales, Scotland, Northern Ireland) keeps UK time.
# Dates that people see and count by (what is due today, overdue by how many days, a person's
# age) are the civil date there, not UTC's, which is a day behind in the first hour of a
# summer day.
CIVIL_ZONE = "Europe/London"


@cache
def _civil_zone() -> tzinfo:
    try:
        return ZoneInfo(CIVIL_ZONE)
    except ZoneInfoNotFoundError:  # no time zone data at all: UTC is the least surprising
        return UTC


def civil_date(moment: datetime) -> date:
    """The date of `moment` in UK civil time (`moment` must carry its time zone)."""
    return moment.astimezone(_civil_zone()).date()


def civil_zone() -> tzinfo:
    """The UK's civil time zone, for times people type and read (a referral's arrival)."""
    return _civil_zone()
