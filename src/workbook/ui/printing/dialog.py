"""The small dialog before a print: which document, which parts to leave out (minimum
necessary), which restricted sections a home-visit summary should carry (none unless ticked),
and for a subject access export whose records and whether to redact third parties. It only
collects choices; the services check them again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from workbook.services.printing import CASE_SUMMARY, HOME_VISIT, PARTS, SUBJECT_ACCESS

KIND_TITLES: dict[str, str] = {
    HOME_VISIT: "Home-visit summary",
    CASE_SUMMARY: "Case summary",
    SUBJECT_ACCESS: "Subject access export (one person)",
}


@dataclass(frozen=True)
class PrintChoice:
    kind: str
    leave_out: tuple[str, ...] = ()
    person_id: str = ""
    redact: bool = False
    include: tuple[str, ...] = ()   # restricted sections chosen for a home-visit summary


class PrintOptionsDialog(QDialog):
    """Kind, parts and, for subject access, the person and redaction."""

    def __init__(self, persons: Sequence[tuple[str, str]], parent: QWidget | None = None,
                 restricted: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print")
        self.setModal(True)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Document to print")
        for kind, title in KIND_TITLES.items():
            self.kind.addItem(title, kind)
        form.addRow("&Document:", self.kind)
        layout.addLayout(form)

        self.parts_box = QGroupBox("Include (untick what the reader does not need)", self)
        self.parts_layout = QVBoxLayout(self.parts_box)
        self.part_boxes: dict[str, QCheckBox] = {}
        layout.addWidget(self.parts_box)

        # Restricted sections this person reads (section value, title): carried into a home
        # only when ticked for this print; the print's audit records the choice.
        self.restricted_box = QGroupBox(
            "Also include restricted sections (left out unless ticked; recorded in the audit)",
            self)
        restricted_layout = QVBoxLayout(self.restricted_box)
        self.restricted_boxes: dict[str, QCheckBox] = {}
        for section, title in restricted:
            box = QCheckBox(title, self.restricted_box)
            box.setAccessibleName(f"Include {title} in this print")
            restricted_layout.addWidget(box)
            self.restricted_boxes[section] = box
        layout.addWidget(self.restricted_box)

        self.sar_box = QGroupBox("Subject access", self)
        sar_form = QFormLayout(self.sar_box)
        self.person = QComboBox(self.sar_box)
        self.person.setAccessibleName("Person whose records are exported")
        for person_id, name in persons:
            self.person.addItem(name, person_id)
        sar_form.addRow("&Person:", self.person)
        self.redact = QCheckBox("&Redact the names of third parties", self.sar_box)
        sar_form.addRow(self.redact)
        layout.addWidget(self.sar_box)

        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("print-hint")
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.preview_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.preview_button.setText("Preview…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = str(self.kind.currentData())
        for box in self.part_boxes.values():
            self.parts_layout.removeWidget(box)
            box.deleteLater()
        self.part_boxes = {}
        for part, title in PARTS.get(kind, {}).items():
            box = QCheckBox(title, self.parts_box)
            box.setChecked(True)
            box.toggled.connect(self._update)
            self.parts_layout.addWidget(box)
            self.part_boxes[part] = box
        self.parts_box.setVisible(kind != SUBJECT_ACCESS)
        self.restricted_box.setVisible(kind == HOME_VISIT and bool(self.restricted_boxes))
        self.sar_box.setVisible(kind == SUBJECT_ACCESS)
        self._update()

    def _update(self) -> None:
        kind = str(self.kind.currentData())
        ok, hint = True, "Only what you may read is printed; the print is recorded in the audit."
        if kind == SUBJECT_ACCESS:
            hint = ("Everything held about this person in the sections you may read; the "
                    "export is recorded in the audit as a subject access export.")
        if kind == SUBJECT_ACCESS and self.person.count() == 0:
            ok, hint = False, "No one in this household that you may read."
        elif kind != SUBJECT_ACCESS and not any(b.isChecked() for b in self.part_boxes.values()):
            ok, hint = False, "Tick at least one part: there would be nothing to print."
        self.preview_button.setEnabled(ok)
        self.hint.setText(hint)

    def choice(self) -> PrintChoice:
        kind = str(self.kind.currentData())
        if kind == SUBJECT_ACCESS:
            return PrintChoice(kind, (), str(self.person.currentData() or ""),
                               self.redact.isChecked())
        left_out = tuple(p for p, box in self.part_boxes.items() if not box.isChecked())
        include = tuple(s for s, box in self.restricted_boxes.items() if box.isChecked()) \
            if kind == HOME_VISIT else ()
        return PrintChoice(kind, left_out, include=include)
