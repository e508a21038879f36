"""The small forms of the workbook: a person, a plan action, and a sealed entry for a section
the writer cannot read. Each is opened with open() (never exec()), emits what was typed, and
stays open until the view says the service accepted it - errors are shown inside the form."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.services.access.people import PersonName
from workbook.services.family.chronology import section_title
from workbook.services.family.duplicates import DuplicateMatch
from workbook.services.family.families import ENTRY_TYPES
from workbook.ui.family.action_finishing import owner_combo, owner_of
from workbook.ui.family.common import (
    Band,
    accessible,
    date_edit,
    fmt_date,
    iso_of,
    set_iso,
    wipe_text,
)
from workbook.ui.widgets.date_field import refused_date

RELATIONSHIPS = ("mother", "father", "daughter", "son", "stepfather", "stepmother",
                 "mother's partner", "father's partner", "grandmother", "grandfather",
                 "sister", "brother", "aunt", "uncle", "carer", "other")
SEX_CHOICES = (("Not known", "unknown"), ("Female", "female"), ("Male", "male"))
# The sex a relationship suggests (never a default: "Not known" until a person says).
SEX_OF_RELATIONSHIP = {
    "mother": "female", "daughter": "female", "stepmother": "female",
    "grandmother": "female", "sister": "female", "aunt": "female",
    "father": "male", "son": "male", "stepfather": "male", "grandfather": "male",
    "brother": "male", "uncle": "male"}
ADULT = 18  # the partner list offers adults (and people whose age is not known)


def _is_adult(dob: str, today: date | None) -> bool:
    """18 or over on `today`, or a date of birth not known (nothing to go on)."""
    try:
        born = date.fromisoformat(dob)
    except ValueError:
        return True
    if today is None:
        return True
    return (today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            >= ADULT)


def _field_error(name: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.hide()
    return label


class _Form(QDialog):
    submitted = Signal(dict)

    def __init__(self, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.outer = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.outer.addLayout(self.form)
        self.error = Band("danger", "Problem", self)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.ok = QPushButton(ok_text, self)
        self.ok.setDefault(True)
        accessible(self.ok, ok_text.rstrip("…"))
        self.cancel = QPushButton("Cancel", self)
        accessible(self.cancel, "Cancel")
        self.buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.outer.addWidget(self.buttons)
        # Below the buttons: an error that appears never moves what the pointer is on.
        self.outer.addWidget(self.error)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Open with the focus in the first field, ready to type."""
        super().showEvent(event)
        item = self.form.itemAt(0, QFormLayout.ItemRole.FieldRole)
        first = item.widget() if item is not None else None
        if first is not None:
            first.setFocus()

    def _submit(self) -> None:
        self.error.wipe()
        refused = refused_date(self)
        if refused:
            self.error.show_text("This date cannot be saved", refused)
            return
        self.submitted.emit(self.values())

    def values(self) -> dict[str, Any]:  # pragma: no cover - overridden
        return {}

    def show_error(self, message: str) -> None:
        self.error.show_text("This could not be saved", message)
        self.ok.setEnabled(True)

    def busy(self) -> None:
        self.ok.setEnabled(False)


class PersonDialog(_Form):
    """Add or change a household member, with the genogram fields. When the name and date of
    birth match someone in another family, the form says so and asks again."""

    def __init__(self, persons: list[dict[str, Any]], person: dict[str, Any] | None = None,
                 parent: QWidget | None = None, today: date | None = None) -> None:
        editing = person is not None
        super().__init__("Change person" if editing else "Add person",
                         "Save changes" if editing else "Add person", parent)
        self.person_id = str(person.get("id", "")) if person else ""
        self.confirmed_duplicate = False
        self.name = QLineEdit(self)
        accessible(self.name, "Name")
        self.dob = date_edit("Date of birth", optional=True, past=True, parent=self)
        self.relationship = QComboBox(self)
        self.relationship.setEditable(True)
        self.relationship.addItems(RELATIONSHIPS)
        self.relationship.setCurrentText("")
        accessible(self.relationship, "Relationship")
        self.sex = QComboBox(self)
        for label, value in SEX_CHOICES:
            self.sex.addItem(label, value)
        accessible(self.sex, "Sex")
        others = [p for p in persons if p.get("id") != self.person_id]
        current_partner = str(person.get("partner_of") or "") if person else ""
        adults = [p for p in others if p.get("id") == current_partner
                  or _is_adult(str(p.get("dob", "")), today)]
        self.partner = self._person_combo("Partner", adults)
        self.separated = QCheckBox("Separated from this partner", self)
        accessible(self.separated, "Separated from partner")
        self.parent1 = self._person_combo("First parent", others)
        self.parent2 = self._person_combo("Second parent", others)
        self.index = QCheckBox("Index child (the child this work is about)", self)
        accessible(self.index, "Index child")
        self.form.addRow("&Name", self.name)
        self.form.addRow("Date of &birth", self.dob)
        self.form.addRow("&Relationship", self.relationship)
        self.form.addRow("&Sex", self.sex)
        self.form.addRow("&Partner", self.partner)
        self.partner_error = _field_error("Partner: problem", self)
        self.form.addRow("", self.partner_error)
        self.form.addRow("", self.separated)
        self.form.addRow("Parent &1", self.parent1)
        self.form.addRow("Parent &2", self.parent2)
        self.parent_error = _field_error("Parents: problem", self)
        self.form.addRow("", self.parent_error)
        self.form.addRow("", self.index)
        self.duplicates = Band("warning", "Possible duplicate", self)
        self.duplicates.setVisible(False)
        self.outer.insertWidget(1, self.duplicates)
        if person:
            self.name.setText(str(person.get("name", "")))
            set_iso(self.dob, str(person.get("dob", "")))
            self.relationship.setCurrentText(str(person.get("relationship", "")))
            self.sex.setCurrentIndex(max(self.sex.findData(person.get("sex", "unknown")), 0))
            self._choose(self.partner, str(person.get("partner_of") or ""))
            self.separated.setChecked(bool(person.get("separated")))
            parents = list(person.get("parents") or [])
            self._choose(self.parent1, parents[0] if parents else "")
            self._choose(self.parent2, parents[1] if len(parents) > 1 else "")
            self.index.setChecked(bool(person.get("index")))
        self._sex_chosen = editing  # a person's own choice is never overridden
        self.sex.activated.connect(lambda _i: setattr(self, "_sex_chosen", True))
        self.relationship.currentTextChanged.connect(self._suggest_sex)
        self.name.textChanged.connect(self._reset_duplicate)
        self.dob.dateChanged.connect(self._reset_duplicate)
        self.resize(460, self.sizeHint().height())

    def _person_combo(self, name: str, persons: list[dict[str, Any]]) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem("None", "")
        for p in persons:
            combo.addItem(str(p.get("name", "")), p.get("id"))
        accessible(combo, name)
        return combo

    def _suggest_sex(self, relationship: str) -> None:
        if self._sex_chosen:
            return
        suggested = SEX_OF_RELATIONSHIP.get(relationship.strip().lower(), "unknown")
        self.sex.setCurrentIndex(max(self.sex.findData(suggested), 0))

    def show_error(self, message: str) -> None:
        """A partner's or a parent's problem sits under that field; others in the band."""
        self.partner_error.hide()
        self.parent_error.hide()
        lowered = message.lower()
        field = self.partner_error if "partner" in lowered else \
            self.parent_error if "parent" in lowered else None
        if field is None:
            super().show_error(message)
            return
        field.setText(message)
        field.show()
        (self.partner if field is self.partner_error else self.parent1).setFocus()
        self.ok.setEnabled(True)

    @staticmethod
    def _choose(combo: QComboBox, person_id: str) -> None:
        combo.setCurrentIndex(max(combo.findData(person_id), 0))

    def _reset_duplicate(self) -> None:
        self.confirmed_duplicate = False
        self.duplicates.wipe()
        self.ok.setText("Save changes" if self.person_id else "Add person")

    def values(self) -> dict[str, Any]:
        parents = [c.currentData() for c in (self.parent1, self.parent2) if c.currentData()]
        return {
            "person_id": self.person_id, "name": self.name.text(), "dob": iso_of(self.dob),
            "relationship": self.relationship.currentText(),
            "sex": self.sex.currentData(), "partner_of": self.partner.currentData() or "",
            "separated": self.separated.isChecked(), "parents": parents,
            "index": self.index.isChecked(), "confirmed": self.confirmed_duplicate,
        }

    def show_duplicates(self, matches: list[DuplicateMatch]) -> None:
        lines = [f"• {m.name}, born {fmt_date(m.dob)}, {m.relationship or 'household member'} "
                 f"in the {m.family_name}" for m in matches]
        self.duplicates.show_text(
            "Possible duplicate: someone with this name and date of birth is already known",
            "\n".join(lines) + "\nCheck that this is a different person before adding them.")
        self.confirmed_duplicate = True
        self.ok.setText("Add anyway")
        self.ok.setEnabled(True)


class ActionDialog(_Form):
    """A new plan action; its owner is picked by full name (typing part of a name narrows the
    list), and the username goes to the service."""

    def __init__(self, users: list[PersonName], me: str, parent: QWidget | None = None) -> None:
        super().__init__("Add action", "Add action", parent)
        self.text = QLineEdit(self)
        accessible(self.text, "Action")
        self.owner = owner_combo(users, "Owner", self)
        self.owner.setCurrentIndex(max(0, self.owner.findData(me)))
        self.due = date_edit("Due date", parent=self)
        self.form.addRow("&Action", self.text)
        self.form.addRow("&Owner", self.owner)
        self.form.addRow("&Due", self.due)
        self.resize(460, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        return {"text": self.text.text(), "owner": owner_of(self.owner),
                "due": iso_of(self.due)}


class RestrictedEntryDialog(_Form):
    """P3: pass information into a section you cannot read. It says plainly that you will not
    be able to read it back."""

    def __init__(self, unreadable: list[str], parent: QWidget | None = None) -> None:
        super().__init__("Add to a restricted section", "Add sealed entry", parent)
        warning = Band("warning", "You will not be able to read this back", self)
        self.warning = warning
        self.outer.insertWidget(0, warning)
        self.section = QComboBox(self)
        for value in unreadable:
            self.section.addItem(section_title(value), value)
        accessible(self.section, "Restricted section")
        self.date = date_edit("Date", parent=self)
        self.type = QComboBox(self)
        for value in ENTRY_TYPES:
            self.type.addItem(value.capitalize(), value)
        self.type.setCurrentIndex(self.type.findData("note"))
        accessible(self.type, "Type")
        self.significant = QCheckBox("Significant event", self)
        accessible(self.significant, "Significant event")
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        accessible(self.text, "Information to pass on")
        self.text.setMinimumHeight(140)
        self.form.addRow("&Section", self.section)
        self.form.addRow("&Date", self.date)
        self.form.addRow("&Type", self.type)
        self.form.addRow("", self.significant)
        self.form.addRow("&Information", self.text)
        self.section.currentIndexChanged.connect(lambda _: self._explain())
        self._explain()
        if not unreadable:
            warning.show_text("There is no restricted section you cannot read",
                              "You hold the key to every section: add entries from the section "
                              "itself.")
            self.ok.setEnabled(False)
        self.resize(560, self.sizeHint().height())

    def _explain(self) -> None:
        title = self.section.currentText() or "the section you choose"
        self.warning.show_text(
            "You will not be able to read this back",
            f"The entry is sealed so that only the people who hold {title} can read it. Once "
            "you add it, you cannot open, correct or print it, and it will not appear in your "
            "chronology. Keep your own record of what you passed on if you need one.")

    def values(self) -> dict[str, Any]:
        return {"section": self.section.currentData(), "date": iso_of(self.date),
                "type": self.type.currentData(), "significant": self.significant.isChecked(),
                "text": self.text.toPlainText()}


def wipe_dialog(dialog: QDialog) -> None:
    """Empty every editor of a dialog before it goes, so no case text lingers in memory that a
    later widget could show."""
    for child in dialog.findChildren(QWidget):
        wipe_text(child)
        if isinstance(child, QComboBox):
            child.clear()
        if isinstance(child, QLabel):
            child.setText("")
    dialog.setWindowTitle("")
