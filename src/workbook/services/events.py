"""Plain-Python events named as facts (`entry_added`, `family_added`, `locked`).

The core emits; whoever listens decides what to show. The GUI has one adapter that turns these
into Qt signals on the GUI thread (ui/event_bridge.py). Payloads carry ids, never content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]


class EventBus:
    """A tiny synchronous publish/subscribe. Listener errors never break the use case."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, name: str, **payload: Any) -> None:
        for listener in list(self._listeners):
            try:
                listener(name, payload)
            except Exception:  # noqa: BLE001 - a broken view must not undo a saved change
                continue

    def clear(self) -> None:
        self._listeners.clear()
