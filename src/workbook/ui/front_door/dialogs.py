"""The front door's two forms: a new referral as it arrived, and its triage decision. Each is
opened with open(), emits what was typed, and stays open until the page says the service
accepted it: the service's refusal is shown inside the form (ui/family/dialogs.py's way)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.display import uk_date
from workbook.domain.referrals import OUTCOMES
from workbook.domain.roles import CORE_SECTIONS, SECTION_TITLES, Section
from workbook.services.family.duplicates import DuplicateMatch
from workbook.services.family.families import FamilySummary
from workbook.ui.family.common import accessible
from workbook.ui.family.dialogs import _Form
from workbook.ui.widgets.date_field import DateField

_TIME = re.compile(r"\d{2}:\d{2}")
KEPT_IN = [("Referral and assessment (the core team)", Section.REFERRAL_ASSESSMENT.value)] + [
    (f"Sealed to {SECTION_TITLES[s]}", s.value) for s in Section if s not in CORE_SECTIONS]


class PersonRow(QWidget):
    """One child or adult named: their name and, where known, their date of birth."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("Full name")
        accessible(self.name, f"Person {number}: name")
        self.dob = DateField(f"Person {number}: date of birth", optional=True, past=True,
                             parent=self)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name, 0, 0)
        layout.addWidget(self.dob, 0, 1)

    def value(self) -> str:
        """'NAME|DOB' as the service takes it; "" for a row left empty."""
        name = self.name.text().strip()
        return f"{name}|{self.dob.iso()}" if name else ""


class NewReferralDialog(_Form):
    """A referral as it arrived: when, from whom, the concern, the people named."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("New referral", "Record referral", parent)
        self.received_date = DateField("Date received", past=True, parent=self)
        self.received_time = QLineEdit(self)
        self.received_time.setPlaceholderText("HH:MM")
        accessible(self.received_time, "Time received", "24-hour clock, for example 09:30")
        self.source = QLineEdit(self)
        self.source.setPlaceholderText("police, school, health visitor…")
        accessible(self.source, "From (agency)")
        self.referrer = QLineEdit(self)
        accessible(self.referrer, "Referrer (name and role)")
        self.concern = QPlainTextEdit(self)
        accessible(self.concern, "The concern")
        self.kept_in = QComboBox(self)
        for title, value in KEPT_IN:
            self.kept_in.addItem(title, value)
        accessible(self.kept_in, "Kept in",
                   "A referral about a restricted matter can be sealed to that section")
        self.people: list[PersonRow] = []
        self.people_box = QVBoxLayout()
        self.add_person_button = QPushButton("Add another person", self)
        accessible(self.add_person_button, "Add another person")
        self.add_person_button.clicked.connect(self.add_person)
        people = QWidget(self)
        people_layout = QVBoxLayout(people)
        people_layout.setContentsMargins(0, 0, 0, 0)
        people_layout.addLayout(self.people_box)
        people_layout.addWidget(self.add_person_button)
        self.form.addRow("Date received", self.received_date)
        self.form.addRow("Time received", self.received_time)
        self.form.addRow("From (agency)", self.source)
        self.form.addRow("Referrer", self.referrer)
        self.form.addRow("The concern", self.concern)
        self.form.addRow("People named", people)
        self.form.addRow("Kept in", self.kept_in)
        self.add_person()

    def add_person(self) -> PersonRow:
        row = PersonRow(len(self.people) + 1, self)
        self.people.append(row)
        self.people_box.addWidget(row)
        return row

    def _submit(self) -> None:
        if not self.received_date.iso() and not self.received_date.problem():
            self.error.show_text("This could not be saved", "Type the date the referral "
                                 "was received (dd/mm/yyyy).")
            return
        if not _TIME.fullmatch(self.received_time.text().strip()):
            self.error.show_text("This could not be saved", "Type the time it was received "
                                 "as HH:MM on the 24-hour clock, for example 09:30.")
            self.received_time.setFocus()
            return
        super()._submit()

    def values(self) -> dict[str, Any]:
        return {
            "received": f"{self.received_date.iso()} {self.received_time.text().strip()}",
            "source": self.source.text(), "referrer": self.referrer.text(),
            "concern": self.concern.toPlainText(),
            "people": [v for v in (row.value() for row in self.people) if v],
            "section": str(self.kept_in.currentData()),
        }


class DecideDialog(_Form):
    """The triage decision: the outcome, why, and which family's workbook it goes to - one
    the duplicate search proposes (or any other), or a new one with the people named."""

    def __init__(self, candidates: list[DuplicateMatch], families: list[FamilySummary],
                 new_name: str, parent: QWidget | None = None) -> None:
        super().__init__("Triage decision", "Record decision", parent)
        self.outcome = QComboBox(self)
        for value, title in OUTCOMES.items():
            self.outcome.addItem(title, value)
        accessible(self.outcome, "Outcome")
        self.reason = QPlainTextEdit(self)
        accessible(self.reason, "Reason for the decision")
        self.link = QRadioButton("Link to a family already known", self)
        self.new = QRadioButton("Open a new family workbook with the people named", self)
        choice = QButtonGroup(self)
        choice.addButton(self.link)
        choice.addButton(self.new)
        self.family = QComboBox(self)
        proposed = {c.family_id for c in candidates}
        for c in candidates:
            born = f", born {uk_date(c.dob)}" if c.dob else ""
            self.family.addItem(f"{c.family_name}: {c.name}{born} (may be the same person)",
                                c.family_id)
        for f in families:
            if f.family_id not in proposed:
                self.family.addItem(f.name + (f" ({f.reference})" if f.reference else ""),
                                    f.family_id)
        accessible(self.family, "Family to link to")
        self.new_name = QLineEdit(new_name, self)
        accessible(self.new_name, "New family's name")
        self.form.addRow("Outcome", self.outcome)
        self.form.addRow("Reason", self.reason)
        self.form.addRow(self.link)
        self.form.addRow("Family", self.family)
        self.form.addRow(self.new)
        self.form.addRow("New family's name", self.new_name)
        (self.link if candidates else self.new).setChecked(True)
        self.link.setEnabled(self.family.count() > 0)
        self.link.toggled.connect(self._choose)
        self._choose()

    def _choose(self) -> None:
        self.family.setEnabled(self.link.isChecked())
        self.new_name.setEnabled(self.new.isChecked())

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": str(self.outcome.currentData()),
                               "reason": self.reason.toPlainText()}
        if self.link.isChecked():
            out["family_id"] = str(self.family.currentData() or "")
        else:
            out["new_family_name"] = self.new_name.text()
        return out
