"""Screen readers (issue 14, item 11): the sign-in page's Tab order follows the screen, and a
passphrase field tells assistive technology its name, role and state but nothing typed: its
accessible interface (what AT-SPI and UI Automation read) has no text, no editable text and no
value, so the bridges send no text events for it (tests/gui/test_atspi.py listens on the real
bus)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAccessible
from reading_order import focus_chain, names, out_of_reading_order
from shell_support import INITIAL, submit_sign_in

from workbook.ui.main_window import MainWindow
from workbook.ui.widgets.passphrase_field import PassphraseField

TYPED = "QZ7JW9XK"  # no character of its name or description


def test_tab_on_the_sign_in_page_follows_the_screen(qtbot: Any, window: MainWindow) -> None:
    page = window.sign_in_page
    chain = focus_chain(page, page.username)
    assert names(chain) == ["Username", "Passphrase", "Sign in"]
    assert out_of_reading_order(page, chain) == []


def test_a_passphrase_field_offers_no_text_to_assistive_technology(qtbot: Any,
                                                                   window: MainWindow) -> None:
    field = window.sign_in_page.passphrase
    assert isinstance(field, PassphraseField)
    qtbot.keyClicks(field, TYPED)
    assert field.text() == TYPED             # the field itself works as before
    interface = QAccessible.queryAccessibleInterface(field)
    assert interface.role() == QAccessible.Role.EditableText
    assert interface.state().passwordEdit and interface.state().editable
    assert interface.text(QAccessible.Text.Name) == "Passphrase"
    assert interface.text(QAccessible.Text.Description) == "Your passphrase"
    assert interface.textInterface() is None
    assert interface.editableTextInterface() is None
    assert interface.valueInterface() is None
    for kind in QAccessible.Text:
        said = interface.text(kind)
        assert not set(said) & set(TYPED), (kind, said)
    # The username field keeps its text interface: only passphrases are quiet.
    username = QAccessible.queryAccessibleInterface(window.sign_in_page.username)
    assert username.textInterface() is not None


def test_every_passphrase_field_is_quiet(qtbot: Any, window: MainWindow) -> None:
    submit_sign_in(qtbot, window, "new1", INITIAL)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.replace_page,
                    timeout=20_000)
    page = window.replace_page
    for field in (page.current, page.new, page.repeat):
        assert isinstance(field, PassphraseField)
        interface = QAccessible.queryAccessibleInterface(field)
        assert interface.textInterface() is None and interface.state().passwordEdit
    chain = focus_chain(page, page.current)
    assert names(chain)[:3] == ["Current passphrase", "New passphrase",
                                "Repeat new passphrase"]
    assert out_of_reading_order(page, chain) == []
