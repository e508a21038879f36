"""The sync status in the window's status bar, and the background sync behind it.

A sync runs on the worker (never on the GUI thread) every 30 seconds while someone is signed in
on a vault that has a sync folder, two seconds after a save, and when the person presses Sync
now. The line says when the
last sync succeeded ("Synced 1 min ago"), or the service's own sentence when the folder cannot
be reached ("Working offline: ..."), or that files were refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from workbook.services.replicas.syncing import SyncReport
from workbook.ui.operations import Operations

SYNC_EVERY_MS = 30_000
AFTER_SAVE_MS = 2_000  # a burst of saves (an import, a review) makes one sync
REFRESH_EVERY_MS = 60_000  # "Synced N min ago" counts on between syncs (none while offline)
# Core facts that are not a change of the vault's content, so no reason to sync.
NOT_SAVES = frozenset({"synced", "locked", "signed_out", "backup_made"})


def synced_text(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "Synced just now"
    if minutes < 60:
        return f"Synced {minutes} min ago"
    return f"Synced {minutes // 60} h ago"


class SyncStatus(QWidget):
    """The line and the Sync now button; hidden on a vault without a sync folder."""

    synced = Signal(object)  # the SyncReport of a sync that finished

    def __init__(self, ops: Operations, now: Callable[[], float] = time.monotonic,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.now = now
        self.last_success: float | None = None
        self.problem = ""
        self.running = False
        self.manages = False  # an owner or team manager: told where to resolve a fork
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QLabel()
        self.text.setAccessibleName("Sync status")
        self.sync_now = QPushButton("Sync now")
        self.sync_now.setAccessibleName("Sync now")
        self.sync_now.setToolTip("Send this PC's changes and read the other PCs'")
        layout.addWidget(self.text)
        layout.addWidget(self.sync_now)
        self.sync_now.clicked.connect(self.start)
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_EVERY_MS)
        self.timer.timeout.connect(self.start)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(AFTER_SAVE_MS)
        self.soon.timeout.connect(self.start)
        # The line's age moves on by itself: without it "Synced just now" stayed until the
        # next sync, and while syncs fail it would never say how old the last success is.
        self.ticker = QTimer(self)
        self.ticker.setInterval(REFRESH_EVERY_MS)
        self.ticker.timeout.connect(self.refresh)
        self.hide()

    def fact(self, name: str, _payload: dict[str, Any]) -> None:
        """A core fact (the window's event bridge): after a save, sync shortly."""
        if name not in NOT_SAVES and self.isVisible():
            self.soon.start()

    def begin(self) -> None:
        """After sign-in: show and start only if this vault has a sync folder."""
        self.ops.run(lambda s: s.replicas.is_set_up(), on_done=self._set_up,
                     on_error=lambda _m: None)

    def _set_up(self, set_up: Any) -> None:
        if not set_up:
            return
        self.show()
        self.timer.start()
        self.ticker.start()
        self.start()

    def start(self) -> None:
        if self.running or not self.isVisible():
            return
        self.running = True
        self.sync_now.setEnabled(False)
        self.ops.run(lambda s: s.replicas.sync(), on_done=self._done, on_error=self._failed,
                     background=True)

    def _done(self, report: Any) -> None:
        self.running = False
        self.sync_now.setEnabled(True)
        self.last_success = self.now()
        refused = len(report.refused) if isinstance(report, SyncReport) else 0
        self.problem = (f"; {refused} file(s) refused: tell your team manager"
                        if refused else "")
        if isinstance(report, SyncReport) and report.forks:
            self.problem += ("; accounts were changed on two PCs at once: " + (
                "resolve it on the Replicas page" if self.manages else "tell your team manager"))
        self.refresh()
        self.synced.emit(report)

    def _failed(self, message: str) -> None:
        self.running = False
        self.sync_now.setEnabled(True)
        self.last_success = None
        self.text.setText(message)

    def refresh(self) -> None:
        if self.last_success is not None:
            self.text.setText(synced_text(self.now() - self.last_success) + self.problem)

    def stop(self) -> None:
        self.timer.stop()
        self.soon.stop()
        self.ticker.stop()
        self.running = False
        self.last_success = None
        self.problem = ""
        self.text.setText("")
        self.sync_now.setEnabled(True)
        self.hide()
