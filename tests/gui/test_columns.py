"""Fitted columns (ui/widgets/columns.py) in a real table: they follow the rows whenever the
rows change, give way when the table narrows, and a resize alone does not measure the rows
again (a family's chronology is resized a dozen times as its page is laid out)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from workbook.ui.widgets.columns import ColumnFitter

LONG = "Sam Wellington-Featherstonehaugh, Independent Domestic Violence Adviser"


class CountingTable(QTableView):
    """A real table that counts how often its columns' contents are measured."""

    def __init__(self) -> None:
        super().__init__()
        self.measured = 0

    def sizeHintForColumn(self, column: int) -> int:  # noqa: N802 - Qt's name
        self.measured += 1
        return super().sizeHintForColumn(column)


def _table(qtbot: Any, rows: list[list[str]]) -> tuple[CountingTable, QStandardItemModel]:
    model = QStandardItemModel(0, 3)
    model.setHorizontalHeaderLabels(["Entry", "Date", "Author"])
    for row in rows:
        model.appendRow([QStandardItem(text) for text in row])
    view = CountingTable()
    view.setModel(model)
    qtbot.addWidget(view)
    ColumnFitter(view, 0)
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    return view, model


def test_a_resize_alone_does_not_measure_the_rows_again(qtbot: Any) -> None:
    view, _model = _table(qtbot, [["Home visit", "03/12/2026", "Ann Smith"]] * 20)
    header = view.horizontalHeader()
    date_width = header.sectionSize(1)
    before = view.measured
    for width in (880, 860, 840, 900):
        view.resize(width, 300)
        qtbot.wait(1)
    assert view.measured == before
    assert header.sectionSize(1) == date_width


def test_changed_rows_are_measured_again(qtbot: Any) -> None:
    view, model = _table(qtbot, [["Home visit", "03/12/2026", "Ann Smith"]] * 5)
    header = view.horizontalHeader()
    short = header.sectionSize(2)
    item = model.item(3, 2)
    assert item is not None
    item.setText("Ann Smith-Jones-Harrington")   # dataChanged: measured at the next fit
    view.resize(899, 300)
    qtbot.waitUntil(lambda: header.sectionSize(2) > short)
    grown = header.sectionSize(2)
    model.appendRow([QStandardItem("Call"), QStandardItem("04/12/2026"), QStandardItem(LONG)])
    qtbot.waitUntil(lambda: header.sectionSize(2) > grown)   # rows inserted: fitted at once
    model.removeRows(3, 3)                                   # the long ones gone
    view.resize(900, 300)
    qtbot.waitUntil(lambda: header.sectionSize(2) == short)


def test_a_narrow_table_gives_way_with_the_widths_it_measured(qtbot: Any) -> None:
    view, _model = _table(qtbot, [["Home visit", "03/12/2026", LONG]] * 5)
    header = view.horizontalHeader()
    wide, date_width = header.sectionSize(2), header.sectionSize(1)
    before = view.measured
    view.resize(420, 300)
    qtbot.waitUntil(lambda: header.sectionSize(2) < wide)
    assert header.sectionSize(1) == date_width   # the long author gives way, the date stays whole
    view.resize(900, 300)
    qtbot.waitUntil(lambda: header.sectionSize(2) == wide)
    assert view.measured == before


def test_a_larger_font_is_measured_again(qtbot: Any) -> None:
    view, _model = _table(qtbot, [["Home visit", "03/12/2026", "Ann Smith"]] * 5)
    header = view.horizontalHeader()
    small = header.sectionSize(2)
    font = QFont(view.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    view.setFont(font)
    view.resize(899, 300)
    qtbot.waitUntil(lambda: header.sectionSize(2) > small)
