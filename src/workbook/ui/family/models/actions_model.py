"""Plan actions: text, owner, due date and status. An open action past its due date says
"Overdue" in words and in colour, so it stands out without relying on colour alone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from workbook.domain import timescales
from workbook.ui.family.common import fmt_date
from workbook.ui.models.base import RowsModel

COL_TEXT, COL_OWNER, COL_DUE, COL_STATUS = range(4)
HEADERS = ("Action", "Owner", "Due", "Status")
ACTION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 2
ACTION_ROLE = Qt.ItemDataRole.UserRole + 3
OVERDUE_BACKGROUND = QColor("#FDE7E9")
OVERDUE_TEXT = QColor("#8A0F1C")

Index = QModelIndex | QPersistentModelIndex


def is_overdue(action: dict[str, Any], today: date) -> bool:
    return action.get("status", "open") == "open" and \
        timescales.is_overdue(str(action.get("due", "")), today)


class PlanActionsModel(RowsModel[dict[str, Any]]):
    """One family's plan actions (not home's "my overdue actions", which is ActionsModel)."""

    HEADERS = HEADERS

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._today = date.min  # no day given: nothing is overdue
        self._names: dict[str, str] = {}  # username -> full name
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[dict[str, Any]], today: date | None = None,
                 names: dict[str, str] | None = None) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self._today = today or date.min
        self._names = dict(names or {})
        self.endResetModel()

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self._rows if is_overdue(r, self._today))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        action = self._rows[index.row()]
        overdue = is_overdue(action, self._today)
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == COL_TEXT:
                return str(action.get("text", ""))
            if col == COL_OWNER:
                owner = str(action.get("owner", ""))
                return self._names.get(owner, "a former colleague" if owner else "")
            if col == COL_DUE:
                return fmt_date(str(action.get("due", "")))
            if col == COL_STATUS:
                return "Overdue" if overdue else str(action.get("status", "open")).capitalize()
        if overdue and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(OVERDUE_BACKGROUND)
        if overdue and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(OVERDUE_TEXT)
        if overdue and role == Qt.ItemDataRole.FontRole and col in (COL_DUE, COL_STATUS):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and overdue:
            days = timescales.days_overdue(str(action["due"]), self._today)
            return f"Open and overdue by {days} day{'s' if days != 1 else ''}"
        if role == ACTION_ID_ROLE:
            return action.get("id")
        if role == ACTION_ROLE:
            return action
        if role == OVERDUE_ROLE:
            return overdue
        return None
