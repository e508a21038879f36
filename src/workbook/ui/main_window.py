"""The one window: sign-in, first-passphrase pages, home and the family workbook, with the lock
that clears them all (P8).

It holds one `Operations` (the worker thread that owns the Session) and runs every service call
through it; callbacks check a generation number, so a result that arrives after a lock is
dropped instead of shown. Locking clears every page, model, search box, undo stack and the
title before the session is even dropped, and once more after, and destroys the family view so
nothing of the previous person's cases stays in a widget."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.roles import Role
from workbook.services import board_digest, home
from workbook.services.authority import PendingGrant
from workbook.services.search import IndexBuilder
from workbook.services.session import Session
from workbook.ui.clipboard import SecureClipboard
from workbook.ui.event_bridge import EventBridge
from workbook.ui.home_page import HomePage
from workbook.ui.lock import LOCK_SHORTCUT, LockController
from workbook.ui.models.approvals_model import role_text, section_text
from workbook.ui.operations import Operations
from workbook.ui.sharing.wiring import add_sharing_menu
from workbook.ui.sign_in_page import (
    FingerprintPage,
    ReplacePassphrasePage,
    SignInPage,
    scaled_label,
)

APP_TITLE = "Workbook"
FAMILY_VIEW_MISSING = ("The family workbook view is not part of this build yet, so families "
                       "cannot be opened here. Use the command line (workbook show FAMILY).")
REFRESH_FACTS = frozenset({"family_added", "person_added", "person_edited", "entry_added",
                           "entry_edited", "action_added", "action_edited", "conflict_resolved",
                           "assessment_saved", "bundle_received"})
INDEX_FACTS = frozenset({"family_added", "person_added", "person_edited", "bundle_received"})


@dataclass(frozen=True)
class Person:
    """Who is signed in: identity only, never case content."""

    username: str
    full_name: str
    role: str


def load_family_view_class() -> tuple[type | None, str]:
    """The family workbook view if it is installed; otherwise None and why (no content)."""
    try:
        module = importlib.import_module("workbook.ui.family")
        return module.FamilyWorkbookView, ""
    except ImportError as exc:
        return None, f"not installed ({exc.__class__.__name__})"
    except Exception as exc:  # noqa: BLE001 - a broken view must not stop sign-in or home
        return None, f"failed to load ({exc.__class__.__name__})"


class TopBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topbar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 8, 16, 8)
        layout.setSpacing(10)
        self.app_name = scaled_label(APP_TITLE, 1.15, True)
        self.app_name.setWordWrap(False)
        self.home_button = QPushButton("Home")
        self.home_button.setAccessibleName("Home")
        self.home_button.setToolTip("Back to home (Alt+Home)")
        self.person = QLabel()
        self.person.setObjectName("subtle")
        self.person.setAccessibleName("Signed in as")
        self.lock_button = QPushButton("Lock")
        self.lock_button.setAccessibleName("Lock Workbook")
        self.lock_button.setToolTip(f"Lock now ({LOCK_SHORTCUT}); sign in again to continue, "
                                    "or let a colleague sign in")
        layout.addWidget(self.app_name)
        layout.addSpacing(12)
        layout.addWidget(self.home_button)
        layout.addStretch(1)
        layout.addWidget(self.person)
        layout.addSpacing(6)
        layout.addWidget(self.lock_button)


class MainWindow(QMainWindow):
    """Sign in, home, family; lock on demand, on idle and with the operating system."""

    home_loaded = Signal()  # home shows my families (as case owner); the rest follows
    actions_loaded = Signal()  # my overdue actions, and families where I own an action
    activity_loaded = Signal()  # recently changed and conflicts are on screen
    search_ready = Signal()
    deadlines_loaded = Signal()  # reviews due and time limits at risk are on screen
    lock_finished = Signal()  # the session is dropped and every view cleared
    family_opened = Signal(str)

    def __init__(self, vault_dir: Path | None, vault_problem: str = "",
                 ops: Operations | None = None, idle_timeout_ms: int | None = None,
                 clear_clipboard_after_ms: int | None = None) -> None:
        super().__init__()
        self.vault_dir = vault_dir
        self.ops = ops or Operations(self)
        self.bridge = EventBridge(self)
        self._generation = 0
        self._person: Person | None = None
        self._messages: list[str] = []
        self._families: list[home.HomeFamily] = []
        self._idle_override = idle_timeout_ms
        self._index_wanted = False
        self._index_running = False
        self.family_view: QWidget | None = None
        self._family_page: QScrollArea | None = None
        self.family_view_problem = ""

        self.setWindowTitle(APP_TITLE)
        self.resize(1280, 820)
        self.top_bar = TopBar()
        self.top_bar.hide()
        add_sharing_menu(self)
        self.sign_in_page = SignInPage()
        self.replace_page = ReplacePassphrasePage()
        self.fingerprint_page = FingerprintPage()
        self.home_page = HomePage()
        self.stack = QStackedWidget()
        for page in (self.sign_in_page, self.replace_page, self.fingerprint_page,
                     self.home_page):
            self.stack.addWidget(page)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.top_bar)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self.status_text = QLabel()
        self.status_text.setObjectName("subtle")
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().setSizeGripEnabled(False)

        self.clipboard = SecureClipboard(self)
        if clear_clipboard_after_ms is not None:
            self.clipboard.set_clear_after_ms(clear_clipboard_after_ms)
        self.clipboard.adopt_foreign_copies()
        self.lock_controller = LockController(self)
        if idle_timeout_ms is not None:
            self.lock_controller.set_idle_timeout_ms(idle_timeout_ms)
        self.system_lock_sources = self.lock_controller.start_system_watch()

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(400)
        self._refresh_timer.timeout.connect(self._refresh_home)
        self._refresh_index = False

        self._wire()
        from workbook.ui.supervision.page import SupervisionEntry

        self.supervision = SupervisionEntry(self)  # the top bar's "Supervision" button

        from workbook.ui import retention as retention_ui

        self.retention = retention_ui.install(self)
        self._show_sign_in("")
        if vault_dir is None:
            self.sign_in_page.set_vault(vault_problem or "No vault chosen.", available=False)
            if vault_problem:
                self.sign_in_page.show_error(vault_problem)
        else:
            self.sign_in_page.set_vault(f"Vault: {vault_dir}", available=not vault_problem)
            if vault_problem:
                self.sign_in_page.show_error(vault_problem)

    def _wire(self) -> None:
        self.ops.busy_changed.connect(self.busy.setVisible)
        self.sign_in_page.submitted.connect(self._sign_in)
        self.replace_page.submitted.connect(self._replace_passphrase)
        self.replace_page.sign_out_requested.connect(lambda: self.lock(""))
        self.fingerprint_page.continue_requested.connect(self._enter_home)
        self.home_page.open_family_requested.connect(self.open_family)
        self.home_page.approve_requested.connect(self._approve)
        self.home_page.copy_requested.connect(self.clipboard.copy)
        self.top_bar.home_button.clicked.connect(self.show_home)
        self.top_bar.lock_button.clicked.connect(lambda: self.lock(""))
        self.lock_controller.lock_requested.connect(self.lock)
        self.bridge.fact.connect(self._on_fact)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        go_home = QShortcut(QKeySequence("Alt+Home"), self)
        go_home.activated.connect(self.show_home)

    # --- helpers ---------------------------------------------------------------------------
    def _guard(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        """Run `fn` only if no lock or new sign-in happened since the work was asked for."""
        generation = self._generation

        def guarded(result: Any) -> None:
            if generation == self._generation:
                fn(result)

        return guarded

    @property
    def signed_in(self) -> bool:
        return self._person is not None

    @property
    def person(self) -> Person | None:
        return self._person

    def _set_status(self) -> None:
        if self._person is None:
            self.status_text.clear()
            return
        minutes = self.lock_controller.idle_timeout_ms / 60_000
        shown = f"{minutes:g} minute" + ("" if minutes == 1 else "s")
        self.status_text.setText(f"Locks after {shown} without use · {LOCK_SHORTCUT} locks now")

    # --- signing in ------------------------------------------------------------------------
    def _show_sign_in(self, notice: str) -> None:
        self.top_bar.hide()
        self.sign_in_page.reset(notice)
        self.stack.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.focus_first()

    def _sign_in(self, username: str, passphrase: str) -> None:
        if self.vault_dir is None:
            return
        self._generation += 1
        self.sign_in_page.set_busy(True)
        self.ops.sign_in(self.vault_dir, username, passphrase,
                         on_done=self._guard(self._on_signed_in),
                         on_error=self._guard(self._on_sign_in_failed))

    def _on_sign_in_failed(self, message: str) -> None:
        self.sign_in_page.set_busy(False)
        self.sign_in_page.show_error(message)
        self.sign_in_page.passphrase.setFocus()

    def _on_signed_in(self, session: Session) -> None:
        # Identity only: the Session object is read here, never used to call a service.
        user = session.user
        self._person = Person(user.username, user.full_name, user.role)
        self._messages = [*session.warnings, *session.announcements]
        must_replace = session.must_replace_passphrase
        self.sign_in_page.reset()
        self.setWindowTitle(f"{APP_TITLE} — {user.full_name}")
        self.top_bar.person.setText(f"{user.full_name} · {role_text(user.role)}")
        self.top_bar.home_button.setVisible(not must_replace)
        self.top_bar.show()
        if self._idle_override is None:
            self.ops.run(home.idle_lock_minutes,
                         on_done=self._guard(self._set_idle_minutes))
        self.lock_controller.start()
        self._set_status()
        if must_replace:
            self.replace_page.reset()
            self.replace_page.set_person(user.username, user.full_name)
            self.stack.setCurrentWidget(self.replace_page)
            self.replace_page.current.setFocus()
            return
        self._enter_home()

    def _set_idle_minutes(self, minutes: int) -> None:
        self.lock_controller.set_idle_minutes(minutes)
        self._set_status()

    def _replace_passphrase(self, current: str, new: str) -> None:
        self.replace_page.set_busy(True)

        def change(session: Session) -> str:
            session.accounts.change_passphrase(current, new)
            return session.grants.fingerprint()

        def failed(message: str) -> None:
            self.replace_page.set_busy(False)
            self.replace_page.show_error(message)

        self.ops.run(change, on_done=self._guard(self._show_fingerprint),
                     on_error=self._guard(failed))

    def _show_fingerprint(self, fingerprint: str) -> None:
        self.replace_page.reset()
        self.fingerprint_page.set_fingerprint(fingerprint)
        self.stack.setCurrentWidget(self.fingerprint_page)
        self.fingerprint_page.continue_button.setFocus()

    # --- home ------------------------------------------------------------------------------
    def _enter_home(self) -> None:
        self.fingerprint_page.reset()
        self.top_bar.home_button.show()
        self.stack.setCurrentWidget(self.home_page)
        self.home_page.begin_loading(self._messages)
        self.home_page.search_box.setFocus()
        self.ops.run(self.bridge.attach)
        self._load_home()
        self._build_index()

    def _load_home(self) -> None:
        """Home fills in as the worker reads: families first (what "home loaded" means), then
        plan actions, approvals waiting, recent changes and conflicts."""
        self.ops.run(home.family_overview, on_done=self._guard(self._on_families),
                     on_error=self._guard(self._on_home_error))

    def _on_families(self, first: home.HomeOverview) -> None:
        self.home_page.set_overview(first, actions_known=False)
        self._families = first.families
        self.home_loaded.emit()
        families = list(first.families)
        self.ops.run(lambda s: home.action_overview(s, first),
                     on_done=self._guard(self._on_actions),
                     on_error=self._guard(self._on_home_error))
        self.ops.run(lambda s: s.grants.pending(), on_done=self._guard(self._on_pending),
                     on_error=self._guard(lambda _m: None))
        self.ops.run(lambda s: home.activity(s, families),
                     on_done=self._guard(self._on_activity),
                     on_error=self._guard(self._on_home_error))
        # Make the family view now, while the person reads home, so opening a family is quick.
        QTimer.singleShot(0, self._prepare_family_view)

    def _on_actions(self, overview: home.HomeOverview) -> None:
        self.home_page.set_overview(overview)
        self.actions_loaded.emit()

    def _on_refreshed(self, overview: home.HomeOverview) -> None:
        self._on_actions(overview)
        self._families = overview.families
        families = list(overview.families)
        self.ops.run(lambda s: home.activity(s, families),
                     on_done=self._guard(self._on_activity),
                     on_error=self._guard(self._on_home_error))
        if not self._index_running:
            self._load_deadlines()

    def _prepare_family_view(self) -> None:
        if self._person is not None and self._person.role != Role.ADMIN.value:
            self._ensure_family_view()

    def _on_activity(self, activity: home.HomeActivity) -> None:
        self.home_page.set_activity(activity)
        self.activity_loaded.emit()

    def _load_deadlines(self) -> None:
        """Reviews due and time limits at risk of my families, from the supervisor's board
        (kept as a digest, so quick), on the worker."""
        mine = list(self.home_page.my_families_model.rows())

        def read(_done: object = None) -> None:
            self.ops.run(lambda s: home.deadlines(s, mine),
                         on_done=self._guard(self._on_deadlines),
                         on_error=self._guard(self._on_home_error))

        def step(rebuild: board_digest.Rebuild | None) -> None:
            if rebuild is None:
                read()
                return
            self.ops.run(rebuild.step,
                         on_done=self._guard(lambda done: read() if done else step(rebuild)),
                         on_error=self._guard(self._on_home_error))

        self.ops.run(lambda s: home.deadlines_rebuild(s, mine), on_done=self._guard(step),
                     on_error=self._guard(self._on_home_error))

    def _on_deadlines(self, deadlines: home.HomeDeadlines) -> None:
        self.home_page.set_deadlines(deadlines)
        self.deadlines_loaded.emit()

    def _on_pending(self, grants: Sequence[PendingGrant]) -> None:
        self.home_page.set_pending(grants)

    def _on_home_error(self, message: str) -> None:
        self.home_page.note.setText(message)
        self.home_page.note.show()

    def _build_index(self) -> None:
        """Search is built in steps on the worker, so opening a family never waits long."""
        if self._index_running:
            self._index_wanted = True
            return
        self._index_running = True
        self._index_wanted = False

        def step(builder: IndexBuilder) -> None:
            if builder.done:
                self._index_running = False
                if self._index_wanted:
                    self._build_index()
                    return
                self.home_page.set_index(builder.index)
                self.search_ready.emit()
                self._load_deadlines()
                return
            self.ops.run(builder.step,
                         on_done=self._guard(lambda _done: step(builder)),
                         on_error=self._guard(self._index_failed))

        self.ops.run(IndexBuilder, on_done=self._guard(step),
                     on_error=self._guard(self._index_failed))

    def _index_failed(self, message: str) -> None:
        self._index_running = False
        self.home_page.results_count.setText(f"Search is not available: {message}")

    def _on_fact(self, name: str, _payload: dict[str, Any]) -> None:
        if self._person is None or name not in REFRESH_FACTS:
            return
        self._refresh_index = self._refresh_index or name in INDEX_FACTS
        self._refresh_timer.start()

    def _refresh_home(self) -> None:
        """After a change: both steps at once, so "my families" does not shrink and grow."""
        if self._person is None:
            return
        self.ops.run(home.overview, on_done=self._guard(self._on_refreshed),
                     on_error=self._guard(self._on_home_error))
        if self._refresh_index:
            self._refresh_index = False
            self._build_index()

    @property
    def showing_family(self) -> bool:
        return self._family_page is not None and self.stack.currentWidget() is self._family_page

    def show_home(self) -> None:
        if self._person is None or self.stack.currentWidget() in (
                self.sign_in_page, self.replace_page, self.fingerprint_page):
            return
        self.stack.setCurrentWidget(self.home_page)
        self.home_page.search_box.setFocus()

    def focus_search(self) -> None:
        self.show_home()
        if self.stack.currentWidget() is self.home_page:
            self.home_page.search_box.setFocus()
            self.home_page.search_box.selectAll()

    # --- approving a colleague -------------------------------------------------------------
    def _approve(self, username: str, fingerprint: str) -> None:
        def done(sections: list[str]) -> None:
            if sections:
                names = ", ".join(section_text(s) for s in sections)
                self.home_page.show_approval_result(
                    f"approved: {username} now holds the keys to {names}")
            else:
                self.home_page.show_approval_result(
                    f"{username}'s keys were certified; no section you hold was pending")
            self.ops.run(lambda s: s.grants.pending(), on_done=self._guard(self._on_pending))

        self.ops.run(lambda s: s.grants.approve(username, fingerprint=fingerprint),
                     on_done=self._guard(done),
                     on_error=self._guard(self.home_page.show_approval_result))

    # --- the family workbook ---------------------------------------------------------------
    def _ensure_family_view(self) -> QWidget:
        if self.family_view is not None:
            return self.family_view
        view_class, problem = load_family_view_class()
        view: QWidget
        if view_class is None:
            self.family_view_problem = problem
            placeholder = QLabel(FAMILY_VIEW_MISSING)
            placeholder.setObjectName("placeholder")
            placeholder.setWordWrap(True)
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setAccessibleName("Family workbook")
            view = placeholder
        else:
            view = view_class(self.ops, self.bridge, self)
            closed = getattr(view, "closed", None)
            if closed is not None:
                closed.connect(self.show_home)
        self.family_view = view
        # In a scroll area, so a family view wider than the screen cannot widen the window.
        page = QScrollArea()
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        page.setWidget(view)
        self._family_page = page
        self.stack.addWidget(page)
        return view

    @property
    def family_view_available(self) -> bool:
        return self.family_view is not None and not isinstance(self.family_view, QLabel)

    def open_family(self, family_id: str) -> None:
        if self._person is None or self._person.role == Role.ADMIN.value:
            return
        view = self._ensure_family_view()
        if self._family_page is not None:
            self.stack.setCurrentWidget(self._family_page)
        opener = getattr(view, "open_family", None)
        if callable(opener):
            opener(family_id)
        view.setFocus()
        self.family_opened.emit(family_id)

    # --- lock ------------------------------------------------------------------------------
    def lock(self, reason: str = "") -> None:
        """Clear every view now, then drop the session (keys wiped, vault closed)."""
        self._generation += 1
        self._person = None
        self._messages = []
        self._families = []
        self._index_running = self._index_wanted = False
        self._refresh_timer.stop()
        self.lock_controller.stop()
        self.clipboard.clear_if_ours()
        self._clear_case_views()
        self._show_sign_in(reason or "Workbook is locked. Sign in to continue, or sign in as "
                           "someone else.")
        self.ops.lock(on_done=self._after_lock)

    def _after_lock(self, _result: object) -> None:
        # Work queued before the lock has finished by now (one worker, in order): clear again
        # anything it may have shown, and get rid of the family view altogether.
        self._clear_case_views()
        view, page = self.family_view, self._family_page
        self.family_view = self._family_page = None
        if page is not None:
            self.stack.removeWidget(page)
            page.hide()
            page.deleteLater()  # and the view inside it
        elif view is not None:
            view.deleteLater()
        self.lock_finished.emit()

    def _clear_case_views(self) -> None:
        self.home_page.clear()
        self.replace_page.reset()
        self.fingerprint_page.reset()
        view = self.family_view
        clear = getattr(view, "clear", None) if view is not None else None
        if callable(clear) and not isinstance(view, QLabel):
            try:
                clear()
            except RuntimeError:  # already deleted by Qt
                pass
        for stack in self.findChildren(QUndoStack):
            stack.clear()
        self.setWindowTitle(APP_TITLE)
        self.top_bar.person.clear()
        self.top_bar.hide()
        self._set_status()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._generation += 1
        self.lock_controller.stop()
        self.clipboard.clear_if_ours()
        self._clear_case_views()
        self.ops.shutdown()
        super().closeEvent(event)

