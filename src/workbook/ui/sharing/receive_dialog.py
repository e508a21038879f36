"""Receive a bundle: choose the file, verify and preview (families, new and changed entries,
conflicts; nothing changed yet), then apply in one transaction with progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.sequence_gaps import listed
from workbook.services.session import Session
from workbook.services.sharing.receiving import Preview
from workbook.ui.operations import Operations
from workbook.ui.sharing.base import SharingDialog


class _Progress(QObject):
    """Carries progress from the worker thread to the GUI thread (a queued signal)."""

    moved = Signal(int, int)


def describe(preview: Preview, applied: bool) -> str:
    if preview.already_received:
        return (f"Already received: this bundle from {preview.team} was applied before. "
                "Nothing changed.")
    verb = "Added" if applied else "Will add"
    lines = [f"From {preview.team} (bundle number {preview.sequence}), verified.",
             f"Families: {len(preview.families)}",
             f"{verb}: {len(preview.new)} new records, changes to {len(preview.changed)}",
             f"Conflicts: {len(preview.conflicts)}"
             + (" (shown in the family, to resolve)" if preview.conflicts else ""),
             f"Already here: {preview.known_versions} versions"]
    decision = preview.decision
    if decision:
        lines.append(f"Purpose: {decision.get('purpose', '')}; lawful basis: "
                     f"{decision.get('lawful_basis', '')}; consent: "
                     f"{str(decision.get('consent', '')).replace('-', ' ')}")
    if preview.missing_sequences:
        lines.append("Earlier bundles not received yet: numbers "
                     + listed(preview.missing_sequences, preview.missing_count)
                     + " (they can still arrive in any order)")
    return "\n".join(lines)


class ReceiveDialog(SharingDialog):
    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(ops, "Receive a bundle", parent)
        self.preview_value: Preview | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit(self)
        self.path.setAccessibleName("Bundle file")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._choose)
        self.verify_button = QPushButton("Verify and preview", self)
        self.verify_button.clicked.connect(self.verify)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        row.addWidget(self.verify_button)
        layout.addLayout(row)
        self.summary = QPlainTextEdit(self)
        self.summary.setReadOnly(True)
        self.summary.setAccessibleName("Preview")
        layout.addWidget(self.summary, 1)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Progress")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(self)
        self.apply_button = self.buttons.addButton("Apply",
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._progress = _Progress(self)
        self._progress.moved.connect(self._moved)
        self.resize(620, 420)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Receive a bundle", "",
                                              "Workbook bundles (*.wbb);;All files (*)")
        if path:
            self.path.setText(path)

    def verify(self) -> None:
        path = Path(self.path.text().strip()).expanduser()
        self.apply_button.setEnabled(False)
        self.summary.clear()
        self.show_message("Verifying…")
        self.run(lambda s: s.receiving.preview(path), self._previewed)

    def _previewed(self, preview: Preview) -> None:
        self.preview_value = preview
        self.summary.setPlainText(describe(preview, applied=False))
        self.show_message("" if preview.already_received else
                          "Nothing has changed yet. Apply to add it to this vault.")
        self.apply_button.setEnabled(not preview.already_received)

    def apply(self) -> None:
        path = Path(self.path.text().strip()).expanduser()
        signal = self._progress.moved
        self.apply_button.setEnabled(False)
        self.verify_button.setEnabled(False)
        self.show_message("Applying…")

        def receive(s: Session) -> Preview:
            return s.receiving.receive(path, progress=signal.emit)

        self.run(receive, self._applied)

    def work_failed(self) -> None:
        self.verify_button.setEnabled(True)
        self.progress.setValue(0)

    def _moved(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setValue(int(100 * done / total))

    def _applied(self, preview: Preview) -> None:
        self.preview_value = preview
        self.progress.setValue(100)
        self.summary.setPlainText(describe(preview, applied=preview.applied))
        self.show_message("Received." if preview.applied else "")
        self.verify_button.setEnabled(True)
