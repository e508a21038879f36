"""Writing an entry: date, type, a "significant event" flag and the text, saved as an encrypted
draft about a second after the person stops typing, so nothing is lost to a crash or a lock.
Finishing makes the entry part of the record and deletes the draft; a correction of an existing
entry is a new version of it (its text, date and type may change, with a reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.entry_types import EntryType
from workbook.domain.ids import new_id
from workbook.domain.records import Entry
from workbook.services.family.chronology import section_title
from workbook.services.family.drafts import Draft, delete_draft, save_draft
from workbook.services.family.families import ENTRY_TYPES
from workbook.services.session import Session
from workbook.ui.family.common import (
    Band,
    accessible,
    date_edit,
    fmt_stamp,
    iso_of,
    set_iso,
    wipe_text,
)
from workbook.ui.family.context import FamilyContext
from workbook.ui.family.loading import SectionEntry
from workbook.ui.family.visit_fields import VisitFields
from workbook.ui.widgets.a11y import describe
from workbook.ui.widgets.confirm import ask
from workbook.ui.widgets.date_field import refused_date, today

DRAFT_DELAY_MS = 1000


class EntryEditor(QWidget):
    """A page of the workbook view; `finished` tells the view to go back to where it was."""

    finished = Signal()

    def __init__(self, context: FamilyContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.draft_id = ""
        self.entry_id = ""           # set when correcting an existing entry
        self._loading = False
        self._saved_text: tuple[Any, ...] | None = None
        layout = QVBoxLayout(self)
        self.heading = QLabel("New entry", self)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.notice = Band("info", "Draft restored", self)
        self.notice.setVisible(False)
        layout.addWidget(self.notice)
        form = QFormLayout()
        self.section = QComboBox(self)
        accessible(self.section, "Section")
        self.date = date_edit("Entry date", parent=self)
        self.type = QComboBox(self)
        for value in ENTRY_TYPES:
            self.type.addItem(value.capitalize(), value)
        accessible(self.type, "Entry type")
        self.significant = QCheckBox("Significant event (shown in the serious case review view)",
                                     self)
        accessible(self.significant, "Significant event")
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("What happened, who was there, what was decided…")
        accessible(self.text, "Entry text")
        for combo in (self.section, self.type):
            combo.setMinimumWidth(260)
            combo.setMaximumWidth(360)
        form.addRow("S&ection", self.section)
        form.addRow("&Date", self.date)
        form.addRow("&Type", self.type)
        form.addRow("", self.significant)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Why the entry is corrected (kept in its history)")
        accessible(self.reason, "Reason for the correction")
        form.addRow("&Reason", self.reason)
        self._form = form
        layout.addLayout(form)
        self.visit = VisitFields(self)
        self.visit.setVisible(False)
        layout.addWidget(self.visit)
        layout.addWidget(self.text, 1)
        self.error = Band("danger", "Problem", self)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.status = QLabel("", self)
        describe(self.status, "Draft status")
        row.addWidget(self.status, 1)
        self.discard = QPushButton("Discard draft", self)
        accessible(self.discard, "Discard draft")
        self.close_button = QPushButton("Close", self)
        accessible(self.close_button, "Close editor", "The draft is kept")
        self.finish = QPushButton("Finish entry", self)
        self.finish.setDefault(True)
        accessible(self.finish, "Finish entry", "Ctrl+Return")
        for button in (self.discard, self.close_button, self.finish):
            row.addWidget(button)
        layout.addLayout(row)
        self.confirm: Callable[[str], bool] = lambda question: ask(
            self, "Discard draft", question, "Discard draft")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DRAFT_DELAY_MS)
        self._timer.timeout.connect(self.save_draft_now)
        for signal in (self.text.textChanged, self.section.currentIndexChanged,
                       self.type.currentIndexChanged, self.significant.toggled,
                       self.date.edited):
            signal.connect(self._changed)
        self.type.currentIndexChanged.connect(self._type_chosen)
        self.finish.clicked.connect(self._finish)
        self.discard.clicked.connect(self._discard)
        self.close_button.clicked.connect(self._close)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._finish)

    # --- starting ----------------------------------------------------------------------------
    def start(self, sections: list[str], section: str | None = None,
              entry: SectionEntry | None = None) -> None:
        """A new entry in `section`, or (with `entry`) a correction of an existing one."""
        self._loading = True
        self._reset(sections)
        self.draft_id = new_id()
        if entry is not None:
            record = entry.shown.record
            self.entry_id = entry.shown.id
            self.heading.setText("Correct an entry")
            self._select(self.section, entry.section)
            set_iso(self.date, record.date)
            self._select(self.type, record.type)
            self.significant.setChecked(record.significant)
            if isinstance(record, Entry):
                self.visit.show_record(record)
            self.text.setPlainText(record.text)
            self.text.document().clearUndoRedoStacks()
            self._correcting(True)
            self.visit.setEnabled(False)
            self.notice.show_text("A correction is a new version",
                                  "The earlier text, date and type stay in the entry's history. "
                                  "Say why you correct it.")
        elif section:
            self._select(self.section, section)
        self._loading = False
        self._saved_text = self._state()
        self.text.setFocus()

    def restore(self, sections: list[str], draft: Draft) -> None:
        self._loading = True
        self._reset(sections)
        self.draft_id = draft.draft_id
        self.entry_id = draft.entry_id
        self.heading.setText("Correct an entry" if draft.entry_id else "New entry")
        if self.section.findData(draft.section) < 0:
            # Written for a section this person no longer reads: it still goes there (sealed),
            # never quietly into another section.
            self.section.addItem(section_title(draft.section), draft.section)
        self._select(self.section, draft.section)
        if draft.date:
            set_iso(self.date, draft.date)
        self._select(self.type, draft.entry_type)
        self.significant.setChecked(draft.significant)
        self.text.setPlainText(draft.text)
        self.text.document().clearUndoRedoStacks()
        self._correcting(bool(draft.entry_id))
        self.notice.show_text("Your unfinished entry was restored",
                              f"Draft saved {fmt_stamp(draft.updated_at)}. Finish it, keep "
                              "writing, or discard it.")
        self._loading = False
        self._saved_text = self._state()
        self.status.setText("Draft saved")

    def _reset(self, sections: list[str]) -> None:
        self._timer.stop()
        self.error.wipe()
        self.notice.wipe()
        self.section.clear()
        for value in sections:
            self.section.addItem(section_title(value), value)
        self._correcting(False)
        wipe_text(self.reason)
        self.visit.setEnabled(True)
        self.visit.wipe()
        self.entry_id = ""
        self.heading.setText("New entry")
        self.date.set_date(today())
        self._select(self.type, "note")
        self.significant.setChecked(False)
        wipe_text(self.text)
        self.status.setText("")
        self.finish.setEnabled(True)

    def _type_chosen(self, _: int) -> None:
        self.visit.setVisible(self.type.currentData() == EntryType.VISIT)

    def _correcting(self, correcting: bool) -> None:
        """A correction may change the text, the date and the type (with a reason), never the
        section or the significant-event mark."""
        for control in (self.section, self.significant):
            control.setEnabled(not correcting)
        self._form.setRowVisible(self.reason, correcting)

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    # --- drafts ------------------------------------------------------------------------------
    def _state(self) -> tuple[Any, ...]:
        return (self.section.currentData(), iso_of(self.date), self.type.currentData(),
                self.significant.isChecked(), self.text.toPlainText())

    def _changed(self) -> None:
        if self._loading or not self.draft_id:
            return
        self.status.setText("Unsaved changes…")
        self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def save_draft_now(self) -> None:
        """Save the draft at once (the timer calls this; so does leaving the editor)."""
        self._timer.stop()
        family_id = self.context.family_id
        state = self._state()
        if not family_id or not self.draft_id or state == self._saved_text or not state[0]:
            return
        section, day, entry_type, significant, text = state
        draft_id, entry_id = self.draft_id, self.entry_id
        if not text.strip():
            self.context.run(lambda s: delete_draft(s, draft_id),
                             lambda _: self._saved(state, "Empty: no draft kept"))
            return

        def save(s: Session) -> str:
            return save_draft(s, family_id, text=text, section=section, date=day,
                              entry_type=entry_type, significant=significant,
                              entry_id=entry_id, draft_id=draft_id)

        self.status.setText("Saving draft…")
        self.context.run(save, lambda _: self._saved(state, "Draft saved (encrypted)"),
                         self._draft_failed)

    def _saved(self, state: tuple[Any, ...], message: str) -> None:
        self._saved_text = state
        if self._state() == state:
            self.status.setText(message)

    def _draft_failed(self, message: str) -> None:
        self.status.setText("The draft could not be saved")
        self.error.show_text("The draft could not be saved", message)

    # --- finishing ---------------------------------------------------------------------------
    def _finish(self) -> None:
        family_id = self.context.family_id
        if not family_id or not self.finish.isEnabled() or not self.isVisible():
            return
        section, day, entry_type, significant, text = self._state()
        refused = refused_date(self)
        if refused:
            self.error.show_text("The date cannot be saved", refused)
            return
        if not text.strip():
            self.error.show_text("The entry is empty", "Write what happened before finishing.")
            return
        visit = self.visit.values() if entry_type == EntryType.VISIT else {}
        problem = self.visit.problem(entry_type) if visit and not self.entry_id else ""
        if problem:
            self.error.show_text("The visit cannot be saved", problem)
            return
        reason = self.reason.text()
        if self.entry_id and not reason.strip():
            self.error.show_text("Say why you correct this entry",
                                 "The reason is kept with the new version in its history.")
            self.reason.setFocus()
            return
        self._timer.stop()
        draft_id, entry_id = self.draft_id, self.entry_id

        def finish(s: Session) -> str:
            if entry_id:
                result = s.families.edit_entry(entry_id, text, date=day,
                                               entry_type=entry_type, reason=reason)
            else:
                result = s.families.add_entry(family_id, section, text, day, entry_type,
                                              significant, **visit)
            delete_draft(s, draft_id)
            return result

        self.finish.setEnabled(False)
        self.status.setText("Saving…")
        self.context.run(finish, self._finished, self._failed)

    def _finished(self, _: object) -> None:
        what = "Correction saved as a new version" if self.entry_id else "Entry added"
        self.wipe()
        self.context.notify(what + ".")
        self.finished.emit()

    def _failed(self, message: str) -> None:
        self.finish.setEnabled(True)
        self.status.setText("")
        self.error.show_text("The entry could not be saved", message)

    def _discard(self) -> None:
        if self.text.toPlainText().strip() and not self.confirm(
                "Discard this draft? What you wrote is deleted and cannot be brought back."):
            return
        draft_id = self.draft_id
        if draft_id:
            self.context.run(lambda s: delete_draft(s, draft_id))
        self.wipe()
        self.finished.emit()

    def _close(self) -> None:
        self.save_draft_now()
        self.finished.emit()

    def wipe(self) -> None:
        self._timer.stop()
        self._loading = True
        self._reset([])
        self._loading = False
        self.draft_id = ""
        self._saved_text = None
