"""The one window: sign-in, first-passphrase pages, home and the family workbook, with the lock
that clears them all (P8).

It holds one `Operations` (the worker thread that owns the Session) and runs every service call
through it; callbacks check an epoch (ui/epoch.py), so a result that arrives after a lock is
dropped instead of shown. Locking clears every page, model, search box, undo stack and the
title before the session is even dropped, and once more after, and destroys the family view so
nothing of the previous person's cases stays in a widget."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Signal, SignalInstance
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.roles import Role
from workbook.services.home import overview as home
from workbook.services.session import Session
from workbook.ui.area import Area, AreaHost
from workbook.ui.clipboard import SecureClipboard
from workbook.ui.epoch import Epoch
from workbook.ui.event_bridge import EventBridge
from workbook.ui.family_page import FamilyPage
from workbook.ui.front_door import FrontDoorArea
from workbook.ui.home_loading import HomeLoader
from workbook.ui.home_page import HomePage
from workbook.ui.lock import LOCK_SHORTCUT, LockController
from workbook.ui.models.approvals_model import role_text
from workbook.ui.operations import Operations
from workbook.ui.replicas import ReplicasArea
from workbook.ui.retention import RetentionArea
from workbook.ui.sharing.wiring import SharingArea
from workbook.ui.sign_in_page import FingerprintPage, ReplacePassphrasePage, SignInPage
from workbook.ui.signed_in import SignedIn, SignedInPerson
from workbook.ui.supervision.page import SupervisionArea
from workbook.ui.top_bar import APP_TITLE, TopBar
from workbook.ui.widgets.a11y import describe
from workbook.ui.widgets.fit import fit_to_screen


class MainWindow(QMainWindow):
    """Sign in, home, family; lock on demand, on idle and with the operating system."""

    lock_finished = Signal()  # the session is dropped and every view cleared
    family_opened = Signal(str)

    def __init__(self, vault_dir: Path | None, vault_problem: str = "",
                 ops: Operations | None = None, idle_timeout_ms: int | None = None,
                 clear_clipboard_after_ms: int | None = None) -> None:
        super().__init__()
        self.vault_dir = vault_dir
        self.ops = ops or Operations(self)
        self.bridge = EventBridge(self)
        self._epoch = Epoch()  # a lock or a new sign-in drops older answers
        self._guard = self._epoch.guard
        self._person: SignedInPerson | None = None
        self._messages: tuple[str, ...] = ()
        self._idle_override = idle_timeout_ms
        self.areas: list[Area] = []
        self.setWindowTitle(APP_TITLE)
        fit_to_screen(self, 1280, 820)
        self._build_pages()
        self._build_status_bar()
        self.clipboard = SecureClipboard(self)
        if clear_clipboard_after_ms is not None:
            self.clipboard.set_clear_after_ms(clear_clipboard_after_ms)
        self.clipboard.adopt_foreign_copies()
        self.lock_controller = LockController(self)
        if idle_timeout_ms is not None:
            self.lock_controller.set_idle_timeout_ms(idle_timeout_ms)
        self.system_lock_sources = self.lock_controller.start_system_watch()
        self.home_loader = HomeLoader(self.ops, self.home_page, self)
        self.family = FamilyPage(self.ops, self.bridge, self, self.stack, self.show_home)
        self._wire()
        self._add_areas()
        self._show_sign_in("")
        self._show_vault(vault_problem)

    def _build_pages(self) -> None:
        self.top_bar = TopBar()
        self.top_bar.hide()
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

    def _build_status_bar(self) -> None:
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
        # In the status bar, so that it never moves what is under the pointer.
        self.lock_warning = QLabel()
        describe(self.lock_warning, "Idle lock warning")
        self.lock_warning.hide()
        self.statusBar().addPermanentWidget(self.lock_warning)
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().setSizeGripEnabled(False)

    def _add_areas(self) -> None:
        host = AreaHost(self.ops, self, self._show_area_page, self.show_home,
                        lambda: self._person, self.open_family)
        self.retention = RetentionArea(host)
        self.supervision = SupervisionArea(host)
        self.sharing = SharingArea(host)
        self.front_door = FrontDoorArea(host)
        self.replicas = ReplicasArea(host)
        self.statusBar().addPermanentWidget(self.replicas.status)  # sync status, Sync now
        self.bridge.fact.connect(self.replicas.status.fact)  # a save syncs soon after
        self.bridge.fact.connect(self._signed_out)
        areas: tuple[Area, ...] = (self.retention, self.supervision, self.sharing,
                                   self.front_door, self.replicas)
        for area in areas:  # in this order after Home in the top bar
            self.add_area(area)

    def _show_vault(self, vault_problem: str) -> None:
        if self.vault_dir is None:
            self.sign_in_page.set_vault(vault_problem or "No vault chosen.", available=False)
        else:
            self.sign_in_page.set_vault(f"Vault: {self.vault_dir}", available=not vault_problem)
        if vault_problem:
            self.sign_in_page.show_error(vault_problem)

    def _wire(self) -> None:
        self.ops.busy_changed.connect(self.busy.setVisible)
        self.sign_in_page.submitted.connect(self._sign_in)
        self.replace_page.submitted.connect(self._replace_passphrase)
        self.replace_page.sign_out_requested.connect(lambda: self.lock(""))
        self.fingerprint_page.continue_requested.connect(self._enter_home)
        self.home_page.open_family_requested.connect(self.open_family)
        self.home_page.copy_requested.connect(self.clipboard.copy)
        self.top_bar.home_button.clicked.connect(self.show_home)
        self.top_bar.lock_button.clicked.connect(lambda: self.lock(""))
        self.lock_controller.lock_requested.connect(self.lock)
        self.lock_controller.lock_warning.connect(self._warn_of_lock)
        self.lock_controller.lock_warning_cleared.connect(self.lock_warning.hide)
        self.bridge.fact.connect(self.home_loader.on_fact)
        # Make the family view once home shows, while the person reads it: opening is quick.
        self.home_loader.home_loaded.connect(
            lambda: QTimer.singleShot(0, self._prepare_family_view))
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        go_home = QShortcut(QKeySequence("Alt+Home"), self)
        go_home.activated.connect(self.show_home)

    # --- home's progress (the loader's signals) ----------------------------------------------
    @property
    def home_loaded(self) -> SignalInstance:
        return self.home_loader.home_loaded

    @property
    def search_ready(self) -> SignalInstance:
        return self.home_loader.search_ready

    # --- areas -----------------------------------------------------------------------------
    def add_area(self, area: Area) -> None:
        """Put an area's button, page and home notice in their places; the area is told who
        signed in, and cleared on every lock."""
        if area.button is not None:
            self.top_bar.add_area_button(area.button)
        if area.page is not None:
            self.stack.addWidget(area.page)
        if area.home_notice is not None:
            self.home_page.add_notice(area.home_notice)
        self.areas.append(area)

    def _show_area_page(self, page: QWidget) -> None:
        if self.stack.indexOf(page) < 0:
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)

    # --- helpers ---------------------------------------------------------------------------
    @property
    def signed_in(self) -> bool:
        return self._person is not None

    @property
    def person(self) -> SignedInPerson | None:
        return self._person

    def _warn_of_lock(self, seconds: int) -> None:
        self.lock_warning.setText(f"⚠ Locks in {seconds} s without use: move the mouse or "
                                  "press a key to stay signed in")
        self.lock_warning.show()

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
        self._epoch.advance()
        self.sign_in_page.set_busy(True)
        self.ops.sign_in(self.vault_dir, username, passphrase,
                         on_done=self._guard(self._on_signed_in),
                         on_error=self._guard(self._on_sign_in_failed))

    def _on_sign_in_failed(self, message: str) -> None:
        self.sign_in_page.set_busy(False)
        self.sign_in_page.show_error(message)
        self.sign_in_page.passphrase.setFocus()

    def _on_signed_in(self, signed_in: SignedIn) -> None:
        person = self._person = signed_in.person
        self._messages = signed_in.messages
        must_replace = signed_in.must_replace_passphrase
        self.sign_in_page.reset()
        self.setWindowTitle(person.full_name)  # Qt adds " — Workbook", the display name
        self.top_bar.person.setText(f"{person.full_name} · {role_text(person.role)}")
        self.top_bar.home_button.setVisible(not must_replace)
        self.top_bar.show()
        if self._idle_override is None:
            self.ops.run(home.idle_lock_minutes,
                         on_done=self._guard(self._set_idle_minutes))
        self.lock_controller.start()
        self._set_status()
        if must_replace:
            self.replace_page.reset()
            self.replace_page.set_person(person.username, person.full_name)
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
        self.home_page.search_box.setFocus()
        self.home_loader.refresh_drafts()  # a draft typed meanwhile is listed
        self.ops.run(self.bridge.attach)
        self.home_loader.start(self._messages)
        person = self._person
        if person is not None:
            for area in self.areas:
                area.on_signed_in(person)

    def _prepare_family_view(self) -> None:
        if self._person is not None and self._person.role != Role.ADMIN:
            self.family.ensure()

    @property
    def showing_family(self) -> bool:
        return self.family.showing

    def show_home(self) -> None:
        if self._person is None or self.stack.currentWidget() in (
                self.sign_in_page, self.replace_page, self.fingerprint_page):
            return
        self.stack.setCurrentWidget(self.home_page)
        self.home_page.search_box.setFocus()
        self.home_loader.refresh_drafts()  # a draft typed meanwhile is listed

    def focus_search(self) -> None:
        self.show_home()
        if self.stack.currentWidget() is self.home_page:
            self.home_page.search_box.setFocus()
            self.home_page.search_box.selectAll()

    # --- the family workbook ---------------------------------------------------------------
    @property
    def family_view(self) -> QWidget | None:
        return self.family.view

    @property
    def family_view_available(self) -> bool:
        return self.family.available

    @property
    def family_view_problem(self) -> str:
        return self.family.problem

    def open_family(self, family_id: str) -> None:
        if self._person is None or self._person.role == Role.ADMIN:
            return
        self.family.open(family_id)
        self.family_opened.emit(family_id)

    # --- lock ------------------------------------------------------------------------------
    def _signed_out(self, name: str, payload: dict[str, object]) -> None:
        """The session ended itself (disabled on another PC): show why, on the sign-in page."""
        if name == "signed_out" and self._person is not None:
            self.lock(str(payload.get("reason", "")))

    def lock(self, reason: str = "") -> None:
        """Clear every view now, then drop the session (keys wiped, vault closed)."""
        self._epoch.advance()
        self._person = None
        self._messages = ()
        self.home_loader.stop()
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
        self.family.destroy()
        self.lock_finished.emit()

    def _clear_case_views(self) -> None:
        self.home_page.clear()
        self.replace_page.reset()
        self.fingerprint_page.reset()
        for area in self.areas:
            area.clear()
        self.family.clear()
        for stack in self.findChildren(QUndoStack):
            stack.clear()
        self.setWindowTitle(APP_TITLE)
        self.top_bar.person.clear()
        self.top_bar.hide()
        self._set_status()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._epoch.advance()
        self.home_loader.stop()
        self.lock_controller.stop()
        self.clipboard.clear_if_ours()
        self._clear_case_views()
        self.ops.shutdown()
        super().closeEvent(event)

