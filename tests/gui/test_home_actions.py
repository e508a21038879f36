"""Finishing an overdue action from Home (issue 14, item 3): sw1 clicks her overdue action,
clicks Mark done, and Home's list follows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from shell_support import sign_in_to_home

from workbook.ui.main_window import MainWindow


def test_mark_my_overdue_action_done_from_home(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    page = window.home_page
    qtbot.waitUntil(lambda: page.actions_model.rowCount() == 1, timeout=10_000)
    finisher = page.action_finisher
    assert not finisher.done.isEnabled()
    view = page.actions_panel.view
    assert view is not None
    rect = view.visualRect(page.actions_model.index(0, page.actions_model.COL_ACTION))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert finisher.done.isEnabled()
    qtbot.mouseClick(finisher.done, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.actions_model.rowCount() == 0, timeout=10_000)
    assert finisher.message.text() == ""
