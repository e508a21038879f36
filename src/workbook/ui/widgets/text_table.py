"""A table of text alone (no icons, no check boxes) that measures a column by the widths of
its texts in their fonts, and asks the delegate only about the widest.

Qt's own measure lays out every cell through the delegate, which asks the model for seven roles
each: 10-16 ms for a family's 34-entry chronology, a tenth of its first paint (issue 19). The
delegate's width is the text's width and the same margins, so the widest text by its font's
metrics is the widest cell; asking the delegate about that one cell keeps Qt's margins, grid
and style sheet in the figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

Cell = tuple[str, QFont | None]


@runtime_checkable
class TextsByRow(Protocol):
    """A model that can say its cells' texts (DisplayRole) and fonts (FontRole) for many rows
    at once: a model index and two calls into the model a cell cost more than the measure.
    None: it cannot, ask `data`."""

    def texts(self, column: int, rows: Sequence[int]) -> list[Cell] | None: ...


class TextTable(QTableView):
    """A QTableView whose column widths cost a font measure per distinct text."""

    def sizeHintForColumn(self, column: int) -> int:  # noqa: N802 - Qt's name
        model = self.model()
        if model is None or model.rowCount() == 0 or not 0 <= column < model.columnCount():
            return super().sizeHintForColumn(column)
        self.ensurePolished()
        rows = self._rows_measured(model)
        said = model.texts(column, rows) if isinstance(model, TextsByRow) else None
        cells = said if said is not None else [_cell(model, row, column) for row in rows]
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

    def _rows_measured(self, model: QAbstractItemModel) -> list[int]:
        """The rows Qt's own measure takes (QTableView::sizeHintForColumn): those in view,
        then others alternately below and above them until the header's precision is
        reached (0: those in view alone; -1: every row); hidden rows are skipped."""
        header = self.verticalHeader()
        most = self.horizontalHeader().resizeContentsPrecision()
        count = model.rowCount()
        if most < 0 or count <= most:
            return [r for r in range(count) if not header.isSectionHidden(r)]
        top = max(0, header.visualIndexAt(0))
        bottom = header.visualIndexAt(self.viewport().height())
        if not self.isVisible() or bottom == -1:
            bottom = count - 1
        out: list[int] = []
        row = top
        while row <= bottom:
            logical = header.logicalIndex(row)
            if not header.isSectionHidden(logical):
                out.append(logical)
                if len(out) == most:
                    break
            row += 1
        if most == 0:
            return out
        above, below, last = top, row - 1, count - 1
        while len(out) != most and (above > 0 or below < last):
            take_above = (len(out) % 2 and above > 0) or below == last
            while (above > 0) if take_above else (below < last):
                if take_above:
                    above -= 1
                    candidate = header.logicalIndex(above)
                else:
                    below += 1
                    candidate = header.logicalIndex(below)
                if not header.isSectionHidden(candidate):
                    out.append(candidate)
                    break
        return out


def _cell(model: QAbstractItemModel, row: int, column: int) -> Cell:
    index = model.index(row, column)
    text = model.data(index, Qt.ItemDataRole.DisplayRole)
    font = model.data(index, Qt.ItemDataRole.FontRole)
    return ("" if text is None else str(text), font if isinstance(font, QFont) else None)
