"""What the sharing dialogs have in common: work on the worker thread, a message line, and
closing (and forgetting every field) when Workbook locks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPlainTextEdit, QWidget

from workbook.services.session import Session
from workbook.ui.operations import Operations


class SharingDialog(QDialog):
    def __init__(self, ops: Operations, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle(title)
        self.setModal(False)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self._alive = True
        ops.locked.connect(self._on_locked)

    def run(self, fn: Callable[[Session], Any], on_done: Callable[[Any], None]) -> None:
        def done(result: Any) -> None:
            if self._alive:
                on_done(result)

        def failed(text: str) -> None:
            if self._alive:
                self.show_message(text, error=True)
                self.work_failed()

        self.ops.run(fn, done, failed)

    def work_failed(self) -> None:
        """Re-enable what the failed work disabled."""

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setObjectName("danger" if error else "subtle")
        self.message.setStyleSheet("color: #a1260d;" if error else "")

    def _on_locked(self) -> None:
        self.wipe()
        self.reject()

    def wipe(self) -> None:
        self._alive = False
        for child in self.findChildren(QLineEdit):
            child.clear()
        for text in self.findChildren(QPlainTextEdit):
            text.clear()
        for label in self.findChildren(QLabel):
            label.clear()

    def done(self, code: int) -> None:  # noqa: D102 - QDialog.done
        self._alive = False
        try:
            self.ops.locked.disconnect(self._on_locked)
        except (RuntimeError, TypeError):
            pass
        super().done(code)
