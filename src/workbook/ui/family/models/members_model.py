"""Household members: name, date of birth (dd/mm/yyyy), age and relationship."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from workbook.ui.family.common import age_on, fmt_date
from workbook.ui.models.base import RowsModel
from workbook.ui.widgets.date_field import today as session_today

COL_NAME, COL_DOB, COL_AGE, COL_RELATIONSHIP = range(4)
HEADERS = ("Name", "Date of birth", "Age", "Relationship")
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PERSON_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


class MembersModel(RowsModel[dict[str, Any]]):
    """Persons as `workbooks.open(...).to_json()` gives them (dicts with id, name, dob, ...)."""

    HEADERS = HEADERS

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._today = session_today()

    def set_rows(self, rows: Sequence[dict[str, Any]], today: date | None = None) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self._today = today or session_today()
        self.endResetModel()

    def person(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        person = self._rows[index.row()]
        col = index.column()
        if col == COL_NAME and person.get("index"):
            # The genogram's double ring, in the table too; said in words to screen readers.
            name = str(person.get("name", ""))
            if role == Qt.ItemDataRole.DisplayRole:
                return f"◎ {name}"
            if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
                return f"{name} (index child)"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == COL_NAME:
                return str(person.get("name", ""))
            if col == COL_DOB:
                return fmt_date(str(person.get("dob", ""))) if person.get("dob") else "Not known"
            if col == COL_AGE:
                return age_on(str(person.get("dob", "")), self._today)
            if col == COL_RELATIONSHIP:
                return str(person.get("relationship", ""))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_AGE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == PERSON_ID_ROLE:
            return person.get("id")
        if role == PERSON_ROLE:
            return person
        if role == SORT_ROLE:
            return str(person.get("dob", "")) if col in (COL_DOB, COL_AGE) else str(
                self.data(index)).casefold()
        return None
