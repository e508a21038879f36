"""The board digest built from scratch, in steps (board_digest.py says when)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from workbook.services.clock import civil_date
from workbook.services.errors import NotFound
from workbook.services.family.time_limits import STEPS_SECTION
from workbook.services.supervision import digest_closed, digest_visits
from workbook.services.supervision.digest_folder import Folder, Rec
from workbook.services.supervision.digest_state import (
    SAVE_AFTER,
    BoardDigest,
    collector_paused,
    holder,
    wanted_sections,
)
from workbook.vault import board_digest_store, version_store
from workbook.vault.version_store import VersionHeader

if TYPE_CHECKING:
    from workbook.services.session import Session


class Rebuild:
    """The digest built from scratch, in steps: the first reads the family records' clear
    headers; then, `PLAN_FAMILIES` families a step, their heads are found, and the next steps
    open up to `heads` of them; then the records of the open families (and the actions of
    families closed since the chart's first month, for its history only) are found, a few
    hundred families a step, and opened the same way. A record's versions all belong to its
    family, so finding heads family by family finds the same heads (issue 19: one step found
    every open family's heads at once, 13.8 s on a vault where a worker is on 20,000 open
    families, while a family opened meanwhile waited). `last` is read before the
    headers, so anything logged after it is either read here too (folding it again later
    changes nothing) or folded in by the next `current()`; a disposal or a change of keys
    between steps makes the next `current()` build again. When done, the digest is the
    session's and is stored. A closed family costs its family record's head, nothing more,
    unless it closed within the chart's months."""

    STEP_HEADS = 500
    PLAN_FAMILIES = 200

    def __init__(self, session: Session, *, keep: bool = True,
                 today: date | None = None) -> None:
        conn = session.conn
        self.session = session
        self._keep = keep   # False: a reference built for comparison, never the session's
        self.wanted = wanted_sections(session)
        self.digest = BoardDigest(board_digest_store.last_seq(conn),
                                  board_digest_store.removals(conn),
                                  [list(h) for h in session.keys.held()],
                                  sorted(set().union(*self.wanted.values())),
                                  anchor=digest_closed.anchor_of(
                                      today or civil_date(session.clock())))
        self._folder = Folder(session, self.digest, self.wanted)
        self._to_open: list[tuple[str, dict[str, tuple[str, str, str]]]] | None = None
        # What is left to find heads in: (FAMILY_RECORDS, OPEN or HISTORY, families).
        self._to_plan: list[tuple[str, list[str]]] = []
        self._family_headers: dict[str, list[VersionHeader]] = {}
        self._families_read = False
        self._closing: dict[str, str] = {}   # closed families whose history the chart needs
        self._history: dict[str, Rec] = {}   # their actions' facts
        self.total = 0
        self.opened = 0

    @property
    def done(self) -> bool:
        return (self._families_read and self._to_open is not None and not self._to_open
                and not self._to_plan)

    def step(self, session: Session, heads: int = STEP_HEADS) -> bool:
        """One step; True once the digest is complete (and now the session's)."""
        if session is not self.session or session.closed:
            self._to_open, self._to_plan = [], []
            self._families_read = True
            raise NotFound("the board's rebuild belonged to another sign-in")
        with collector_paused():
            if self._to_open is None:
                self._to_open = []
                self._family_headers = self._families_to_read()
                self._queue(FAMILY_RECORDS, list(self._family_headers))
                return self._next()
            if not self._to_open:
                self._plan_next()
                return self._next()
            kind, chunk = self._to_open.pop(0)
            if len(chunk) > heads:
                rest = dict(itertools.islice(chunk.items(), heads, None))
                chunk = dict(itertools.islice(chunk.items(), heads))
                self._to_open.insert(0, (kind, rest))
            if kind == HISTORY:
                self._folder.open("action", chunk, into=self._history)
            else:
                self._folder.open(kind, chunk)
            self.opened += len(chunk)
            return self._next()

    def run(self) -> BoardDigest:
        """Every step at once (the CLI, a board read with no digest, the tests' reference)."""
        while not self.step(self.session, heads=1 << 30):
            pass
        return self.digest

    def _queue(self, phase: str, family_ids: Iterable[str]) -> None:
        ids = sorted(family_ids)
        size = max(1, self.PLAN_FAMILIES)
        self._to_plan.extend((phase, ids[i:i + size]) for i in range(0, len(ids), size))

    def _plan_next(self) -> None:
        """The heads to open of the next few hundred families queued."""
        assert self._to_open is not None
        phase, chunk = self._to_plan.pop(0)
        if phase == FAMILY_RECORDS:
            found = self._plan(("family",), (h for fid in chunk
                                             for h in self._family_headers.pop(fid)))
        elif phase == HISTORY:
            found = [(HISTORY, heads) for _kind, heads in self._plan(
                ("action",), self._folder.headers_of(chunk, ("action",)))]
        else:
            found = self._plan(("review", "action", "entry"), self._folder.headers_of(chunk))
        self._to_open.extend(found)
        self.total += sum(len(heads) for _kind, heads in found)

    def _plan(self, kinds: Iterable[str], headers: Iterable[VersionHeader]
              ) -> list[tuple[str, dict[str, tuple[str, str, str]]]]:
        grouped = self._folder.group(headers)
        return [(kind, found) for kind, found in self._folder.heads_to_open(grouped).items()
                if found and kind in kinds]

    def _families_to_read(self) -> dict[str, list[VersionHeader]]:
        """The family records' headers of the families the digest may need: open ones, in
        conflict, or closed since the chart's first month ends (a version of the family
        record written since). Which are closed comes from the person's verified list of
        families (decision 0010), which home keeps anyway - without reading the closed ones
        a first sign-in left unread (`families.closed_settled`: 9.8 s of a first build's
        14 s at 20,000 families, 19,600 of them closed): a closed family's record is not
        opened again here."""
        if not self.wanted["family"]:
            return {}
        since = digest_closed.month_end(date.fromisoformat(self.digest.anchor)).isoformat()
        closed = self.session.families.closed_settled()
        by_family: dict[str, list[VersionHeader]] = {}
        for h in version_store.headers_of_kind(self.session.conn, "family"):
            by_family.setdefault(h.family_id, []).append(h)
        return {fid: found for fid, found in by_family.items()
                if fid not in closed or any(h.created_at > since for h in found)}

    def _next(self) -> bool:
        """Whether the build is complete: once the family records are read, the open
        families' records and the history are queued; once nothing is left, finished."""
        if self._to_open or self._to_plan:
            return False
        if not self._families_read:
            self._families_read = True
            kept, self._closing = self._folder.split_families()
            self._queue(OPEN_RECORDS, kept)
            self._queue(HISTORY, self._closing)
            if self._to_plan:
                return False
        return self._finish()

    def _finish(self) -> bool:
        digest_visits.drop_unneeded(self.digest.kinds["entry"], STEPS_SECTION)
        self._folder.keep_history(self._closing, self._history)
        if self._keep:
            mine = holder(self.session)
            mine.digest = self.digest
            mine.loaded = True
            self.digest.unsaved = SAVE_AFTER
        return True


HISTORY = "history"   # a rebuild's step that reads closed families' actions for the chart
FAMILY_RECORDS = "family records"   # a rebuild's step that finds family records' heads
OPEN_RECORDS = "open records"   # one that finds the heads of open families' other records
