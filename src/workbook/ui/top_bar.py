"""The bar across the top of the signed-in window: the app's name, Home, each area's button,
who is signed in, and Lock."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from workbook.ui.lock import LOCK_SHORTCUT
from workbook.ui.sign_in_page import scaled_label
from workbook.ui.widgets.a11y import describe

APP_TITLE = "Workbook"


class TopBar(QFrame):
    """The app's name, Home, the areas' buttons, who is signed in and Lock."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topbar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 8, 16, 8)
        layout.setSpacing(10)
        self._layout = layout
        self._area_buttons = 0
        self.app_name = scaled_label(APP_TITLE, 1.15, True)
        self.app_name.setWordWrap(False)
        self.home_button = QPushButton("Home")
        self.home_button.setAccessibleName("Home")
        self.home_button.setToolTip("Back to home (Alt+Home)")
        self.person = QLabel()
        self.person.setObjectName("subtle")
        describe(self.person, "Signed in as")
        self.lock_button = QPushButton("Lock")
        self.lock_button.setAccessibleName("Lock Workbook")
        self.lock_button.setToolTip(f"Lock now ({LOCK_SHORTCUT}); sign in again to continue, "
                                    "or let a colleague sign in")
        layout.addWidget(self.app_name)
        layout.addSpacing(12)
        layout.addWidget(self.home_button)
        layout.addStretch(1)
        layout.addWidget(self.person)
        layout.addSpacing(6)
        layout.addWidget(self.lock_button)

    def add_area_button(self, button: QPushButton) -> None:
        """After Home and the buttons of the areas added before it."""
        self._area_buttons += 1
        self._layout.insertWidget(self._layout.indexOf(self.home_button) + self._area_buttons,
                                  button)
