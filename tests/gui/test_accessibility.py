"""Every control of the sign-in page and of home has an accessible name and is reachable with
the keyboard (Tab), so screen readers and keyboard-only users can do everything."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from shell_support import INITIAL, sign_in_to_home, submit_sign_in

from workbook.ui.main_window import MainWindow


def _focusable(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if w.isVisibleTo(root) and w.isEnabled()
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus]


def _unnamed(widgets: list[QWidget]) -> list[str]:
    return [f"{type(w).__name__} {w.objectName()!r}" for w in widgets
            if not w.accessibleName().strip()]


def _reached_by_tab(qtbot: Any, window: MainWindow, start: QWidget) -> set[int]:
    start.setFocus()
    qtbot.waitUntil(start.hasFocus, timeout=2_000)
    reached = {id(start)}
    for _ in range(60):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is None:
            break
        reached.add(id(now))
    return reached


def _check(qtbot: Any, window: MainWindow, page: QWidget, start: QWidget) -> None:
    widgets = _focusable(page) + _focusable(window.top_bar) * window.top_bar.isVisible()
    assert widgets, "the page should have controls"
    assert _unnamed(widgets) == []
    reached = _reached_by_tab(qtbot, window, start)
    missed = [f"{type(w).__name__} {w.accessibleName()!r}" for w in widgets
              if id(w) not in reached]
    assert missed == []


def test_sign_in_page(qtbot: Any, window: MainWindow) -> None:
    page = window.sign_in_page
    _check(qtbot, window, page, page.username)
    names = {w.accessibleName() for w in _focusable(page)}
    assert {"Username", "Passphrase", "Sign in"} <= names


def test_home_page_with_every_panel(qtbot: Any, window: MainWindow) -> None:
    # tm sees every panel, including colleagues waiting for approval.
    sign_in_to_home(qtbot, window, "tm", None)
    qtbot.waitUntil(window.home_page.approvals_panel.isVisible, timeout=10_000)
    qtbot.waitUntil(lambda: window.home_page.recent_model.rowCount() > 0, timeout=10_000)
    page = window.home_page
    page.banner.set_messages(["the recovery key was used on 2026-01-01 (approve keys)"])
    _check(qtbot, window, page, page.search_box)
    names = {w.accessibleName() for w in _focusable(page) + _focusable(window.top_bar)}
    assert {"Search families and people", "My families", "Recently changed", "Home",
            "Lock Workbook", "Approve the selected colleague's access",
            "Dismiss the notice"} <= names


def test_search_results_are_named(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1", None)
    qtbot.keyClicks(window.home_page.search_box, "quill")
    page = window.home_page
    assert _unnamed(_focusable(page)) == []
    assert page.results_view.accessibleName() == "Search results"


def test_replace_passphrase_and_fingerprint_pages(qtbot: Any, window: MainWindow) -> None:
    submit_sign_in(qtbot, window, "new1", INITIAL)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.replace_page,
                    timeout=20_000)
    assert _unnamed(_focusable(window.replace_page)) == []
    assert _unnamed(_focusable(window.fingerprint_page)) == []
