"""Locking when Windows locks, disconnects or logs off the session (issue 17), run here.

Windows reports these to a window registered with WTSRegisterSessionNotification as
WM_WTSSESSION_CHANGE messages, which Qt hands to native event filters as a pointer to a MSG.
There is no wtsapi32 on this machine, so the registration is a recording stand-in; everything
after it is Workbook's own code: real MSG structures (ctypes.wintypes) go through the real
filter into the real watcher and the real main window."""

from __future__ import annotations

import ctypes
import ctypes.wintypes
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication
from PySide6.QtWidgets import QWidget
from shell_support import sign_in_to_home

from workbook.ui.lock import SystemLockWatcher, WindowsSessionFilter
from workbook.ui.main_window import MainWindow

WM_WTSSESSION_CHANGE = 0x02B1
WM_PAINT = 0x000F
NATIVE = b"windows_generic_MSG"


def _deliver(native: WindowsSessionFilter, message: int, code: int,
             event_type: Any = NATIVE) -> tuple[bool, int]:
    msg = ctypes.wintypes.MSG(message=message, wParam=code)
    return native.nativeEventFilter(event_type, ctypes.addressof(msg))


@pytest.mark.parametrize(("code", "reason"), [
    (0x7, "the computer was locked"),            # WTS_SESSION_LOCK
    (0x2, "the session was disconnected"),       # WTS_CONSOLE_DISCONNECT
    (0x4, "the session was disconnected"),       # WTS_REMOTE_DISCONNECT
    (0x6, "the user logged off"),                # WTS_SESSION_LOGOFF
])
def test_a_locking_session_change_locks(qtbot: Any, code: int, reason: str) -> None:
    watcher = SystemLockWatcher()
    native = WindowsSessionFilter(watcher.system_locked)
    got: list[str] = []
    watcher.system_locked.connect(got.append)
    assert _deliver(native, WM_WTSSESSION_CHANGE, code) == (False, 0)  # never swallowed
    assert got == [reason]


@pytest.mark.parametrize(("message", "code", "event_type"), [
    (WM_WTSSESSION_CHANGE, 0x8, NATIVE),          # WTS_SESSION_UNLOCK
    (WM_WTSSESSION_CHANGE, 0x5, NATIVE),          # WTS_SESSION_LOGON
    (WM_WTSSESSION_CHANGE, 0x1, NATIVE),          # WTS_CONSOLE_CONNECT
    (WM_PAINT, 0x7, NATIVE),                      # another message with the same number
    (WM_WTSSESSION_CHANGE, 0x7, b"xcb_generic_event_t"),
    (WM_WTSSESSION_CHANGE, 0x7, QByteArray(b"xcb_generic_event_t")),
])
def test_other_messages_leave_workbook_open(qtbot: Any, message: int, code: int,
                                            event_type: Any) -> None:
    watcher = SystemLockWatcher()
    got: list[str] = []
    watcher.system_locked.connect(got.append)
    _deliver(WindowsSessionFilter(watcher.system_locked), message, code, event_type)
    assert got == []


def test_qt_hands_the_message_type_as_a_byte_array_too(qtbot: Any) -> None:
    watcher = SystemLockWatcher()
    got: list[str] = []
    watcher.system_locked.connect(got.append)
    _deliver(WindowsSessionFilter(watcher.system_locked), WM_WTSSESSION_CHANGE, 0x7,
             QByteArray(NATIVE))
    assert got == ["the computer was locked"]


class _Register:
    """Stands in for wtsapi32.WTSRegisterSessionNotification: records, answers `result`."""

    def __init__(self, result: int | OSError) -> None:
        self.result, self.calls = result, []

    def __call__(self, hwnd: int, flags: int) -> int:
        self.calls.append((hwnd, flags))
        if isinstance(self.result, OSError):
            raise self.result
        return self.result


def test_the_window_is_registered_for_this_session_and_the_filter_installed(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    watcher = SystemLockWatcher()
    register = _Register(1)
    watcher.start_windows(widget, register)
    try:
        assert register.calls == [(int(widget.winId()), 0)]  # 0: NOTIFY_FOR_THIS_SESSION
        assert watcher.sources == ["Windows session lock"]
        assert isinstance(watcher._native, WindowsSessionFilter)  # noqa: SLF001
    finally:
        app = QCoreApplication.instance()
        assert app is not None and watcher._native is not None  # noqa: SLF001
        app.removeNativeEventFilter(watcher._native)  # noqa: SLF001


@pytest.mark.parametrize("result", [0, OSError("no session manager")])
def test_a_refused_registration_listens_to_nothing(qtbot: Any, result: int | OSError) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    watcher = SystemLockWatcher()
    watcher.start_windows(widget, _Register(result))
    assert watcher.sources == []
    assert watcher._native is None  # noqa: SLF001


def test_a_windows_lock_locks_the_main_window(qtbot: Any, window: MainWindow) -> None:
    system = window.lock_controller.system
    system.start_windows(window, _Register(1))
    native = system._native  # noqa: SLF001
    assert native is not None
    try:
        sign_in_to_home(qtbot, window, "sw1")
        with qtbot.waitSignal(window.lock_finished, timeout=10_000):
            _deliver(native, WM_WTSSESSION_CHANGE, 0x7)
        assert window.sign_in_page.notice.text() == ("Workbook locked because the computer "
                                                     "was locked.")
        assert window.windowTitle() == "Workbook"
    finally:
        app = QCoreApplication.instance()
        assert app is not None
        app.removeNativeEventFilter(native)
