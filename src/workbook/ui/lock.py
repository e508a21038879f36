"""When Workbook locks itself (P8): on demand (Ctrl+L, the Lock button), after idle time (the
vault's `idle_lock_minutes`, default 5), and when the operating system locks the screen, goes to
sleep or switches to another user, where the platform tells us.

Idle time is measured by an application-wide event filter: any key press, mouse button, mouse
movement, wheel or touch anywhere in the application restarts the timer.

The operating system's lock is not something Qt reports (`applicationStateChanged` only says
the window lost focus), so `SystemLockWatcher` listens where it can:
- Linux: systemd-logind on the system bus (this session's `Lock` signal, its `Active` property
  turning false when another user is switched to, and `PrepareForSleep`), and the screen saver
  on the session bus (`org.freedesktop.ScreenSaver` / `org.gnome.ScreenSaver` `ActiveChanged`).
  With no D-Bus (a container, some minimal desktops) nothing is reported; idle lock still works.
- Windows: `WTSRegisterSessionNotification`; lock, disconnect and log-off messages lock.
- macOS: the window server's session dictionary (`CGSessionCopyCurrentDictionary`, read in
  `macos_session`) is polled every 2 seconds; the screen being locked (`CGSSessionScreenIsLocked`)
  or this session leaving the console (another user switched to) locks. Sleep locks the screen
  first on a Mac set to ask for the password on wake, so it is covered by the screen lock. A
  lock is noticed within the poll interval, before anyone can sign in at the login window.
`SystemLockWatcher.sources` says what is being listened to, for the About text and the tests."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractNativeEventFilter,
    QByteArray,
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

DEFAULT_IDLE_MINUTES = 5
WARN_BEFORE_S = 60.0        # the warning shows this long before the idle lock
LOCK_SHORTCUT = "Ctrl+L"

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress, QEvent.Type.InputMethod,
})

LOGIN1 = "org.freedesktop.login1"
LOGIN1_PATH = "/org/freedesktop/login1"
LOGIN1_MANAGER = "org.freedesktop.login1.Manager"
LOGIN1_SESSION = "org.freedesktop.login1.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"
MACOS_POLL_MS = 2000
SessionReader = Callable[[], Mapping[str, object] | None]
SCREENSAVERS = (("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
                ("org.freedesktop.ScreenSaver", "/ScreenSaver"),
                ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"))


def _slot(signature: str) -> Any:
    """What Qt's SLOT() macro makes of a slot signature. PySide6 wants it as str at run time
    (its type stubs say bytes, which it refuses), hence Any."""
    return "1" + signature


def escape_bus_label(label: str) -> str:
    """systemd's object-path escaping of a session id: '2' -> '_32', 'c1' -> 'c1'."""
    out = []
    for i, ch in enumerate(label):
        if ch.isascii() and (ch.isalpha() or (ch.isdigit() and i > 0)):
            out.append(ch)
        else:
            out.append(f"_{ord(ch):02x}")
    return "".join(out) or "_"


def session_lock_reason(state: Mapping[str, object] | None) -> str:
    """Why macOS's session dictionary means Workbook should lock, or "" if it does not.

    A missing dictionary (no window server session) or a missing key says nothing, so it does
    not lock: only what the system positively reports counts."""
    if not state:
        return ""
    if state.get("CGSSessionScreenIsLocked") is True:
        return "the screen was locked"
    if state.get("kCGSSessionOnConsoleKey") is False:
        return "another user was switched to"
    return ""


class SystemLockWatcher(QObject):
    """Reports the operating system's session lock, sleep and user switch as `system_locked`."""

    system_locked = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sources: list[str] = []
        self._native: WindowsSessionFilter | None = None
        self._session_reader: SessionReader | None = None
        self._session_reason = ""
        self._poll = QTimer(self)
        self._poll.setInterval(MACOS_POLL_MS)
        self._poll.timeout.connect(self.poll_session)

    def start(self, window: QWidget | None = None, system_bus: Any = None,
              session_bus: Any = None, session_reader: SessionReader | None = None) -> list[str]:
        """Listen where the platform allows; returns what is listened to. Tests pass their own
        buses (a private session bus standing in for the system bus), or their own reader of
        macOS's session dictionary."""
        if session_reader is not None:
            self._start_session_poll(session_reader)
        elif system_bus is not None or session_bus is not None:
            self._start_dbus(system_bus, session_bus)
        elif sys.platform.startswith("linux") or "bsd" in sys.platform:
            self._start_dbus(None, None)
        elif sys.platform == "win32" and window is not None:
            self.start_windows(window)
        elif sys.platform == "darwin":
            from workbook.ui.macos_session import read_session

            self._start_session_poll(read_session)
        return list(self.sources)

    # --- macOS: the window server's session dictionary, polled --------------------------
    def _start_session_poll(self, reader: SessionReader) -> None:
        if reader() is None:  # no GUI session, or the frameworks did not load
            return
        self._session_reader = reader
        self._session_reason = ""
        self.poll_session()
        self._poll.start()
        self.sources.append("macOS screen lock and user switch")

    @Slot()
    def poll_session(self) -> None:
        """Lock once when the session turns locked (or leaves the console), not on every poll
        while it stays so; the next change to locked locks again."""
        if self._session_reader is None:
            return
        reason = session_lock_reason(self._session_reader())
        if reason and reason != self._session_reason:
            self.system_locked.emit(reason)
        self._session_reason = reason

    # --- Linux: D-Bus ----------------------------------------------------------------------
    def _start_dbus(self, system_bus: Any, session_bus: Any) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # pragma: no cover - QtDBus ships with PySide6 on Linux
            return
        system = system_bus if system_bus is not None else QDBusConnection.systemBus()
        if system.isConnected():
            path = self._login1_session_path(system)
            # Any sender: a spoofed signal can only lock, which is the safe direction.
            if path and system.connect("", path, LOGIN1_SESSION, "Lock", self,
                                       _slot("_on_session_lock()")):
                self.sources.append("logind session lock")
            if path and system.connect("", path, PROPERTIES, "PropertiesChanged", self,
                                       _slot("_on_session_properties(QString,QVariantMap,"
                                             "QStringList)")):
                self.sources.append("logind user switch")
            if system.connect("", LOGIN1_PATH, LOGIN1_MANAGER, "PrepareForSleep", self,
                              _slot("_on_sleep(bool)")):
                self.sources.append("logind sleep")
        session = session_bus if session_bus is not None else QDBusConnection.sessionBus()
        if session.isConnected():
            for service, path in SCREENSAVERS:
                if session.connect("", path, service, "ActiveChanged", self,
                                   _slot("_on_screensaver(bool)")):
                    self.sources.append(f"{service} screen lock")
        self.sources = list(dict.fromkeys(self.sources))

    def _login1_session_path(self, bus: Any) -> str:
        session_id = os.environ.get("XDG_SESSION_ID", "")
        if session_id:
            return f"{LOGIN1_PATH}/session/{escape_bus_label(session_id)}"
        try:
            from PySide6.QtDBus import QDBusInterface
        except ImportError:  # pragma: no cover
            return ""
        manager = QDBusInterface(LOGIN1, LOGIN1_PATH, LOGIN1_MANAGER, bus)
        reply = manager.call("GetSessionByPID", os.getpid())
        arguments = reply.arguments() if reply is not None else []
        if not arguments:
            return ""
        found = arguments[0]
        path = found.path() if hasattr(found, "path") else str(found)
        return path if path.startswith(LOGIN1_PATH) else ""

    @Slot()
    def _on_session_lock(self) -> None:
        self.system_locked.emit("the computer was locked")

    @Slot(str, "QVariantMap", "QStringList")
    def _on_session_properties(self, _interface: str, changed: dict[str, Any],
                               _invalidated: list[str]) -> None:
        if changed.get("Active") is False:
            self.system_locked.emit("another user was switched to")

    @Slot(bool)
    def _on_sleep(self, going_to_sleep: bool) -> None:
        if going_to_sleep:
            self.system_locked.emit("the computer went to sleep")

    @Slot(bool)
    def _on_screensaver(self, active: bool) -> None:
        if active:
            self.system_locked.emit("the screen was locked")

    # --- Windows: WTS session notifications ------------------------------------------------
    def start_windows(self, window: QWidget,
                      register: Callable[[int, int], int] | None = None) -> None:
        """Ask Windows for this window's session notifications (NOTIFY_FOR_THIS_SESSION) and
        filter the WM_WTSSESSION_CHANGE messages. `register` is WTSRegisterSessionNotification;
        the tests pass one that records the call (there is no wtsapi32 here)."""
        if register is None:  # pragma: no cover - Windows only
            import ctypes

            try:
                register = ctypes.windll.wtsapi32.WTSRegisterSessionNotification  # type: ignore[attr-defined]
            except (AttributeError, OSError):
                return
        try:
            if not register(int(window.winId()), 0):
                return
        except OSError:
            return
        self._native = WindowsSessionFilter(self.system_locked)
        app = QCoreApplication.instance()
        if app is not None:
            app.installNativeEventFilter(self._native)
            self.sources.append("Windows session lock")


class WindowsSessionFilter(QAbstractNativeEventFilter):
    """Turns Windows' session-change messages into `system_locked`: lock, disconnect (console
    or remote) and log-off lock Workbook; logon, unlock and the rest do not. Reads the MSG that
    `message` points to, as Qt hands it over ("windows_generic_MSG")."""

    WM_WTSSESSION_CHANGE = 0x02B1
    LOCKING = {0x2: "the session was disconnected", 0x4: "the session was disconnected",
               0x6: "the user logged off", 0x7: "the computer was locked"}

    def __init__(self, signal: Any) -> None:
        super().__init__()
        self._signal = signal

    def nativeEventFilter(self, event_type: QByteArray | bytes | bytearray | memoryview,  # noqa: N802
                          message: int) -> tuple[bool, int]:
        raw = event_type.data() if isinstance(event_type, QByteArray) else event_type
        if bytes(raw) != b"windows_generic_MSG":
            return False, 0
        import ctypes.wintypes

        msg = ctypes.wintypes.MSG.from_address(int(message))
        if msg.message == self.WM_WTSSESSION_CHANGE and msg.wParam in self.LOCKING:
            self._signal.emit(self.LOCKING[msg.wParam])
        return False, 0


class IdleCountdown:
    """How long until the idle lock, read from a clock that is passed in (seconds, monotonic),
    so that tests move time instead of waiting for it. The warning comes WARN_BEFORE_S before
    the lock, or half-way for an idle time of two minutes or less."""

    def __init__(self, timeout_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.timeout_s = timeout_s
        self.last = clock()

    def touch(self) -> None:
        self.last = self.clock()

    @property
    def warn_s(self) -> float:
        return min(WARN_BEFORE_S, self.timeout_s / 2)

    def seconds_left(self) -> float:
        return self.timeout_s - (self.clock() - self.last)


class LockController(QObject):
    """Decides when to lock and says so with `lock_requested(reason)`; the main window locks.
    A minute before an idle lock it says `lock_warning(seconds left)`, and
    `lock_warning_cleared` when the person is back.

    Active only while someone is signed in (`start`/`stop`)."""

    lock_requested = Signal(str)
    lock_warning = Signal(int)
    lock_warning_cleared = Signal()

    def __init__(self, window: QWidget, idle_minutes: int = DEFAULT_IDLE_MINUTES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self._window = window
        self._active = False
        self._warned = False
        self.countdown = IdleCountdown(idle_minutes * 60.0, clock)
        self._idle = QTimer(self)      # a tick that reads the countdown's clock
        self._idle.timeout.connect(self.tick)
        self.set_idle_minutes(idle_minutes)
        self.shortcut = QShortcut(QKeySequence(LOCK_SHORTCUT), window)
        self.shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.shortcut.activated.connect(self._on_shortcut)
        self.system = SystemLockWatcher(self)
        self.system.system_locked.connect(self._on_system)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # --- settings --------------------------------------------------------------------------
    def set_idle_minutes(self, minutes: int) -> None:
        self.set_idle_timeout_ms(max(1, int(minutes)) * 60_000)

    def set_idle_timeout_ms(self, ms: int) -> None:
        ms = max(1, int(ms))
        self.countdown.timeout_s = ms / 1000
        self._idle.setInterval(max(10, min(1000, ms // 20)))
        if self._active:
            self._touch()
            self._idle.start()

    @property
    def idle_timeout_ms(self) -> int:
        return round(self.countdown.timeout_s * 1000)

    def tick(self) -> None:
        """Lock when the idle time is up; warn (every tick, with the seconds left) before."""
        if not self._active:
            return
        left = self.countdown.seconds_left()
        if left <= 0:
            self._idle.stop()
            self._on_idle()
        elif left <= self.countdown.warn_s:
            self._warned = True
            self.lock_warning.emit(max(1, round(left)))

    def _touch(self) -> None:
        self.countdown.touch()
        if self._warned:
            self._warned = False
            self.lock_warning_cleared.emit()

    def start_system_watch(self) -> list[str]:
        return self.system.start(self._window)

    # --- signed in or not ------------------------------------------------------------------
    def start(self) -> None:
        self._active = True
        self._touch()
        self._idle.start()

    def stop(self) -> None:
        self._active = False
        self._idle.stop()
        self._touch()

    @property
    def active(self) -> bool:
        return self._active

    def request(self, reason: str) -> None:
        if self._active:
            self.lock_requested.emit(reason)

    # --- sources ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if self._active and event.type() in _ACTIVITY:
            self._touch()
        return super().eventFilter(watched, event)

    def _on_idle(self) -> None:
        minutes = self.idle_timeout_ms / 60_000
        shown = f"{minutes:g} minute" + ("" if minutes == 1 else "s")
        self.request(f"Workbook locked itself after {shown} without use.")

    def _on_shortcut(self) -> None:
        self.request("")

    def _on_system(self, why: str) -> None:
        self.request(f"Workbook locked because {why}.")
