"""Records with more than one head: what the conflict view lists before a person merges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from workbook.services.family.chronology import section_title
from workbook.ui.family.common import fmt_date

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HEADS_ROLE = Qt.ItemDataRole.UserRole + 2
ITEM_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


class ConflictsModel(QAbstractListModel):
    """Items are workbook entries (dicts) whose `heads` list holds every current version."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def item(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            heads = len(item.get("heads", []))
            when = fmt_date(str(item.get("date", ""))) if item.get("date") else ""
            what = section_title(str(item.get("section", "")))
            return f"{what}, {when}: {heads} versions".replace(", :", ":")
        if role == RECORD_ID_ROLE:
            return item.get("id")
        if role == HEADS_ROLE:
            return item.get("heads", [])
        if role == ITEM_ROLE:
            return item
        return None
