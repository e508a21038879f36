"""The one adapter that turns core events into Qt signals on the GUI thread (STYLE.md 6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from workbook.services.session import Session

if TYPE_CHECKING:
    from workbook.ui.operations import Operations


class EventBridge(QObject):
    """Re-emits `session.events` as `fact(name, payload)`; Qt queues it to the GUI thread."""

    fact = Signal(str, dict)

    def attach(self, session: Session) -> None:
        session.events.subscribe(self._forward)

    def follow(self, ops: Operations) -> None:
        """Attach to every session `ops` signs in, on its worker, before any later work."""
        ops.signed_in.connect(lambda _person: ops.run(self.attach))

    def _forward(self, name: str, payload: dict[str, Any]) -> None:
        self.fact.emit(name, dict(payload))
