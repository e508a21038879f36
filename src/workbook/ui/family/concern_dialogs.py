"""The forms of concerns, abstraction and consent: raise a concern, record a step, close a
concern, abstract a restricted entry into a core section, record a person's consent. Each is a
small form like the workbook's others (ui/family/dialogs.py): opened with open(), emitting what
was typed, staying open with the service's refusal shown inside until the service accepts."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from workbook.domain.concerns import SHARE_STEP, STEP_TITLES
from workbook.domain.consent import STATUSES
from workbook.services.family.chronology import section_title
from workbook.ui.family.common import accessible
from workbook.ui.family.dialogs import _Form


def _text_box(parent: QWidget, name: str, height: int = 100) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setTabChangesFocus(True)
    box.setMinimumHeight(height)
    accessible(box, name)
    return box


def _line(parent: QWidget, name: str) -> QLineEdit:
    line = QLineEdit(parent)
    accessible(line, name)
    return line


class RaiseConcernDialog(_Form):
    """A concern about a person of the household, kept in a section the writer reads (their
    restricted section, usually, so that only its readers see it)."""

    def __init__(self, persons: list[tuple[str, str]], sections: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__("Raise a concern", "Raise concern", parent)
        self.person = QComboBox(self)
        for person_id, name in persons:
            self.person.addItem(name, person_id)
        accessible(self.person, "Person the concern is about")
        self.section = QComboBox(self)
        for value in sections:
            self.section.addItem(section_title(value), value)
        accessible(self.section, "Section the concern is kept in",
                   "Only the readers of this section will see the concern")
        self.text = _text_box(self, "The concern", 140)
        self.form.addRow("&Person", self.person)
        self.form.addRow("&Kept in", self.section)
        self.form.addRow("&Concern", self.text)
        self.resize(560, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        return {"person": self.person.currentData() or "", "section": self.section.currentData(),
                "text": self.text.toPlainText()}


class StepDialog(_Form):
    """Step N of a concern: what was found or decided, or why the step was skipped."""

    def __init__(self, step: int, parent: QWidget | None = None) -> None:
        title = STEP_TITLES[step]
        super().__init__(f"Step {step}: {title}", f"Record step {step}", parent)
        self.step = step
        self.note = _text_box(self, "What was found or decided")
        self.skipped = _text_box(self, "Why the step was skipped", 70)
        hint = QLabel("Fill in one of the two: what was found or decided, or why the step was "
                      "skipped (for example, speaking with the person would raise the risk).",
                      self)
        hint.setWordWrap(True)
        self.outer.insertWidget(0, hint)
        if step == SHARE_STEP:
            hint.setText("Step 6 is completed by a share: abstract a restricted entry into a "
                         "core section, or share a bundle, naming this concern. Here it can "
                         "only be recorded as skipped, with the reason.")
            self.note.setEnabled(False)
        self.form.addRow("&Found or decided", self.note)
        self.form.addRow("Skipped &because", self.skipped)
        self.resize(560, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        return {"step": self.step, "note": self.note.toPlainText(),
                "skipped": self.skipped.toPlainText()}


class CloseConcernDialog(_Form):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Close the concern", "Close concern", parent)
        self.reason = _text_box(self, "Why the concern is closed", 80)
        self.form.addRow("&Reason", self.reason)

    def values(self) -> dict[str, Any]:
        return {"reason": self.reason.toPlainText()}


class AbstractDialog(_Form):
    """An abstracted summary of a restricted entry, for a core section: the core team reads
    the summary and where it came from, never the source."""

    def __init__(self, source_title: str, sections: list[str],
                 concerns: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__("Abstract into a core section", "Write summary", parent)
        explain = QLabel(f"Write what the team needs to know, at a level of abstraction that "
                         f"keeps the {source_title} entry itself sealed. Readers see that the "
                         "summary was abstracted from a restricted section, by you, today.",
                         self)
        explain.setWordWrap(True)
        self.outer.insertWidget(0, explain)
        self.section = QComboBox(self)
        for value in sections:
            self.section.addItem(section_title(value), value)
        accessible(self.section, "Core section for the summary")
        self.text = _text_box(self, "Abstracted summary", 120)
        self.concern = QComboBox(self)
        self.concern.addItem("No concern", "")
        for concern_id, label in concerns:
            self.concern.addItem(label, concern_id)
        accessible(self.concern, "Concern whose step 6 this completes")
        self.form.addRow("&Into", self.section)
        self.form.addRow("&Summary", self.text)
        self.form.addRow("Completes step 6 &of", self.concern)
        self.resize(560, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        return {"section": self.section.currentData(), "text": self.text.toPlainText(),
                "concern": self.concern.currentData() or ""}


class RecordConsentDialog(_Form):
    """One consent decision of a person."""

    def __init__(self, person_name: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Record consent: {person_name}", "Record consent", parent)
        self.status = QComboBox(self)
        for value in STATUSES:
            self.status.addItem(value.capitalize(), value)
        accessible(self.status, "Consent")
        self.purpose = _line(self, "Purpose the consent is for")
        self.scope = _line(self, "Which information it covers")
        self.how = _line(self, "How it was obtained")
        self.how.setPlaceholderText("e.g. in person, written")
        self.form.addRow("&Consent", self.status)
        self.form.addRow("&Purpose", self.purpose)
        self.form.addRow("&Information", self.scope)
        self.form.addRow("&How obtained", self.how)
        self.resize(520, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        return {"status": self.status.currentData(), "purpose": self.purpose.text(),
                "scope": self.scope.text(), "how": self.how.text()}
