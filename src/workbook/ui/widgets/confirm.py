"""Asking before a step that cannot be taken back (discarding a draft, marking an entry as an
urgent concern): the safe answer is the default, so a stray Enter does nothing."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask(parent: QWidget, title: str, question: str, yes_text: str) -> bool:
    """True when the person chose `yes_text`; Cancel (the default) and Escape say no."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is yes
