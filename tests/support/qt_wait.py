"""Waiting in GUI tests without PySide6 6.12's reference leak.

PySide6 6.12 drops a reference to None on every call of a static void function (QTest.qWait
behind qtbot.wait and qtbot.waitUntil, QCoreApplication.processEvents). On Python 3.11, where
None is not immortal, a long GUI suite can bring None's count to zero, and the interpreter
crashes as it exits after every test passed. `pump` waits through an event loop's own
processEvents, which does not leak; `_NONE_CUSHION` keeps the count clear of zero for the
waits that remain elsewhere (see also bench/bench_gui_family.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop

TIMEOUT_MS = 15000
_NONE_CUSHION = [None] * 100_000


def pump(predicate: Callable[[], object], timeout_ms: int = TIMEOUT_MS) -> None:
    """Process events until `predicate()` holds."""
    loop = QEventLoop()
    until = time.monotonic() + timeout_ms / 1000
    while not predicate():
        if time.monotonic() > until:
            raise AssertionError("timed out waiting for the GUI")
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.001)


def linger(seconds: float) -> None:
    """Let anything still queued (a timer, a late answer) arrive."""
    until = time.monotonic() + seconds
    pump(lambda: time.monotonic() > until)
