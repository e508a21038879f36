"""Locking (P8): Ctrl+L, the Lock button and idle time each drop the session and leave nothing
of the previous person's cases in any widget - labels, fields, every cell of every model, the
search box, the family view, undo stacks and the window title. Switching user is a lock and a
sign-in as someone else, who sees none of it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QUndoStack
from shell_support import (
    MARKER,
    PASSES,
    Team,
    all_texts,
    assert_nothing_of,
    lock_and_wait,
    sign_in_to_home,
)

from workbook.ui.main_window import MainWindow


def _fill_with_case_content(qtbot: Any, window: MainWindow, team: Team) -> None:
    """Sign in as sw1, search for the marker, open the marker family, copy a name."""
    sign_in_to_home(qtbot, window, "sw1")
    assert any(MARKER in t for t in all_texts(window)), "the marker should be on screen first"
    qtbot.keyClicks(window.home_page.search_box, MARKER.lower()[:5])
    assert window.home_page.search_model.rowCount() >= 1
    window.open_family(team.marker_family)
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)
    stack = QUndoStack(window)  # as an editor would keep one
    stack.setUndoLimit(5)
    window.clipboard.copy(f"Zoë {MARKER}")
    window.show_home()


@pytest.mark.parametrize("how", ["shortcut", "button"])
def test_lock_leaves_no_case_content(qtbot: Any, window: MainWindow, team: Team,
                                     how: str) -> None:
    _fill_with_case_content(qtbot, window, team)
    lock_and_wait(qtbot, window, how)
    assert window.windowTitle() == "Workbook"
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.sign_in_page.notice.isVisible()
    assert not window.top_bar.isVisible()
    assert window.home_page.search_box.text() == ""
    assert window.home_page.search_model.rowCount() == 0
    assert window.family_view is None or not window.family_view.isVisible()
    assert all(s.count() == 0 for s in window.findChildren(QUndoStack))
    assert QGuiApplication.clipboard().text() == ""
    assert_nothing_of(window, MARKER, "Zoë", "NU-0001")
    # The session is gone: the worker refuses work until someone signs in.
    failures: list[str] = []
    window.ops.run(lambda s: s.families.all(), on_error=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5_000)
    assert failures == ["the workbook is locked"]


def test_idle_lock(qtbot: Any, make_window: Any, team: Team) -> None:
    window = make_window()
    _fill_with_case_content(qtbot, window, team)
    # The short idle time starts only now, so a slow machine cannot lock in the middle of the
    # filling above (which would leave the signal below nothing to catch).
    window.lock_controller.set_idle_timeout_ms(400)
    with qtbot.waitSignal(window.lock_finished, timeout=10_000):
        pass  # nobody touches anything
    assert "without use" in window.sign_in_page.notice.text()
    assert window.windowTitle() == "Workbook"
    assert_nothing_of(window, MARKER, "Zoë", "NU-0001")


def test_activity_postpones_the_idle_lock(qtbot: Any, make_window: Any) -> None:
    """A key press starts the idle time again: read on the idle countdown with a clock the test
    moves (no racing a short timer on a busy machine), then, left alone, it locks."""
    window = make_window(idle_timeout_ms=60_000)
    sign_in_to_home(qtbot, window, "sw1")
    countdown = window.lock_controller.countdown
    now = [1_000.0]
    real_clock, countdown.clock = countdown.clock, lambda: now[0]
    countdown.touch()
    now[0] += 45.0  # nobody touches anything for 45 s
    assert countdown.seconds_left() == 15.0
    qtbot.keyClick(window.home_page.search_box, Qt.Key.Key_A)
    assert window.signed_in
    assert countdown.seconds_left() == 60.0  # the key press started the minute again
    countdown.clock = real_clock
    window.lock_controller.set_idle_timeout_ms(300)
    with qtbot.waitSignal(window.lock_finished, timeout=10_000):
        pass  # and left alone, it locks


def test_idle_minutes_come_from_the_vault_setting(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    assert window.lock_controller.idle_timeout_ms == 5 * 60_000
    assert "Locks after 5 minutes without use" in window.status_text.text()


def test_switching_user_shows_nothing_of_the_first_users_cases(qtbot: Any, window: MainWindow,
                                                              team: Team) -> None:
    _fill_with_case_content(qtbot, window, team)
    lock_and_wait(qtbot, window)
    # The administrator reads no case content at all: nothing of sw1's cases may remain.
    sign_in_to_home(qtbot, window, "admin")
    assert window.windowTitle() == "Avery Hall"  # shown as "Avery Hall — Workbook"
    assert window.home_page.note.isVisible()
    assert_nothing_of(window, MARKER, "Zoë", "NU-0001", "Smith-Jones")
    lock_and_wait(qtbot, window)
    # A police officer may read households, but nothing of what sw1 had open stays: no search
    # text or results, no open family, and none of sw1's families listed as theirs.
    sign_in_to_home(qtbot, window, "pc1", PASSES["pc1"])
    assert window.home_page.search_box.text() == ""
    assert window.home_page.search_model.rowCount() == 0
    assert window.home_page.my_families_model.rowCount() == 0
    assert window.stack.currentWidget() is window.home_page
    # A fresh family view (made for pc1) with no family in it.
    assert getattr(window.family_view, "family_id", None) is None
    assert window.windowTitle() == "Pat Constable"


def test_results_arriving_after_a_lock_are_dropped(qtbot: Any, window: MainWindow) -> None:
    """Home is asked for, then the lock comes before the answer: nothing may be shown."""
    with qtbot.waitSignal(window.ops.signed_in, timeout=20_000):
        from shell_support import submit_sign_in

        submit_sign_in(qtbot, window, "sw1", PASSES["sw1"])
    window.lock("")  # at once, while overview, activity and the index are still queued
    qtbot.waitSignal(window.lock_finished, timeout=20_000).wait()
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)
    qtbot.wait(100)
    assert window.home_page.my_families_model.rowCount() == 0
    assert not window.home_page.search_ready
    assert_nothing_of(window, MARKER)
