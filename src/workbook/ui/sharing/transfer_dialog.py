"""Transfer a family to another organisation (services/sharing/transfers.py): the case owner
starts it (partner, purpose, lawful basis); the panel shows each restricted section that must
answer and who answered; a holder adds their section or declines it with a reason; once all
have answered, Finish writes the bundle to the file chosen and closes the family here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.roles import SECTION_TITLES, Section
from workbook.services.session import Session
from workbook.services.sharing.transfer_finish import FinishResult
from workbook.ui.operations import Operations
from workbook.ui.sharing.base import SharingDialog
from workbook.ui.sharing.wiring import add_family_tool
from workbook.ui.widgets.flow import wrap_lines


@dataclass(frozen=True)
class TransferState:
    partners: list[tuple[str, str]]  # (vault id, team)
    transfer: dict[str, Any] | None  # TransferShown.to_json(), or None
    may_start: bool
    holds: list[str]  # the sections this person can answer for


def _title(section: str) -> str:
    return SECTION_TITLES[Section(section)]


class TransferDialog(SharingDialog):
    def __init__(self, ops: Operations, family_id: str, family_name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(ops, f"Transfer {family_name or 'family'} to another organisation",
                         parent)
        self.family_id = family_id
        self.state: TransferState | None = None
        self.result_value: FinishResult | None = None
        layout = QVBoxLayout(self)
        self.start_box = QWidget(self)
        form = QFormLayout(self.start_box)
        self.partner = QComboBox(self)
        self.partner.setAccessibleName("Partner")
        self.purpose = QLineEdit(self)
        self.purpose.setAccessibleName("Purpose")
        self.lawful_basis = QLineEdit(self)
        self.lawful_basis.setAccessibleName("Lawful basis")
        self.start_button = QPushButton("Start transfer", self)
        self.start_button.setAccessibleName("Start transfer")
        self.start_button.clicked.connect(self._start)
        form.addRow("Transfer to", self.partner)
        form.addRow("Purpose", self.purpose)
        form.addRow("Lawful basis", self.lawful_basis)
        form.addRow(self.start_button)
        layout.addWidget(self.start_box)
        self.panel = QWidget(self)
        self._build_panel(QVBoxLayout(self.panel))
        layout.addWidget(self.panel)
        layout.addWidget(self.message)
        self.setMinimumSize(640, 420)
        self.start_box.setVisible(False)
        self.panel.setVisible(False)
        self.run(self._load, self._fill)

    def _build_panel(self, box: QVBoxLayout) -> None:
        self.summary = QLabel(self.panel)
        self.summary.setAccessibleName("Transfer")
        self.summary.setWordWrap(True)
        self.answers = QListWidget(self.panel)
        wrap_lines(self.answers)
        self.answers.setAccessibleName("Sections and their answers")
        self.answers.setMinimumHeight(120)
        answer_row = QHBoxLayout()
        self.section = QComboBox(self.panel)
        self.section.setAccessibleName("Your section")
        self.reason = QLineEdit(self.panel)
        self.reason.setAccessibleName("Reason for declining")
        self.reason.setPlaceholderText("Why this section stays here (to decline)")
        self.add_button = QPushButton("Add my section", self.panel)
        self.add_button.setAccessibleName("Add my section")
        self.add_button.clicked.connect(lambda: self._answer(add=True))
        self.decline_button = QPushButton("Decline", self.panel)
        self.decline_button.setAccessibleName("Decline my section")
        self.decline_button.clicked.connect(lambda: self._answer(add=False))
        for widget in (self.section, self.reason, self.add_button, self.decline_button):
            answer_row.addWidget(widget)
        file_row = QHBoxLayout()
        self.out = QLineEdit(self.panel)
        self.out.setAccessibleName("Bundle file")
        browse = QPushButton("Choose…", self.panel)
        browse.setAccessibleName("Choose the bundle file")
        browse.clicked.connect(self._choose_file)
        self.finish_button = QPushButton("Finish", self.panel)
        self.finish_button.setAccessibleName("Finish the transfer")
        self.finish_button.setToolTip("Write the bundle and close the family here as "
                                      "transferred")
        self.finish_button.clicked.connect(self._finish)
        file_row.addWidget(QLabel("Save bundle as", self.panel))
        file_row.addWidget(self.out, 1)
        file_row.addWidget(browse)
        file_row.addWidget(self.finish_button)
        for item in (self.summary, self.answers):
            box.addWidget(item)
        box.addLayout(answer_row)
        box.addLayout(file_row)

    # --- loading ---------------------------------------------------------------------------
    def _load(self, s: Session) -> TransferState:
        transfers = s.transfers
        current = transfers.current(self.family_id)
        return TransferState(
            [(p.vault_id, p.team) for p in s.partners.all() if not p.removed],
            current.to_json() if current is not None else None,
            transfers.may_start(self.family_id),
            [x.value for x in s.records.readable_sections()])

    def _fill(self, state: TransferState) -> None:
        self.state = state
        t = state.transfer
        self.start_box.setVisible(t is None and state.may_start)
        self.panel.setVisible(t is not None)
        if t is None:
            self.partner.clear()
            for vault_id, team in state.partners:
                self.partner.addItem(team, vault_id)
            if not state.may_start:
                self.show_message("Only the family's case owner, a team manager or a senior "
                                  "social worker can start a transfer.", error=True)
            elif not state.partners:
                self.show_message("There are no partners yet: the owner or a team manager "
                                  "adds them under Sharing, Partners.", error=True)
            self.start_button.setEnabled(bool(state.partners))
            return
        self.summary.setText(f"To {t['team']}. Purpose: {t['purpose']}. "
                             + ("Everyone has answered: finish to send it."
                                if t["state"] == "ready" else
                                f"Still to answer: {', '.join(map(_title, t['waiting_for']))}."))
        self.answers.clear()
        for a in t["answers"]:
            if a["answer"] is None:
                line = f"{_title(a['section'])}: waiting for a holder to answer"
            elif a["answer"] == "added":
                line = f"{_title(a['section'])}: added by {a['by']} on {a['on']}"
            else:
                line = (f"{_title(a['section'])}: declined by {a['by']} on {a['on']} "
                        f"({a['reason']})")
            self.answers.addItem(line)
        mine = [x for x in t["waiting_for"] if x in state.holds]
        self.section.clear()
        for section in mine:
            self.section.addItem(_title(section), section)
        for widget in (self.section, self.reason, self.add_button, self.decline_button):
            widget.setEnabled(bool(mine))
        self.finish_button.setEnabled(t["state"] == "ready")

    # --- acting ----------------------------------------------------------------------------
    def _start(self) -> None:
        partner = str(self.partner.currentData() or "")
        purpose, basis, family = self.purpose.text(), self.lawful_basis.text(), self.family_id

        def start(s: Session) -> TransferState:
            s.transfers.start(family, to=partner, purpose=purpose, lawful_basis=basis)
            return self._load(s)

        self.start_button.setEnabled(False)
        self.run(start, self._done("Transfer started: each section's holders answer next."))

    def _answer(self, *, add: bool) -> None:
        t = (self.state.transfer if self.state is not None else None) or {}
        section, reason = str(self.section.currentData() or ""), self.reason.text()
        transfer_id = str(t.get("id", ""))

        def answer(s: Session) -> TransferState:
            if add:
                s.transfers.add_section(transfer_id, section)
            else:
                s.transfers.decline(transfer_id, section, reason)
            return self._load(s)

        self.add_button.setEnabled(False)
        self.decline_button.setEnabled(False)
        done = "added to the transfer" if add else "declined"
        self.run(answer, self._done(f"{_title(section) if section else 'Section'} {done}."))

    def _done(self, text: str) -> Any:
        def done(state: TransferState) -> None:
            self.reason.clear()
            self._fill(state)
            self.show_message(text)
        return done

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save bundle as", "",
                                              "Workbook bundles (*.wbb)")
        if path:
            self.out.setText(path)

    def _finish(self) -> None:
        out = self.out.text().strip()
        if not out:
            self.show_message("Choose where to save the bundle.", error=True)
            return
        transfer_id = str(((self.state.transfer if self.state else None) or {}).get("id", ""))
        self.finish_button.setEnabled(False)
        self.show_message("Writing the bundle…")
        self.run(lambda s: s.transfers.finish(transfer_id, Path(out).expanduser()),
                 self._finished)

    def _finished(self, result: FinishResult) -> None:
        self.result_value = result
        self.panel.setEnabled(False)
        self.show_message(f"Sent {result.versions} versions to {result.team}: give them the "
                          f"file {Path(result.out).name}. The family is closed here as "
                          f"{result.closed} and can no longer be changed.")

    def wipe(self) -> None:
        """At lock: the answers (names and reasons) and the choices go with the fields."""
        super().wipe()
        self.state = None
        self.answers.clear()
        self.section.clear()
        self.partner.clear()

    def work_failed(self) -> None:
        if self.state is not None:
            self._fill(self.state)


def add_transfer_button(view: Any) -> QPushButton:
    """"Transfer to another organisation…" beside the family view's tools. Everyone may open
    it (a section's holder answers there); starting it is for the case owner or a supervisor,
    which the service decides and the dialog says."""
    button = add_family_tool(view, "Transfer to another organisation…",
                             "Transfer to another organisation",
                             "Hand this family's whole workbook to a partner organisation",
                             TransferDialog, row=view.case_tools.row,
                             before=view.case_tools.close_button)
    view.transfer_button = button
    return button
