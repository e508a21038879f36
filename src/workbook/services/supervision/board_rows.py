"""The rows of the supervisor's board (services/supervision/board.py) and the orders it shows
them in: kept apart so that the board's kept parts (board_parts.py) can hold them too."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.services.family import time_limits
from workbook.services.family.time_limits import AT_RISK, BREACHED

_STATE_ORDER = {BREACHED: 0, AT_RISK: 1, time_limits.ON_TRACK: 2}


@dataclass(frozen=True, slots=True)
class DueFamily:
    family_id: str
    name: str
    reference: str
    case_owner: str      # username
    last_reviewed: str   # ISO date of the last signed-off review, "" if never
    next_review: str     # ISO date, "" if never reviewed


@dataclass(frozen=True, slots=True)
class OverdueAction:
    action_id: str
    family_id: str
    family_name: str
    text: str
    owner: str           # username
    due: str
    days_overdue: int    # calendar days


@dataclass(frozen=True, slots=True)
class LimitRow:
    family_id: str
    family_name: str
    limit: str
    started: str
    due: str
    state: str
    record_id: str


@dataclass(frozen=True, slots=True)
class Caseload:
    worker: str          # username
    families: int


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: str           # YYYY-MM
    count: int


@dataclass(frozen=True, slots=True)
class MonthCompliance:
    month: str           # YYYY-MM
    kept: int            # limits due that month that were met in time
    total: int           # limits due that month (met, or running and breached)

    @property
    def percent(self) -> float:
        return 100.0 * self.kept / self.total if self.total else 100.0


def due_order(family: DueFamily) -> tuple[str, str, str]:
    """The board's order of families due for review: soonest first."""
    return (family.next_review or "0000", family.name.casefold(), family.family_id)


def limit_order(row: LimitRow) -> tuple[int, str, str, str, str]:
    """The board's order of time limits: breached, then at risk, then on track; soonest due."""
    return (_STATE_ORDER[row.state], row.due, row.family_name.casefold(), row.limit, row.record_id)
