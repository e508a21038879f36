"""The backup reminder on home, for the owner and administrators."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class BackupReminder(QFrame):
    """Shown when the service says a backup is overdue; dismissing hides it until next time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 12, 10)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Backup reminder")
        self.backup_button = QPushButton("Back up now…")
        self.backup_button.setAccessibleName("Make a backup now")
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss the backup reminder")
        layout.addWidget(self.text, 1)
        layout.addWidget(self.backup_button)
        layout.addWidget(self.dismiss)
        self.dismiss.clicked.connect(self.hide)
        self.hide()

    def set_text(self, text: str, offer_backup: bool = True) -> None:
        self.text.setText(text)
        self.backup_button.setVisible(offer_backup)
        self.setVisible(bool(text))
