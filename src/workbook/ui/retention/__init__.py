"""The operations area of the desktop app: the backup reminder on home and the disposal
review page, as one area of the main window (`MainWindow.add_area`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QPushButton

from workbook.domain.acts import Act, may
from workbook.services.upkeep import backup
from workbook.ui.retention.disposal_page import DisposalReviewPage
from workbook.ui.retention.reminder import BackupReminder

if TYPE_CHECKING:
    from workbook.ui.area import AreaHost
    from workbook.ui.signed_in import SignedInPerson


class RetentionArea:
    """Holds the area's widgets; everything it shows comes from services on the worker."""

    def __init__(self, host: AreaHost) -> None:
        self.host = host
        self.reminder = BackupReminder()
        self.home_notice = self.reminder
        self.page = DisposalReviewPage(host.ops)
        self.button = QPushButton("Disposal review")
        self.button.setAccessibleName("Disposal review")
        self.button.setToolTip("Closed families past their retention period")
        self.button.hide()
        self.button.clicked.connect(self.show_review)
        self.reminder.backup_button.clicked.connect(self.ask_backup)
        self.page.back_requested.connect(host.show_home)

    def on_signed_in(self, person: SignedInPerson) -> None:
        # Showing the button is a convenience; the services decide who may review.
        self.button.setVisible(may(person.role, Act.REVIEW_DISPOSALS))
        self.host.ops.run(backup.backup_overdue, on_done=self._show_reminder,
                          on_error=lambda _m: None)

    def _show_reminder(self, text: Any) -> None:
        if self.host.signed_in:
            self.reminder.set_text(str(text))

    def ask_backup(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self.host.window, "Save a backup of the vault", "workbook-backup.wbk",
            "Workbook backup (*.wbk)")
        if path:
            self.backup_to(Path(path))

    def backup_to(self, path: Path) -> None:
        """Make a backup on the worker; the reminder then says where it went, or why not."""
        self.host.ops.run(
            lambda s: backup.make_backup(s, path),
            on_done=lambda info: self.reminder.set_text(
                f"Backup {info.backup_id} saved to {path}. Keep it somewhere safe and "
                "separate from this PC.", offer_backup=False),
            on_error=lambda message: self.reminder.set_text(
                f"The backup was not made: {message}"))

    def show_review(self) -> None:
        if not self.host.signed_in:
            return
        self.host.show_page(self.page)
        person = self.host.person()
        self.page.refresh(person.role if person is not None else "")

    def clear(self) -> None:
        self.button.hide()
        self.reminder.set_text("")
        self.page.clear()
