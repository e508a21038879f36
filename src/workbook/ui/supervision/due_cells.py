"""The due dates of a review's actions, typed in their table cells through the one date field
of the desktop (ui/widgets/date_field): dd/mm/yyyy, d/m/yy, 2026-12-03 or pasted text, the date
that will be saved said in words while typing, an impossible date refused at the cell with its
reason. The cell then shows the date as it will be saved (dd/mm/yyyy), or what was typed when
it was refused, so that the review's Save can name it and nothing unseen is saved."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QWidget,
)

from workbook.domain.display import uk_date
from workbook.domain.typed_dates import DateNotUnderstood, read_date
from workbook.ui.widgets.a11y import announce
from workbook.ui.widgets.date_field import DateField, today

DUE_COLUMN = 2
Index = QModelIndex | QPersistentModelIndex


def due_iso(text: str) -> str:
    """The YYYY-MM-DD a due cell will save; "" when empty; the text as typed when it is not a
    date (the services then refuse it by name, as `refused_due` does first)."""
    try:
        day = read_date(text, today())
    except DateNotUnderstood:
        return text
    return day.isoformat() if day else ""


def refused_due(table: QTableWidget) -> str:
    """Why the first due cell that cannot be saved cannot be ("" when all can), with that cell
    made current."""
    for row in range(table.rowCount()):
        cell = table.item(row, DUE_COLUMN)
        try:
            read_date(cell.text() if cell is not None else "", today())
        except DateNotUnderstood as refused:
            table.setCurrentCell(row, DUE_COLUMN)
            return f"Action {row + 1}, due date: {refused}"
    return ""


class DueDelegate(QStyledItemDelegate):
    """Edits a due cell with a DateField laid over the cell (wide enough for the date in
    words). Enter keeps a refused date open at the cell with its reason; leaving the cell keeps
    what was typed, so nothing typed is lost."""

    def createEditor(self, parent: QWidget,  # noqa: N802
                     option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: ARG002
        field = DateField("Due date", parent=parent)
        field.setAutoFillBackground(True)
        field.line.returnPressed.connect(lambda: self._finished(field, entered=True))
        # Leaving is watched on the line itself: Qt's line edit says editingFinished on
        # leaving only if the text changed since Enter last said it.
        field.line.installEventFilter(self)
        return field

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        field = watched.parent() if isinstance(watched, QLineEdit) else None
        if isinstance(field, DateField):
            if (event.type() == QEvent.Type.FocusOut and isinstance(event, QFocusEvent)
                    and event.reason() != Qt.FocusReason.PopupFocusReason):
                self._finished(field, entered=False)   # the calendar is not leaving
            return False
        # Enter is the field's own (above): Qt's delegate would close a refused date unseen.
        if (isinstance(watched, DateField) and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            return True
        return super().eventFilter(watched, event)

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        if isinstance(editor, DateField):
            editor.line.setText(str(index.data() or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: Index) -> None:
        if isinstance(editor, DateField):
            typed = editor.text().strip()
            model.setData(index, uk_date(editor.iso()) if editor.iso() else typed)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                             index: Index) -> None:  # noqa: ARG002
        cell: QRect = option.rect
        hint = editor.sizeHint()
        width = max(cell.width(), hint.width())
        left = max(0, cell.right() + 1 - width)
        editor.setGeometry(left, cell.top(), width, max(cell.height(), hint.height()))

    def _finished(self, field: DateField, *, entered: bool) -> None:
        if field.property("closing"):
            return
        if entered and field.problem() and field.text().strip():
            announce(field.line, field.problem())   # the reading beside it says why
            return
        field.setProperty("closing", True)
        self.commitData.emit(field)
        self.closeEditor.emit(field, QStyledItemDelegate.EndEditHint.NoHint)


def install_due_cells(table: QTableWidget) -> Any:
    """Due cells edited as dates; the delegate is kept by the table (its parent)."""
    delegate = DueDelegate(table)
    table.setItemDelegateForColumn(DUE_COLUMN, delegate)
    return delegate
