"""Dates people count by are UK civil dates: at 00:30 BST it is already tomorrow, though UTC
still says today."""

from __future__ import annotations

from datetime import UTC, date, datetime

from workbook.services.clock import civil_date


def test_summer_midnight_hour_is_the_next_day() -> None:
    assert civil_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)


def test_winter_time_is_utc() -> None:
    assert civil_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)


def test_the_day_the_clocks_go_forward() -> None:
    # 29 March 2026, 01:00 UTC: clocks jump to 02:00 BST; 23:30 UTC that day is 00:30 on the 30th.
    assert civil_date(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == date(2026, 3, 30)
    assert civil_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 28)
