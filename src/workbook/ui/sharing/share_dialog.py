"""Share a family with a partner: partner, sections (only those the person can read; the core
a home visit needs preselected), purpose, lawful basis, consent and reason, notes, and a file
the person chooses. The decision goes into the family's sharing log in both vaults.

Consent is checked from the records, so the dialog shows, for the purpose typed, each person's
consent on record in words, and offers "Record consent…" (the household's consent form) before
the share: the person sees why "Given" would be refused before pressing Share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.roles import SECTION_TITLES, Section
from workbook.services.session import Session
from workbook.services.sharing.consents import WAYS_ON
from workbook.services.sharing.sending import CONSENTS, HOME_VISIT_SECTIONS, ShareResult
from workbook.ui.operations import Operations
from workbook.ui.sharing.base import SharingDialog

if TYPE_CHECKING:
    from workbook.ui.family.concern_dialogs import RecordConsentDialog

CONSENT_TEXT = {"given": "Given", "refused": "Refused", "not-sought": "Not sought"}
STANDING_TEXT = {"given": "consent given", "refused": "consent refused",
                 "withdrawn": "consent withdrawn", "missing": "no consent recorded"}
NO_PURPOSE = "Type the purpose to see each person's consent for it."
GUI_WAYS_ON = ("record it with Record consent… above, or choose Refused or Not sought and give "
               "the reason and the lawful basis that override it.")


@dataclass(frozen=True)
class ShareChoices:
    partners: list[tuple[str, str]]  # (vault id, team)
    sections: list[str]
    # Concerns waiting for step 6 that this share may complete: (id, what the list shows).
    concerns: list[tuple[str, str]] = field(default_factory=list)
    people: list[tuple[str, str]] = field(default_factory=list)  # (person id, full name)


class ShareDialog(SharingDialog):
    def __init__(self, ops: Operations, family_id: str, family_name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(ops, f"Share {family_name or 'family'}", parent)
        self.family_id = family_id
        self.result_value: ShareResult | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.partner = QComboBox(self)
        self.partner.setAccessibleName("Partner")
        form.addRow("Share with", self.partner)
        self.sections_box = QGroupBox("Sections (only those you can read)", self)
        self.sections_layout = QVBoxLayout(self.sections_box)
        self.section_checks: dict[str, QCheckBox] = {}
        form.addRow(self.sections_box)
        self.purpose = QLineEdit(self)
        self.purpose.setAccessibleName("Purpose")
        self.lawful_basis = QLineEdit(self)
        self.lawful_basis.setAccessibleName("Lawful basis")
        # Each person's consent for the purpose follows the typing, once it pauses.
        self.consent_timer = QTimer(self)
        self.consent_timer.setSingleShot(True)
        self.consent_timer.setInterval(300)
        self.consent_timer.timeout.connect(self.refresh_consent)
        self.purpose.textChanged.connect(lambda _: self.consent_timer.start())
        self.consent_status = QLabel(NO_PURPOSE, self)
        self.consent_status.setWordWrap(True)
        self.consent_status.setAccessibleName("Consent on record for this purpose")
        self.consent_person = QComboBox(self)
        self.consent_person.setAccessibleName("Person whose consent to record")
        self.record_consent = QPushButton("Record consent…", self)
        self.record_consent.setAccessibleName("Record consent")
        self.record_consent.clicked.connect(self._record_consent)
        self.consent_form: RecordConsentDialog | None = None
        consent_row = QHBoxLayout()
        consent_row.addWidget(self.consent_person, 1)
        consent_row.addWidget(self.record_consent)
        self.consent = QComboBox(self)
        self.consent.setAccessibleName("Consent")
        for value in CONSENTS:
            self.consent.addItem(CONSENT_TEXT[value], value)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("Needed when consent was refused or not sought")
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Notes")
        self.notes.setMaximumHeight(70)
        self.concern = QComboBox(self)
        self.concern.setAccessibleName("Concern whose step 6 this share completes")
        self.concern.addItem("No concern", "")
        self.out = QLineEdit(self)
        self.out.setAccessibleName("Bundle file")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.out, 1)
        file_row.addWidget(browse)
        form.addRow("Purpose", self.purpose)
        form.addRow("Lawful basis", self.lawful_basis)
        form.addRow("Consent on record", self.consent_status)
        form.addRow("", consent_row)
        form.addRow("Consent", self.consent)
        form.addRow("Reason", self.reason)
        form.addRow("Notes", self.notes)
        form.addRow("Completes step 6 of", self.concern)
        form.addRow("Save bundle as", file_row)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(self)
        self.share_button = self.buttons.addButton("Share", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._share)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.share_button.setEnabled(False)
        self.run(lambda s: self._load_choices(s, family_id), self._fill)

    @staticmethod
    def _load_choices(s: Session, family_id: str) -> ShareChoices:
        partners = [(p.vault_id, p.team) for p in s.partners.all() if not p.removed]
        concerns = [(c.id, f"{c.person_name}: {c.record.text.splitlines()[0][:60]}")
                    for c in s.concerns.of_family(family_id, audit=False)
                    if c.state == "open" and c.next_step == 6]
        people = [(p, name) for p, name, _ in s.consents.standing_of(family_id, "")]
        return ShareChoices(partners, [x.value for x in s.sharing.shareable_sections()],
                            concerns, people)

    def _fill(self, choices: ShareChoices) -> None:
        for vault_id, team in choices.partners:
            self.partner.addItem(team, vault_id)
        for concern_id, label in choices.concerns:
            self.concern.addItem(label, concern_id)
        for person_id, name in choices.people:
            self.consent_person.addItem(name, person_id)
        self.record_consent.setEnabled(bool(choices.people))
        for section in choices.sections:
            box = QCheckBox(SECTION_TITLES[Section(section)], self.sections_box)
            box.setChecked(section in HOME_VISIT_SECTIONS)
            self.section_checks[section] = box
            self.sections_layout.addWidget(box)
        if not choices.partners:
            self.show_message("There are no partners yet: the owner or a team manager adds "
                              "them under Sharing, Partners.", error=True)
        self.share_button.setEnabled(bool(choices.partners))

    def refresh_consent(self) -> None:
        """Show each person's consent on record for the purpose typed."""
        purpose, family = self.purpose.text().strip(), self.family_id
        if not purpose:
            self.consent_status.setText(NO_PURPOSE)
            return
        self.run(lambda s: s.consents.standing_of(family, purpose), self._show_consent)

    def _show_consent(self, rows: list[tuple[str, str, str]]) -> None:
        lines = [f"{name or 'A person'}: {STANDING_TEXT.get(status, status)}"
                 for _id, name, status in rows]
        # One wrapped paragraph, not a line each: a large household still fits a laptop.
        self.consent_status.setText("; ".join(lines) or "No people in the household yet.")

    def _record_consent(self) -> None:
        """The household's consent form for the chosen person, the share's purpose filled in;
        the statuses shown follow once it is recorded."""
        # Imported here: ui.family's package opens the family view, which imports this one.
        from workbook.ui.family.concern_dialogs import RecordConsentDialog

        person_id = str(self.consent_person.currentData() or "")
        if not person_id:
            return
        form = RecordConsentDialog(self.consent_person.currentText(), self)
        form.purpose.setText(self.purpose.text().strip())
        self.consent_form = form

        def submit(values: dict[str, Any]) -> None:
            form.busy()

            def done(_: object) -> None:
                form.accept()
                if self._alive:
                    if not self.purpose.text().strip():
                        self.purpose.setText(str(values["purpose"]))
                    self.refresh_consent()

            self.ops.run(lambda s: s.consents.record(
                person_id, values["status"], values["purpose"], values["scope"],
                values["how"]), done, form.show_error)

        form.submitted.connect(submit)
        form.open()

    def wipe(self) -> None:
        super().wipe()
        self.consent_person.clear()
        if self.consent_form is not None:
            self.consent_form.reject()

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save bundle as", "",
                                              "Workbook bundles (*.wbb)")
        if path:
            self.out.setText(path)

    def chosen_sections(self) -> list[str]:
        return [s for s, box in self.section_checks.items() if box.isChecked()]

    def _share(self) -> None:
        partner = self.partner.currentData()
        out = self.out.text().strip()
        if not out:
            self.show_message("Choose where to save the bundle.", error=True)
            return
        sections = self.chosen_sections()
        purpose, basis = self.purpose.text(), self.lawful_basis.text()
        consent, reason = str(self.consent.currentData()), self.reason.text()
        notes, family = self.notes.toPlainText(), self.family_id
        concern = str(self.concern.currentData() or "")

        def share(s: Session) -> ShareResult:
            sharing = s.sharing
            decision = sharing.decide(partner=str(partner or ""), families=[family],
                                      sections=sections, purpose=purpose, lawful_basis=basis,
                                      consent=consent, reason=reason, notes=notes,
                                      concern=concern)
            return sharing.share(decision, Path(out).expanduser())

        self.share_button.setEnabled(False)
        self.show_message("Sharing…")
        self.run(share, self._shared)

    def show_message(self, text: str, error: bool = False) -> None:
        """As the base shows it, with the dialog's own way on after a refused "Given"."""
        super().show_message(text.replace(WAYS_ON, GUI_WAYS_ON), error)

    def work_failed(self) -> None:
        self.share_button.setEnabled(self.partner.count() > 0)

    def _shared(self, result: ShareResult) -> None:
        self.result_value = result
        self.show_message(f"Shared {result.versions} versions with {result.team}. Give them "
                          f"the file {Path(result.out).name}.")
        self.buttons.clear()
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.accept)
