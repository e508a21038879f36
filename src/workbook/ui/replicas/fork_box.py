"""The Replicas page's part for a forked membership log (decision 0009): shown only while two
PCs' account changes stand on two branches. The owner or a team manager presses "Resolve the
fork", reads each branch and the pairs of changes to one person on two branches (the order
decides which stands), and confirms; the merge is signed on the worker by
`session.replicas.resolve_fork`, which checks who may."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbook.ui.operations import Operations


def fork_details(fork: dict[str, Any]) -> str:
    """The branches in the order they will count, then the conflicting pairs."""
    lines = []
    for n, branch in enumerate(fork["branches"], 1):
        lines.append(f"Branch {n} (counts {'first' if n == 1 else 'next'}):")
        lines += [f"  - {change}" for change in branch]
    if fork["pairs"]:
        lines.append("Changes to one person on two branches (they apply in this order):")
        lines += [f"  - {pair}" for pair in fork["pairs"]]
    lines.append("Sign one merge so that every branch's changes count on every PC?")
    return "\n".join(lines)


class ForkBox(QWidget):
    resolved = Signal(str)  # what to tell the person; the page reloads

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.fork: dict[str, Any] | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Membership fork")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAccessibleName("Branches of the fork")
        self.resolve_button = QPushButton("Resolve the fork")
        self.confirm_button = QPushButton("Sign the merge")
        self.cancel_button = QPushButton("Cancel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        row = QHBoxLayout()
        for button in (self.resolve_button, self.confirm_button, self.cancel_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.resolve_button.clicked.connect(self.ask)
        self.confirm_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self._asking_done)
        self.show_fork(None)

    def show_fork(self, fork: dict[str, Any] | None) -> None:
        self.fork = fork
        self.setVisible(fork is not None)
        if fork is not None:
            self.summary.setText(
                f"Accounts were changed on two PCs at once: the team's membership log forked "
                f"at event {fork['event']}, and account changes made since do not count until "
                "it is resolved.")
        self._asking_done()

    def ask(self) -> None:
        if self.fork is None:
            return
        self.details.setText(fork_details(self.fork))
        self.details.show()
        self.resolve_button.hide()
        self.confirm_button.show()
        self.cancel_button.show()

    def _asking_done(self) -> None:
        self.details.hide()
        self.confirm_button.hide()
        self.cancel_button.hide()
        self.resolve_button.show()

    def sign(self) -> None:
        self.confirm_button.setEnabled(False)

        def done(_result: Any) -> None:
            self.confirm_button.setEnabled(True)
            self.resolved.emit("Merge signed: every branch's changes now count here, and on "
                               "the other PCs after their next sync.")

        def failed(message: str) -> None:
            self.confirm_button.setEnabled(True)
            self.resolved.emit(message)

        self.ops.run(lambda s: s.replicas.resolve_fork(), on_done=done, on_error=failed)
