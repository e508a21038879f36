"""Windows that fit the screen they open on: a laptop at 125% or a large screen at 200% has
less room, in Qt's logical pixels, than the size a window asks for."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FRAME = (16, 48)   # room left for the window manager's frame and title bar


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize `window` to width x height, or to the screen's free area if that is smaller."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(width, height)
        return
    room = screen.availableGeometry()
    window.resize(min(width, room.width() - FRAME[0]), min(height, room.height() - FRAME[1]))
