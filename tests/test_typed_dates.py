"""The one rule for a typed date: the shapes people type and paste, the reason for a refusal,
and the century of a two-digit year."""

from __future__ import annotations

from datetime import date

import pytest

from workbook.domain.typed_dates import (
    DateNotUnderstood,
    date_in_words,
    read_date,
    short_date_in_words,
)

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize("typed", [
    "03/12/2026", "3/12/2026", "3/12/26", "03.12.2026", "3-12-2026", " 03/12/2026 ",
    "2026-12-03", "2026-12-03T09:30:00+00:00", "3 December 2026", "3rd Dec 2026",
    "Thursday 3 December 2026", "3 dec. 2026",
])
def test_every_shape_people_use_reads_as_the_same_day(typed: str) -> None:
    assert read_date(typed, TODAY) == date(2026, 12, 3)


@pytest.mark.parametrize(("typed", "reason"), [
    ("31/02/2026", "31/02/2026: February 2026 has only 28 days."),
    ("29/02/2025", "February 2025 has only 28 days."),
    ("00/01/2026", "00/01/2026: there is no day 0; days start at 1."),
    ("12/13/2026", "there is no month 13"),
    ("01/01/1899", "the year must be between 1900 and 2200"),
    ("next week", '"next week" is not a date: type it as dd/mm/yyyy, for example 03/12/2026.'),
    ("3 Decembr 2026", '"decembr" is not a month'),
    ("03122026", "is not a date"),
])
def test_an_impossible_date_is_refused_with_its_reason(typed: str, reason: str) -> None:
    with pytest.raises(DateNotUnderstood) as refused:
        read_date(typed, TODAY)
    assert reason in str(refused.value)


def test_empty_is_no_date_and_leap_days_exist() -> None:
    assert read_date("   ", TODAY) is None
    assert read_date("29/02/2028", TODAY) == date(2028, 2, 29)


def test_a_two_digit_year_of_birth_is_never_in_the_future() -> None:
    assert read_date("4/12/85", TODAY, past=True) == date(1985, 12, 4)
    assert read_date("4/12/26", TODAY, past=True) == date(2026, 12, 4)
    assert read_date("4/12/27", TODAY, past=True) == date(1927, 12, 4)
    assert read_date("4/12/27", TODAY) == date(2027, 12, 4)


def test_the_date_is_said_in_words_in_english_whatever_the_locale() -> None:
    assert date_in_words(date(2026, 12, 3)) == "Thursday 3 December 2026"
    assert short_date_in_words(date(2026, 12, 3)) == "Thu 3 Dec 2026"
