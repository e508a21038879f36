"""A family's time limits, opened from its workbook: where each limit stands, and the records
that start and stop the clocks - the assessment's completion, the referral to the safeguarding
team, marking a concern urgent and recording the response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbook.services.family import milestones
from workbook.services.family.chronology import section_title
from workbook.services.family.milestones import Concern
from workbook.services.session import Session
from workbook.services.supervision.board import Board, board
from workbook.ui.models.base import format_date, format_moment
from workbook.ui.supervision import name_controls
from workbook.ui.supervision.board_page import STATE_TEXT
from workbook.ui.widgets.a11y import announce
from workbook.ui.widgets.confirm import ask
from workbook.ui.widgets.date_field import DateField

Runner = Callable[..., Any]


class TimeLimitsDialog(QDialog):
    """Non-modal; every change reloads the view from the services."""

    loaded = Signal()

    def __init__(self, run: Runner, family_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run = run
        self.confirm: Callable[[str], bool] = lambda question: ask(
            self, "Mark as urgent", question, "Mark as urgent")
        self.family_id = family_id
        self.setWindowTitle("Time limits")
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Time limits still running"))
        self.limits = QTreeWidget()
        self.limits.setHeaderLabels(["Time limit", "Started", "Due", "State"])
        self.limits.setAccessibleName("Time limits")
        self.limits.setRootIsDecorated(False)
        self.limits.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.limits)
        form = QFormLayout()
        self.completed = DateField("Assessment completed on")
        self.record_completed = QPushButton("Record")
        self.referred = DateField("Referred to the safeguarding team on")
        self.record_referred = QPushButton("Record")
        for label, edit, button in (("Assessment completed on", self.completed,
                                     self.record_completed),
                                    ("Referred to the safeguarding team on", self.referred,
                                     self.record_referred)):
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(button)
            form.addRow(label, row)
        layout.addLayout(form)
        layout.addWidget(QLabel("Entries: mark a concern urgent (a response is due within 24 "
                                "hours), then record the response"))
        self.entries = QTreeWidget()
        self.entries.setHeaderLabels(["Date", "Section", "Entry", "Urgent since", "Response"])
        self.entries.setAccessibleName("Entries")
        self.entries.setRootIsDecorated(False)
        header = self.entries.header()
        header.setStretchLastSection(False)
        for column in (0, 1, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.entries, 1)
        row = QHBoxLayout()
        self.mark_urgent = QPushButton("Mark as urgent concern")
        self.response = QLineEdit()
        self.response.setPlaceholderText("What was done in response")
        self.response.setAccessibleName("Response")
        self.record_response = QPushButton("Record response")
        row.addWidget(self.mark_urgent)
        row.addWidget(self.response, 1)
        row.addWidget(self.record_response)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        layout.addWidget(self.message)
        self.record_completed.setAccessibleName("Record the assessment's completion")
        self.record_referred.setAccessibleName("Record the referral")
        name_controls(self)
        self.record_completed.clicked.connect(
            lambda: self._do(lambda s, v: milestones.record_assessment_completed(
                s, self.family_id, v), self.completed, "Assessment completion recorded."))
        self.record_referred.clicked.connect(
            lambda: self._do(lambda s, v: milestones.record_referral(s, self.family_id, v),
                             self.referred, "Referral recorded."))
        self.mark_urgent.clicked.connect(self._mark_urgent)
        self.record_response.clicked.connect(self._respond)

    def reload(self) -> None:
        fid = self.family_id

        def load(s: Session) -> tuple[Board, list[Concern]]:
            return board(s, family_id=fid), milestones.concerns(s, fid)

        self._run(load, self._show, self._failed)

    def _show(self, result: tuple[Board, list[Concern]]) -> None:
        found, concerns = result
        self.limits.clear()
        for t in found.time_limits:
            QTreeWidgetItem(self.limits, [found.label(t.limit),
                                          format_moment(t.started),
                                          format_moment(t.due),
                                          STATE_TEXT.get(t.state, t.state)])
        chosen = self.selected_entry()
        self.entries.clear()
        for c in concerns:
            first_line = c.text.splitlines()[0][:90] if c.text else ""
            item = QTreeWidgetItem(self.entries, [
                format_date(c.date), section_title(c.section), first_line,
                format_moment(c.urgent_at) if c.urgent else "",
                c.response[:60]])
            item.setData(0, Qt.ItemDataRole.UserRole, c.entry_id)
            if c.entry_id == chosen:
                self.entries.setCurrentItem(item)
        self.loaded.emit()

    def selected_entry(self) -> str:
        item = self.entries.currentItem()
        return str(item.data(0, Qt.ItemDataRole.UserRole)) if item is not None else ""

    def _do(self, action: Callable[[Session, str], Any], edit: DateField, done: str) -> None:
        if edit.problem():   # refused at the field, with the reason; nothing is recorded
            edit.line.setFocus()
            self.message.setText(edit.problem())
            announce(self.message, edit.problem())
            return
        value = edit.iso()

        def finished(_result: Any) -> None:
            edit.clear()
            self.message.setText(done)
            self.reload()

        self._run(lambda s: action(s, value), finished, self._failed)

    def _mark_urgent(self) -> None:
        entry = self.selected_entry()
        if not entry:
            self.message.setText("Choose an entry first.")
            return
        if not self.confirm("Mark this entry as an urgent concern? A response is then due "
                            "within 24 hours, and the supervisor sees it on the board."):
            return

        def finished(_result: Any) -> None:
            self.message.setText("Marked as an urgent concern: a response is due within "
                                 "24 hours.")
            self.reload()

        self._run(lambda s: milestones.mark_urgent(s, entry), finished, self._failed)

    def _respond(self) -> None:
        entry = self.selected_entry()
        if not entry:
            self.message.setText("Choose an entry first.")
            return
        text = self.response.text()

        def finished(_result: Any) -> None:
            self.response.clear()
            self.message.setText("Response recorded.")
            self.reload()

        self._run(lambda s: milestones.record_response(s, entry, text), finished,
                  self._failed)

    def _failed(self, message: str) -> None:
        self.message.setText(message)


def open_time_limits(view: Any) -> TimeLimitsDialog | None:
    """Open the dialog for the family shown in a FamilyWorkbookView (its `run` drops answers
    after a lock; `track` wipes the dialog when the view is cleared)."""
    family_id = view.family_id
    if not family_id:
        return None
    dialog = TimeLimitsDialog(view.run, family_id, view)
    view.track(dialog)
    dialog.show()
    dialog.reload()
    return dialog
