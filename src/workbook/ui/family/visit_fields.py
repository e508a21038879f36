"""The fields a visit records beyond its date (time, who was present, whether the child was
seen and seen alone, a joint visit's agency), shown in the entry editor when the type is visit.
The rules are the core's (`domain/visits`): the form shows the reason a time is refused as it is
typed, and the service refuses the same."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from workbook.domain.records import Entry
from workbook.domain.visits import VisitError, time_of_day, visit_fields
from workbook.ui.family.common import accessible, wipe_text

CHILD_SEEN_CHOICES = (("Not recorded", ""), ("Yes", "yes"), ("No", "no"),
                      ("Yes, seen alone", "alone"))


class VisitFields(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.time = QLineEdit(self)
        self.time.setPlaceholderText("HH:MM, e.g. 14:30")
        self.time.setMaxLength(5)
        self.time.setMaximumWidth(120)
        accessible(self.time, "Visit time", "24-hour clock, HH:MM")
        self.time_problem = QLabel("", self)
        self.time_problem.setAccessibleName("Visit time problem")
        self.time_problem.setWordWrap(True)
        self.time_problem.setVisible(False)
        self.child_seen = QComboBox(self)
        for text, value in CHILD_SEEN_CHOICES:
            self.child_seen.addItem(text, value)
        accessible(self.child_seen, "Child seen")
        self.present = QLineEdit(self)
        self.present.setPlaceholderText("Who was there")
        accessible(self.present, "Who was present")
        self.joint_with = QLineEdit(self)
        self.joint_with.setPlaceholderText("The other agency, for a joint visit")
        accessible(self.joint_with, "Joint visit with")
        form.addRow("T&ime", self.time)
        form.addRow("", self.time_problem)
        form.addRow("C&hild seen", self.child_seen)
        form.addRow("&Present", self.present)
        form.addRow("&Joint visit with", self.joint_with)
        self.time.textChanged.connect(self._check_time)

    def _check_time(self, text: str) -> None:
        problem = ""
        # Judge a time once it could be whole (a half-typed "14:" is not yet wrong).
        if len(text.strip()) >= 4 or not self.time.hasFocus():
            try:
                time_of_day(text)
            except VisitError as exc:
                problem = str(exc)
        self.time_problem.setText(problem)
        self.time_problem.setVisible(bool(problem))

    def problem(self, entry_type: str) -> str:
        """Why these fields cannot be saved for `entry_type` ("" if they can)."""
        try:
            visit_fields(entry_type, **self.values())
        except VisitError as exc:
            return str(exc)
        return ""

    def values(self) -> dict[str, str]:
        return {"time": self.time.text(), "child_seen": str(self.child_seen.currentData() or ""),
                "joint_with": self.joint_with.text(), "present": self.present.text()}

    def show_record(self, record: Entry) -> None:
        self.time.setText(record.time)
        self.child_seen.setCurrentIndex(max(self.child_seen.findData(record.child_seen), 0))
        self.present.setText(record.people_present)
        self.joint_with.setText(record.joint_with)

    def wipe(self) -> None:
        for line in (self.time, self.present, self.joint_with):
            wipe_text(line)
        self.child_seen.setCurrentIndex(0)
        self.time_problem.setText("")
        self.time_problem.setVisible(False)
