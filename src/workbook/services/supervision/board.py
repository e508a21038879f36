"""The supervisor's board: which families are due for review this month, which plan actions are
overdue (by owner), which time limits are at risk or breached, each worker's caseload, and the
twelve-month trends the charts draw - all from what the signed-in person may read.

One pass per record kind over the vault: rows whose section tag is not one this person can read
are skipped before anything is decrypted, and signatures already verified are not verified
again (the verified-versions cache), so the board stays quick on a large unit."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import Act
from workbook.domain.history import HistoryPoint, head_ids
from workbook.domain.roles import Section
from workbook.domain.time_limit_rules import LimitRule, limit_label
from workbook.domain.working_days import REGION_TITLES
from workbook.services.authority import RecordVersion
from workbook.services.clock import civil_date
from workbook.services.family import time_limits
from workbook.services.family.time_limits import AT_RISK, BREACHED
from workbook.services.supervision import board_digest, board_limits, board_parts
from workbook.services.supervision.board_families import FINAL
from workbook.services.supervision.board_rows import (
    Caseload,
    DueFamily,
    LimitRow,
    MonthCompliance,
    MonthCount,
    OverdueAction,
    due_order,
    limit_order,
)
from workbook.services.supervision.digest_closed import last_months, month_end
from workbook.vault import accounts, version_store
from workbook.vault.version_store import VersionHeader

if TYPE_CHECKING:
    from workbook.services.session import Session

@dataclass
class Board:
    today: str
    month_end: str
    region: str
    due_families: list[DueFamily] = field(default_factory=list)
    overdue_actions: list[OverdueAction] = field(default_factory=list)
    time_limits: list[LimitRow] = field(default_factory=list)
    caseload: list[Caseload] = field(default_factory=list)
    overdue_by_month: list[MonthCount] = field(default_factory=list)
    compliance_by_month: list[MonthCompliance] = field(default_factory=list)
    note: str = ""
    # username -> full name, for screens (people are shown by name); not in the JSON.
    people: dict[str, str] = field(default_factory=dict)
    # The policy's time limits the board was worked out with (for labels; not in the JSON).
    rules: dict[str, LimitRule] = field(default_factory=dict)

    def label(self, limit: str) -> str:
        """"Referral (10 working days)": the limit's name and its length in the policy."""
        return limit_label(limit, self.rules.get(limit))

    @property
    def at_risk_or_breached(self) -> list[LimitRow]:
        return [t for t in self.time_limits if t.state in (AT_RISK, BREACHED)]

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today, "month_end": self.month_end, "region": self.region,
            "due_families": [asdict(f) for f in self.due_families],
            "overdue_actions": [asdict(a) for a in self.overdue_actions],
            "time_limits": [asdict(t) for t in self.time_limits],
            "caseload": [asdict(c) for c in self.caseload],
            "overdue_by_month": [asdict(m) for m in self.overdue_by_month],
            "compliance_by_month": [{**asdict(m), "percent": round(m.percent, 1)}
                                    for m in self.compliance_by_month],
            "note": self.note,
        }


@dataclass
class _Record:
    head: RecordVersion
    first_created: str


def board(session: Session, now: datetime | None = None, family_id: str | None = None,
          *, fresh: bool = False) -> Board:
    """The board as of `now` (the session's clock by default); with `family_id`, only that
    family's part of it (the family's own time-limits view).

    Worked out from this person's board digest (services/supervision/board_digest.py), brought up
    to date first; with `fresh`, from a digest built from scratch and kept nowhere."""
    now = now or session.clock()
    today = civil_date(now)
    return _board(session, now, family_id, fresh or family_id is not None,
                  lambda: board_digest.current(session, fresh=fresh, today=today))


def board_of(session: Session, digest: board_digest.BoardDigest, now: datetime) -> Board:
    """The board worked out from `digest` as given - a part of this person's digest, neither
    brought up to date nor kept: home's deadlines work out a few hundred families at a time
    (services/home/deadlines.py), so that no job of the worker's takes long (issue 19)."""
    return _board(session, now, None, True, lambda: digest)


def _board(session: Session, now: datetime, family_id: str | None, fresh_parts: bool,
           digest_of: Callable[[], board_digest.BoardDigest]) -> Board:
    today = civil_date(now)
    region_name = time_limits.region(session)
    result = Board(today.isoformat(), month_end(today).isoformat(), region_name)
    if not session.may(Act.CASEWORK):
        result.note = "The administrator reads no case records, so the board is empty."
        return result
    session.require_practitioner()
    if not session.records.can_read(Section.HOUSEHOLD.value):
        result.note = "You do not hold the household key yet, so no families are shown."
        return result
    with board_digest.collector_paused():
        facts = digest_of()
        users = accounts.all_users(session.conn)
        names = {u.user_id: u.username for u in users}
        result.people = {u.username: u.full_name or "a colleague" for u in users}
        parts = board_parts.Parts() if fresh_parts else _parts(session)
        result.rules = time_limits.rules(session)
        _fill(result, facts, now, today, family_id, names, parts, result.rules)
    return result


def _parts(session: Session) -> board_parts.Parts:
    holder = board_digest.holder(session)
    found = holder.parts
    if not isinstance(found, board_parts.Parts):
        found = board_parts.Parts()
        holder.parts = found
    return found


def _fill(result: Board, digest: board_digest.BoardDigest, now: datetime, today: date,
          family_id: str | None, names: dict[str, str], parts: board_parts.Parts,
          rules: dict[str, time_limits.LimitRule]) -> None:
    """The board from the digest's facts (see `digest_folder._facts` for their layout), by way
    of the parts kept from the last read (board_parts.py)."""
    board_parts.bring_up_to_date(parts, digest, today, family_id, names, rules, result.region)
    result.due_families = list(parts.due_families)
    result.caseload = list(parts.caseload)
    result.overdue_actions = list(parts.overdue)
    # Closed families count in the months before their closing (digest_closed), never in
    # this month, whose point is today.
    history = digest.closed.total
    keys = [m.strftime("%Y-%m") for m in last_months(today)]
    result.overdue_by_month = [MonthCount(k, n + (history.get(k, 0) if k != keys[-1] else 0))
                               for k, n in zip(keys, parts.overdue_counts, strict=True)]
    result.time_limits, result.compliance_by_month = board_limits.limits_now(parts, now)


class BoardMemo:
    """What one signed-in session has already opened for the board: versions by id (a version
    never changes, so an opened one stays right) and the answers per kind; each family's
    section tags are the records service's. Lives in memory with the session's other managers
    and goes with them at lock."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.versions: dict[str, RecordVersion] = {}
        self.results: dict[str, _KindState] = {}
        self.tags = session.records.family_tags()
        self.held: list[tuple[str, int]] = []

    def refresh(self) -> None:
        """Forget the answers if the keys held changed (a grant, a rotation) since last time;
        the records service forgets the tags then."""
        self.tags = self.session.records.family_tags()
        held = self.session.keys.held()
        if held != self.held:
            self.results.clear()
            self.held = held

    def load(self, keys: Iterable[tuple[str, str, str]]) -> None:
        """Read, decrypt and verify the versions (family id, kind, version id: the primary
        key) not opened yet."""
        # In primary-key order, so the table's pages are read once each rather than at random.
        missing = sorted(k for k in keys if k[2] not in self.versions)
        opened = self.session.records.open_many(
            version_store.by_keys(self.session.conn, missing), held=True)
        for version in opened:
            self.versions[version.version_id] = version


def memo(session: Session) -> BoardMemo:
    found: BoardMemo = session._manager("supervision_board", BoardMemo)
    return found


@dataclass
class _KindState:
    """The last answer for one kind, and what it was worked out from."""

    key: Hashable
    count: int
    known: set[str]                                   # version ids seen
    grouped: dict[str, list[VersionHeader]]           # readable versions by record
    out: dict[str, _Record]


def latest_records(session: Session, kind: str, sections: set[str], *,
                   headers: Callable[[], Iterable[VersionHeader]] | None = None,
                   edited_only: frozenset[str] = frozenset(),
                   scope: Hashable = None) -> dict[str, _Record]:
    """The newest head of every record of `kind` in `sections` (among `headers`, by default
    every version of that kind), decrypted and verified, with when it was first written.

    Heads are found from the clear headers (parents) read from an index, as `home.activity`
    does, and only heads are read and decrypted - each then fully verified, its parents being
    bound into its authenticated data; heads this session already opened are not opened again.
    For sections in `edited_only`, records with a single version are left unread.

    Versions are only ever added. So while the keys held and the arguments (with `scope`, what
    decides `headers`) are unchanged, an unchanged count of versions of `kind` means the last
    answer stands; a changed count with the default headers means only the versions not seen
    before are read, and only their records worked out again."""
    if not sections:
        return {}
    remembered = memo(session)
    remembered.refresh()
    key = (kind, frozenset(sections), edited_only, scope, tuple(remembered.held))
    count = version_store.count_of_kind(session.conn, kind)
    state = remembered.results.get(kind)
    if state is not None and state.key == key:
        if state.count == count:
            return state.out
        if headers is None:
            return _catch_up(session, kind, sections, edited_only, state, count)
    session.trust.verified.load_kind(session.conn, kind)
    source = version_store.headers_of_kind(session.conn, kind) if headers is None else headers()
    state = _KindState(key, count, set(), {}, {})
    _take(session, kind, sections, state, source)
    state.out = _heads(session, sections, edited_only, state.grouped)
    remembered.results[kind] = state
    return state.out


def _take(session: Session, kind: str, sections: set[str], state: _KindState,
          source: Iterable[VersionHeader]) -> set[str]:
    """Add readable headers to `state`; return the records they belong to."""
    family_tags = memo(session).tags
    touched: set[str] = set()
    for header in source:
        state.known.add(header.version_id)
        if header.sealed or header.kind != kind:
            continue
        found = family_tags(header.family_id).get(header.section_tag or b"")
        if found is not None and found[0] in sections:
            group = state.grouped.get(header.record_id)
            if group is None:
                state.grouped[header.record_id] = [header]
            elif all(h.version_id != header.version_id for h in group):
                group.append(header)
            touched.add(header.record_id)
    return touched


def _catch_up(session: Session, kind: str, sections: set[str], edited_only: frozenset[str],
              state: _KindState, count: int) -> dict[str, _Record]:
    session.trust.verified.load_kind(session.conn, kind)
    new = [(fid, kind, vid) for fid, vid in version_store.keys_of_kind(session.conn, kind)
           if vid not in state.known]
    touched = _take(session, kind, sections, state,
                    version_store.headers_by_keys(session.conn, new))
    changed = _heads(session, sections, edited_only, {r: state.grouped[r] for r in touched})
    out = dict(state.out)
    for record_id in touched:
        out.pop(record_id, None)
    out.update(changed)
    state.out = out
    state.count = count
    return out


def _heads(session: Session, sections: set[str], edited_only: frozenset[str],
           records: dict[str, list[VersionHeader]]) -> dict[str, _Record]:
    remembered = memo(session)
    heads: dict[str, tuple[VersionHeader, str]] = {}
    for record_id, versions in records.items():
        if len(versions) == 1:
            head = versions[0]
            tags = remembered.tags(head.family_id)
            if tags[head.section_tag or b""][0] in edited_only:
                continue
            heads[record_id] = (head, head.created_at)
            continue
        newest = head_ids([HistoryPoint(v.version_id, tuple(json.loads(v.parents)), v.created_at)
                           for v in versions])[-1]
        head = next(v for v in versions if v.version_id == newest)
        heads[record_id] = (head, min(v.created_at for v in versions))
    remembered.load((h.family_id, h.kind, h.version_id) for h, _first in heads.values())
    out = {}
    for record_id, (head, first) in heads.items():
        version = remembered.versions.get(head.version_id)
        if version is not None and version.section in sections:
            out[record_id] = _Record(version, first)
    return out


def region_title(region_name: str) -> str:
    return REGION_TITLES.get(region_name, region_name)


__all__ = [
    "FINAL", "Board", "BoardMemo", "Caseload", "DueFamily", "LimitRow", "MonthCompliance",
    "MonthCount", "OverdueAction", "board", "board_of", "due_order", "latest_records",
    "limit_order", "memo", "region_title",
]
