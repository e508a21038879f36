"""A table of text alone (no icons, no check boxes) that measures a column by the widths of
its texts in their fonts, and asks the delegate only about the widest.

Qt's own measure lays out every cell through the delegate, which asks the model for seven roles
each: 10-16 ms for a family's 34-entry chronology, a tenth of its first paint (issue 19). The
delegate's width is the text's width and the same margins, so the widest text by its font's
metrics is the widest cell; asking the delegate about that one cell keeps Qt's margins, grid
and style sheet in the figure."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

Cell = tuple[str, QFont | None]


@runtime_checkable
class TextsByRow(Protocol):
    """A model that can say its cells' texts (DisplayRole) and fonts (FontRole) for many rows
    at once: a model index and two calls into the model a cell cost more than the measure."""

    def texts(self, column: int, rows: Sequence[int]) -> list[Cell]: ...


class TextTable(QTableView):
    """A QTableView whose column widths cost a font measure per distinct text."""

    def sizeHintForColumn(self, column: int) -> int:  # noqa: N802 - Qt's name
        model = self.model()
        if model is None or model.rowCount() == 0 or not 0 <= column < model.columnCount():
            return super().sizeHintForColumn(column)
        self.ensurePolished()
        rows = list(self._rows_measured(model))
        cells = (model.texts(column, rows) if isinstance(model, TextsByRow)
                 else [_cell(model, row, column) for row in rows])
        plain = self.font()
        widest: dict[str, tuple[float, int]] = {}    # per font: the widest text and its row
        fonts: dict[int, tuple[Any, str, QFontMetricsF]] = {}
        measured: dict[tuple[str, str], float] = {}
        for row, (text, font) in zip(rows, cells, strict=True):
            if not text:
                continue
            known = fonts.get(id(font))
            if known is None:   # the font kept in the entry, so its id is not reused
                resolved = font.resolve(plain) if isinstance(font, QFont) else plain
                known = fonts[id(font)] = (font, resolved.key(), QFontMetricsF(resolved))
            _, key, metrics = known
            width = measured.get((key, text))
            if width is None:
                width = measured[(key, text)] = max(
                    metrics.horizontalAdvance(line) for line in text.split("\n"))
            if key not in widest or width > widest[key][0]:
                widest[key] = (width, row)
        if not widest:
            return super().sizeHintForColumn(column)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        hint = 0
        for _, row in widest.values():
            index = model.index(row, column)
            hint = max(hint, self.itemDelegateForIndex(index).sizeHint(option, index).width())
        return hint + 1 if self.showGrid() else hint

    def _rows_measured(self, model: QAbstractItemModel) -> Iterator[int]:
        """The rows Qt measures: every one when there are no more than the header's precision
        (-1: no limit); else those in view, then the first others up to the precision
        (0: those in view alone)."""
        count = model.rowCount()
        precision = self.horizontalHeader().resizeContentsPrecision()
        rows = (r for r in range(count) if not self.isRowHidden(r))
        if precision < 0 or count <= precision:
            yield from rows
            return
        top = max(0, self.rowAt(0))
        bottom = self.rowAt(self.viewport().height())
        if not self.isVisible() or bottom < 0:
            bottom = count - 1
        shown = [r for r in range(top, bottom + 1) if not self.isRowHidden(r)]
        if precision:
            shown = shown[:precision]
        yield from shown
        left = precision - len(shown)
        taken = set(shown)
        for row in rows:
            if left <= 0:
                return
            if row not in taken:
                left -= 1
                yield row


def _cell(model: QAbstractItemModel, row: int, column: int) -> Cell:
    index = model.index(row, column)
    text = model.data(index, Qt.ItemDataRole.DisplayRole)
    font = model.data(index, Qt.ItemDataRole.FontRole)
    return ("" if text is None else str(text), font if isinstance(font, QFont) else None)
