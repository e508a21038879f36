"""The Replicas page, for the owner and team managers: join requests waiting with their
fingerprints (approve after comparing, by typing the digits the new PC shows), and the team's
replicas with when each was last seen (retire a lost or replaced one, giving the reason).
Everything shown and done goes through `session.replicas` on the worker."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.display import uk_date
from workbook.ui.operations import Operations
from workbook.ui.replicas.fork_box import ForkBox
from workbook.ui.sign_in_page import scaled_label

PENDING_COLUMNS = ("PC", "Fingerprint", "Asked on")
REPLICA_COLUMNS = ("PC", "Status", "Last seen")


def when(stamp: object) -> str:
    text = str(stamp or "")
    return f"{uk_date(text[:10])} {text[11:16]}".strip() if text else "never"


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ReplicasPage(QWidget):
    back_requested = Signal()

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.pending: list[dict[str, str]] = []
        self.replicas: list[dict[str, Any]] = []
        explain = QLabel(
            "Every PC of the team holds the same vault and keeps it in step through the team's "
            "sync folder. Approve a new PC only after comparing the five groups of digits it "
            "shows with the ones listed here.")
        explain.setWordWrap(True)
        self.pending_table = _table(PENDING_COLUMNS, "Join requests waiting")
        self.fingerprint = QLineEdit()
        self.fingerprint.setAccessibleName("Fingerprint the new PC shows")
        self.fingerprint.setPlaceholderText("the digits the new PC shows")
        self.approve_button = QPushButton("Approve")
        self.replica_table = _table(REPLICA_COLUMNS, "This vault's PCs")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for retiring")
        self.reason.setPlaceholderText("why this PC is retired (lost, stolen, replaced)")
        self.retire_button = QPushButton("Retire")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Replicas message")
        back = QPushButton("Back to Home")
        self.fork = ForkBox(ops)
        self.fork.resolved.connect(self._after)
        layout = QVBoxLayout(self)
        layout.addWidget(scaled_label("Replicas", 1.7, True, "heading"))
        layout.addWidget(explain)
        layout.addWidget(self.fork)
        layout.addWidget(QLabel("Join requests waiting"))
        layout.addWidget(self.pending_table)
        row = QHBoxLayout()
        row.addWidget(self.fingerprint, 1)
        row.addWidget(self.approve_button)
        layout.addLayout(row)
        layout.addWidget(QLabel("This vault's PCs"))
        layout.addWidget(self.replica_table)
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.retire_button)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(back)
        back.clicked.connect(self.back_requested)
        self.approve_button.clicked.connect(self.approve)
        self.retire_button.clicked.connect(self.retire)

    def refresh(self) -> None:
        def load(session: Any) -> tuple[list[dict[str, str]], list[dict[str, Any]], Any]:
            fork = session.replicas.fork()
            return ([r.to_json() for r in session.replicas.pending()],
                    session.replicas.listing(), fork.to_json() if fork else None)

        self.ops.run(load, on_done=self._show, on_error=self.message.setText)

    def _show(self, result: Any) -> None:
        self.pending, self.replicas, fork = result
        self.fork.show_fork(fork)
        self.pending_table.setRowCount(len(self.pending))
        for row, item in enumerate(self.pending):
            for column, text in enumerate((item["name"], item["fingerprint"],
                                           when(item["at"]))):
                self.pending_table.setItem(row, column, QTableWidgetItem(text))
        self.replica_table.setRowCount(len(self.replicas))
        for row, rep in enumerate(self.replicas):
            seen = "this PC" if rep["this"] else when(rep["last_seen"])
            for column, text in enumerate((rep["name"], rep["status"], seen)):
                self.replica_table.setItem(row, column, QTableWidgetItem(text))

    def _selected(self, table: QTableWidget, rows: list[Any]) -> Any | None:
        index = table.currentRow()
        return rows[index] if 0 <= index < len(rows) else None

    def approve(self) -> None:
        asked = self._selected(self.pending_table, self.pending)
        if asked is None:
            self.message.setText("Choose the join request to approve.")
            return
        typed = self.fingerprint.text()
        self.ops.run(lambda s: (s.replicas.approve(asked["request"], typed),
                                s.replicas.vault_fingerprint())[1],
                     on_done=lambda vault: self._after(
                         f"Approved {asked['name']}: it completes the join when it next "
                         f"syncs, then shows this vault fingerprint: {vault}. Read it with "
                         "the person at the new PC; if it differs, that PC joined another "
                         "vault."),
                     on_error=self.message.setText)

    def retire(self) -> None:
        chosen = self._selected(self.replica_table, self.replicas)
        if chosen is None:
            self.message.setText("Choose the PC to retire.")
            return
        reason = self.reason.text()
        self.ops.run(lambda s: s.replicas.retire(chosen["id"], reason),
                     on_done=lambda _r: self._after(f"Retired {chosen['name']}: its later "
                                                    "files are refused on every PC."),
                     on_error=self.message.setText)

    def _after(self, text: str) -> None:
        self.fingerprint.clear()
        self.reason.clear()
        self.message.setText(text)
        self.refresh()

    def clear(self) -> None:
        self.pending, self.replicas = [], []
        self.pending_table.setRowCount(0)
        self.replica_table.setRowCount(0)
        self.fork.show_fork(None)
        self.fingerprint.clear()
        self.reason.clear()
        self.message.setText("")
