"""Tab order as a screen shows it: the widgets Qt's focus chain reaches from a start, and the
places where that chain jumps back up the screen or leftwards along a row."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QWidget


def focus_chain(root: QWidget, start: QWidget) -> list[QWidget]:
    """The widgets Tab reaches from `start` inside `root`, in Qt's focus-chain order."""
    chain: list[QWidget] = []
    widget = start
    for _ in range(5000):
        if (widget.isVisible() and widget.isEnabled() and widget.focusProxy() is None
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and (widget is root or root.isAncestorOf(widget))):
            chain.append(widget)
        widget = widget.nextInFocusChain()
        if widget is start:
            break
    return chain


def _place(root: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())


def out_of_reading_order(root: QWidget, chain: list[QWidget]) -> list[str]:
    """Each step of `chain` that goes up the screen, or left along the same row."""
    jumps = []
    for first, second in zip(chain, chain[1:], strict=False):
        a, b = _place(root, first), _place(root, second)
        same_row = b.top() < a.bottom() and a.top() < b.bottom()
        forward = b.left() > a.left() if same_row else b.top() > a.top()
        if not forward:
            jumps.append(f"{first.accessibleName()!r} -> {second.accessibleName()!r}")
    return jumps


def names(chain: list[QWidget]) -> list[str]:
    return [w.accessibleName() for w in chain]
