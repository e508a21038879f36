"""Working days: the calendar that statutory time limits are counted in.

A working day is a weekday that is not a bank holiday of the vault's region. Bank holidays come
from the `holidays` package (kept up to date by its maintainers, including one-off days such as
coronations and jubilees) rather than a hand-written list that would silently go stale. Pure:
no clock, no I/O."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

DEFAULT_REGION = "england-and-wales"

# Region name (as a person types it) -> (country, subdivision) in the holidays package.
REGIONS: dict[str, tuple[str, str]] = {
    "england-and-wales": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "northern-ireland": ("GB", "NIR"),
}
REGION_TITLES: dict[str, str] = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}


def parse_region(text: str) -> str:
    """The region's canonical name, or ValueError naming the valid ones."""
    value = text.strip().lower().replace(" ", "-").replace("_", "-")
    if value in ("england", "wales", "england-wales"):
        value = DEFAULT_REGION
    if value not in REGIONS:
        valid = ", ".join(REGIONS)
        raise ValueError(f"unknown region {text[:40]!r}; use one of {valid}")
    return value


@cache
def _bank_holidays(region: str, year: int) -> frozenset[date]:
    # Imported on first use: the package costs ~60 ms and several MB at start-up, and most
    # sessions count no working days before home is on screen.
    import holidays

    country, subdivision = REGIONS[region]
    table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(table.keys())


def bank_holidays(region: str, year: int) -> frozenset[date]:
    """The bank holidays of `region` in `year`."""
    return _bank_holidays(parse_region(region), year)


def is_working_day(day: date, region: str = DEFAULT_REGION) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(parse_region(region), day.year)


def add_working_days(start: date, count: int, region: str = DEFAULT_REGION) -> date:
    """The date `count` working days after `start` (the day itself is not counted, as in "within
    10 working days of completion"). `start` need not be a working day; count 0 is `start`."""
    if count < 0:
        raise ValueError("count must not be negative")
    region = parse_region(region)
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, region):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, region: str = DEFAULT_REGION) -> int:
    """How many working days fall after `start` up to and including `end` (negative if `end`
    is before `start`): the inverse of `add_working_days` on working days."""
    region = parse_region(region)
    if end < start:
        return -working_days_between(end, start, region)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, region):
            count += 1
    return count
