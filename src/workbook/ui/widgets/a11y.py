"""What screen readers are told, beyond a control's name.

A label given an accessible name is read by that name only: "Family name" instead of "The
Smith family", "Wrong username or passphrase." not at all. Labels that show information are
therefore described (`describe`: what the text is) and keep their text as their name. An error
or a safety warning that appears is announced at once (`announce`, Qt's announcement event,
which AT-SPI and UI Automation pass on as a live region does)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent  # Qt 6.8 and later
from PySide6.QtWidgets import QLabel, QLayout, QWidget


def describe(label: QLabel, what: str) -> QLabel:
    """Say what a label's text is, without hiding the text (its name stays the text)."""
    label.setAccessibleName("")
    label.setAccessibleDescription(what)
    return label


def announce(widget: QWidget, text: str, *, urgent: bool = True) -> None:
    """Have screen readers speak `text` now (an error, a safety warning)."""
    if not text.strip():
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    if urgent:
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)


def tab_in_layout_order(layout: QLayout) -> None:
    """Tab follows a row as it is laid out, whatever order its widgets were made in (a button
    added to the row later, or inserted before another, would otherwise come last)."""
    items = (layout.itemAt(i) for i in range(layout.count()))
    widgets = [w for w in (item.widget() for item in items if item is not None)
               if w is not None and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)
