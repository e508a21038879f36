"""The home screen's item models, tested without a view (STYLE.md 4): rows in with set_rows,
cells out by COL_* constant and role, dates as dd/mm/yyyy, clear() empties them."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QModelIndex, Qt

from workbook.services.authority.grants import IDENTITY, PendingGrant
from workbook.services.home.overview import ChangedFamily, ConflictFamily, HomeAction, HomeFamily
from workbook.services.home.search import SearchHit, SearchResults
from workbook.ui.models import (
    FAMILY_ID_ROLE,
    ROW_ROLE,
    ActionsModel,
    ConflictFamiliesModel,
    FamiliesModel,
    PendingApprovalsModel,
    RecentFamiliesModel,
    SearchResultsModel,
    format_date,
    format_timestamp,
)
from workbook.ui.models.search_results_model import KIND_ROLE, PERSON_ID_ROLE, SUBTITLE_ROLE

FAMILY = HomeFamily("f1", "The Ash family", "NU-1", "open", "sw1", "case owner")


def test_dates_are_british() -> None:
    assert format_date("2026-06-01") == "01/06/2026"
    assert format_date("") == ""
    assert format_date("not a date") == "not a date"



@pytest.mark.skipif(not hasattr(time, "tzset"), reason="TZ is read through time.tzset (Unix)")
@pytest.mark.parametrize(("stored", "zone", "shown"), [
    ("2026-06-01T09:05:00+00:00", "Europe/London", "01/06/2026 10:05"),  # summer time
    ("2026-01-15T09:05:00+00:00", "Europe/London", "15/01/2026 09:05"),
    ("2026-06-01T23:30:00+00:00", "Europe/London", "02/06/2026 00:30"),  # already tomorrow
    ("2026-06-01T09:05:00+00:00", "UTC", "01/06/2026 09:05"),
])
def test_time_stamps_are_shown_in_the_computers_time_zone(
    monkeypatch: pytest.MonkeyPatch, stored: str, zone: str, shown: str
) -> None:
    """Stored in UTC, shown in the local time of the computer (fixed here through TZ)."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert format_timestamp(stored) == shown
    finally:
        monkeypatch.undo()
        time.tzset()


def test_families_model() -> None:
    model = FamiliesModel()
    assert model.rowCount() == 0
    model.set_rows([FAMILY])
    assert (model.rowCount(), model.columnCount()) == (1, 4)
    assert model.index(0, model.COL_NAME).data() == "The Ash family"
    assert model.index(0, model.COL_REFERENCE).data() == "NU-1"
    assert model.index(0, model.COL_STATUS).data() == "Open"
    assert model.index(0, model.COL_MINE).data() == "Case owner"
    assert model.index(0, 0).data(FAMILY_ID_ROLE) == "f1"
    assert model.index(0, 0).data(ROW_ROLE) == FAMILY
    assert model.headerData(model.COL_NAME, Qt.Orientation.Horizontal) == "Family"
    assert model.rowCount(model.index(0, 0)) == 0  # a flat table
    assert model.index(5, 0).data() is None
    model.clear()
    assert model.rowCount() == 0


def test_recent_and_conflict_models() -> None:
    recent = RecentFamiliesModel()
    recent.set_rows([ChangedFamily("f1", "The Ash family", "NU-1",
                                   "2026-06-01T12:00:00.000000+00:00")])
    assert recent.index(0, recent.COL_CHANGED).data().startswith("01/06/2026")
    conflicts = ConflictFamiliesModel()
    conflicts.set_rows([ConflictFamily("f1", "The Ash family", "NU-1", 2)])
    assert conflicts.index(0, conflicts.COL_RECORDS).data() == "2"
    assert conflicts.index(0, 0).data(FAMILY_ID_ROLE) == "f1"


def test_actions_model_marks_overdue(qapp: object) -> None:  # colours need the application
    model = ActionsModel()
    model.set_rows([HomeAction("a1", "f1", "The Ash family", "Book the core group",
                               "2026-06-01", "open", 14),
                    HomeAction("a2", "f1", "The Ash family", "Phone school", "2026-06-14",
                               "open", 1)])
    assert model.index(0, model.COL_DUE).data() == "01/06/2026"
    assert model.index(0, model.COL_OVERDUE).data() == "14 days"
    assert model.index(1, model.COL_OVERDUE).data() == "1 day"
    assert model.index(0, model.COL_FAMILY).data() == "The Ash family"
    assert model.index(0, model.COL_OVERDUE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, model.COL_ACTION).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(0, 0).data(FAMILY_ID_ROLE) == "f1"


def test_approvals_model_groups_by_person() -> None:
    model = PendingApprovalsModel()
    model.set_grants([
        PendingGrant("new1", "Nia Newcomer", "social-worker", "plan"),
        PendingGrant("new1", "Nia Newcomer", "social-worker", "household"),
        PendingGrant("new1", "Nia Newcomer", "social-worker", IDENTITY),
        PendingGrant("adm", "Avery Hall", "admin", IDENTITY),
    ])
    assert model.rowCount() == 2
    assert model.index(0, model.COL_NAME).data() == "Avery Hall"
    assert model.index(0, model.COL_SECTIONS).data() == "Identity check"
    assert model.index(1, model.COL_ROLE).data() == "Social worker"
    assert model.index(1, model.COL_SECTIONS).data() == "Identity check, Household, Plan"
    assert "new1" not in [model.index(1, c).data() for c in range(model.columnCount())]
    assert model.index(1, 0).data(FAMILY_ID_ROLE) == ""


def test_search_results_model() -> None:
    model = SearchResultsModel()
    person = SearchHit("person", "f1", "p1", "Zoë Ash", "The Ash family", "NU-1",
                       "born 02/03/2015, daughter")
    family = SearchHit("family", "f1", "", "The Ash family", "The Ash family", "NU-1", "NU-1")
    model.set_results(SearchResults([family, person], 7))
    assert model.rowCount() == 2 and model.total == 7
    assert model.index(0, 0).data() == "The Ash family  ·  family  ·  NU-1"
    assert model.index(1, 0).data() == \
        "Zoë Ash  ·  in The Ash family (NU-1)  ·  born 02/03/2015, daughter"
    assert model.index(1, 0).data(FAMILY_ID_ROLE) == "f1"
    assert model.index(1, 0).data(PERSON_ID_ROLE) == "p1"
    assert model.index(1, 0).data(KIND_ROLE) == "person"
    assert model.index(1, 0).data(ROW_ROLE) == person
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None
    closed = SearchHit("family", "f2", "", "The Oak family", "The Oak family", "NU-2",
                       "NU-2, closed", closed=True)
    model.set_results(SearchResults([closed], 1))
    assert model.index(0, 0).data() == "The Oak family  ·  family  ·  NU-2  ·  closed"
    assert model.index(0, 0).data(SUBTITLE_ROLE) == "Family  ·  NU-2  ·  closed"
    model.clear()
    assert model.rowCount() == 0 and model.total == 0


def test_dates_typed_as_shown_reach_the_services_as_iso() -> None:
    from workbook.ui.models.base import format_date, format_moment, typed_date

    assert typed_date("02/04/2026") == "2026-04-02" == typed_date(" 2/4/2026 ")
    assert typed_date("2026-04-02") == "2026-04-02"
    for refused in ("31/02/2026", "next week", "04/2026", ""):
        assert typed_date(refused) == refused  # left for the services to refuse by name
    assert format_date(typed_date("29/02/2028")) == "29/02/2028"
    assert format_moment("2026-04-02") == "02/04/2026"
    assert format_moment("2026-04-02T09:30:00").startswith("02/04/2026 ")
