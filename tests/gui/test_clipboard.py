"""Text copied out of Workbook is marked as concealed for clipboard managers and cleared after
its timeout (200 ms here; 30 s in use) and on lock - but only while it is still what Workbook
put there."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication
from shell_support import MARKER, lock_and_wait, sign_in_to_home

from workbook.ui.clipboard import (
    CLEAR_AFTER_MS,
    KDE_HINT,
    WINDOWS_EXCLUDE,
    WINDOWS_NO_CLOUD,
    WINDOWS_NO_HISTORY,
    SecureClipboard,
)
from workbook.ui.main_window import MainWindow


def test_copy_is_marked_concealed_and_cleared_after_the_timeout(qtbot: Any) -> None:
    clipboard = SecureClipboard(clear_after_ms=200)
    assert SecureClipboard().clear_after_ms == CLEAR_AFTER_MS == 30_000
    clipboard.copy(f"Zoë {MARKER}")
    system = QGuiApplication.clipboard()
    mime = system.mimeData()
    assert mime.text() == f"Zoë {MARKER}"
    assert bytes(mime.data(KDE_HINT).data()) == b"secret"
    assert bytes(mime.data(WINDOWS_EXCLUDE).data()) == b"1"
    assert bytes(mime.data(WINDOWS_NO_HISTORY).data()) == b"\0\0\0\0"
    assert bytes(mime.data(WINDOWS_NO_CLOUD).data()) == b"\0\0\0\0"
    assert clipboard.holds_ours()
    with qtbot.waitSignal(clipboard.cleared, timeout=2_000):
        pass
    assert system.text() == ""


def test_something_copied_since_is_left_alone(qtbot: Any) -> None:
    clipboard = SecureClipboard(clear_after_ms=200)
    clipboard.copy(f"Zoë {MARKER}")
    QGuiApplication.clipboard().setText("a shopping list from another program")
    with qtbot.waitSignal(clipboard._timer.timeout, timeout=10_000):
        pass  # the clearing time has come (whenever a busy machine gets there)
    assert QGuiApplication.clipboard().text() == "a shopping list from another program"
    assert not clipboard.clear_if_ours()
    QGuiApplication.clipboard().clear()


def test_lock_clears_the_clipboard(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    window.clipboard.copy(f"The {MARKER} family")
    assert QGuiApplication.clipboard().text() == f"The {MARKER} family"
    lock_and_wait(qtbot, window)
    assert QGuiApplication.clipboard().text() == ""
