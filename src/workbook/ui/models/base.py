"""The table model every table of the app is made of (home, the family view), and the date
formats shown (dd/mm/yyyy).

A model holds plain rows that a service returned; `set_rows` replaces them all, `clear` drops
them (on lock, so no case content stays in memory behind a view)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from workbook.domain.display import uk_date, uk_date_time

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

FAMILY_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 2
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 3

format_date = uk_date  # '2026-06-01' -> '01/06/2026' (British order); anything else unchanged


def format_timestamp(iso: str) -> str:
    """A stored UTC time stamp in local time: '23/11/2026 09:37'."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return format_date(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return uk_date_time(moment)


_BRITISH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def typed_date(text: str) -> str:
    """A date typed the way the screens show it (dd/mm/yyyy) as the YYYY-MM-DD the services
    take; anything else unchanged, for the services to accept (YYYY-MM-DD) or refuse."""
    match = _BRITISH_DATE.fullmatch(text.strip())
    if match is None:
        return text
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def format_moment(iso: str) -> str:
    """A date or a time stamp as the screens show it: '01/06/2026' or '01/06/2026 09:37'."""
    return format_timestamp(iso) if len(iso.strip()) > 10 else format_date(iso)


class RowsModel(QAbstractTableModel, Generic[T]):
    """Rows of one type shown as columns. Subclasses name their columns in HEADERS (indexed
    by their COL_* constants) and say how a cell reads in `text`, or answer `data` whole;
    one that shows its rows a page at a time says how many are shown in `shown_rows`."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    # --- content ---------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- for subclasses --------------------------------------------------------------------
    def text(self, row: T, column: int) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def family_id(self, row: T) -> str:
        return str(getattr(row, "family_id", ""))

    def foreground(self, row: T, column: int) -> Any:  # noqa: ARG002 - hook for subclasses
        return None

    def tooltip(self, row: T, column: int) -> str:
        return self.text(row, column)

    def shown_rows(self) -> int:
        return len(self._rows)

    def texts(self, column: int, rows: Sequence[int]) -> list[tuple[str, QFont | None]] | None:
        """The cells' texts for measuring a column (ui/widgets/text_table.py): what `data`
        shows, in the view's own font; None from a model that answers `data` whole (the
        table then asks `data`)."""
        if type(self).data is not RowsModel.data:
            return None
        shown = self._rows
        return [(self.text(shown[r], column), None) for r in rows]

    # --- Qt --------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.shown_rows()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, column)
        if role == FAMILY_ID_ROLE:
            return self.family_id(row)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None
