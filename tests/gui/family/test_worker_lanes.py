"""The worker runs what a person asked for before the app's own background work (home's later
panels, the search index's steps, a sync), and signing in, locking and quitting still come after
everything queued before them. Real worker thread, real signed-in session."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from conftest import Driver
from support.qt_wait import pump
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
    assert started.wait(10)
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
    assert started.wait(10)
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
