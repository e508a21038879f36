"""The family view's item models, tested without any view (STYLE.md 4)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from workbook.services.family.chronology import ChronologyRow
from workbook.ui.family.models.actions_model import (
    COL_DUE,
    COL_STATUS,
    OVERDUE_ROLE,
    PlanActionsModel,
)
from workbook.ui.family.models.chronology_model import (
    COL_DATE,
    COL_SECTION,
    COL_SIGNIFICANT,
    COL_TEXT,
    ENTRY_ID_ROLE,
    PAGE,
    SIGNIFICANT_ROLE,
    ChronologyModel,
)
from workbook.ui.family.models.conflicts_model import RECORD_ID_ROLE, ConflictsModel
from workbook.ui.family.models.members_model import (
    COL_AGE,
    COL_DOB,
    COL_NAME,
    PERSON_ID_ROLE,
    MembersModel,
)

DISPLAY = Qt.ItemDataRole.DisplayRole


def _rows(n: int) -> list[ChronologyRow]:
    return [ChronologyRow(f"2026-01-{1 + i % 28:02d}", "case-notes", "visit", "tm", i % 10 == 0,
                          f"entry {i}", f"{i:032x}", False) for i in range(n)]


def test_chronology_model_loads_lazily_in_pages(qtbot) -> None:
    model = ChronologyModel()
    model.set_rows(_rows(5000))
    assert model.rowCount() == PAGE and model.total == 5000
    assert model.canFetchMore()
    fetched = 0
    while model.canFetchMore():
        model.fetchMore()
        fetched += 1
    assert model.rowCount() == 5000 and fetched == 5000 // PAGE - 1


def test_chronology_model_shows_dates_titles_and_roles(qtbot) -> None:
    model = ChronologyModel()
    model.set_rows(_rows(3))
    first = model.index(0, COL_DATE)
    assert model.data(first) == "01/01/2026"
    assert model.data(model.index(0, COL_SECTION)) == "Case notes"
    assert model.data(model.index(0, COL_SIGNIFICANT)) == "Significant"
    assert model.data(model.index(1, COL_SIGNIFICANT)) == ""
    assert model.data(model.index(0, COL_TEXT)) == "entry 0"
    assert model.data(first, ENTRY_ID_ROLE) == f"{0:032x}"
    assert model.data(first, SIGNIFICANT_ROLE) is True
    assert model.data(model.index(0, COL_TEXT), Qt.ItemDataRole.FontRole).bold()
    model.clear()
    assert model.rowCount() == 0 and not model.canFetchMore()


def test_members_model_dates_ages_and_index_child(qtbot) -> None:
    model = MembersModel()
    model.set_rows([{"id": "a", "name": "Zoë Smith", "dob": "2015-03-02", "relationship":
                     "daughter", "index": True},
                    {"id": "b", "name": "Mark Smith", "dob": "", "relationship": "father"}],
                   today=date(2026, 3, 1))
    assert model.data(model.index(0, COL_NAME)) == "◎ Zoë Smith"
    assert model.data(model.index(0, COL_NAME), Qt.ItemDataRole.AccessibleTextRole) == (
        "Zoë Smith (index child)")
    assert model.data(model.index(0, COL_DOB)) == "02/03/2015"
    assert model.data(model.index(0, COL_AGE)) == "10"      # the day before her birthday
    assert model.data(model.index(1, COL_DOB)) == "Not known"
    assert model.data(model.index(1, COL_AGE)) == ""
    assert model.data(model.index(1, 0), PERSON_ID_ROLE) == "b"


def test_actions_model_marks_overdue_in_words_and_colour(qtbot) -> None:
    model = PlanActionsModel()
    model.set_rows([
        {"id": "1", "text": "Book review", "owner": "tm", "due": "2026-01-31", "status": "open"},
        {"id": "2", "text": "Visit school", "owner": "sw1", "due": "2026-12-31",
         "status": "open"},
        {"id": "3", "text": "Old, done", "owner": "tm", "due": "2025-01-01", "status": "done"},
    ], today=date(2026, 2, 2))
    assert model.data(model.index(0, COL_STATUS)) == "Overdue"
    assert model.data(model.index(0, COL_DUE)) == "31/01/2026"
    assert model.data(model.index(0, COL_STATUS), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, 0), OVERDUE_ROLE) is True
    assert "overdue by 2 days" in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(1, COL_STATUS)) == "Open"
    assert model.data(model.index(1, COL_STATUS), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(2, COL_STATUS)) == "Done"
    assert model.overdue_count == 1


def test_conflicts_model_lists_records_with_several_heads(qtbot) -> None:
    model = ConflictsModel()
    model.set_rows([{"id": "e1", "section": "case-notes", "date": "2026-01-10",
                     "heads": [{"text": "a"}, {"text": "b"}]}])
    assert model.data(model.index(0, 0)) == "Case notes, 10/01/2026: 2 versions"
    assert model.data(model.index(0, 0), RECORD_ID_ROLE) == "e1"
