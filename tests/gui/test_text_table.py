"""A text table's columns (ui/widgets/text_table.py) measure what Qt's own measure gives for the
same rows - bold rows, lines, hidden rows, a style sheet's padding, rows past the header's
precision - from a font measure per distinct text and the delegate asked about the widest cell
alone; and a family's chronology is such a table."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from workbook.services.family.chronology import ChronologyRow
from workbook.ui.family.models.chronology_model import ChronologyModel
from workbook.ui.models.base import RowsModel
from workbook.ui.widgets.text_table import TextTable

LONG = "Sam Wellington-Featherstonehaugh, Independent Domestic Violence Adviser"


class CountingModel(QStandardItemModel):
    """A real model that counts the cells the delegate is asked about (their decoration)."""

    def __init__(self) -> None:
        super().__init__(0, 4)
        self.asked = 0

    def data(self, index: Any, role: int = 0) -> Any:
        if role == 1:  # Qt.ItemDataRole.DecorationRole: asked once per cell the delegate lays out
            self.asked += 1
        return super().data(index, role)


def _bold(text: str) -> QStandardItem:
    item = QStandardItem(text)
    font = QFont()
    font.setBold(True)
    item.setFont(font)
    return item


def _table(qtbot: Any, rows: list[list[QStandardItem]], style: str = "") -> tuple[
        TextTable, CountingModel]:
    model = CountingModel()
    model.setHorizontalHeaderLabels(["Date", "Author", "Significant", "Entry"])
    for row in rows:
        model.appendRow(row)
    return _shown(qtbot, model, style=style), model


def _shown(qtbot: Any, model: Any, width: int = 700, style: str = "") -> TextTable:
    """`model` in a text table on screen."""
    view = TextTable()
    view.setStyleSheet(style)
    view.setModel(model)
    qtbot.addWidget(view)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def _rows(count: int) -> list[list[QStandardItem]]:
    authors = ["Ann Smith", "Bilal Khan", "Wei Chen", "Mary-Jo O'Neill"]
    rows = []
    for n in range(count):
        date = f"{n % 28 + 1:02d}/{n % 12 + 1:02d}/2026"
        text = f"Home visit number {n}: " + "spoke with the children " * (n % 5)
        cells = [QStandardItem(date), QStandardItem(authors[n % 4]),
                 QStandardItem("Significant" if n % 3 == 0 else ""), QStandardItem(text)]
        if n % 7 == 0:
            cells[3] = _bold(text + " (significant)")
            cells[1] = _bold(authors[n % 4])
        rows.append(cells)
    return rows


def _qt(view: QTableView, column: int) -> int:
    return QTableView.sizeHintForColumn(view, column)


@pytest.mark.parametrize("style", ["", "QTableView::item { padding: 0px 17px; }"])
def test_every_column_measures_what_qt_measures(qtbot: Any, style: str) -> None:
    rows = _rows(40)
    rows[5][1] = QStandardItem("Wendy\nWellington-Featherstonehaugh")  # two lines
    rows[9][1] = _bold("Ann Smith-Jones")                              # bold the widest
    rows[12][3] = QStandardItem(LONG * 3)                               # hidden below
    view, model = _table(qtbot, rows, style)
    view.setRowHidden(12, True)
    for column in range(model.columnCount()):
        assert view.sizeHintForColumn(column) == _qt(view, column), column
    view.setShowGrid(False)
    assert view.sizeHintForColumn(3) == _qt(view, 3)


def test_the_delegate_is_asked_about_the_widest_cells_alone(qtbot: Any) -> None:
    view, model = _table(qtbot, _rows(40))
    model.asked = 0
    _qt(view, 3)
    asked_by_qt, model.asked = model.asked, 0
    view.sizeHintForColumn(3)
    assert asked_by_qt >= 40
    assert model.asked == 2      # the widest plain cell and the widest bold one


def test_past_the_precision_the_rows_qt_takes_are_measured(qtbot: Any) -> None:
    """Those in view, then others alternately below and above them up to the precision."""
    rows = _rows(80)
    rows[45][3] = QStandardItem(LONG * 2)   # neither in view nor among the first
    view, model = _table(qtbot, rows)
    header = view.horizontalHeader()
    header.setResizeContentsPrecision(5)
    assert view.sizeHintForColumn(3) == _qt(view, 3)
    view.scrollTo(model.index(45, 0))
    assert view.sizeHintForColumn(3) == _qt(view, 3)
    header.setResizeContentsPrecision(0)   # those in view alone
    assert view.sizeHintForColumn(3) == _qt(view, 3)
    view.scrollToTop()
    assert view.sizeHintForColumn(3) == _qt(view, 3) < view.sizeHintForColumn(0) * 10

    in_view = view.rowAt(view.viewport().height()) - view.rowAt(0) + 1
    header.setResizeContentsPrecision(in_view + 6)   # three rows above, three below
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    first = view.rowAt(0)
    assert first > 10
    model.item(45, 3).setText("Short")
    model.item(first - 2, 3).setText(LONG)           # among those above that Qt takes
    model.item(first - 8, 3).setText(LONG * 3)       # above, past the precision
    model.item(2, 3).setText(LONG * 4)               # among the first rows, not taken
    view.setRowHidden(first + in_view, True)          # skipped, not counted
    assert view.sizeHintForColumn(3) == _qt(view, 3)
    metrics = QFontMetricsF(view.font())
    assert metrics.horizontalAdvance(LONG) < _qt(view, 3) < metrics.horizontalAdvance(LONG * 2)


def test_an_empty_table_measures_as_qt_does(qtbot: Any) -> None:
    view, model = _table(qtbot, [])
    assert [view.sizeHintForColumn(c) for c in range(4)] == [_qt(view, c) for c in range(4)]
    model.appendRow([QStandardItem(""), QStandardItem(""), QStandardItem(""),
                     QStandardItem("")])
    assert [view.sizeHintForColumn(c) for c in range(4)] == [_qt(view, c) for c in range(4)]


def test_a_chronology_measures_what_qt_measures(qtbot: Any) -> None:
    model = ChronologyModel()
    model.set_rows([ChronologyRow(f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}", "case-notes",
                                  "visit" if n % 2 else "call", f"Author {n % 3}",
                                  n % 4 == 0, f"Preview {n} " * (n % 6 + 1), f"e{n}",
                                  n == 7, urgent="open" if n == 3 else "")
                    for n in range(30)])
    view = _shown(qtbot, model, width=800)
    for column in range(model.columnCount()):
        assert view.sizeHintForColumn(column) == _qt(view, column), column


class Referral(NamedTuple):
    received: str
    source: str
    urgent: bool


class ReferralRows(RowsModel[Referral]):
    """Rows shown through `text` alone (home's panels): measured from `texts`."""

    HEADERS = ("Received", "From")

    def text(self, row: Referral, column: int) -> str:
        return row.received if column == 0 else row.source

    def foreground(self, row: Referral, column: int) -> Any:
        return QColor("darkred") if row.urgent else None


class BoldReferralRows(ReferralRows):
    """A model that answers `data` whole (a bold font for the urgent, the widest rows):
    measured through `data`, or its bold rows would be measured too narrow."""

    def data(self, index: Any, role: int = 0) -> Any:
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.FontRole and row is not None and row.urgent:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


def _referrals(n: int) -> list[Referral]:
    return [Referral(f"{n % 28 + 1:02d}/12/2026 0{n % 10}:{n % 60:02d}",
                     "school (Designated safeguarding lead) " * (n % 3 + 1), n % 4 == 0)
            for n in range(n)]


@pytest.mark.parametrize("kind", [ReferralRows, BoldReferralRows])
def test_a_home_panel_s_rows_measure_what_qt_measures(qtbot: Any, kind: type) -> None:
    model = kind()
    model.set_rows(_referrals(30))
    view = _shown(qtbot, model)
    for column in range(2):
        assert view.sizeHintForColumn(column) == _qt(view, column), column
    assert (model.texts(1, [0]) is None) == (kind is BoldReferralRows)
