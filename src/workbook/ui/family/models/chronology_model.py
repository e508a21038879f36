"""The chronology as a table that loads lazily: the view asks for more rows as it scrolls
(canFetchMore/fetchMore, a page of 200 at a time), so a 5,000-entry family paints at once."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from workbook.services.family.chronology import ChronologyRow
from workbook.ui.family.common import fmt_date
from workbook.ui.models.base import RowsModel

COL_DATE, COL_SECTION, COL_TYPE, COL_AUTHOR, COL_SIGNIFICANT, COL_TEXT = range(6)
HEADERS = ("Date", "Section", "Type", "Author", "Significant", "Entry")
ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SECTION_ROLE = Qt.ItemDataRole.UserRole + 2
SIGNIFICANT_ROLE = Qt.ItemDataRole.UserRole + 3
CONFLICT_ROLE = Qt.ItemDataRole.UserRole + 4
CHRONOLOGY_ROW_ROLE = Qt.ItemDataRole.UserRole + 5
PAGE = 200
# Shown, in words, on an entry that no audit event wrote (services/audit/completeness.py).
NOT_IN_AUDIT = "[Not in the audit log]"
NOT_IN_AUDIT_TIP = ("Not in the audit log: no write event names this entry, so it was added "
                    "outside Workbook and its date cannot be trusted. Tell your team manager; "
                    "`workbook audit verify` names it.")

Index = QModelIndex | QPersistentModelIndex


class ChronologyModel(RowsModel[ChronologyRow]):
    """Rows from services.chronology, already filtered and ordered by the service."""

    HEADERS = HEADERS

    def __init__(self, parent: object | None = None, page: int = PAGE) -> None:
        super().__init__(parent)
        self._loaded = 0
        self._page = page
        self._bold = QFont()
        self._bold.setBold(True)

    # --- data in ---------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[ChronologyRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._loaded = min(self._page, len(self._rows))
        self.endResetModel()

    @property
    def total(self) -> int:
        return len(self._rows)

    def row_at(self, row: int) -> ChronologyRow | None:
        return self._rows[row] if 0 <= row < self._loaded else None

    # --- lazy loading ----------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._loaded < len(self._rows)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = min(self._page, len(self._rows) - self._loaded)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + more - 1)
        self._loaded += more
        self.endInsertRows()

    # --- the table -------------------------------------------------------------------------
    def shown_rows(self) -> int:
        return self._loaded

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self._loaded:
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_TEXT:
            return f"{NOT_IN_AUDIT_TIP}\n\n{row.preview}" if row.unaudited else row.preview
        if role == Qt.ItemDataRole.FontRole and row.significant:
            return self._bold
        if role == ENTRY_ID_ROLE:
            return row.entry_id
        if role == SECTION_ROLE:
            return row.section
        if role == SIGNIFICANT_ROLE:
            return row.significant
        if role == CONFLICT_ROLE:
            return row.conflict
        if role == CHRONOLOGY_ROW_ROLE:
            return row
        return None

    def texts(self, column: int, rows: Sequence[int]) -> list[tuple[str, QFont | None]]:
        """The cells' texts and fonts, for measuring a column (ui/widgets/text_table.py)."""
        shown = self._rows
        return [(self._display(shown[r], column), self._bold if shown[r].significant else None)
                for r in rows]

    @staticmethod
    def _display(row: ChronologyRow, col: int) -> str:
        if col == COL_DATE:
            return fmt_date(row.date)
        if col == COL_SECTION:
            return row.section_title
        if col == COL_TYPE:
            return row.type.capitalize()
        if col == COL_AUTHOR:
            return row.author
        if col == COL_SIGNIFICANT:
            return "Significant" if row.significant else ""
        text = row.preview
        if row.conflict:
            text = "[Conflict] " + text
        if row.sealed:
            text = "[Sealed] " + text
        if row.urgent:
            text = ("[Urgent] " if row.urgent == "open" else "[Urgent, answered] ") + text
        if row.unaudited:
            text = f"{NOT_IN_AUDIT} {text}"
        return text
