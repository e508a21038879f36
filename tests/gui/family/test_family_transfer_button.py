"""The family page's "Transfer to another organisation…" opens the transfer panel for the
family shown; with no partner pinned it says how to get one, and a lock closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from shiboken6 import isValid

from support.qt_wait import pump
from workbook.ui.sharing.transfer_dialog import TransferDialog


def test_the_button_opens_the_panel_for_the_family(driver) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    driver.open()
    button = driver.view.transfer_button
    assert button.isVisible() and button.accessibleName() == "Transfer to another organisation"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in driver.view._dialogs if isinstance(d, TransferDialog)]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.family_id == driver.fv.family_id
    pump(lambda: dialog.state is not None)
    assert dialog.start_box.isVisible()
    assert "There are no partners yet" in dialog.message.text()
    assert not dialog.start_button.isEnabled()
    driver.lock()
    pump(lambda: not isValid(dialog) or not dialog.isVisible())  # a lock closes (or deletes) it
