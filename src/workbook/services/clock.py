"""Time is a parameter (as pyca's Fernet does): services ask a Clock, tests pass a fixed one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the microsecond: sortable, and unique enough for ordering."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
