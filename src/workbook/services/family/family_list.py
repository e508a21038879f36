"""The list of every family (`families.all`), read once per session and then kept up to date
from the version log, so that listing again (the supervision agenda, the duplicate check, the
session view, the desktop's lists) costs what changed since, not every family record again.

What is kept is only what was decrypted and verified in this session (each family record's
versions, through `Records.open_each`); nothing is stored. The version log (migration 005)
says only which versions were added since: they are read and verified like any other. A
holder of the database key who held back a log row would only delay a new family version
in this list until the next sign-in (as for the board digest, decision 0004); the family view
verifies everything it shows. Keys held or a disposal (the removal count) change → read
everything again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.domain.history import record_state
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services.authority import RecordVersion
from workbook.vault import board_digest_store, version_store
from workbook.vault.version_store import VersionRow

if TYPE_CHECKING:
    from workbook.services.session import Session

FAMILY = RecordKind.FAMILY.value
HOUSEHOLD = Section.HOUSEHOLD.value


@dataclass(frozen=True)
class FamilySummary:
    family_id: str
    name: str
    reference: str
    status: str
    conflict: bool


class FamilyList:
    """Every family record's versions this session has verified, and the list made of them."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._versions: dict[str, dict[str, RecordVersion]] = {}  # record -> version id -> it
        self._shown: dict[str, FamilySummary] = {}
        self._sorted: list[FamilySummary] | None = None
        self._seq = -1
        self._state: tuple[object, ...] | None = None  # keys held, removal count

    def summaries(self) -> list[FamilySummary]:
        """Every family whose household this person can read, not deleted, by name."""
        conn = self.s.conn
        state = (tuple(self.s.keys.held()), board_digest_store.removals(conn))
        seq = board_digest_store.last_seq(conn)  # before reading: later versions fold in next
        if state != self._state or seq < self._seq:
            self._versions, self._shown = {}, {}
            self.s.trust.verified.load_kind(conn, FAMILY)
            self._add(version_store.of_kind(conn, FAMILY))
            self._state = state
        elif seq > self._seq:
            keys = [(h.family_id, h.kind, h.version_id)
                    for _seq, h in board_digest_store.headers_since(conn, self._seq)
                    if h.kind == FAMILY]
            self._add(version_store.by_keys(conn, keys))
        self._seq = seq
        if self._sorted is None:
            self._sorted = sorted(self._shown.values(),
                                  key=lambda f: (f.name.casefold(), f.family_id))
        return list(self._sorted)

    def _add(self, rows: Iterable[VersionRow]) -> None:
        changed = set()
        for version in self.s.records.open_each(rows, section=HOUSEHOLD):
            self._versions.setdefault(version.record_id, {})[version.version_id] = version
            changed.add(version.record_id)
        for family_id in changed:
            versions = list(self._versions[family_id].values())
            state = record_state(family_id, versions)
            head = self._versions[family_id][state.heads[-1]]
            if head.payload.get("deleted"):
                self._shown.pop(family_id, None)
                continue
            self._shown[family_id] = FamilySummary(
                family_id, str(head.payload.get("name", "")),
                str(head.payload.get("reference", "")), str(head.payload.get("status", "open")),
                state.in_conflict)
        if changed:
            self._sorted = None
