"""A passphrase field that tells the accessibility bus nothing of what is typed.

Qt's QLineEdit sends an accessibility text event for every change, with the changed text in
it, whatever its echo mode (qwidgetlinecontrol.cpp: `QAccessibleTextInsertEvent(..., s)` on
each insert, a remove event with the whole text when the field is cleared). On Linux the
AT-SPI bridge forwards them as `object:text-changed` signals carrying that text, so anything
listening on the session's accessibility bus hears each character typed and, on clearing, the
whole passphrase. The bridges (AT-SPI, UI Automation) only send text events for an object
that has a text interface, so a passphrase field is given an accessible interface without one:
screen readers still find "Passphrase, password text" (its name, role, description and state),
and the text itself, its changes and its value are never on the bus. The factory is installed
by the first field made, before anything can ask for that field's interface."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget, QLineEdit, QWidget

_installed = False


class PassphraseField(QLineEdit):
    """A masked line edit whose text never reaches assistive technology (see the module)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        quiet_passphrases()
        self.setEchoMode(QLineEdit.EchoMode.Password)


class _QuietPassphrase(QAccessibleWidget):
    """A password text with a name, a description and a state, and no text interface."""

    def __init__(self, field: PassphraseField) -> None:
        super().__init__(field, QAccessible.Role.EditableText)

    def state(self) -> QAccessible.State:
        state = super().state()
        state.passwordEdit = True
        state.editable = True
        return state

    def text(self, kind: QAccessible.Text) -> str:
        # No value: not the text, not even a mask as long as it.
        return "" if kind == QAccessible.Text.Value else super().text(kind)


def _factory(_class_name: str, widget: QObject) -> QAccessibleInterface | None:
    if isinstance(widget, PassphraseField):
        return _QuietPassphrase(widget)
    return None


def quiet_passphrases() -> None:
    """Have Qt ask this module first for a passphrase field's accessible interface."""
    global _installed  # noqa: PLW0603 - one factory for the process, installed once
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True
