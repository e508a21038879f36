"""Copying case text out of Workbook without leaving it behind (issue 3, P8).

Whatever Workbook puts on the clipboard is marked as concealed for clipboard managers and
history: `x-kde-passwordManagerHint: secret` (KDE Klipper, and managers that follow it) and, on
Windows, the `ExcludeClipboardContentFromMonitorProcessing`, `CanIncludeInClipboardHistory`
and `CanUploadToCloudClipboard` formats (the same marks password managers such as KeePassXC
set). It is cleared after 30 seconds, and on lock, but only if it is still what Workbook put
there - never something the person copied from another program since.

Copies made by ordinary widgets (Ctrl+C in a text field or a table) go through Qt, not through
`copy`; `adopt_foreign_copies` catches those too: when this application owns the clipboard and
the data lacks the marks, it is put back with them and the timer starts."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QByteArray, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

CLEAR_AFTER_MS = 30_000
KDE_HINT = "x-kde-passwordManagerHint"
WINDOWS_EXCLUDE = "ExcludeClipboardContentFromMonitorProcessing"
WINDOWS_NO_HISTORY = "CanIncludeInClipboardHistory"
WINDOWS_NO_CLOUD = "CanUploadToCloudClipboard"
CONCEALED_FORMATS = (KDE_HINT, WINDOWS_EXCLUDE, WINDOWS_NO_HISTORY, WINDOWS_NO_CLOUD)


def concealed_mime(text: str) -> QMimeData:
    """Text with every "do not remember this" mark we know of."""
    mime = QMimeData()
    mime.setText(text)
    mime.setData(KDE_HINT, QByteArray(b"secret"))
    mime.setData(WINDOWS_EXCLUDE, QByteArray(b"1"))
    # DWORD 0: "no" to Windows clipboard history and cloud clipboard.
    mime.setData(WINDOWS_NO_HISTORY, QByteArray(b"\x00\x00\x00\x00"))
    mime.setData(WINDOWS_NO_CLOUD, QByteArray(b"\x00\x00\x00\x00"))
    return mime


def _digest(text: str) -> bytes:
    # Only a digest of what we copied is kept, so the text itself does not linger here.
    return hashlib.sha256(text.encode("utf-8")).digest()


class SecureClipboard(QObject):
    """The one way Workbook writes to the clipboard."""

    cleared = Signal()

    def __init__(self, parent: QObject | None = None, clear_after_ms: int = CLEAR_AFTER_MS,
                 clipboard: QClipboard | None = None) -> None:
        super().__init__(parent)
        self._clipboard = clipboard or QGuiApplication.clipboard()
        self._ours: bytes | None = None
        self._writing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(clear_after_ms)
        self._timer.timeout.connect(self.clear_if_ours)
        self._adopting = False

    @property
    def clear_after_ms(self) -> int:
        return self._timer.interval()

    def set_clear_after_ms(self, ms: int) -> None:
        self._timer.setInterval(ms)

    def copy(self, text: str) -> None:
        """Put `text` on the clipboard, concealed, to be cleared after the timeout."""
        self._writing = True
        try:
            self._clipboard.setMimeData(concealed_mime(text), QClipboard.Mode.Clipboard)
        finally:
            self._writing = False
        self._ours = _digest(text)
        self._timer.start()

    def holds_ours(self) -> bool:
        if self._ours is None:
            return False
        return _digest(self._clipboard.text(QClipboard.Mode.Clipboard)) == self._ours

    def clear_if_ours(self) -> bool:
        """Empty the clipboard if it still holds what Workbook put there; True if it did."""
        self._timer.stop()
        ours = self.holds_ours()
        if ours:
            self._clipboard.clear(QClipboard.Mode.Clipboard)
            self.cleared.emit()
        self._ours = None
        return ours

    # --- copies made by ordinary widgets ---------------------------------------------------
    def adopt_foreign_copies(self) -> None:
        if not self._adopting:
            self._clipboard.dataChanged.connect(self._on_changed)
            self._adopting = True

    def _on_changed(self) -> None:
        if self._writing:
            return
        mime = self._clipboard.mimeData(QClipboard.Mode.Clipboard)
        if mime is None or not mime.hasText() or mime.hasFormat(KDE_HINT):
            return
        if not self._clipboard.ownsClipboard():
            # Another program copied something: it is not ours to clear any more.
            self._ours = None
            self._timer.stop()
            return
        self.copy(mime.text())
