"""A warning a minute before the idle lock (issue 14, "No mis-clicks"), shown in the status bar
so that nothing moves; time is moved by an injected clock, never waited for."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from shell_support import sign_in_to_home

from workbook.ui.lock import LockController
from workbook.ui.main_window import MainWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _key(target: QWidget) -> None:
    QApplication.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift,
                                             Qt.KeyboardModifier.NoModifier))


def test_the_warning_comes_a_minute_before_and_goes_with_any_key(qtbot: Any) -> None:
    clock = Clock()
    window = QWidget()
    qtbot.addWidget(window)
    controller = LockController(window, idle_minutes=5, clock=clock)
    warnings: list[int] = []
    cleared: list[bool] = []
    locks: list[str] = []
    controller.lock_warning.connect(warnings.append)
    controller.lock_warning_cleared.connect(lambda: cleared.append(True))
    controller.lock_requested.connect(locks.append)
    controller.start()
    clock.now += 4 * 60 - 1          # 61 s left: no warning yet
    controller.tick()
    assert warnings == [] and locks == []
    clock.now += 2                   # 59 s left
    controller.tick()
    assert warnings == [59] and locks == []
    _key(window)                     # the person is back
    assert cleared == [True]
    clock.now += 4 * 60 + 30         # 30 s left of a fresh five minutes
    controller.tick()
    assert warnings[-1] == 30
    clock.now += 31
    controller.tick()
    assert locks == ["Workbook locked itself after 5 minutes without use."]


def test_the_main_window_says_it_in_the_status_bar(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    clock = Clock()
    controller = window.lock_controller
    controller.countdown.clock = clock
    controller.countdown.touch()
    top_left = window.home_page.mapTo(window, window.home_page.rect().topLeft())
    clock.now += 5 * 60 - 45
    controller.tick()
    assert window.lock_warning.isVisible()
    assert window.lock_warning.text().startswith("⚠ Locks in 45 s without use")
    assert window.home_page.mapTo(window, window.home_page.rect().topLeft()) == top_left
    _key(window.home_page.search_box)
    assert not window.lock_warning.isVisible()
    assert window.signed_in
