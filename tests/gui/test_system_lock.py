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

from workbook.ui.lock import escape_bus_label
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
