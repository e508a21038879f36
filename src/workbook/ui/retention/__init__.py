"""The operations area of the desktop app: the backup reminder on home and the disposal
review page. `install(window)` wires both into the main window, so the window itself needs
one line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QBoxLayout, QFileDialog, QPushButton, QWidget

from workbook.domain.acts import Act, may
from workbook.services import backup
from workbook.ui.retention.disposal_page import DisposalReviewPage
from workbook.ui.retention.reminder import BackupReminder

if TYPE_CHECKING:
    from workbook.ui.main_window import MainWindow


class RetentionArea:
    """Holds the area's widgets; everything it shows comes from services on the worker."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.reminder = BackupReminder()
        home = _box(window.home_page)
        home.insertWidget(home.indexOf(window.home_page.banner) + 1, self.reminder)
        self.page = DisposalReviewPage(window.ops)
        window.stack.addWidget(self.page)
        self.button = QPushButton("Disposal review")
        self.button.setAccessibleName("Disposal review")
        self.button.setToolTip("Closed families past their retention period")
        self.button.hide()
        bar = _box(window.top_bar)
        bar.insertWidget(bar.indexOf(window.top_bar.home_button) + 1, self.button)
        self.button.clicked.connect(self.show_review)
        self.reminder.backup_button.clicked.connect(self.ask_backup)
        self.page.back_requested.connect(window.show_home)
        window.home_loaded.connect(self._on_home)
        window.lock_finished.connect(self.clear)

    def _on_home(self) -> None:
        person = self.window.person
        # Showing the button is a convenience; the services decide who may review.
        self.button.setVisible(person is not None and may(person.role, Act.REVIEW_DISPOSALS))
        self.window.ops.run(backup.backup_overdue, on_done=self._show_reminder,
                            on_error=lambda _m: None)

    def _show_reminder(self, text: Any) -> None:
        if self.window.signed_in:
            self.reminder.set_text(str(text))

    def ask_backup(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self.window, "Save a backup of the vault", "workbook-backup.wbk",
            "Workbook backup (*.wbk)")
        if path:
            self.backup_to(Path(path))

    def backup_to(self, path: Path) -> None:
        """Make a backup on the worker; the reminder then says where it went, or why not."""
        self.window.ops.run(
            lambda s: backup.make_backup(s, path),
            on_done=lambda info: self.reminder.set_text(
                f"Backup {info.backup_id} saved to {path}. Keep it somewhere safe and "
                "separate from this PC.", offer_backup=False),
            on_error=lambda message: self.reminder.set_text(
                f"The backup was not made: {message}"))

    def show_review(self) -> None:
        if not self.window.signed_in:
            return
        self.window.stack.setCurrentWidget(self.page)
        person = self.window.person
        self.page.refresh(person.role if person is not None else "")

    def clear(self) -> None:
        self.button.hide()
        self.reminder.set_text("")
        self.page.clear()


def _box(widget: QWidget) -> QBoxLayout:
    layout = widget.layout()
    assert isinstance(layout, QBoxLayout)
    return layout


def install(window: MainWindow) -> RetentionArea:
    return RetentionArea(window)
