"""Dates and people as screens and paper show them (domain/display.py), with no Qt."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from workbook.domain.display import role_label, uk_date, uk_date_time
from workbook.domain.roles import Role

YEARS = st.dates(min_value=date(1000, 1, 1))


def test_iso_dates_and_time_stamps_read_in_british_order() -> None:
    assert uk_date("2026-06-01") == "01/06/2026"
    assert uk_date(" 2026-06-01 ") == "01/06/2026"
    assert uk_date("2026-06-01T09:37:00.000001+00:00") == "01/06/2026"
    assert uk_date(date(2015, 3, 2)) == "02/03/2015"
    assert uk_date(datetime(2015, 3, 2, 23, 59, tzinfo=UTC)) == "02/03/2015"
    assert uk_date_time(datetime(2026, 11, 23, 9, 7)) == "23/11/2026 09:07"


def test_text_that_is_no_date_is_shown_as_it_is() -> None:
    for text in ("", "Not known", "2026-02-30", "01/06/2026", "2026-6-1", "never"):
        assert uk_date(text) == text


@given(YEARS)
def test_round_trip(day: date) -> None:
    shown = uk_date(day.isoformat())
    assert shown == uk_date(day)
    assert datetime.strptime(shown, "%d/%m/%Y").date() == day


@given(YEARS, st.times())
def test_the_same_text_as_strftime(day: date, at: time) -> None:
    """What every screen and report wrote by hand before (strftime), byte for byte."""
    moment = datetime.combine(day, at)
    assert uk_date(day) == day.strftime("%d/%m/%Y")
    assert uk_date(moment.isoformat()) == day.strftime("%d/%m/%Y")
    assert uk_date_time(moment) == moment.strftime("%d/%m/%Y %H:%M")


def test_role_labels() -> None:
    assert role_label(Role.SENIOR_SOCIAL_WORKER) == "Senior social worker"
    assert role_label(Role.ADMIN.value) == "Admin"
