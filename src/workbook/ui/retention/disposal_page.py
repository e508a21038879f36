"""The disposal review page: closed families past retention, for team managers (who propose)
and administrators (who confirm and save the certificate). A family is shown by its reference
to whoever may read households, and otherwise (the administrator) as "closed dd/mm/yyyy, type":
never by its id, never by anything of its content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.acts import Act, may
from workbook.domain.display import uk_date
from workbook.domain.roles import Section
from workbook.services.access.people import People
from workbook.services.session import Session
from workbook.services.upkeep.retention import Disposal, ReviewItem, write_certificate
from workbook.ui.operations import Operations
from workbook.ui.sign_in_page import scaled_label

COLUMNS = ("Family", "Type", "Closed", "Kept until", "Status")


def confirm_and_certify(session: Session, family_id: str, certificate: Path) -> Disposal:
    """Confirm on the worker, then write the certificate to the file the person chose."""
    disposal = session.retention.confirm(family_id)
    write_certificate(session, disposal, certificate)
    return disposal


def references(session: Session) -> dict[str, str]:
    """Family id -> reference, for whoever may read households; {} for anyone else (the
    administrator holds no section key, and is shown no reference)."""
    if not session.records.can_read(Section.HOUSEHOLD.value):
        return {}
    return {f.family_id: f.reference for f in session.families.all() if f.reference}


def family_labels(items: list[ReviewItem], refs: dict[str, str]) -> dict[str, str]:
    """How each family is shown: its reference, or "closed dd/mm/yyyy, type", numbered when
    two are alike so that each row can be told apart."""
    labels = {i.family_id: refs.get(i.family_id)
              or f"closed {uk_date(i.closed_at[:10])}, {i.family_type}" for i in items}
    alike: dict[str, list[str]] = {}
    for family_id, label in labels.items():
        alike.setdefault(label, []).append(family_id)
    for label, ids in alike.items():
        if len(ids) > 1:
            for n, family_id in enumerate(ids, 1):
                labels[family_id] = f"{label} ({n} of {len(ids)})"
    return labels


class DisposalReviewPage(QWidget):
    back_requested = Signal()
    changed = Signal()  # a proposal, withdrawal or disposal finished

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.role = ""
        self.items: list[ReviewItem] = []
        self.labels: dict[str, str] = {}   # family id -> how the family is shown
        title = scaled_label("Disposal review", 1.7, True, "heading")
        self.explain = QLabel(
            "Closed families whose retention period has ended. A team manager proposes a "
            "disposal; an administrator confirms it, which removes the family's content for "
            "good and saves a disposal certificate.")
        self.explain.setWordWrap(True)
        self.show_all = QCheckBox("Show every closed family, not only those due")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Closed families")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.empty = QLabel("No family is past its retention period.")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Disposal review message")
        self.propose_button = QPushButton("Propose disposal")
        self.withdraw_button = QPushButton("Withdraw proposal")
        self.confirm_button = QPushButton("Confirm disposal…")
        self.back_button = QPushButton("Back to home")
        buttons = QHBoxLayout()
        for b in (self.propose_button, self.withdraw_button, self.confirm_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.explain)
        layout.addWidget(self.show_all)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.show_all.toggled.connect(lambda _on: self.refresh(self.role))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.propose_button.clicked.connect(self.propose)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.confirm_button.clicked.connect(self.ask_confirm)
        self.back_button.clicked.connect(self.back_requested.emit)
        self._update_buttons()

    # --- loading ---------------------------------------------------------------------------
    def refresh(self, role: str) -> None:
        self.role = role
        all_closed = self.show_all.isChecked()
        def review(s: Session) -> tuple[list[Any], dict[str, str], dict[str, str]]:
            return (s.retention.review(include_not_due=all_closed),
                    {p.username: p.full_name for p in People(s).everyone()},
                    references(s))

        self.ops.run(review, on_done=self._set_items, on_error=self._show_error)

    def _set_items(self, found: tuple[list[Any], dict[str, str], dict[str, str]]) -> None:
        items, names, refs = found
        self.items = list(items)
        self.labels = family_labels(self.items, refs)
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            proposer = names.get(item.proposed_by, "a former colleague")
            status = (f"Proposed by {proposer}" if item.proposed_by
                      else "Due for review" if item.due else "Kept")
            for col, text in enumerate((self.labels[item.family_id], item.family_type,
                                        uk_date(item.closed_at[:10]),
                                        uk_date(item.dispose_after), status)):
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, col, cell)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not self.items)
        self.table.setVisible(bool(self.items))
        self._update_buttons()

    def clear(self) -> None:
        self.items = []
        self.labels = {}
        self.table.setRowCount(0)
        self.message.clear()
        self.role = ""
        self._update_buttons()

    def selected(self) -> ReviewItem | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.items[row] if 0 <= row < len(self.items) else None

    def select_family(self, family_id: str) -> None:
        for row, item in enumerate(self.items):
            if item.family_id == family_id:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        item = self.selected()
        self.propose_button.setVisible(may(self.role, Act.PROPOSE_DISPOSAL))
        self.confirm_button.setVisible(may(self.role, Act.CONFIRM_DISPOSAL))
        self.withdraw_button.setVisible(may(self.role, Act.REVIEW_DISPOSALS))
        self.propose_button.setEnabled(bool(item and item.due and not item.proposed_by))
        self.withdraw_button.setEnabled(bool(item and item.proposed_by))
        self.confirm_button.setEnabled(bool(item and item.due and item.proposed_by))

    # --- acting ----------------------------------------------------------------------------
    def _show_error(self, message: str) -> None:
        self.message.setText(message)

    def _after(self, text: str) -> None:
        self.message.setText(text)
        self.changed.emit()
        self.refresh(self.role)

    def propose(self) -> None:
        item = self.selected()
        if item is None:
            return
        fid, label = item.family_id, self.labels[item.family_id]
        self.ops.run(lambda s: s.retention.propose(fid),
                     on_done=lambda _r: self._after(f"Disposal of the family {label} proposed; "
                                                    "an administrator confirms it."),
                     on_error=self._show_error)

    def withdraw(self) -> None:
        item = self.selected()
        if item is None:
            return
        fid, label = item.family_id, self.labels[item.family_id]
        self.ops.run(lambda s: s.retention.withdraw(fid),
                     on_done=lambda _r: self._after(f"Proposal for the family {label} "
                                                    "withdrawn."),
                     on_error=self._show_error)

    def ask_confirm(self) -> None:
        item = self.selected()
        if item is None:
            return
        answer = QMessageBox.warning(
            self, "Confirm disposal",
            f"Remove every record of the family {self.labels[item.family_id]} for good? This "
            "cannot be undone. "
            "You will choose where to save the disposal certificate next.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the disposal certificate",
            f"disposal-certificate-closed-{item.closed_at[:10]}.pdf",
            "PDF (*.pdf)")
        if path:
            self.confirm(item.family_id, Path(path))

    def confirm(self, family_id: str, certificate: Path) -> None:
        if certificate.exists() or not certificate.parent.is_dir():
            self._show_error(f"Choose a new file in an existing folder for the certificate "
                             f"(not {certificate}).")
            return
        label = self.labels.get(family_id, "chosen")
        self.ops.run(lambda s: confirm_and_certify(s, family_id, certificate),
                     on_done=lambda d: self._after(
                         f"The family {label} disposed of: {d.versions_removed} record versions "
                         f"removed. Certificate saved to {certificate}."
                         + ("" if d.file_rebuilt else " The vault was too busy to rebuild its "
                            "file now: run `workbook disposal compact` later.")),
                     on_error=self._show_error)
