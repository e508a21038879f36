"""The family workbook: one family as this person may see it.

A header (name, case owner, status, the home-visit safety flags and a conflict banner), a
navigator of the sections this person may read (the services decide; the view only shows what
`workbooks.open` returned), and a page per section, plus the chronology, the entry editor and
the conflict view. Every service call runs on the worker through `Operations.run`; answers that
arrive after `clear()` or after another family was opened are dropped. `clear()` leaves no case
text in any widget, model, undo stack or dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.roles import Section
from workbook.services.access.people import People
from workbook.services.family.chronology import section_title
from workbook.services.family.workbooks import CHUNK_ROWS, FIRST_ENTRIES, WHOLE_UP_TO
from workbook.services.session import Session
from workbook.ui.event_bridge import EventBridge
from workbook.ui.family.assessment_panel import AssessmentPanel
from workbook.ui.family.chronology_page import ChronologyPage
from workbook.ui.family.common import Band, accessible
from workbook.ui.family.concerns_page import CONCERNS, add_concerns_page
from workbook.ui.family.conflicts_page import ConflictsPage
from workbook.ui.family.dialogs import RestrictedEntryDialog, wipe_dialog
from workbook.ui.family.entry_editor import EntryEditor
from workbook.ui.family.header import FamilyHeader
from workbook.ui.family.history_dialog import HistoryDialog, VersionInfo
from workbook.ui.family.household_panel import HouseholdPanel
from workbook.ui.family.loading import FamilyLoad, FamilySnapshot, LoadProgress, load_family
from workbook.ui.family.plan_panel import PlanPanel
from workbook.ui.operations import Operations
from workbook.ui.printing import start_printing
from workbook.ui.sharing.transfer_dialog import add_transfer_button
from workbook.ui.sharing.wiring import add_share_button
from workbook.ui.widgets.a11y import announce, tab_in_layout_order
from workbook.ui.widgets.date_field import set_today

CHRONOLOGY = "chronology"
CONFLICTS = "conflicts"
EDITOR = "editor"
REFRESH_DELAY_MS = 150
NOTICE_MS = 8000
FIRST_LOOK_SETTLE_MS = 40   # after a first look, before the worker reads the rest
PAGE_KEY = Qt.ItemDataRole.UserRole + 1


class SectionPage(QWidget):
    """A section's entries, under the section's own panel where it has one."""

    def __init__(self, context: FamilyWorkbookView, section: str,
                 panel: QWidget | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.panel = panel
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.entries = ChronologyPage(context, section, self, filters=False)
        if panel is None:
            layout.addWidget(self.entries)
            return
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(panel)
        lower = QWidget(splitter)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 6, 0, 0)
        title = QLabel(f"Entries in {section_title(section).lower()}", lower)
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        lower_layout.addWidget(title)
        lower_layout.addWidget(self.entries)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 200])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter)


class FamilyWorkbookView(QWidget):
    """The family workbook screen, embedded by the main window."""

    closed = Signal()
    loaded = Signal(str)          # the family id, once its pages show the loaded content
    partly_loaded = Signal(str)   # a big family's first look shows; earlier entries follow

    def __init__(self, ops: Operations, bridge: EventBridge,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        ops.lock_requested.connect(self._save_pending_draft)
        self.bridge = bridge
        self._family_id: str | None = None
        self._snapshot: FamilySnapshot | None = None
        self._generation = 0
        self._opening: FamilyLoad | None = None     # a big family loading in parts
        self._refresh_after_opening = False
        self.first_entries = FIRST_ENTRIES
        self.load_chunk = CHUNK_ROWS
        self.whole_up_to = WHOLE_UP_TO
        self._dialogs: list[QDialog] = []
        self._sections: list[str] = []
        self.pages: dict[str, QWidget] = {}
        self.household: HouseholdPanel | None = None
        self.plan: PlanPanel | None = None
        self.assessment: AssessmentPanel | None = None
        self._build()
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(REFRESH_DELAY_MS)
        self._refresh.timeout.connect(lambda: self._load(initial=False))
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self.notice.wipe)
        bridge.fact.connect(self._on_fact)

    # --- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        self.header = FamilyHeader(self)
        row = self.header.tools
        self.new_entry = QPushButton("New entry", self)
        accessible(self.new_entry, "New entry", "Ctrl+N")
        self.restricted = QPushButton("Add to a restricted section…", self)
        accessible(self.restricted, "Add to a restricted section",
                   "Pass information to a section you cannot read; you will not be able to "
                   "read it back")
        self.print_button = QPushButton("Print…", self)
        accessible(self.print_button, "Print", "Ctrl+P")
        self.close_button = QPushButton("Back to Home", self)
        accessible(self.close_button, "Back to Home",
                   "Leave this family (a draft is kept) and go back to Home")
        from workbook.ui.supervision.family_limits import open_time_limits

        self.time_limits = QPushButton("Time limits…", self)
        accessible(self.time_limits, "Time limits",
                   "Referral, urgent-concern and review time limits of this family")
        self.time_limits.clicked.connect(lambda: open_time_limits(self))
        for button in (self.new_entry, self.restricted, self.time_limits, self.print_button,
                       self.close_button):
            row.addWidget(button)
        add_share_button(self)
        from workbook.ui.family.case_tools import CaseTools

        self.case_tools = CaseTools(self)
        add_transfer_button(self)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.setAccessibleName("Loading the family")
        self.busy.setVisible(False)
        layout.addWidget(self.header)
        layout.addWidget(self.busy)
        # Laid over the foot of the view, not into the layout: a message never moves what
        # is under the pointer.
        self.notice = Band("info", "Message", self)
        self.notice.setVisible(False)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        nav_box = QWidget(splitter)
        nav_layout = QVBoxLayout(nav_box)
        nav_layout.setContentsMargins(0, 0, 0, 0)
        nav_label = QLabel("&Sections", nav_box)
        self.navigator = QListWidget(nav_box)
        accessible(self.navigator, "Sections of the workbook")
        nav_label.setBuddy(self.navigator)
        self.navigator.setMaximumWidth(280)
        self.navigator.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        nav_box.setMinimumWidth(230)
        self.navigator.setStyleSheet("QListWidget::item { padding: 6px 8px; }")
        nav_layout.addWidget(nav_label)
        nav_layout.addWidget(self.navigator, 1)
        self.stack = QStackedWidget(splitter)
        self.stack.setAccessibleName("Workbook page")
        splitter.addWidget(nav_box)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 1000])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self.chronology = ChronologyPage(self, None, self.stack)
        self.conflicts = ConflictsPage(self, self.stack)
        self.editor = EntryEditor(self, self.stack)
        for key, page in ((CHRONOLOGY, self.chronology), (CONFLICTS, self.conflicts),
                          (EDITOR, self.editor)):
            self.pages[key] = page
            self.stack.addWidget(page)
        self.concerns_page = add_concerns_page(self)
        self.navigator.currentItemChanged.connect(self._navigate)
        self.header.resolve_requested.connect(lambda: self.show_page(CONFLICTS))
        self.new_entry.clicked.connect(lambda: self.open_editor(self._current_section()))
        self.restricted.clicked.connect(self._restricted)
        self.close_button.clicked.connect(self._close)
        self.print_button.clicked.connect(lambda: start_printing(self))
        QShortcut(QKeySequence("Ctrl+P"), self, lambda: start_printing(self))
        self.editor.finished.connect(self._back)
        QShortcut(QKeySequence("Ctrl+N"), self, lambda: self.open_editor(
            self._current_section()))
        QShortcut(QKeySequence("F5"), self, lambda: self._load(initial=False))
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        for widget in (self.new_entry, self.restricted, self.time_limits, self.print_button,
                       self.navigator):
            widget.setEnabled(on)

    # --- the public interface ----------------------------------------------------------------
    @property
    def family_id(self) -> str | None:
        return self._family_id

    @property
    def snapshot(self) -> FamilySnapshot | None:
        return self._snapshot

    def open_family(self, family_id: str) -> None:
        """Load the family off the GUI thread, showing the busy indicator meanwhile."""
        if family_id != self._family_id:
            self.clear()
        self._family_id = family_id
        self._load(initial=True)

    def _save_pending_draft(self) -> None:
        if self._family_id is not None and self.editor.pending:
            self.editor.save_draft_now()

    def clear(self) -> None:
        """Forget the family: every model row, text, undo stack, dialog and cached content."""
        self._generation += 1
        self._cancel_opening()
        self._refresh.stop()
        self._notice_timer.stop()
        self._family_id = None
        self._snapshot = None
        for dialog in list(self._dialogs):
            self._drop_dialog(dialog)
        self.header.wipe()
        self.case_tools.wipe()
        self.notice.wipe()
        self.editor.wipe()
        self.chronology.wipe()
        self.conflicts.wipe()
        self.concerns_page.wipe()
        self._remove_section_pages()
        self.navigator.clear()
        self.busy.setVisible(False)
        self._set_enabled(False)
        self.stack.setCurrentWidget(self.chronology)

    # --- running work ------------------------------------------------------------------------
    def run(self, fn: Callable[[Session], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[str], None] | None = None) -> None:
        generation = self._generation

        def done(result: Any) -> None:
            if generation == self._generation and on_done is not None:
                on_done(result)

        def failed(message: str) -> None:
            if generation != self._generation:
                return
            if on_error is not None:
                on_error(message)
            else:
                self.notify(message, "danger")

        self.ops.run(fn, done, failed)

    def notify(self, text: str, kind: str = "info") -> None:
        title = "Not done" if kind == "danger" else text
        body = text if kind == "danger" else ""
        self.notice.show_text(title, body)
        self._place_notice()
        self._notice_timer.start(NOTICE_MS)

    def _place_notice(self) -> None:
        width = max(200, self.width() - 24)
        height = self.notice.heightForWidth(width)
        height = max(height, self.notice.sizeHint().height())
        self.notice.setGeometry(12, self.height() - height - 10, width, height)
        self.notice.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.notice.isVisible():
            self._place_notice()

    def track(self, dialog: Any) -> None:
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _: self._drop_dialog(dialog))

    def _drop_dialog(self, dialog: QDialog) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)
            wipe_dialog(dialog)
            dialog.hide()
            dialog.deleteLater()

    # --- loading -----------------------------------------------------------------------------
    def _load(self, initial: bool) -> None:
        family_id = self._family_id
        if family_id is None:
            return
        if initial:
            self._open_in_parts(family_id)
            return
        if self._opening is not None:
            # A refresh waits for the opening in flight, whose last part it would race.
            self._refresh_after_opening = True
            return
        self.run(lambda s: load_family(s, family_id, audit=False),
                 lambda snapshot: self._apply(snapshot, False), self._load_failed)

    def _open_in_parts(self, family_id: str) -> None:
        """A first look (a big family's newest entries, everything the header and panels
        need) and then the rest a chunk at a time, each chunk its own worker call so that
        a lock or another family can come between; a small family opens in one call."""
        self._cancel_opening()
        self.busy.setVisible(True)
        load = self._opening = FamilyLoad(family_id, first_entries=self.first_entries,
                                          chunk=self.load_chunk, whole_up_to=self.whole_up_to)
        self.run(load.first, lambda snapshot: self._first_look(load, snapshot),
                 lambda message: self._opening_failed(load, message))

    def _first_look(self, load: FamilyLoad, snapshot: FamilySnapshot) -> None:
        if load is not self._opening:
            return
        if snapshot.complete:
            self._opening = None
        self._apply(snapshot, True)
        if snapshot.complete:
            self._opened()
        else:
            # The first look paints before the worker takes the interpreter for the rest.
            QTimer.singleShot(FIRST_LOOK_SETTLE_MS, self, lambda: self._next_part(load))

    def _next_part(self, load: FamilyLoad) -> None:
        if load is not self._opening:
            return
        self.run(load.step, lambda result: self._part_loaded(load, result),
                 lambda message: self._opening_failed(load, message))

    def _part_loaded(self, load: FamilyLoad, result: FamilySnapshot | LoadProgress) -> None:
        if load is not self._opening:
            return
        if isinstance(result, LoadProgress):
            for page in self._entry_pages():
                page.set_loading(result)
            self._next_part(load)
            return
        self._opening = None
        self._apply(result, False)
        self._opened()

    def _opened(self) -> None:
        if self._refresh_after_opening:
            self._refresh_after_opening = False
            self._refresh.start()

    def _opening_failed(self, load: FamilyLoad, message: str) -> None:
        if load is not self._opening:
            return
        # Nothing of a family that failed to open stays on screen, a first look included.
        family_id = self._family_id
        self.clear()
        self._family_id = family_id
        self._load_failed(message)

    def _cancel_opening(self) -> None:
        if self._opening is not None:
            self._opening.cancel()
        self._opening = None
        self._refresh_after_opening = False

    def _entry_pages(self) -> list[ChronologyPage]:
        return [self.chronology] + [page.entries for page in self.pages.values()
                                    if isinstance(page, SectionPage)]

    def _load_failed(self, message: str) -> None:
        self.busy.setVisible(False)
        self.notify(f"The family could not be opened: {message}", "danger")

    def _on_fact(self, name: str, payload: dict[str, Any]) -> None:
        if name == "locked":
            self.clear()
        elif self._family_id is not None and payload.get("family_id") == self._family_id:
            self._refresh.start()

    def _apply(self, snapshot: FamilySnapshot, initial: bool) -> None:
        if snapshot.family_id != self._family_id:
            return
        self._snapshot = snapshot
        set_today(snapshot.today)   # date fields start from, and open at, the session's day
        self.header.show_family(snapshot.family, snapshot.safety, snapshot.conflict_count,
                                snapshot.names)
        self.case_tools.show_case(snapshot)
        if snapshot.readable != self._sections:
            self._rebuild_sections(snapshot.readable)
        self.chronology.set_rows(snapshot.rows, snapshot.readable)
        for key in snapshot.readable:
            page = self.pages.get(key)
            if isinstance(page, SectionPage):
                self._fill(page, snapshot, initial)
        self.conflicts.set_conflicts(snapshot.conflicts)
        self._sync_conflicts_item(bool(snapshot.conflicts))
        self._set_enabled(True)
        for page in self._entry_pages():
            page.set_loading(snapshot.loading)
        self.busy.setVisible(False)
        if initial:
            if self.navigator.currentItem() is None and self.navigator.count():
                self.navigator.setCurrentRow(0)
            if snapshot.drafts:
                self.editor.restore(snapshot.readable, snapshot.drafts[-1])
                self.show_page(EDITOR)
            self._land_focus()
        if snapshot.complete:
            if self.concerns_page.isVisible():
                self.concerns_page.refresh()
            self.loaded.emit(snapshot.family_id)
        else:
            self.partly_loaded.emit(snapshot.family_id)

    def _land_focus(self) -> None:
        """An opened family puts the focus on something named (its entries, or the restored
        draft) and says which family it is: a screen reader user is not left on Home's list."""
        tab_in_layout_order(self.header.tools)
        tab_in_layout_order(self.case_tools.row)
        page = self.stack.currentWidget()
        target = page.table if isinstance(page, ChronologyPage) else \
            self.editor.text if page is self.editor else self.navigator
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        announce(self.header.name, f"{self.header.name.text()} opened. "
                                   f"{self.header.details.text()}", urgent=False)

    def _fill(self, page: SectionPage, snapshot: FamilySnapshot, initial: bool) -> None:
        page.entries.set_loading(snapshot.loading)
        page.entries.set_rows(snapshot.rows_by_section.get(page.section, []))
        if page.panel is self.household and self.household is not None:
            self.household.set_persons(snapshot.persons, snapshot.today)
        if page.panel is self.plan and self.plan is not None:
            self.plan.set_actions(snapshot.actions, snapshot.today, snapshot.names)
        if page.panel is self.assessment and self.assessment is not None:
            latest = snapshot.assessment
            shown = self.assessment.current
            # A refresh never overwrites a form being filled in, unless a newer version of
            # the assessment arrived.
            if initial or (latest and (shown is None or shown.version_id != latest.version_id)):
                self.assessment.show_assessment(latest)

    def _rebuild_sections(self, readable: list[str]) -> None:
        current = self._current_key()
        self._remove_section_pages()
        self._sections = list(readable)
        self.navigator.blockSignals(True)
        self._add_nav_item("Chronology", CHRONOLOGY)
        for section in readable:
            self._add_nav_item(section_title(section), section)
        self._add_nav_item("Concerns", CONCERNS)
        self.navigator.blockSignals(False)
        if current:
            self.show_page(current)

    def _page(self, key: str) -> QWidget | None:
        """A section's page, made the first time it is shown (so opening a family paints
        without building pages nobody has looked at yet)."""
        page = self.pages.get(key)
        if page is not None or key not in self._sections:
            return page
        panel: QWidget | None = None
        if key == Section.HOUSEHOLD.value:
            panel = self.household = HouseholdPanel(self)
        elif key == Section.PLAN.value:
            panel = self.plan = PlanPanel(self)
        elif key == Section.RISK_ASSESSMENT.value:
            panel = self.assessment = AssessmentPanel(self)
        section_page = SectionPage(self, key, panel, self.stack)
        self.pages[key] = section_page
        self.stack.addWidget(section_page)
        if self._snapshot is not None:
            self._fill(section_page, self._snapshot, True)
        return section_page

    def _add_nav_item(self, text: str, key: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(PAGE_KEY, key)
        self.navigator.addItem(item)
        return item

    def _sync_conflicts_item(self, any_conflict: bool) -> None:
        found = [i for i in range(self.navigator.count())
                 if self.navigator.item(i).data(PAGE_KEY) == CONFLICTS]
        if any_conflict and not found:
            self.navigator.blockSignals(True)
            self._add_nav_item("Conflicts to resolve", CONFLICTS)
            self.navigator.blockSignals(False)
        elif not any_conflict and found:
            if self.stack.currentWidget() is self.conflicts:
                self.show_page(CHRONOLOGY)
            self.navigator.takeItem(found[0])

    def _remove_section_pages(self) -> None:
        self.navigator.blockSignals(True)
        self.navigator.clear()
        self.navigator.blockSignals(False)
        for key in list(self.pages):
            page = self.pages[key]
            if isinstance(page, SectionPage):
                self.stack.removeWidget(page)
                page.entries.wipe()
                for panel in (self.household, self.plan, self.assessment):
                    if panel is not None and panel is page.panel:
                        panel.wipe()
                page.hide()
                page.setParent(None)
                page.deleteLater()
                del self.pages[key]
        self.household = self.plan = self.assessment = None
        self._sections = []

    # --- navigation --------------------------------------------------------------------------
    def _current_key(self) -> str | None:
        item = self.navigator.currentItem()
        return str(item.data(PAGE_KEY)) if item is not None else None

    def _current_section(self) -> str | None:
        key = self._current_key()
        return key if key in self._sections else None

    def show_page(self, key: str) -> None:
        if key == EDITOR:
            self.navigator.blockSignals(True)
            self.navigator.setCurrentRow(-1)
            self.navigator.clearSelection()
            self.navigator.blockSignals(False)
            self.stack.setCurrentWidget(self.editor)
            return
        for i in range(self.navigator.count()):
            if self.navigator.item(i).data(PAGE_KEY) == key:
                self.navigator.setCurrentRow(i)
                return

    def _navigate(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        if self.stack.currentWidget() is self.editor:
            self.editor.save_draft_now()
        page = self._page(str(item.data(PAGE_KEY)))
        if page is not None:
            self.stack.setCurrentWidget(page)

    def _back(self) -> None:
        key = self._current_key() or CHRONOLOGY
        if self.navigator.currentItem() is None:
            self.show_page(CHRONOLOGY)
        else:
            self.stack.setCurrentWidget(self._page(key) or self.chronology)

    # --- entries -----------------------------------------------------------------------------
    def open_editor(self, section: str | None = None, entry_id: str | None = None) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        if entry_id is not None:
            entry = snapshot.entries.get(entry_id)
            if entry is None:
                return
            self.editor.save_draft_now()
            self.editor.start(snapshot.readable, entry=entry)
        elif not (self.editor.draft_id and self.editor.text.toPlainText().strip()
                  and not self.editor.entry_id):
            self.editor.start(snapshot.readable, section or Section.CASE_NOTES.value)
        self.show_page(EDITOR)
        self.editor.text.setFocus()

    def show_history(self, entry_id: str) -> None:
        def history(s: Session) -> list[VersionInfo]:
            people = People(s)
            return [VersionInfo(v.version_id, people.name(v.author), v.created_at,
                                str(v.payload.get("text", "")), v.parents,
                                str(v.payload.get("date", "")), str(v.payload.get("type", "")),
                                str(v.payload.get("deleted_reason")
                                    or v.payload.get("correction_reason") or ""),
                                bool(v.payload.get("deleted")))
                    for v in s.families.entry_history(entry_id)]

        def show(versions: list[VersionInfo]) -> None:
            dialog = HistoryDialog(versions, self)
            self.track(dialog)
            dialog.open()

        self.run(history, show)

    def _restricted(self) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        dialog = RestrictedEntryDialog(snapshot.unreadable, self)
        self.track(dialog)

        def submit(values: dict[str, Any]) -> None:
            family_id = self._family_id
            if not family_id:
                return
            dialog.busy()
            title = section_title(str(values["section"]))

            def add(s: Session) -> str:
                return s.families.add_entry(family_id, values["section"], values["text"],
                                            values["date"], values["type"],
                                            values["significant"])

            def done(_: object) -> None:
                dialog.accept()
                self.notify(f"Your entry was sealed into {title}. Only its holders can read "
                            "it; you cannot read it back.")

            self.run(add, done, dialog.show_error)

        dialog.submitted.connect(submit)
        dialog.open()

    def _close(self) -> None:
        if self.editor.pending:
            self.editor.save_draft_now()
        self.clear()
        self.closed.emit()
