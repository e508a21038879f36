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
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss the backup reminder")
        layout.addWidget(self.text, 1)
        layout.addWidget(self.dismiss)
        self.dismiss.clicked.connect(self.hide)
        self.hide()

    def set_text(self, text: str) -> None:
        self.text.setText(text)
        self.setVisible(bool(text))
