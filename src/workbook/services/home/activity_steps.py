"""Home's recent changes and conflicts in steps (issue 19): `overview.activity` read a few
hundred families' version headers at a time, so that a family opened meanwhile waits for one
short step. On a vault where a worker is on 20,000 open families `activity` reads every kind's
headers in one call (seconds on the worker); a family's newest version and its records'
conflicts depend on its own headers only, so counting the families' headers a part at a time
(`overview.ActivityCount`) gives the same answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.services.errors import NotPermitted
from workbook.services.home.overview import (
    CLOSED,
    KINDS,
    RECENT_LIMIT,
    ActivityCount,
    HomeActivity,
    HomeFamily,
)
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

STEP_FAMILIES = 500  # families whose version headers one step reads


class ActivitySteps:
    """`overview.activity` a step at a time: construct and step it on the thread that owns
    the session; `result` holds the answer once `done`."""

    def __init__(self, session: Session, families: list[HomeFamily],
                 step: int = STEP_FAMILIES, limit: int = RECENT_LIMIT) -> None:
        self._session = session
        known = {f.family_id: f for f in families if f.status != CLOSED}
        ids, size = list(known), max(1, step)
        self._chunks = [ids[i:i + size] for i in range(0, len(ids), size)]
        self._next = 0
        self._limit = limit
        self._count = ActivityCount(session, known)
        self.result = HomeActivity([], [])
        self.done = not known

    def step(self, session: Session) -> bool:
        """The headers of the next families; True once every family's are counted."""
        if session is not self._session or session.closed:
            raise NotPermitted("this activity belongs to a session that has ended")
        if self.done:
            return True
        chunk = self._chunks[self._next]
        rows = [r for r in version_store.headers_of_families(session.conn, chunk)
                if r.kind in KINDS]
        self._count.add(rows, rows)
        self._next += 1
        if self._next >= len(self._chunks):
            self.result = self._count.result(self._limit)
            self.done = True
        return self.done
