"""Property tests for working-day arithmetic: weekends, bank holidays, year ends, regions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.domain.working_days import (
    REGIONS,
    add_working_days,
    bank_holidays,
    is_working_day,
    parse_region,
    working_days_between,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
counts = st.integers(min_value=0, max_value=60)
regions = st.sampled_from(sorted(REGIONS))


@settings(max_examples=200, deadline=None)
@given(days, counts, regions)
def test_adding_lands_on_a_working_day_after_exactly_n(start: date, n: int, region: str) -> None:
    end = add_working_days(start, n, region)
    assert end >= start
    if n:
        assert is_working_day(end, region)
    assert working_days_between(start, end, region) == n
    # Every day skipped between is not a working day, except the n counted.
    skipped = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_working_day(d, region) for d in skipped) == n


@settings(max_examples=200, deadline=None)
@given(days, days, regions)
def test_between_is_antisymmetric_and_additive(a: date, b: date, region: str) -> None:
    assert working_days_between(a, b, region) == -working_days_between(b, a, region)
    middle = min(a, b) + (max(a, b) - min(a, b)) / 2
    lo, hi = min(a, b), max(a, b)
    assert (working_days_between(lo, middle, region) + working_days_between(middle, hi, region)
            == working_days_between(lo, hi, region))


@given(days, regions)
def test_weekends_and_bank_holidays_are_not_working_days(day: date, region: str) -> None:
    expected = day.weekday() < 5 and day not in bank_holidays(region, day.year)
    assert is_working_day(day, region) is expected


def test_known_bank_holidays_and_year_end() -> None:
    assert date(2026, 12, 28) in bank_holidays("england-and-wales", 2026)  # Boxing Day moved
    assert date(2026, 8, 31) in bank_holidays("england-and-wales", 2026)
    assert date(2026, 8, 31) not in bank_holidays("scotland", 2026)
    assert date(2026, 8, 3) in bank_holidays("scotland", 2026)
    assert date(2026, 3, 17) in bank_holidays("northern-ireland", 2026)  # St Patrick's Day
    # Friday 18 December 2026 + 10 working days crosses Christmas, Boxing Day (substitute, Mon
    # 28th) and New Year's Day: Wednesday 6 January 2027.
    assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 6)
    # In Scotland 2 January is a holiday too (and 4 January 2027 its substitute).
    assert add_working_days(date(2026, 12, 18), 10, "scotland") > date(2027, 1, 6)
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)  # a Saturday, unmoved


def test_bad_regions_and_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown region"):
        parse_region("mars")
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 1), -1)
    assert parse_region("England and Wales") == "england-and-wales"
    assert parse_region(" Northern_Ireland ") == "northern-ireland"
