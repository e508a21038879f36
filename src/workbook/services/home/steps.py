"""Home's plan actions, recent changes and conflicts in steps (issue 19): `overview.
action_overview` and `overview.activity` a few hundred families at a time, so that a family
opened meanwhile waits for one short step. On a vault where a worker is on 20,000 open
families each reads a whole kind in one call (seconds on the worker); a record's head, a
family's newest version and its records' conflicts depend on its own versions only, so
reading the families a part at a time gives the same answer."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from workbook.domain.roles import Section
from workbook.services.clock import civil_date
from workbook.services.errors import NotPermitted
from workbook.services.home import my_actions
from workbook.services.home.overview import (
    CLOSED,
    KINDS,
    RECENT_LIMIT,
    ActivityCount,
    HomeActivity,
    HomeFamily,
    HomeOverview,
    readable,
    record_heads,
    with_my_actions,
)
from workbook.services.supervision import board_digest
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

STEP_FAMILIES = 200  # families whose version headers one step reads (about 10,000 versions)
ACTION_FAMILIES = 200  # families whose plan actions one step opens and verifies


def _chunks(ids: list[str], step: int) -> list[list[str]]:
    size = max(1, step)
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _check(session: Session, own: Session) -> None:
    if session is not own or session.closed:
        raise NotPermitted("this part of home belongs to a session that has ended")


class ActionSteps:
    """`overview.action_overview` a step at a time: the board digest I keep read back a page a
    step, and my actions taken from it; or, when there is none that holds, the plan actions
    of a few of `first`'s open families opened each step. `result` holds the answer once
    `done`."""

    def __init__(self, session: Session, first: HomeOverview,
                 step: int = ACTION_FAMILIES, today: date | None = None) -> None:
        self._session = session
        self._first = first
        self._today = today or civil_date(session.clock())
        self._ids = [f.family_id for f in first.families if f.status != CLOSED]
        self._size = step
        self._chunks: list[list[str]] | None = None  # None: the digest's way, not yet tried
        self._next = 0
        self._heads: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._pick = my_actions.my_open_action(session)
        self.result = first
        self.done = not self._ids or not readable(session, Section.PLAN.value)
        self._load = None if self.done else board_digest.load_needed(session)

    def step(self, session: Session) -> bool:
        """A page of the digest, or the next families' plan actions; True once done."""
        _check(session, self._session)
        if self.done:
            return True
        if self._load is not None:
            if self._load.step(session):
                self._load = None
            return False
        if self._chunks is None:
            heads = my_actions.from_digest(session, self._today)
            if heads is not None:
                return self._finish(heads)
            self._chunks = _chunks(self._ids, self._size)
        self._heads.update(record_heads(session, "action", Section.PLAN.value, self._pick,
                                        self._chunks[self._next]))
        self._next += 1
        if self._next >= len(self._chunks):
            return self._finish(self._heads)
        return False

    def _finish(self, heads: dict[str, tuple[str, tuple[str, ...]]]) -> bool:
        self.result = with_my_actions(self._first, heads, self._today)
        self.done = True
        return True


class ActivitySteps:
    """`overview.activity` a step at a time: construct and step it on the thread that owns
    the session; `result` holds the answer once `done`."""

    def __init__(self, session: Session, families: list[HomeFamily],
                 step: int = STEP_FAMILIES, limit: int = RECENT_LIMIT) -> None:
        self._session = session
        known = {f.family_id: f for f in families if f.status != CLOSED}
        self._chunks = _chunks(list(known), step)
        self._next = 0
        self._limit = limit
        self._count = ActivityCount(session, known)
        self.result = HomeActivity([], [])
        self.done = not known

    def step(self, session: Session) -> bool:
        """The headers of the next families; True once every family's are counted."""
        _check(session, self._session)
        if self.done:
            return True
        chunk = self._chunks[self._next]
        rows = [r for r in version_store.headers_of_families(session.conn, chunk)
                if r.kind in KINDS]
        # Conflicts need only the records ever edited (a record is created once, by one
        # version without parents): keeping every record's versions made the count hold
        # the whole vault's records by the last step (a million at 20,000 families).
        edited = {r.record_id for r in rows if r.parents != "[]"}
        self._count.add(rows, [r for r in rows if r.record_id in edited])
        self._next += 1
        if self._next >= len(self._chunks):
            self.result = self._count.result(self._limit)
            self.done = True
        return self.done
