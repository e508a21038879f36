"""Home's deadlines in steps (issue 19): reviews due and time limits at risk of my families,
worked out a few hundred families at a time so that a family opened meanwhile waits for one
short step, not for the whole board.

`overview.deadlines` works the board out from this person's digest in one call; on a vault
where a worker is on 20,000 open families that is most of a second on the worker. Here the
first step brings the digest up to date, the next ones sort its records by family (a bounded
number of records each), and the rest work out the board of `STEP_FAMILIES` of my families at
a time from their part of the digest (`board.board_of`): a family's reviews due and time
limits depend on its own records only, so the parts' answers, put in the board's order, are
the whole board's answer narrowed to my families."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import Act
from workbook.domain.roles import Section
from workbook.services.errors import NotPermitted
from workbook.services.family.time_limits import AT_RISK, BREACHED
from workbook.services.home.overview import HomeDeadlines, HomeFamily
from workbook.services.supervision import board_digest
from workbook.services.supervision.board import board_of, due_order, limit_order
from workbook.services.supervision.digest_folder import FAMILY

if TYPE_CHECKING:
    from workbook.services.session import Session

STEP_FAMILIES = 500  # of my families, worked out in one step
SCAN_STEP = 50_000  # digest records a step sorts by family
KINDS_READ = ("family", "review", "entry")  # what reviews due and time limits come from


class DeadlineSteps:
    """`overview.deadlines` a step at a time: construct and step it on the thread that owns
    the session; `result` holds the answer once `done`."""

    def __init__(self, session: Session, mine: list[HomeFamily],
                 families: int = STEP_FAMILIES) -> None:
        self._session = session
        chosen = list(dict.fromkeys(f.family_id for f in mine))
        self._chunks = [chosen[i:i + max(1, families)]
                        for i in range(0, len(chosen), max(1, families))]
        self._chunk_of = {fid: n for n, chunk in enumerate(self._chunks) for fid in chunk}
        self._parts: list[dict[str, dict[str, Any]]] = []
        self._records: Iterator[tuple[str, str, Any]] | None = None
        self._scanned = False
        self._next = 0
        self._now: datetime | None = None
        self.result = HomeDeadlines([], [])
        self.done = (not session.may(Act.CASEWORK) or session.must_replace_passphrase
                     or not chosen or not session.records.can_read(Section.HOUSEHOLD.value))

    def step(self, session: Session, records: int = SCAN_STEP) -> bool:
        """One part: the digest brought up to date, or `records` of its records sorted by
        family, or the board of the next chunk of my families; True once complete."""
        if session is not self._session or session.closed:
            raise NotPermitted("these deadlines belong to a session that has ended")
        if self.done:
            return True
        with board_digest.collector_paused():
            if self._records is None:
                self._start(session)
            elif not self._scanned:
                self._scan(records)
            else:
                self._work_out(session)
        return self.done

    def _start(self, session: Session) -> None:
        session.require_practitioner()
        self._now = session.clock()
        digest = board_digest.current(session)
        self._parts = [{k: {} for k in digest.kinds} for _chunk in self._chunks]
        # A copy of the records as they are now: a change saved between two steps does not
        # alter what is being sorted (home reads the deadlines again after a change).
        self._records = iter([(kind, rid, rec) for kind in KINDS_READ
                              for rid, rec in digest.kinds[kind].items()])

    def _scan(self, records: int) -> None:
        assert self._records is not None
        chunk_of, parts = self._chunk_of, self._parts
        taken = 0
        for kind, record_id, rec in self._records:
            n = chunk_of.get(rec[FAMILY])
            if n is not None:
                parts[n][kind][record_id] = rec
            taken += 1
            if taken >= records:
                return
        self._scanned = True

    def _work_out(self, session: Session) -> None:
        assert self._now is not None
        kinds = self._parts[self._next]
        self._parts[self._next] = {}
        result = board_of(session, board_digest.BoardDigest(kinds=kinds), self._now)
        found = self.result
        found.due_for_review.extend(result.due_families)
        found.time_limits.extend(t for t in result.time_limits if t.state in (AT_RISK, BREACHED))
        found.people.update(result.people)
        self._next += 1
        if self._next >= len(self._chunks):
            found.due_for_review.sort(key=due_order)
            found.time_limits.sort(key=limit_order)
            self.done = True


def deadlines_in_steps(session: Session, mine: list[HomeFamily]) -> HomeDeadlines:
    """Every step in one call (tests: the same answer as `overview.deadlines`)."""
    steps = DeadlineSteps(session, mine)
    while not steps.step(session):
        pass
    return steps.result
