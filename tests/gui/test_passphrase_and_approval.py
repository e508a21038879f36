"""A newcomer's first sign-in (P4, P5): replace the initial passphrase (the rule shown is the
core's), see the fingerprint large, read it to an approver, who approves it from home with the
fingerprint typed into a prompt; a wrong fingerprint is refused and grants nothing."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from shell_support import INITIAL, PASSES, lock_and_wait, sign_in_to_home, submit_sign_in

from workbook.domain.passphrase import TOO_SHORT, describe_rule
from workbook.services.home.overview import NO_KEYS_NOTE
from workbook.ui.main_window import MainWindow

NEW_PASSPHRASE = "nia chooses her own long phrase"


def _start_replacement(qtbot: Any, window: MainWindow) -> None:
    submit_sign_in(qtbot, window, "new1", INITIAL)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.replace_page,
                    timeout=20_000)


def _replace(qtbot: Any, window: MainWindow, current: str, new: str, repeat: str) -> None:
    page = window.replace_page
    for field, text in ((page.current, current), (page.new, new), (page.repeat, repeat)):
        field.clear()
        qtbot.keyClicks(field, text)
    qtbot.keyClick(page.repeat, Qt.Key.Key_Return)


def test_initial_passphrase_must_be_replaced_and_shows_the_fingerprint(
        qtbot: Any, window: MainWindow) -> None:
    _start_replacement(qtbot, window)
    page = window.replace_page
    assert page.rule.text() == describe_rule()
    assert window.windowTitle() == "Nia Newcomer"
    assert not window.top_bar.home_button.isVisible()

    _replace(qtbot, window, INITIAL, "short", "short")
    assert page.message.isVisible() and page.message.text() == TOO_SHORT
    assert TOO_SHORT in page.problems.text()

    _replace(qtbot, window, INITIAL, NEW_PASSPHRASE, NEW_PASSPHRASE + " typo")
    assert page.message.text() == "The two new passphrases are not the same."

    _replace(qtbot, window, "not the initial one at all", NEW_PASSPHRASE, NEW_PASSPHRASE)
    qtbot.waitUntil(lambda: page.message.text() == "The current passphrase is not correct.",
                    timeout=10_000)

    _replace(qtbot, window, INITIAL, NEW_PASSPHRASE, NEW_PASSPHRASE)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.fingerprint_page,
                    timeout=20_000)
    shown = window.fingerprint_page.fingerprint.text()
    assert re.fullmatch(r"\d{4}( {2}\d{4}){4}", shown), shown
    assert "read" in window.fingerprint_page.intro.text().lower()
    assert window.fingerprint_page.fingerprint.font().pointSizeF() > \
        window.fingerprint_page.intro.font().pointSizeF() * 2
    assert page.current.text() == page.new.text() == page.repeat.text() == ""

    with qtbot.waitSignal(window.home_loaded, timeout=20_000):
        qtbot.mouseClick(window.fingerprint_page.continue_button, Qt.MouseButton.LeftButton)
    assert window.home_page.note.text() == NO_KEYS_NOTE


def test_approving_a_colleague_with_the_fingerprint_they_read_out(
        qtbot: Any, window: MainWindow, monkeypatch: Any) -> None:
    _start_replacement(qtbot, window)
    _replace(qtbot, window, INITIAL, NEW_PASSPHRASE, NEW_PASSPHRASE)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.fingerprint_page,
                    timeout=20_000)
    read_out = window.fingerprint_page.fingerprint.text()
    lock_and_wait(qtbot, window)

    sign_in_to_home(qtbot, window, "tm", PASSES["tm"])
    page = window.home_page
    qtbot.waitUntil(page.approvals_panel.isVisible, timeout=10_000)
    model = page.approvals_model
    names = [model.index(r, model.COL_NAME).data() for r in range(model.rowCount())]
    assert "Nia Newcomer" in names
    row = names.index("Nia Newcomer")
    assert model.index(row, model.COL_ROLE).data() == "Social worker"
    assert model.index(row, model.COL_SECTIONS).data().startswith("Identity check, Household")
    view = page.approvals_panel.view
    assert view is not None
    view.selectRow(row)

    # A wrong fingerprint (someone else's screen, or a planted key) is refused.
    prompts: list[str] = []

    def typed(answer: str) -> Any:
        def get_text(_parent: Any, _title: str, label: str, *_args: Any) -> tuple[str, bool]:
            prompts.append(label)
            return answer, True
        return get_text

    monkeypatch.setattr(QInputDialog, "getText", typed("1111 2222 3333 4444 5555"))
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.approval_message.isVisible, timeout=10_000)
    assert "does not match" in page.approval_message.text()
    assert "Nia Newcomer" in prompts[0] and "read out the fingerprint" in prompts[0]
    assert "Nia Newcomer" in [r.full_name for r in model.rows()]

    # The fingerprint as read aloud (spaces do not matter) grants the keys.
    monkeypatch.setattr(QInputDialog, "getText", typed(read_out.replace("  ", " ")))
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.approval_message.text().startswith("Approved"),
                    timeout=10_000)
    assert "Household" in page.approval_message.text()
    qtbot.waitUntil(lambda: "Nia Newcomer" not in [r.full_name for r in model.rows()],
                    timeout=10_000)
    lock_and_wait(qtbot, window)

    # The newcomer now sees families.
    sign_in_to_home(qtbot, window, "new1", NEW_PASSPHRASE)
    assert not window.home_page.note.isVisible()
    qtbot.waitUntil(lambda: window.home_page.recent_model.rowCount() > 0, timeout=10_000)
