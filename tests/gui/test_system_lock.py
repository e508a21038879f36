"""Locking when the operating system locks, sleeps or switches user. Qt does not report these,
so Workbook listens on D-Bus (logind and the screen saver). Here a private bus started with
dbus-run-session stands in for both the system and the session bus, and gdbus sends the
signals logind and the screen savers send."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any

import pytest
from shell_support import sign_in_to_home

from workbook.ui.lock import (
    MACOS_POLL_MS,
    SystemLockWatcher,
    escape_bus_label,
    session_lock_reason,
)
from workbook.ui.macos_session import read_session
from workbook.ui.main_window import MainWindow

SCRIPT = r"""
import json, subprocess, sys
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtDBus import QDBusConnection
from workbook.ui.lock import SystemLockWatcher

app = QCoreApplication([])
bus = QDBusConnection.sessionBus()
watcher = SystemLockWatcher()
sources = watcher.start(system_bus=bus, session_bus=bus)
got = []
watcher.system_locked.connect(got.append)
session = "/org/freedesktop/login1/session/_32"

def emit(path, signal, *args):
    subprocess.run(["gdbus", "emit", "--session", "--object-path", path, "--signal", signal,
                    *args], check=True)

def send():
    emit(session, "org.freedesktop.login1.Session.Lock")
    emit(session, "org.freedesktop.DBus.Properties.PropertiesChanged",
         "'org.freedesktop.login1.Session'", "{'Active': <true>}", "@as []")
    emit(session, "org.freedesktop.DBus.Properties.PropertiesChanged",
         "'org.freedesktop.login1.Session'", "{'Active': <false>}", "@as []")
    emit("/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", "false")
    emit("/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", "true")
    emit("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.ActiveChanged", "true")
    emit("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.ActiveChanged", "false")

QTimer.singleShot(100, send)
QTimer.singleShot(2500, app.quit)
app.exec()
print(json.dumps({"sources": sources, "got": got}))
"""


def test_escape_bus_label() -> None:
    assert escape_bus_label("2") == "_32"
    assert escape_bus_label("c12") == "c12"
    assert escape_bus_label("") == "_"


@pytest.mark.skipif(not (shutil.which("dbus-run-session") and shutil.which("gdbus")),
                    reason="needs dbus-run-session and gdbus to make a private bus")
def test_logind_and_screen_saver_signals_lock() -> None:
    env = dict(os.environ, XDG_SESSION_ID="2", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(["dbus-run-session", "--", sys.executable, "-c", SCRIPT],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"logind session lock", "logind user switch", "logind sleep",
            "org.freedesktop.ScreenSaver screen lock"} <= set(result["sources"])
    # Only the locking signals count: Active=true, waking up and a screen saver ending do not.
    assert result["got"] == ["the computer was locked", "another user was switched to",
                             "the computer went to sleep", "the screen was locked"]


def test_a_system_lock_locks_the_window(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    with qtbot.waitSignal(window.lock_finished, timeout=10_000):
        window.lock_controller.system.system_locked.emit("the computer was locked")
    assert window.sign_in_page.notice.text() == \
        "Workbook locked because the computer was locked."
    assert window.windowTitle() == "Workbook"


def test_no_lock_request_while_nobody_is_signed_in(qtbot: Any, window: MainWindow) -> None:
    requests: list[str] = []
    window.lock_controller.lock_requested.connect(requests.append)
    window.lock_controller.system.system_locked.emit("the screen was locked")
    window.lock_controller.request("")
    assert requests == []


# --- macOS: the window server's session dictionary, polled ----------------------------------
@pytest.mark.parametrize(("state", "reason"), [
    ({"CGSSessionScreenIsLocked": True, "kCGSSessionOnConsoleKey": True},
     "the screen was locked"),
    ({"kCGSSessionOnConsoleKey": False}, "another user was switched to"),
    ({"CGSSessionScreenIsLocked": True, "kCGSSessionOnConsoleKey": False},
     "the screen was locked"),
    ({"kCGSSessionOnConsoleKey": True}, ""),
    ({"CGSSessionScreenIsLocked": False, "kCGSSessionOnConsoleKey": True}, ""),
    ({}, ""),
    (None, ""),
    # Only booleans count: a key with some other value says nothing.
    ({"CGSSessionScreenIsLocked": "yes", "kCGSSessionOnConsoleKey": 0}, ""),
])
def test_session_lock_reason(state: dict[str, object] | None, reason: str) -> None:
    assert session_lock_reason(state) == reason


class _Session:
    """Stands in for the operating system's side: what `CGSessionCopyCurrentDictionary`
    would say now."""

    def __init__(self, state: dict[str, object] | None) -> None:
        self.state = state

    def __call__(self) -> dict[str, object] | None:
        return self.state


def test_macos_poll_locks_once_per_change(qtbot: Any) -> None:
    session = _Session({"kCGSSessionOnConsoleKey": True})
    watcher = SystemLockWatcher()
    got: list[str] = []
    watcher.system_locked.connect(got.append)
    assert watcher.start(session_reader=session) == ["macOS screen lock and user switch"]
    assert watcher._poll.isActive() and watcher._poll.interval() == MACOS_POLL_MS  # noqa: SLF001
    watcher.poll_session()
    assert got == []
    session.state = {"kCGSSessionOnConsoleKey": True, "CGSSessionScreenIsLocked": True}
    watcher.poll_session()
    watcher.poll_session()  # still locked: not reported again
    assert got == ["the screen was locked"]
    session.state = {"kCGSSessionOnConsoleKey": True}
    watcher.poll_session()
    session.state = {"kCGSSessionOnConsoleKey": False}
    watcher.poll_session()
    assert got == ["the screen was locked", "another user was switched to"]
    # The timer polls by itself too.
    session.state = {"kCGSSessionOnConsoleKey": True}
    watcher.poll_session()
    watcher._poll.setInterval(10)  # noqa: SLF001
    session.state = {"CGSSessionScreenIsLocked": True}
    qtbot.waitUntil(lambda: len(got) == 3, timeout=5000)
    assert got[-1] == "the screen was locked"
    watcher._poll.stop()  # noqa: SLF001


def test_macos_poll_needs_a_session_dictionary() -> None:
    watcher = SystemLockWatcher()
    assert watcher.start(session_reader=_Session(None)) == []
    assert not watcher._poll.isActive()  # noqa: SLF001


def test_macos_glue_reads_nothing_elsewhere() -> None:
    if sys.platform == "darwin":  # pragma: no cover - the real dictionary, on a Mac
        state = read_session()
        assert state is None or set(state) <= {"CGSSessionScreenIsLocked",
                                                "kCGSSessionOnConsoleKey"}
    else:
        assert read_session() is None


def test_a_macos_screen_lock_locks_the_window(qtbot: Any, window: MainWindow) -> None:
    session = _Session({"kCGSSessionOnConsoleKey": True})
    system = window.lock_controller.system
    system.start(session_reader=session)
    sign_in_to_home(qtbot, window, "sw1")
    session.state = {"kCGSSessionOnConsoleKey": True, "CGSSessionScreenIsLocked": True}
    with qtbot.waitSignal(window.lock_finished, timeout=10_000):
        system.poll_session()
    assert window.sign_in_page.notice.text() == "Workbook locked because the screen was locked."
    assert window.windowTitle() == "Workbook"
    system._poll.stop()  # noqa: SLF001
