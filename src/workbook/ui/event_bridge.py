"""The one adapter that turns core events into Qt signals on the GUI thread (STYLE.md 6)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from workbook.services.session import Session


class EventBridge(QObject):
    """Re-emits `session.events` as `fact(name, payload)`; Qt queues it to the GUI thread."""

    fact = Signal(str, dict)

    def attach(self, session: Session) -> None:
        session.events.subscribe(self._forward)

    def _forward(self, name: str, payload: dict[str, Any]) -> None:
        self.fact.emit(name, dict(payload))
