"""Finishing a plan action from wherever it is seen: the family's Plan, Home's overdue list and
the supervision board. One row of buttons - Mark done, Cancel action…, Reassign…, Change due
date… - acts on the action the holder has selected; each change is a service call run off the
GUI thread (services/family/plan_actions.py decides who may), and a refusal is shown at the
field it is about, with the form left open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.services.access.people import People, PersonName
from workbook.services.family import plan_actions
from workbook.services.session import Session
from workbook.ui.family.common import accessible, date_edit, iso_of, set_iso
from workbook.ui.widgets.date_field import refused_date

Runner = Callable[..., Any]


class FieldForm(QDialog):
    """A one-field form: what was typed is emitted, and a refusal sits under the field."""

    submitted = Signal(object)

    def __init__(self, title: str, ok_text: str, label: str, field: QWidget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.field = field
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(label, field)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName(f"{label.replace('&', '')}: problem")
        self.error.hide()
        form.addRow("", self.error)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.ok = QPushButton(ok_text, self)
        self.ok.setDefault(True)
        buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        field.setFocus()

    def value(self) -> str:  # pragma: no cover - overridden
        return ""

    def _submit(self) -> None:
        refused = refused_date(self)   # a date field's own refusal, under it like the rest
        if refused:
            self.show_error(refused)
            return
        self.error.hide()
        self.ok.setEnabled(False)
        self.submitted.emit(self.value())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.ok.setEnabled(True)
        self.field.setFocus()


class CancelActionDialog(FieldForm):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        reason = QPlainTextEdit()
        reason.setTabChangesFocus(True)
        reason.setFixedHeight(90)
        accessible(reason, "Reason for cancelling")
        super().__init__(f"Cancel action: {text[:60]}", "Cancel action", "&Why", reason, parent)
        self.reason = reason

    def value(self) -> str:
        return self.reason.toPlainText()


def owner_combo(owners: list[PersonName], name: str,
                parent: QWidget | None = None) -> QComboBox:
    """Colleagues by full name and role; typing any part of a name narrows the list."""
    combo = QComboBox(parent)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for person in owners:
        combo.addItem(person.label, person.username)
    completer = combo.completer()
    if completer is not None:
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    accessible(combo, name)
    return combo


def owner_of(combo: QComboBox) -> str:
    """The picked person's username; what was typed (less any "(role)") when it names no
    one in the list - the service then looks for a full name, and says so if none."""
    typed = combo.currentText().strip()
    index = combo.findText(typed, Qt.MatchFlag.MatchFixedString)
    if index >= 0:
        return str(combo.itemData(index))
    return typed.split(" (", 1)[0]


class ReassignDialog(FieldForm):
    """The new owner, picked by full name."""

    def __init__(self, owners: list[PersonName], parent: QWidget | None = None) -> None:
        owner = owner_combo(owners, "New owner")
        owner.setCurrentIndex(-1)
        owner.setEditText("")
        super().__init__("Reassign action", "Reassign", "New &owner", owner, parent)
        self.owner = owner

    def value(self) -> str:
        return owner_of(self.owner)


class RedateDialog(FieldForm):
    def __init__(self, due: str, parent: QWidget | None = None) -> None:
        edit = date_edit("New due date")
        if due:
            set_iso(edit, due)
        super().__init__("Change due date", "Change due date", "New &due date", edit, parent)
        self.due = edit

    def value(self) -> str:
        return iso_of(self.due)


class ActionFinisher(QWidget):
    """The buttons; `selected()` gives the selected action as (id, text, due) or None."""

    changed = Signal(str)   # what was done, to tell the person

    def __init__(self, selected: Callable[[], tuple[str, str, str] | None],
                 run: Runner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._selected = selected
        self._run = run
        self.dialog: FieldForm | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.done = QPushButton("Mark done", self)
        self.cancel = QPushButton("Cancel action…", self)
        self.reassign = QPushButton("Reassign…", self)
        self.redate = QPushButton("Change due date…", self)
        for button in (self.done, self.cancel, self.reassign, self.redate):
            accessible(button, button.text().rstrip("…"))
            row.addWidget(button)
        self.message = QLabel(self)
        self.message.setObjectName("error")
        self.message.setAccessibleName("Action change: problem")
        row.addWidget(self.message, 1)
        self.done.clicked.connect(self._mark_done)
        self.cancel.clicked.connect(self._cancel)
        self.reassign.clicked.connect(self._reassign)
        self.redate.clicked.connect(self._redate)
        self.set_enabled(False)

    def set_runner(self, run: Runner) -> None:
        self._run = run

    def set_enabled(self, enabled: bool) -> None:
        for button in (self.done, self.cancel, self.reassign, self.redate):
            button.setEnabled(enabled)

    def _call(self, fn: Callable[[Session], Any], said: str,
              on_error: Callable[[str], None]) -> None:
        if self._run is None:
            return
        self.message.clear()

        def done(_: Any) -> None:
            if self.dialog is not None:
                self.dialog.accept()
                self.dialog = None
            self.changed.emit(said)

        self._run(fn, done, on_error)

    def _mark_done(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            action_id = chosen[0]
            self._call(lambda s: plan_actions.mark_done(s, action_id), "Action marked done.",
                       self.message.setText)

    def _open(self, dialog: FieldForm, fn: Callable[[Session, str, str], Any],
              said: str, action_id: str) -> None:
        self.dialog = dialog
        dialog.submitted.connect(
            lambda value: self._call(lambda s: fn(s, action_id, value), said,
                                     dialog.show_error))
        dialog.open()

    def _cancel(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self._open(CancelActionDialog(chosen[1], self), plan_actions.cancel,
                       "Action cancelled.", chosen[0])

    def _redate(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self._open(RedateDialog(chosen[2], self), plan_actions.redate,
                       "Due date changed.", chosen[0])

    def _reassign(self) -> None:
        chosen = self._selected()
        if chosen is None or self._run is None:
            return
        action_id = chosen[0]

        def ask(owners: list[PersonName]) -> None:
            self._open(ReassignDialog(owners, self), plan_actions.reassign,
                       "Action reassigned.", action_id)

        self._run(lambda s: People(s).owners(), ask, self.message.setText)
