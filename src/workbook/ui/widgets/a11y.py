"""What screen readers are told, beyond a control's name.

A label given an accessible name is read by that name only: "Family name" instead of "The
Smith family", "Wrong username or passphrase." not at all. Labels that show information are
therefore described (`describe`: what the text is) and keep their text as their name. An error
or a safety warning that appears is announced at once (`announce`, Qt's announcement event,
which AT-SPI and UI Automation pass on as a live region does). A combo box is read by its own
name, its current choice being its value (`ComboBoxName`)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import (  # QAccessibleAnnouncementEvent: Qt 6.8 and later
    QAccessible,
    QAccessibleActionInterface,
    QAccessibleAnnouncementEvent,
    QAccessibleInterface,
)
from PySide6.QtWidgets import QAccessibleWidget, QComboBox, QLabel, QLayout, QWidget

_combo_factory_installed = False


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


class ComboBoxName(QAccessibleWidget):
    """A combo box read as "Outcome, combo box, No further action", not "No further action".

    Qt's own interface (QAccessibleComboBox, complexwidgets.cpp) gives a combo box's current
    text as its Name on every Unix (`#ifndef Q_OS_UNIX`: the label is meant to be found
    through a relation; seen with PySide 6.12, Name "Visit" for a box named "Section"), so
    the name given with setAccessibleName never reaches a
    screen reader, and a combo box without a label beside it is read as its value alone. This
    one gives the accessible name as Name (the current text only when there is none) and
    the current text as Value, and keeps the rest of Qt's: the popup list as first child (the
    editor as second when editable), the Show Menu and Press actions, the ComboBox role."""

    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo, QAccessible.Role.ComboBox)
        self._combo = combo

    def text(self, kind: QAccessible.Text) -> str:
        if kind == QAccessible.Text.Value:
            editor = self._combo.lineEdit()
            return editor.text() if editor is not None else self._combo.currentText()
        if kind == QAccessible.Text.Name:
            return self._combo.accessibleName() or self._combo.currentText()
        return super().text(kind)

    def _children(self) -> list[QWidget]:
        editor = self._combo.lineEdit()
        return [self._combo.view(), *([editor] if editor is not None else [])]

    def childCount(self) -> int:  # noqa: N802 - Qt's name
        return len(self._children())

    def child(self, index: int) -> QAccessibleInterface | None:  # type: ignore[override]
        children = self._children()
        if 0 <= index < len(children):
            return QAccessible.queryAccessibleInterface(children[index])
        return None

    def indexOfChild(self, child: QAccessibleInterface) -> int:  # noqa: N802 - Qt's name
        widgets = self._children()
        found = child.object() if child is not None else None
        return next((i for i, w in enumerate(widgets) if w is found), -1)

    def childAt(  # type: ignore[override]  # noqa: N802 - Qt's name; None is nullptr
            self, _x: int, _y: int) -> QAccessibleInterface | None:
        return None

    def state(self) -> QAccessible.State:
        state = super().state()
        state.expandable = True
        state.expanded = self._combo.view().isVisible()
        state.editable = self._combo.isEditable()
        return state

    def actionNames(self) -> list[str]:  # noqa: N802 - Qt's name
        return [QAccessibleActionInterface.showMenuAction(),
                QAccessibleActionInterface.pressAction()]

    def doAction(self, name: str) -> None:  # noqa: N802 - Qt's name
        if name in (QAccessibleActionInterface.showMenuAction(),
                    QAccessibleActionInterface.pressAction()):
            if self._combo.view().isVisible():
                self._combo.hidePopup()
            else:
                self._combo.showPopup()

    def keyBindingsForAction(self, _name: str) -> list[str]:  # noqa: N802 - Qt's name
        return []


def _combo_factory(_class_name: str, widget: QObject) -> QAccessibleInterface | None:
    if isinstance(widget, QComboBox):
        return ComboBoxName(widget)
    return None


def combo_boxes_keep_their_names() -> None:
    """Have Qt ask this module for every combo box's accessible interface (ComboBoxName).
    Installed when the app starts and by the first control named, before anything asks:
    Qt keeps an interface once made. Only once the application exists: a factory installed
    through PySide before it is never asked (found by trying, PySide 6.12)."""
    global _combo_factory_installed  # noqa: PLW0603 - one factory for the process
    if not _combo_factory_installed and QCoreApplication.instance() is not None:
        QAccessible.installFactory(_combo_factory)
        _combo_factory_installed = True
