"""Columns that share a list's width the way a reader needs: the column that says what a row is
(a family's name, an action, an entry's text) keeps enough room to be read, and the others are
as wide as their contents until the list is too narrow, when the widest of them give way first
(elided, with the whole text in the tooltip the models give), so dates and references stay whole.

Sizing the other columns to their contents and stretching the main one into what was left cut
the family's name to "The Ad…" beside a roomy "Case owner and plan action" at 1366x768 and
125%; fixed widths cut an entry's author to "Sam W…"."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTreeView
from shiboken6 import isValid

PAD = 14          # room for the cell's margins beside its text
CAP = 240         # no other column is wider than this, whatever its longest cell
MIN_WIDTH = 56    # an other column never narrower than this (a date, a short word)
MAIN_SHARE = 0.5   # the share of the width the main column keeps when the list is narrow


def _header(view: QAbstractItemView) -> QHeaderView:
    if isinstance(view, QTableView):
        return view.horizontalHeader()
    assert isinstance(view, QTreeView)
    return view.header()


def contents_widths(view: QAbstractItemView) -> dict[int, int]:
    """Each shown column's width for its header and the rows Qt measures (those in view, then
    others up to the header's precision): the costly part of a fit, a few milliseconds for a
    family's chronology."""
    header = _header(view)
    return {c: max(view.sizeHintForColumn(c), header.sectionSizeHint(c)) + PAD
            for c in range(header.count()) if not header.isSectionHidden(c)}


def fit_columns(view: QAbstractItemView, main: int, cap: int = CAP,
                share: float = MAIN_SHARE, wants: dict[int, int] | None = None) -> None:
    """Size `view`'s columns for its current width and rows (see the module's docstring);
    `wants` are its `contents_widths`, if the caller has them."""
    header = _header(view)
    if header.count() == 0:
        return
    wants = dict(contents_widths(view) if wants is None else wants)
    shown = list(wants)
    others = [c for c in shown if c != main]
    for column in others:
        wants[column] = min(wants[column], cap)
    width = view.viewport().width()
    keep = min(wants.get(main, 0), int(width * share))
    level = _level([wants[c] for c in others], width - keep)
    header.setStretchLastSection(False)
    for column in others:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, min(wants[column], max(level, MIN_WIDTH)))
    if main in wants:
        header.setSectionResizeMode(main, QHeaderView.ResizeMode.Stretch)


def _level(wants: list[int], room: int) -> int:
    """The widest any other column may be so that together they fit `room`: the widest give
    way first, so a date, a reference or a status stays whole while a long text is elided."""
    if sum(wants) <= room:
        return max(wants, default=0)
    left = room
    for count, want in enumerate(sorted(wants)):
        share = left // (len(wants) - count)
        if want > share:
            return share
        left -= want
    return max(wants, default=0)


class ColumnFitter(QObject):
    """Keeps `view`'s columns fitted as its rows change and as it is resized. What the columns'
    contents want is measured again only when the rows, the columns or the rows in view
    change: as a family's page is laid out its table is resized a dozen times, and measuring
    each time was a fifth of the family's first paint (issue 19)."""

    def __init__(self, view: QAbstractItemView, main: int, cap: int = CAP,
                 share: float = MAIN_SHARE) -> None:
        super().__init__(view)
        self._view = view
        self._main = main
        self._cap = cap
        self._share = share
        self._measured: tuple[tuple[object, ...], dict[int, int]] | None = None
        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)
        view.installEventFilter(self)
        model = view.model()
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
                signal.connect(self.fit)
            for signal in (model.rowsRemoved, model.dataChanged, model.headerDataChanged,
                           model.columnsInserted, model.columnsRemoved):
                signal.connect(self._forget)

    def fit(self, *_: object) -> None:
        """Measure the contents again and fit (the rows changed)."""
        self._forget()
        self._fit()

    def _forget(self, *_: object) -> None:
        self._measured = None

    def _fit(self) -> None:
        view = self._view
        if not isValid(view):  # a view being torn down still sends its viewport events
            return
        key = self._rows_measured()
        if self._measured is None or self._measured[0] != key:
            self._measured = (key, contents_widths(view))
        fit_columns(view, self._main, self._cap, self._share, self._measured[1])

    def _rows_measured(self) -> tuple[object, ...]:
        """What decides which rows Qt measures: none of it while a table has no more rows
        than Qt's precision (it measures them all); else the rows in view."""
        view = self._view
        model = view.model()
        if (isinstance(view, QTableView) and model is not None
                and model.rowCount() <= view.horizontalHeader().resizeContentsPrecision()):
            return ()
        bottom = QPoint(0, self._viewport.height() - 1)
        return (view.isVisible(), view.indexAt(QPoint(0, 0)), view.indexAt(bottom))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Resize and watched is self._viewport:
            self._fit()
        elif kind in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and watched is self._view:
            self._forget()
        return False
