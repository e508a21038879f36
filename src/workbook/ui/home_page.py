"""Home: where a practitioner starts the day (issue 3, "Home").

A search box that finds families and persons as you type, and panels: my families, my overdue
actions, recently changed families, conflicts to resolve, and (labelled, empty for now) due for
review and time limits at risk. Colleagues waiting for this person's approval appear at the top.

Everything shown comes from services through the main window; `clear()` empties every model,
the search box and the index, so a locked screen keeps nothing of anyone's cases."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbook.services.authority import PendingGrant
from workbook.services.home.for_me import HomeDraft, SealedForMe
from workbook.services.home.overview import HomeActivity, HomeDeadlines, HomeOverview
from workbook.services.home.search import SearchIndex
from workbook.ui.family.action_finishing import ActionFinisher
from workbook.ui.home_widgets import Banner, Panel, ResultDelegate
from workbook.ui.models import (
    FAMILY_ID_ROLE,
    ActionsModel,
    ConflictFamiliesModel,
    FamiliesModel,
    PendingApprovalsModel,
    RecentFamiliesModel,
    RowsModel,
    SearchResultsModel,
)
from workbook.ui.models.deadlines_model import DueReviewsModel, TimeLimitsModel
from workbook.ui.models.drafts_model import DraftsModel, SealedModel
from workbook.ui.sign_in_page import scaled_label, sentence
from workbook.ui.widgets.a11y import describe

SEARCH_PLACEHOLDER = "Search families and people by name, date of birth, reference or address"
PREPARING = "Preparing search…"


class HomePage(QWidget):
    """The home screen. Emits what the person asks for; the main window runs the services."""

    open_family_requested = Signal(str)
    approve_requested = Signal(str, str)  # username, fingerprint typed by the approver
    copy_requested = Signal(str)
    searched = Signal(float)  # seconds the last keystroke's search took
    closed_wanted = Signal()  # a search while the index leaves closed families out

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._index: SearchIndex | None = None
        self._closed_waiting = 0  # closed families the index leaves out, not read yet
        self.my_families_model = FamiliesModel(self)
        self.actions_model = ActionsModel(self)
        self.recent_model = RecentFamiliesModel(self)
        self.conflicts_model = ConflictFamiliesModel(self)
        self.approvals_model = PendingApprovalsModel(self)
        self.search_model = SearchResultsModel(self)
        self.due_reviews_model = DueReviewsModel(self)
        self.time_limits_model = TimeLimitsModel(self)
        self.banner = Banner()
        self.title = scaled_label("Home", 1.7, True, "heading")
        self.title.setWordWrap(False)
        self.note = scaled_label("", 1.0, object_name="notice")
        self.note.setContentsMargins(10, 7, 10, 7)
        describe(self.note, "Note")
        self.note.hide()
        self._build_search()
        self._build_approvals()
        self._build_panels()
        self._layout_page()
        self._wire()
        self.set_index(None)

    def _build_search(self) -> None:
        self.search_box = QLineEdit()
        self.search_box.setObjectName("search")
        self.search_box.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_box.setAccessibleName("Search families and people")
        self.search_box.setAccessibleDescription(SEARCH_PLACEHOLDER)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumHeight(self.search_box.sizeHint().height() + 12)
        # Search results replace the panels while there is something in the box.
        self.results_count = scaled_label("", 0.95, object_name="subtle")
        describe(self.results_count, "Search result count")
        self.results_view = QListView()
        self.results_view.setModel(self.search_model)
        self.results_view.setAccessibleName("Search results")
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setUniformItemSizes(True)
        self.results_view.setItemDelegate(ResultDelegate(self.results_view))
        self.results = QWidget()
        results_layout = QVBoxLayout(self.results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.results_count)
        results_layout.addWidget(self.results_view, 1)

    def _build_approvals(self) -> None:
        self.approvals_panel = Panel("Access waiting for your approval", self.approvals_model,
                                     "", stretch_column=PendingApprovalsModel.COL_SECTIONS,
                                     max_rows=3)
        self.approve_button = QPushButton("Approve…")
        self.approve_button.setObjectName("primary")
        self.approve_button.setAccessibleName("Approve the selected colleague's access")
        self.approve_button.setToolTip("Ask them to read out their fingerprint, then type it")
        self.approvals_panel.add_action(self.approve_button)
        self.approval_message = scaled_label("", 1.0, object_name="subtle")
        describe(self.approval_message, "Approval result")
        self.approval_message.hide()
        panel_layout = self.approvals_panel.layout()
        if isinstance(panel_layout, QVBoxLayout):
            panel_layout.addWidget(self.approval_message)
        self.approvals_panel.hide()

    def _build_panels(self) -> None:
        self.families_panel = Panel("My families", self.my_families_model,
                                    "No families where you are case owner or own an action.",
                                    stretch_column=FamiliesModel.COL_NAME)
        self.actions_panel = Panel("My overdue actions", self.actions_model,
                                   "None of your actions is overdue.",
                                   stretch_column=ActionsModel.COL_ACTION)
        self.action_finisher = ActionFinisher(self._selected_action)
        panel_layout = self.actions_panel.layout()
        if isinstance(panel_layout, QVBoxLayout):
            panel_layout.addWidget(self.action_finisher)
        view = self.actions_panel.view
        if view is not None:
            view.selectionModel().selectionChanged.connect(
                lambda *_: self.action_finisher.set_enabled(self._selected_action() is not None))
            self.actions_model.modelReset.connect(
                lambda: self.action_finisher.set_enabled(self._selected_action() is not None))
        self.recent_panel = Panel("Recently changed", self.recent_model, "No changes yet.",
                                  stretch_column=RecentFamiliesModel.COL_NAME)
        self.conflicts_panel = Panel("Conflicts to resolve", self.conflicts_model,
                                     "No conflicting versions to merge.",
                                     stretch_column=ConflictFamiliesModel.COL_NAME)
        self.review_panel = Panel("Due for review this month", self.due_reviews_model,
                                  "No family of yours is due for review this month.",
                                  stretch_column=DueReviewsModel.COL_NAME, max_rows=6)
        self.time_limits_panel = Panel("Time limits at risk", self.time_limits_model,
                                       "No time limit is at risk or breached.",
                                       stretch_column=TimeLimitsModel.COL_FAMILY, max_rows=6)
        self.drafts_model = DraftsModel()
        self.drafts_panel = Panel("My drafts", self.drafts_model,
                                  "No unfinished entries.",
                                  stretch_column=DraftsModel.COL_TEXT, max_rows=5)
        self.sealed_model = SealedModel()
        self.sealed_panel = Panel("Sealed entries for you", self.sealed_model, "",
                                  stretch_column=SealedModel.COL_TEXT, max_rows=4)
        self.sealed_panel.hide()  # shown only when something was passed on to me
        self.panels = [self.families_panel, self.actions_panel, self.recent_panel,
                       self.conflicts_panel, self.review_panel, self.time_limits_panel,
                       self.drafts_panel, self.sealed_panel]

    def _selected_action(self) -> tuple[str, str, str] | None:
        """My selected overdue action as (id, text, due)."""
        view = self.actions_panel.view
        rows = view.selectionModel().selectedRows() if view is not None else []
        found = self.actions_model.row_at(rows[0].row()) if rows else None
        return (found.action_id, found.text, found.due) if found is not None else None

    def _build_dashboard(self) -> QScrollArea:
        dashboard = QWidget()
        dashboard.setObjectName("dashboard")
        grid = QGridLayout(dashboard)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(14)
        grid.addWidget(self.approvals_panel, 0, 0, 1, 2)
        grid.addWidget(self.families_panel, 1, 0)
        grid.addWidget(self.actions_panel, 1, 1)
        grid.addWidget(self.recent_panel, 2, 0)
        side = QVBoxLayout()
        side.setSpacing(14)
        for panel in (self.sealed_panel, self.drafts_panel, self.conflicts_panel,
                      self.review_panel, self.time_limits_panel):
            side.addWidget(panel)
        side.addStretch(1)
        grid.addLayout(side, 2, 1)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(dashboard)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return scroll

    def _layout_page(self) -> None:
        self.dashboard = self._build_dashboard()
        self.body = QStackedWidget()
        self.body.addWidget(self.dashboard)
        self.body.addWidget(self.results)
        top = QHBoxLayout()
        top.setSpacing(24)
        top.addWidget(self.title)
        top.addWidget(self.search_box, 1)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(28, 18, 28, 16)
        self._column.setSpacing(12)
        self._column.addWidget(self.banner)
        self._column.addLayout(top)
        self._column.addWidget(self.note)
        self._column.addWidget(self.body, 1)

    def _wire(self) -> None:
        self.search_box.textChanged.connect(self.search)
        self.search_box.returnPressed.connect(self._open_current_result)
        self.results_view.activated.connect(self._open_index)
        for panel in self.panels:
            if panel.view is not None:
                panel.view.activated.connect(self._open_index)
                self._copy_shortcut(panel.view)
        self._copy_shortcut(self.results_view)
        self.approve_button.clicked.connect(self._approve_selected)
        self._down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search_box)
        self._down.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._down.activated.connect(self._focus_results)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._escape.activated.connect(self._escape_search)
        self.setTabOrder(self.search_box, self.results_view)

    def add_notice(self, notice: QWidget) -> None:
        """An area's notice (the backup reminder), under the banner."""
        self._column.insertWidget(self._column.indexOf(self.banner) + 1, notice)

    # --- filling in ------------------------------------------------------------------------
    def begin_loading(self, messages: Sequence[str] = ()) -> None:
        self.banner.set_messages(messages)
        for panel in self.panels:
            panel.set_loading()

    def set_overview(self, overview: HomeOverview, actions_known: bool = True) -> None:
        """My families (and, once plan actions are read, my overdue actions)."""
        self.note.setText(overview.note)
        self.note.setVisible(bool(overview.note))
        self.my_families_model.set_rows(overview.my_families)
        if actions_known or not overview.families:
            self.actions_model.set_rows(overview.overdue_actions)

    def set_activity(self, activity: HomeActivity) -> None:
        self.recent_model.set_rows(activity.recently_changed)
        self.conflicts_model.set_rows(activity.conflicts)

    def set_drafts(self, drafts: Sequence[HomeDraft]) -> None:
        self.drafts_model.set_rows(drafts)

    def set_sealed(self, sealed: Sequence[SealedForMe]) -> None:
        self.sealed_model.set_rows(sealed)
        self.sealed_panel.setVisible(bool(sealed))

    def set_deadlines(self, deadlines: HomeDeadlines) -> None:
        self.due_reviews_model.people = dict(deadlines.people)
        self.due_reviews_model.set_rows(deadlines.due_for_review)
        self.time_limits_model.set_rows(deadlines.time_limits)

    def set_pending(self, grants: Sequence[PendingGrant]) -> None:
        self.approvals_model.set_grants(grants)
        self.approvals_panel.setVisible(self.approvals_model.rowCount() > 0)

    def show_approval_result(self, text: str) -> None:
        self.approval_message.setText(sentence(text))
        self.approval_message.setVisible(bool(text))
        self.approvals_panel.setVisible(bool(text) or self.approvals_model.rowCount() > 0)

    def set_index(self, index: SearchIndex | None, closed_waiting: int = 0) -> None:
        """The index to search; `closed_waiting` closed families are not in it yet (a first
        sign-in leaves them unread until someone searches: services/home/search.py)."""
        self._index = index
        self._closed_waiting = closed_waiting if index is not None else 0
        self.search_box.setPlaceholderText(SEARCH_PLACEHOLDER if index is not None
                                           else PREPARING)
        if index is not None and self.search_box.text():
            self.search(self.search_box.text())

    @property
    def search_ready(self) -> bool:
        return self._index is not None

    # --- search ----------------------------------------------------------------------------
    def search(self, text: str) -> None:
        started = time.perf_counter()
        if not text.strip():
            self.search_model.clear()
            self.results_count.clear()
            self.body.setCurrentWidget(self.dashboard)
            return
        self.body.setCurrentWidget(self.results)
        if self._index is None:
            self.search_model.clear()
            self.results_count.setText(PREPARING)
            return
        results = self._index.query(text)
        self.search_model.set_results(results)
        if results.total == 0:
            found = "Nothing found."
        elif results.total > len(results.hits):
            found = (f"{results.total} found; the best {len(results.hits)} are shown. "
                     "Type more to narrow.")
        else:
            found = f"{results.total} found. Enter opens the first; the arrow keys choose another."
        if self._closed_waiting:
            waiting = self._closed_waiting
            found += (f" {waiting:,} closed {'family is' if waiting == 1 else 'families are'} "
                      "being added to the search…")
        self.results_count.setText(found)
        if results.hits:
            self.results_view.setCurrentIndex(self.search_model.index(0, 0))
        self.searched.emit(time.perf_counter() - started)
        if self._closed_waiting:
            self.closed_wanted.emit()

    def _focus_results(self) -> None:
        if self.search_model.rowCount():
            self.results_view.setFocus()
            if not self.results_view.currentIndex().isValid():
                self.results_view.setCurrentIndex(self.search_model.index(0, 0))

    def _escape_search(self) -> None:
        if self.search_box.text():
            self.search_box.clear()
            self.search_box.setFocus()

    def _open_current_result(self) -> None:
        index = self.results_view.currentIndex()
        if not index.isValid() and self.search_model.rowCount():
            index = self.search_model.index(0, 0)
        if index.isValid():
            self._open_index(index)

    def _open_index(self, index: QModelIndex) -> None:
        family_id = index.data(FAMILY_ID_ROLE)
        if family_id:
            self.open_family_requested.emit(str(family_id))

    def _copy_shortcut(self, view: QAbstractItemView) -> None:
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), view)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(lambda: self._copy_from(view))

    def _copy_from(self, view: QAbstractItemView) -> None:
        index = view.currentIndex()
        if not index.isValid():
            return
        model = view.model()
        if isinstance(model, RowsModel):
            cells = [str(model.index(index.row(), c).data() or "")
                     for c in range(model.columnCount())]
            text = "\t".join(c for c in cells if c)
        else:
            text = str(index.data() or "")
        if text:
            self.copy_requested.emit(text)

    # --- approving a colleague -------------------------------------------------------------
    def selected_pending(self) -> tuple[str, str] | None:
        view = self.approvals_panel.view
        row = view.currentIndex().row() if view is not None else -1
        person = self.approvals_model.row_at(row if row >= 0 else 0)
        return (person.username, person.full_name) if person is not None else None

    def _approve_selected(self) -> None:
        chosen = self.selected_pending()
        if chosen is None:
            return
        username, full_name = chosen
        fingerprint, ok = QInputDialog.getText(
            self, "Approve access",
            f"Ask {full_name} to read out the fingerprint shown on their "
            "screen.\nType the digits you hear (spaces do not matter):",
            QLineEdit.EchoMode.Normal, "")
        if ok and fingerprint.strip():
            self.approval_message.hide()
            self.approve_requested.emit(username, fingerprint)

    # --- lock ------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget everything shown: models, search box, index, notes."""
        index = self._index
        self._index = None
        if index is not None:
            index.clear()
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.search_box.setPlaceholderText(PREPARING)
        for model in (self.my_families_model, self.actions_model, self.recent_model,
                      self.conflicts_model, self.approvals_model, self.search_model,
                      self.due_reviews_model, self.time_limits_model, self.drafts_model,
                      self.sealed_model):
            model.clear()
        self.sealed_panel.hide()
        self.results_count.clear()
        self.banner.clear()
        self.note.clear()
        self.note.hide()
        self.approval_message.clear()
        self.approval_message.hide()
        self.approvals_panel.hide()
        self.body.setCurrentWidget(self.dashboard)
        for panel in self.panels:
            panel.set_loading()
