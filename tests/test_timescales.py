"""The one overdue rule (domain/timescales.py): calendar days against a day passed in."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from workbook.domain.timescales import days_overdue, is_overdue

TODAY = date(2026, 3, 1)


def test_due_yesterday_is_one_day_overdue_due_today_is_not() -> None:
    assert days_overdue("2026-02-28", TODAY) == 1
    assert is_overdue("2026-02-28", TODAY)
    assert days_overdue("2026-03-01", TODAY) == 0
    assert not is_overdue("2026-03-01", TODAY)
    assert not is_overdue(date(2026, 3, 2), TODAY)


def test_no_date_is_never_overdue() -> None:
    for due in ("", "soon", "2026-02-30", "01/02/2026"):
        assert days_overdue(due, TODAY) == 0
        assert not is_overdue(due, TODAY)


@given(st.dates(), st.dates())
def test_the_rule_agrees_with_comparing_iso_dates(due: date, today: date) -> None:
    assert is_overdue(due.isoformat(), today) is (due.isoformat() < today.isoformat())
    assert days_overdue(due, today) == max((today - due).days, 0)


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(0, 3000))
def test_days_overdue_counts_calendar_days(due: date, days: int) -> None:
    assert days_overdue(due, due + timedelta(days=days)) == days
