"""The chronology page: every entry this person may see, in date order, with the filters a
review asks for; the same page, fixed to one section, lists that section's entries."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbook.services.family.chronology import (
    ChronologyFilter,
    ChronologyRow,
    facets,
    filter_rows,
    section_title,
)
from workbook.ui.family.common import accessible, date_edit, iso_of
from workbook.ui.family.concerns_page import add_abstract_button
from workbook.ui.family.context import FamilyContext
from workbook.ui.family.loading import LoadProgress
from workbook.ui.family.models.chronology_model import (
    CHRONOLOGY_ROW_ROLE,
    COL_SECTION,
    COL_TEXT,
    ENTRY_ID_ROLE,
    ChronologyModel,
)
from workbook.ui.family.reading_pane import ReadingPane
from workbook.ui.widgets.a11y import describe
from workbook.ui.widgets.columns import ColumnFitter
from workbook.ui.widgets.text_table import TextTable

ANY = ""


class ChronologyPage(QWidget):
    """With `section` None: the whole chronology with a section filter; otherwise one section."""

    filtered = Signal(int)   # how many rows the current filter gives

    def __init__(self, context: FamilyContext, section: str | None = None,
                 parent: QWidget | None = None, *, filters: bool = True) -> None:
        super().__init__(parent)
        self.context = context
        self.fixed_section = section
        self._all: list[ChronologyRow] = []
        self._updating = False
        self._loading: LoadProgress | None = None
        self._shown = 0
        where = section_title(section) if section else "Chronology"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.section = QComboBox(self)
        accessible(self.section, "Filter by section")
        self.author = QComboBox(self)
        accessible(self.author, f"{where}: filter by author")
        self.type = QComboBox(self)
        accessible(self.type, f"{where}: filter by type")
        self.date_from = date_edit(f"{where}: from date", optional=True, parent=self,
                                   unknown="Any date", compact=True)
        self.date_to = date_edit(f"{where}: to date", optional=True, parent=self,
                                 unknown="Any date", compact=True)
        for combo in (self.section, self.author, self.type):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
        self.significant = QCheckBox("Significant events only", self)
        accessible(self.significant, f"{where}: significant events only",
                   "The view a serious case review asks for")
        self.newest_first = QCheckBox("Newest first", self)
        accessible(self.newest_first, f"{where}: newest first")
        self.reset = QPushButton("Clear filters", self)
        accessible(self.reset, f"{where}: clear filters")
        # Two rows of filters, so that every one stays inside the window at 125% on a laptop
        # and at 200% on a large screen: who, what and which section; then when.
        choices: list[tuple[str, QWidget]] = [("&Author", self.author), ("T&ype", self.type)]
        if section is None:
            choices.insert(0, ("Se&ction", self.section))
        else:
            self.section.setVisible(False)
        for column, (text, widget) in enumerate(choices):
            grid.addWidget(self._label(text, widget), 0, column)
            grid.addWidget(widget, 1, column)
        for column, (text, widget) in enumerate((("&From", self.date_from),
                                                 ("&To", self.date_to))):
            grid.addWidget(self._label(text, widget), 2, column)
            grid.addWidget(widget, 3, column)
        checks = QVBoxLayout()
        checks.addWidget(self.significant)
        checks.addWidget(self.newest_first)
        column = len(choices)
        grid.addLayout(checks, 0, column, 2, 1)
        grid.addWidget(self.reset, 3, column)
        grid.setColumnStretch(column + 1, 1)
        self.filter_bar = QWidget(self)
        self.filter_bar.setLayout(grid)
        grid.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        # A section page lists its own entries without the filter bar: the chronology page
        # is where a person filters.
        self.filter_bar.setVisible(filters)
        # While a big family loads in parts: what is shown is the newest entries only.
        self.loading_row = QWidget(self)
        loading_layout = QHBoxLayout(self.loading_row)
        loading_layout.setContentsMargins(0, 0, 0, 0)
        self.loading_text = QLabel("Loading earlier entries…", self.loading_row)
        self.loading_text.setWordWrap(True)
        describe(self.loading_text, f"{where}: loading earlier entries")
        self.loading_bar = QProgressBar(self.loading_row)
        self.loading_bar.setAccessibleName("Loading earlier entries")
        self.loading_bar.setMaximumWidth(240)
        loading_layout.addWidget(self.loading_text, 1)
        loading_layout.addWidget(self.loading_bar)
        self.loading_row.setVisible(False)
        layout.addWidget(self.loading_row)
        self.model = ChronologyModel(self)
        self.table = TextTable(self)
        self.table.setModel(self.model)
        accessible(self.table, f"{where} entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setTabKeyNavigation(False)
        if section is not None:
            self.table.setColumnHidden(COL_SECTION, True)
        # The entry's whole text is in the reading pane below: its column gives way sooner.
        ColumnFitter(self.table, COL_TEXT, cap=200, share=0.35)
        self.reading = ReadingPane(where, self)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.reading)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        self.count = QLabel(self)
        describe(self.count, f"{where}: number of entries shown")
        row.addWidget(self.count, 1)
        self.history = QPushButton("History…", self)
        accessible(self.history, f"{where}: history of the selected entry")
        self.correct = QPushButton("Correct…", self)
        accessible(self.correct, f"{where}: correct the selected entry")
        self.new = QPushButton("New entry…", self)
        accessible(self.new, f"{where}: new entry")
        for button in (self.history, self.correct, self.new):
            row.addWidget(button)
        self.abstract = add_abstract_button(self, row)
        layout.addLayout(row)
        for combo in (self.section, self.author, self.type):
            combo.currentIndexChanged.connect(self.apply)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.apply)
        self.significant.toggled.connect(self.apply)
        self.newest_first.toggled.connect(self.apply)
        self.reset.clicked.connect(self.clear_filters)
        self.new.clicked.connect(lambda: self.context.open_editor(self.fixed_section))
        self.correct.clicked.connect(self._correct)
        self.history.clicked.connect(self._history)
        self.table.doubleClicked.connect(lambda _: self._history())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # Enter opens history too
            enter = QShortcut(QKeySequence(key), self.table)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(self._history)
        self.table.selectionModel().selectionChanged.connect(self._selection)
        self.model.modelReset.connect(self._selection)
        self._selection()

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    # --- data ------------------------------------------------------------------------------
    def set_rows(self, rows: list[ChronologyRow], readable: list[str] | None = None) -> None:
        """All rows this page may show (for a section page, only that section's); the page
        applies the current filter choice to them."""
        self._all = rows
        found = facets(self._all)
        self._updating = True
        sections = [s for s in (readable or found["sections"])]
        self._refill(self.section, "All sections",
                     [(section_title(s), s) for s in sections])
        self._refill(self.author, "All authors", [(a, a) for a in found["authors"]])
        types = sorted(set(found["types"]) | {"visit", "call", "meeting", "note", "other"})
        self._refill(self.type, "All types", [(t.capitalize(), t) for t in types])
        self._updating = False
        self.apply()

    def set_loading(self, progress: LoadProgress | None) -> None:
        """Say that earlier entries are still loading (None: everything has loaded); filters
        and the significant-events view apply to what has loaded, and say so."""
        self._loading = progress
        self.loading_row.setVisible(progress is not None)
        if progress is None:
            self.loading_bar.reset()
        else:
            self.loading_bar.setRange(0, max(1, progress.total))
            self.loading_bar.setValue(min(progress.opened, progress.total))
            self.loading_text.setText(
                "Loading earlier entries… The newest entries are shown; filters and "
                "significant events cover only the entries loaded so far.")
            self.loading_bar.setAccessibleDescription(
                f"{progress.opened:,} of {progress.total:,} versions read")
        if self._all:
            self._count_text()

    @staticmethod
    def _refill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
        keep = combo.currentData()
        combo.clear()
        combo.addItem(everything, ANY)
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(keep)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def current_filter(self) -> ChronologyFilter:
        def one(combo: QComboBox) -> frozenset[str]:
            value = combo.currentData()
            return frozenset({value}) if value else frozenset()

        return ChronologyFilter(
            sections=one(self.section), authors=one(self.author), types=one(self.type),
            date_from=iso_of(self.date_from), date_to=iso_of(self.date_to),
            significant_only=self.significant.isChecked(),
        )

    def apply(self) -> None:
        """Filter in the service, on the worker (never on the GUI thread)."""
        if self._updating:
            return
        rows, chosen, reverse = self._all, self.current_filter(), self.newest_first.isChecked()

        def run(_: object) -> list[ChronologyRow]:
            out = filter_rows(rows, chosen)
            return out[::-1] if reverse else out

        if not rows or (chosen == ChronologyFilter() and not reverse):
            # Nothing chosen: every row shows, in the service's order; no need to ask.
            self._show(rows)
            return
        self.context.run(run, self._show)

    def _show(self, rows: object) -> None:
        assert isinstance(rows, list)
        self.model.set_rows(rows)
        self._shown = len(rows)
        self._count_text()
        self._selection()
        self.filtered.emit(self._shown)

    def _count_text(self) -> None:
        shown = self._shown
        total = len(self._all)
        noun = "entry" if total == 1 else "entries"
        text = (f"{total} {noun}" if shown == total
                else f"Showing {shown} of {total} {noun}")
        if self._loading is not None and (total or shown):
            text += " loaded so far"
        self.count.setText(text)

    def clear_filters(self) -> None:
        self._updating = True
        for combo in (self.section, self.author, self.type):
            combo.setCurrentIndex(0)
        for edit in (self.date_from, self.date_to):
            edit.clear()
        self.significant.setChecked(False)
        self.newest_first.setChecked(False)
        self._updating = False
        self.apply()

    def set_date_range(self, first: date | None, last: date | None) -> None:
        self.date_from.set_date(first)
        self.date_to.set_date(last)

    # --- actions ---------------------------------------------------------------------------
    def selected_entry(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = rows[0].data(ENTRY_ID_ROLE)
        return str(value) if value else None

    def _selection(self) -> None:
        chosen = self.selected_entry() is not None
        self._read()
        self.history.setEnabled(chosen)
        self.correct.setEnabled(chosen)

    def _read(self) -> None:
        """The whole of the selected entry in the reading pane."""
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].data(CHRONOLOGY_ROW_ROLE) if rows else None
        if not isinstance(row, ChronologyRow):
            self.reading.show_entry(None, None)
            return
        snapshot = self.context.snapshot
        found = snapshot.entries.get(row.entry_id) if snapshot is not None else None
        self.reading.show_entry(row, found.shown.payload if found is not None else None)

    def _correct(self) -> None:
        entry_id = self.selected_entry()
        if entry_id:
            self.context.open_editor(None, entry_id)

    def _history(self) -> None:
        entry_id = self.selected_entry()
        if entry_id:
            self.context.show_history(entry_id)

    def wipe(self) -> None:
        self._all = []
        self._updating = True
        for combo in (self.section, self.author, self.type):
            combo.clear()
        self._updating = False
        self.model.clear()
        self._shown = 0
        self.set_loading(None)
        self.count.setText("")
        self.reading.show_entry(None, None)
