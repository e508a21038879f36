"""The worker runs what a person asked for before the app's own background work (home's later
panels, the search index's steps, a sync), and signing in, locking and quitting still come after
everything queued before them. Real worker thread, real signed-in session."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QWidget

from conftest import Driver
from support.qt_wait import linger, pump
from workbook.ui.family.loading import FamilySnapshot


def _recorder(order: list[str], name: str) -> Callable[[Any], str]:
    def record(session: Any) -> str:
        assert session is not None and not session.closed
        order.append(name)
        return name
    return record


def _blocking(order: list[str], started: threading.Event,
              release: threading.Event) -> Callable[[Any], str]:
    def block(session: Any) -> str:
        started.set()
        assert release.wait(10)
        order.append("background 0")
        return "background 0"
    return block


def test_what_a_person_asks_for_runs_before_queued_background_work(driver: Driver) -> None:
    driver.sign_in("sw1")
    order: list[str] = []
    errors: list[str] = []
    started, release = threading.Event(), threading.Event()
    driver.ops.run(_blocking(order, started, release), on_error=errors.append, background=True)
    pump(started.is_set)  # the GUI thread free: background work waits while an answer is shown
    for n in (1, 2, 3):
        driver.ops.run(_recorder(order, f"background {n}"), on_error=errors.append,
                       background=True)
    opened: list[FamilySnapshot] = []
    driver.view.loaded.connect(lambda _fid: opened.append(driver.view.snapshot))
    driver.view.open_family(driver.fv.family_id)
    driver.ops.run(_recorder(order, "asked"), on_error=errors.append)
    release.set()
    pump(lambda: driver.ops.pending == 0)
    assert errors == []
    assert order == ["background 0", "asked", "background 1", "background 2", "background 3"]
    assert opened and opened[0] is not None and opened[0].family_id == driver.fv.family_id


def test_a_lock_comes_after_the_background_work_queued_before_it(driver: Driver) -> None:
    driver.sign_in("sw1")
    order: list[str] = []
    errors: list[str] = []
    started, release = threading.Event(), threading.Event()
    driver.ops.run(_blocking(order, started, release), on_error=errors.append, background=True)
    pump(started.is_set)  # the GUI thread free: background work waits while an answer is shown
    for n in (1, 2):
        driver.ops.run(_recorder(order, f"background {n}"), on_error=errors.append,
                       background=True)
    locked: list[bool] = []
    driver.ops.locked.connect(lambda: locked.append(True))
    driver.ops.lock()
    driver.ops.run(_recorder(order, "after the lock"), on_error=errors.append, background=True)
    release.set()
    pump(lambda: driver.ops.pending == 0)
    assert order == ["background 0", "background 1", "background 2"]
    assert locked == [True]
    assert errors == ["the workbook is locked"]   # work asked after the lock finds it locked


def test_background_work_waits_while_a_requests_answer_is_being_shown(driver: Driver) -> None:
    """The GUI thread draws a request's answer with the interpreter to itself: background work
    queued meanwhile starts only after the answer's callback has run and its events are
    through (issue 19: a deadlines step beside a family's first paint slowed it)."""
    driver.sign_in("sw1")
    pump(lambda: driver.ops.pending == 0)
    order: list[str] = []
    errors: list[str] = []
    ran = threading.Event()

    def background(_session: Any) -> str:
        ran.set()
        order.append("background")
        return "background"

    def shown(_result: object) -> None:
        driver.ops.run(background, on_error=errors.append, background=True)
        # The worker is idle and the background job queued: it must not start while the
        # answer is being handled on this thread.
        assert not ran.wait(0.3)
        order.append("answer shown")

    driver.ops.run(_recorder(order, "asked"), on_done=shown, on_error=errors.append)
    pump(lambda: driver.ops.pending == 0)
    assert errors == []
    assert order == ["asked", "answer shown", "background"]


def test_background_work_queued_before_a_request_goes_on_once_it_is_shown(
        driver: Driver) -> None:
    """Background work held back while two requests are answered runs, all of it, once both
    are shown (no wake of the worker is lost)."""
    driver.sign_in("sw1")
    pump(lambda: driver.ops.pending == 0)
    order: list[str] = []
    errors: list[str] = []
    started, release = threading.Event(), threading.Event()
    driver.ops.run(_blocking(order, started, release), on_error=errors.append, background=True)
    pump(started.is_set)  # the GUI thread free: background work waits while an answer is shown
    driver.ops.run(_recorder(order, "asked 1"), on_error=errors.append)
    for n in (1, 2, 3):
        driver.ops.run(_recorder(order, f"background {n}"), on_error=errors.append,
                       background=True)
    driver.ops.run(_recorder(order, "asked 2"), on_error=errors.append)
    release.set()
    pump(lambda: driver.ops.pending == 0)
    assert errors == []
    assert order == ["background 0", "asked 1", "asked 2", "background 1", "background 2",
                     "background 3"]


def test_a_lock_asked_while_background_work_is_held_runs_after_it(driver: Driver) -> None:
    """A lock is a barrier: background work held back while an answer was shown runs before
    it, and the lock itself is not left waiting for a wake the held work used."""
    driver.sign_in("sw1")
    pump(lambda: driver.ops.pending == 0)
    order: list[str] = []
    errors: list[str] = []
    locked: list[bool] = []
    driver.ops.locked.connect(lambda: locked.append(True))

    def shown(_result: object) -> None:
        driver.ops.run(_recorder(order, "background"), on_error=errors.append,
                       background=True)
        time.sleep(0.3)  # the idle worker wakes for it and finds it held
        driver.ops.lock()

    driver.ops.run(_recorder(order, "asked"), on_done=shown, on_error=errors.append)
    pump(lambda: bool(locked))
    assert errors == []
    assert order == ["asked", "background"]


class _PaintSpy(QObject):
    def __init__(self, widget: QWidget, order: list[str]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._order = order
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._order.append("painted")
        return False


def test_background_work_waits_for_the_paint_of_an_answer(driver: Driver, qtbot: Any) -> None:
    """What an answer changed is painted before background work takes the interpreter: the
    paint is a posted event of low priority, and a zero timer alone let background work in
    before it (issue 19)."""
    driver.sign_in("sw1")
    pump(lambda: driver.ops.pending == 0)
    label = QLabel("Opening the family…")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    linger(0.05)
    order: list[str] = []
    errors: list[str] = []
    _PaintSpy(label, order)

    def shown(_result: object) -> None:
        driver.ops.run(_recorder(order, "background"), on_error=errors.append,
                       background=True)
        label.setText(f"The Ash family ({len(answers)})")
        answers.append(label.text())
        order.append("answer shown")

    answers: list[str] = []
    for _ in range(5):
        order.clear()
        driver.ops.run(_recorder(order, "asked"), on_done=shown, on_error=errors.append)
        pump(lambda: driver.ops.pending == 0 and "painted" in order)
        assert errors == []
        assert order == ["asked", "answer shown", "painted", "background"]


def test_an_answer_that_paints_nothing_holds_background_work_only_briefly(
        driver: Driver) -> None:
    driver.sign_in("sw1")
    pump(lambda: driver.ops.pending == 0)
    order: list[str] = []
    errors: list[str] = []
    ran: list[float] = []

    def background(_session: Any) -> str:
        ran.append(time.perf_counter())
        return "background"

    shown_at: list[float] = []

    def shown(_result: object) -> None:
        driver.ops.run(background, on_error=errors.append, background=True)
        shown_at.append(time.perf_counter())

    driver.ops.run(_recorder(order, "asked"), on_done=shown, on_error=errors.append)
    pump(lambda: driver.ops.pending == 0)
    assert errors == [] and ran and shown_at
    assert ran[0] - shown_at[0] < 5.0   # let go by the paint wait, not by another request
