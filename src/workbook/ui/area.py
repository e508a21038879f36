"""An area of the desktop app (supervision, retention, sharing...) and what the window lends it.

An area owns its widgets and says where they go; `MainWindow.add_area()` is the only code that
puts them into the window's layouts. An area reaches services only through the `AreaHost`
the window hands it (the worker's `Operations`), never through a Session of its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtWidgets import QPushButton, QWidget

from workbook.ui.operations import Operations
from workbook.ui.signed_in import SignedInPerson


class Area(Protocol):
    """What `MainWindow.add_area()` takes."""

    @property
    def button(self) -> QPushButton | None:
        """Its button in the top bar (shown or hidden by the area), or None."""

    @property
    def page(self) -> QWidget | None:
        """Its page in the window's stack, or None (dialogs only)."""

    @property
    def home_notice(self) -> QWidget | None:
        """A notice shown on home under the banner, or None."""

    def on_signed_in(self, person: SignedInPerson) -> None:
        """The person has reached home (once per sign-in)."""

    def clear(self) -> None:
        """On lock and on close: forget everything shown."""


@dataclass(frozen=True)
class AreaHost:
    """What the window lends its areas: the worker, a parent for dialogs, and navigation."""

    ops: Operations
    window: QWidget
    show_page: Callable[[QWidget], None]
    show_home: Callable[[], None]
    person: Callable[[], SignedInPerson | None]
    open_family: Callable[[str], None] | None = None  # opens a family's workbook

    @property
    def signed_in(self) -> bool:
        return self.person() is not None
