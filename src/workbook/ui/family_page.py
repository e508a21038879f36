"""The family workbook's place in the main window: made on first need (or while the person
reads home), shown in a scroll area, and destroyed on lock so nothing of the previous person's
cases stays in a widget."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QStackedWidget, QWidget

from workbook.ui.event_bridge import EventBridge
from workbook.ui.operations import Operations

FAMILY_VIEW_MISSING = ("The family workbook view is not part of this build yet, so families "
                       "cannot be opened here. Use the command line (workbook show FAMILY).")


def load_family_view_class() -> tuple[type | None, str]:
    """The family workbook view if it is installed; otherwise None and why (no content)."""
    try:
        module = importlib.import_module("workbook.ui.family")
        return module.FamilyWorkbookView, ""
    except ImportError as exc:
        return None, f"not installed ({exc.__class__.__name__})"
    except Exception as exc:  # noqa: BLE001 - a broken view must not stop sign-in or home
        return None, f"failed to load ({exc.__class__.__name__})"


class FamilyPage:
    """Holds the family view and its page in the window's stack."""

    def __init__(self, ops: Operations, bridge: EventBridge, window: QWidget,
                 stack: QStackedWidget, on_closed: Callable[[], None]) -> None:
        self._ops = ops
        self._bridge = bridge
        self._window = window
        self._stack = stack
        self._on_closed = on_closed
        self.view: QWidget | None = None
        self.page: QScrollArea | None = None
        self.problem = ""

    def ensure(self) -> QWidget:
        if self.view is not None:
            return self.view
        view_class, problem = load_family_view_class()
        view: QWidget
        if view_class is None:
            self.problem = problem
            view = _placeholder()
        else:
            view = view_class(self._ops, self._bridge, self._window)
            closed = getattr(view, "closed", None)
            if closed is not None:
                closed.connect(self._on_closed)
        self.view = view
        # In a scroll area, so a family view wider than the screen cannot widen the window.
        page = QScrollArea()
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        page.setWidget(view)
        self.page = page
        self._stack.addWidget(page)
        return view

    @property
    def available(self) -> bool:
        return self.view is not None and not isinstance(self.view, QLabel)

    @property
    def showing(self) -> bool:
        return self.page is not None and self._stack.currentWidget() is self.page

    def open(self, family_id: str) -> None:
        """Ask for the family before showing its page: the worker reads it while the page is
        laid out and polished (a first look's 10-15 ms on the GUI thread)."""
        view = self.ensure()
        opener = getattr(view, "open_family", None)
        if callable(opener):
            opener(family_id)
        if self.page is not None:
            self._stack.setCurrentWidget(self.page)
        view.setFocus()

    def clear(self) -> None:
        view = self.view
        clear = getattr(view, "clear", None) if view is not None else None
        if callable(clear) and not isinstance(view, QLabel):
            try:
                clear()
            except RuntimeError:  # already deleted by Qt
                pass

    def destroy(self) -> None:
        view, page = self.view, self.page
        self.view = self.page = None
        if page is not None:
            self._stack.removeWidget(page)
            page.hide()
            page.deleteLater()  # and the view inside it
        elif view is not None:
            view.deleteLater()


def _placeholder() -> QLabel:
    """Said in place of the family view when it cannot be loaded."""
    placeholder = QLabel(FAMILY_VIEW_MISSING)
    placeholder.setObjectName("placeholder")
    placeholder.setWordWrap(True)
    placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
    placeholder.setAccessibleName("Family workbook")
    return placeholder
