"""Answers from the worker that arrive after a lock or a new sign-in are dropped, not shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Epoch:
    """Counts locks and sign-ins; `guard(fn)` runs `fn` only if none happened since."""

    def __init__(self) -> None:
        self._value = 0

    def advance(self) -> None:
        self._value += 1

    def guard(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        asked_in = self._value

        def guarded(result: Any) -> None:
            if asked_in == self._value:
                fn(result)

        return guarded
