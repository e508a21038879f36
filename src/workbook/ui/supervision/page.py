"""The supervision page (board, past sessions, the session in progress) and its area of the
main window: a "Supervision" button in the top bar for roles that supervise.

Work runs on the window's worker (Operations.run); answers that arrive after a lock are
dropped, and the page is cleared the moment the window locks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.acts import Act, may
from workbook.services.clock import civil_date
from workbook.services.session import Session
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.agenda import AgendaChoice, agenda_choices
from workbook.ui.models.base import format_date
from workbook.ui.supervision import name_controls
from workbook.ui.supervision.board_page import SupervisionBoard
from workbook.ui.supervision.session_view import SessionView
from workbook.ui.widgets.date_field import DateField, refused_date

if TYPE_CHECKING:
    from workbook.ui.area import AreaHost
    from workbook.ui.signed_in import SignedInPerson

Runner = Callable[..., Any]


class StartSessionDialog(QDialog):
    """Date, attendees and the agenda the chair picks: every open family is offered, the ones
    due for review this month ticked; a line narrows the list by name or reference. A problem
    shows under the field it is about."""

    def __init__(self, colleagues: list[tuple[str, str]], today: str,
                 parent: QWidget | None = None,
                 families: list[AgendaChoice] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Start a supervision session")
        form = QFormLayout(self)
        self.held_on = DateField("Session date", parent=self)
        self.held_on.set_iso(today)
        form.addRow("Date", self.held_on)
        self.date_error = _error_label("Session date: problem")
        form.addRow("", self.date_error)
        self.attendees = QListWidget()
        self.attendees.setAccessibleName("Attendees")
        for username, full_name in colleagues:
            item = QListWidgetItem(full_name or "a colleague")
            item.setData(Qt.ItemDataRole.UserRole, username)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.attendees.addItem(item)
        form.addRow("Attendees", self.attendees)
        self.family_filter = QLineEdit()
        self.family_filter.setPlaceholderText("Find a family by name or reference")
        self.family_filter.setAccessibleName("Find a family for the agenda")
        self.agenda = QListWidget()
        self.agenda.setAccessibleName("Agenda: families to review")
        for choice in families or []:
            label = choice.name + (f" ({choice.reference})" if choice.reference else "")
            item = QListWidgetItem(label + (" - due" if choice.due else ""))
            item.setData(Qt.ItemDataRole.UserRole, choice.family_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if choice.due else Qt.CheckState.Unchecked)
            self.agenda.addItem(item)
        self.agenda_count = QLabel()
        self.agenda_count.setAccessibleName("Families on the agenda")
        column = QVBoxLayout()
        column.addWidget(self.family_filter)
        column.addWidget(self.agenda)
        column.addWidget(self.agenda_count)
        form.addRow("Agenda", column)
        self.agenda_error = _error_label("Agenda: problem")
        form.addRow("", self.agenda_error)
        self.error = _error_label("Problem")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.family_filter.textChanged.connect(self._narrow)
        self.agenda.itemChanged.connect(lambda _item: self._count())
        self._count()
        name_controls(self)

    def _narrow(self, text: str) -> None:
        wanted = text.casefold().strip()
        for row in range(self.agenda.count()):
            item = self.agenda.item(row)
            item.setHidden(bool(wanted) and wanted not in item.text().casefold())

    def _count(self) -> None:
        self.agenda_count.setText(f"{len(self.picked())} of {self.agenda.count()} families "
                                  "on the agenda")

    def picked(self) -> list[str]:
        return [str(self.agenda.item(r).data(Qt.ItemDataRole.UserRole))
                for r in range(self.agenda.count())
                if self.agenda.item(r).checkState() == Qt.CheckState.Checked]

    def _check(self) -> None:
        """Refuse at the field: a date that is not one, an empty agenda."""
        self.date_error.hide()
        self.agenda_error.hide()
        refused = refused_date(self)
        if refused:
            _show(self.date_error, refused)
            return
        if self.agenda.count() and not self.picked():
            _show(self.agenda_error, "tick at least one family to review")
            self.agenda.setFocus()
            return
        self.accept()

    def chosen(self) -> tuple[str, list[str], list[str]]:
        names = [str(self.attendees.item(r).data(Qt.ItemDataRole.UserRole))
                 for r in range(self.attendees.count())
                 if self.attendees.item(r).checkState() == Qt.CheckState.Checked]
        return self.held_on.iso(), names, self.picked()


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.hide()
    return label


def _show(label: QLabel, text: str) -> None:
    label.setText(text)
    label.show()


class SupervisionPage(QWidget):
    """The board, a list of sessions to reopen, and the session in progress."""

    session_opened = Signal(str)

    def __init__(self, run: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run_raw = run
        self._epoch = 0
        self.pages = QStackedWidget()
        self.board = SupervisionBoard(self.run)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        past = QHBoxLayout()
        past.addWidget(QLabel("Sessions:"))
        self.sessions = QComboBox()
        self.sessions.setAccessibleName("Supervision sessions")
        self.open_button = QPushButton("Open session")
        past.addWidget(self.sessions, 1)
        past.addWidget(self.open_button)
        column.addLayout(past)
        column.addWidget(self.board, 1)
        self.pages.addWidget(top)
        self.board_page = top
        self.session_view: SessionView | None = None
        self.agenda_choices: list[AgendaChoice] = []
        self.ask_start: Callable[[list[tuple[str, str]], str],
                                 tuple[Any, ...] | None] = self._ask_start
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        name_controls(self)
        self.board.start_requested.connect(self.start_session)
        self.open_button.clicked.connect(self._open_chosen)

    def run(self, fn: Callable[[Session], Any], on_done: Callable[[Any], None],
            on_error: Callable[[str], None] | None = None) -> Any:
        """Run on the worker; drop answers that come back after a lock or sign-out."""
        epoch = self._epoch

        def done(result: Any) -> None:
            if epoch == self._epoch:
                on_done(result)

        def failed(message: str) -> None:
            if epoch == self._epoch and on_error is not None:
                on_error(message)

        return self._run_raw(fn, done, failed)

    def refresh(self) -> None:
        self.pages.setCurrentWidget(self.board_page)
        self.board.refresh()
        self.run(supervision.sessions, self._show_sessions, self.board._failed)

    def _show_sessions(self, rows: list[Any]) -> None:
        self.sessions.clear()
        for row in rows:
            self.sessions.addItem(f"{format_date(row.held_on)} · {row.status} · "
                                  f"{len(row.agenda)} families", row.session_id)

    def _open_chosen(self) -> None:
        sid = self.sessions.currentData()
        if sid:
            self.open_session(str(sid))

    def start_session(self) -> None:
        # Today is the session clock's UK date (a UTC stamp's date is yesterday's or
        # tomorrow's near midnight), never this computer's own calendar.
        self.run(lambda s: (supervision.colleagues(s), civil_date(s.clock()).isoformat(),
                            agenda_choices(s)),
                 self._start_with, self.board._failed)

    def _start_with(self, found: tuple[list[tuple[str, str]], str, list[AgendaChoice]]
                    ) -> None:
        colleagues, today, self.agenda_choices = found
        chosen = self.ask_start(colleagues, today)
        if chosen is None:
            return
        held_on, attendees, *rest = chosen
        agenda = list(rest[0]) if rest else None  # None: the families due, as before
        self.run(lambda s: supervision.start_session(s, held_on, attendees, agenda),
                 self.open_session, self.board._failed)

    def _ask_start(self, colleagues: list[tuple[str, str]],
                   today: str) -> tuple[str, list[str], list[str]] | None:
        dialog = StartSessionDialog(colleagues, today, self, self.agenda_choices)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen()

    def open_session(self, session_id: str) -> None:
        if self.session_view is not None:
            self.pages.removeWidget(self.session_view)
            self.session_view.deleteLater()
        view = SessionView(self.run, session_id)
        view.back_requested.connect(self.refresh)
        self.session_view = view
        self.pages.addWidget(view)
        self.pages.setCurrentWidget(view)
        view.reload()
        self.session_opened.emit(session_id)

    def clear(self) -> None:
        """On lock: forget pending answers and everything shown."""
        self._epoch += 1
        self.board.clear()
        self.sessions.clear()
        if self.session_view is not None:
            self.session_view.clear()
            self.pages.removeWidget(self.session_view)
            self.session_view.deleteLater()
            self.session_view = None
        self.pages.setCurrentWidget(self.board_page)


class SupervisionArea:
    """The top-bar button and the lazily built page: an area of the main window."""

    home_notice = None

    def __init__(self, host: AreaHost) -> None:
        self.host = host
        self.page: SupervisionPage | None = None
        self.button = QPushButton("Supervision")
        self.button.setAccessibleName("Supervision")
        self.button.setToolTip("The supervisor's board and group supervision sessions")
        self.button.hide()
        self.button.clicked.connect(self.show)

    def on_signed_in(self, person: SignedInPerson) -> None:
        self.button.setVisible(may(person.role, Act.SUPERVISE))

    def clear(self) -> None:
        self.button.hide()
        if self.page is not None:
            self.page.clear()

    def show(self) -> None:
        if not self.host.signed_in:
            return
        if self.page is None:
            self.page = SupervisionPage(lambda fn, done, failed: self.host.ops.run(
                fn, on_done=done, on_error=failed))
            if self.host.open_family is not None:
                self.page.board.open_family_requested.connect(self.host.open_family)
        self.host.show_page(self.page)
        self.page.refresh()
