"""What a page of the family workbook may ask of the view that holds it. Pages never hold the
session: every service call goes through `run`, which runs it off the GUI thread, drops the
answer if the view was cleared or moved to another family meanwhile, and shows errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from workbook.services.session import Session
from workbook.ui.family.loading import FamilySnapshot


class FamilyContext(Protocol):
    @property
    def family_id(self) -> str | None: ...

    @property
    def snapshot(self) -> FamilySnapshot | None: ...

    def run(self, fn: Callable[[Session], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[str], None] | None = None) -> None: ...

    def notify(self, text: str, kind: str = "info") -> None: ...

    def open_editor(self, section: str | None = None, entry_id: str | None = None) -> None: ...

    def show_history(self, entry_id: str) -> None: ...

    def track(self, dialog: Any) -> None: ...
