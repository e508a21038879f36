"""The supervisor's board and the group supervision session (issue 4)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget


def name_controls(root: QWidget) -> None:
    """Give every button without an accessible name its visible text as one (screen readers
    read the name), and the editor inside spin and combo boxes their box's name."""
    for button in root.findChildren(QAbstractButton):
        if not button.accessibleName().strip() and button.text():
            button.setAccessibleName(button.text().replace("&", "").rstrip("…").strip())
    for box in [*root.findChildren(QAbstractSpinBox), *root.findChildren(QComboBox)]:
        for inner in box.findChildren(QLineEdit):
            if not inner.accessibleName():
                inner.setAccessibleName(box.accessibleName())
