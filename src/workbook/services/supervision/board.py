"""The supervisor's board: which families are due for review this month, which plan actions are
overdue (by owner), which time limits are at risk or breached, each worker's caseload, and the
twelve-month trends the charts draw - all from what the signed-in person may read.

One pass per record kind over the vault: rows whose section tag is not one this person can read
are skipped before anything is decrypted, and signatures already verified are not verified
again (the verified-versions cache), so the board stays quick on a large unit."""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import Act
from workbook.domain.history import HistoryPoint, head_ids
from workbook.domain.roles import Section
from workbook.domain.time_limit_rules import LimitRule, limit_label
from workbook.domain.timescales import days_overdue, is_overdue
from workbook.domain.working_days import REGION_TITLES
from workbook.services.authority import RecordVersion
from workbook.services.clock import civil_date
from workbook.services.family import time_limits
from workbook.services.family.time_limits import AT_RISK, BREACHED, TimeLimit
from workbook.services.supervision import board_digest
from workbook.services.supervision.digest_closed import last_months, month_end
from workbook.services.supervision.digest_folder import FACTS, FAMILY, FIRST, SECTION
from workbook.vault import accounts, version_store
from workbook.vault.version_store import VersionHeader

if TYPE_CHECKING:
    from workbook.services.session import Session

CLOSED_ACTION = ("done", "cancelled")
FINAL = "final"
_STATE_ORDER = {BREACHED: 0, AT_RISK: 1, time_limits.ON_TRACK: 2}


@dataclass(frozen=True)
class DueFamily:
    family_id: str
    name: str
    reference: str
    case_owner: str      # username
    last_reviewed: str   # ISO date of the last signed-off review, "" if never
    next_review: str     # ISO date, "" if never reviewed


@dataclass(frozen=True)
class OverdueAction:
    action_id: str
    family_id: str
    family_name: str
    text: str
    owner: str           # username
    due: str
    days_overdue: int    # calendar days


@dataclass(frozen=True)
class LimitRow:
    family_id: str
    family_name: str
    limit: str
    started: str
    due: str
    state: str
    record_id: str


@dataclass(frozen=True)
class Caseload:
    worker: str          # username
    families: int


@dataclass(frozen=True)
class MonthCount:
    month: str           # YYYY-MM
    count: int


@dataclass(frozen=True)
class MonthCompliance:
    month: str           # YYYY-MM
    kept: int            # limits due that month that were met in time
    total: int           # limits due that month (met, or running and breached)

    @property
    def percent(self) -> float:
        return 100.0 * self.kept / self.total if self.total else 100.0


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
        parts = _Parts() if fresh_parts else _parts(session)
        result.rules = time_limits.rules(session)
        _fill(result, facts, now, today, family_id, names, parts, result.rules)
    return result


def due_order(family: DueFamily) -> tuple[str, str, str]:
    """The board's order of families due for review: soonest first."""
    return (family.next_review or "0000", family.name.casefold(), family.family_id)


def limit_order(row: LimitRow) -> tuple[int, str, str, str, str]:
    """The board's order of time limits: breached, then at risk, then on track; soonest due."""
    return (_STATE_ORDER[row.state], row.due, row.family_name.casefold(), row.limit, row.record_id)


# An action's part of the board: the facts it was worked out from; the month points at which
# it counts as overdue (lo <= i < hi); its overdue row, with the row's sort key, or None.
_ActionPart = tuple[Any, int, int, tuple[tuple[str, str, str, str], OverdueAction] | None]


@dataclass
class _Parts:
    """What the last board worked out, by what it depends on, so that a read with nothing
    changed works out only what depends on the time of day (urgent concerns), and a read after
    one action was added looks again only at that action. In memory with the session."""

    base_key: Hashable = None
    families: dict[str, list[Any]] = field(default_factory=dict)
    open_families: dict[str, list[Any]] = field(default_factory=dict)
    reviews: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    due_families: list[DueFamily] = field(default_factory=list)
    caseload: list[Caseload] = field(default_factory=list)
    review_limits: list[TimeLimit] = field(default_factory=list)
    actions: dict[str, _ActionPart] = field(default_factory=dict)
    actions_key: Hashable = None
    overdue: list[OverdueAction] = field(default_factory=list)
    overdue_counts: list[int] = field(default_factory=list)
    entries_key: Hashable = None
    step_limits: list[TimeLimit] = field(default_factory=list)
    urgent: list[tuple[str, str, datetime, datetime | None]] = field(default_factory=list)


def _parts(session: Session) -> _Parts:
    holder = board_digest.holder(session)
    found = holder.parts
    if not isinstance(found, _Parts):
        found = _Parts()
        holder.parts = found
    return found


def _fill(result: Board, digest: board_digest.BoardDigest, now: datetime, today: date,
          family_id: str | None, names: dict[str, str], parts: _Parts,
          rules: dict[str, time_limits.LimitRule]) -> None:
    """The board from the digest's facts (see `digest_folder._facts` for their layout)."""
    changes = digest.changes
    base_key = (digest.serial, changes["family"], changes["review"], today, family_id,
                tuple(sorted(names.items())), rules[time_limits.REVIEW])
    if parts.base_key != base_key:
        _families_part(parts, digest, today, family_id, names, rules[time_limits.REVIEW])
        parts.base_key = base_key
        parts.actions.clear()
        parts.actions_key = parts.entries_key = None
    months = last_months(today)
    actions_key = (base_key, changes["action"])
    if parts.actions_key != actions_key:
        _actions_part(parts, digest, today, months, names)
        parts.actions_key = actions_key
    entries_key = (base_key, changes["entry"], result.region, tuple(rules.items()))
    if parts.entries_key != entries_key:
        _entries_part(parts, digest, today, result.region, rules)
        parts.entries_key = entries_key

    result.due_families = list(parts.due_families)
    result.caseload = list(parts.caseload)
    result.overdue_actions = list(parts.overdue)
    # Closed families count in the months before their closing (digest_closed), never in
    # this month, whose point is today.
    history = digest.closed.total
    keys = [m.strftime("%Y-%m") for m in months]
    result.overdue_by_month = [MonthCount(k, n + (history.get(k, 0) if k != keys[-1] else 0))
                               for k, n in zip(keys, parts.overdue_counts, strict=True)]
    limits = [*parts.step_limits, *parts.review_limits]
    limits.extend(time_limits.urgent_limit(fid, entry_id, raised, responded, now,
                                           rules[time_limits.URGENT])
                  for fid, entry_id, raised, responded in parts.urgent)
    family_name = {fid: str(rec[FACTS][0]) for fid, rec in parts.families.items()}
    result.time_limits = [LimitRow(limit.family_id, family_name[limit.family_id], limit.limit,
                                   limit.started, limit.due, limit.state, limit.record_id)
                          for limit in limits if limit.running]
    result.time_limits.sort(key=limit_order)
    result.compliance_by_month = _compliance(limits, months)


def _families_part(parts: _Parts, digest: board_digest.BoardDigest, today: date,
                   family_id: str | None, names: dict[str, str],
                   review_rule: time_limits.LimitRule) -> None:
    """Families, reviews due, caseload and review limits: what families and reviews decide."""
    kinds = digest.kinds
    families: dict[str, list[Any]] = {}
    for rec in kinds["family"].values():
        facts = rec[FACTS]
        if facts is None or facts[4] or (family_id is not None and rec[FAMILY] != family_id):
            continue
        families[rec[FAMILY]] = rec
    open_families = {fid: rec for fid, rec in families.items() if rec[FACTS][3] == "open"}
    # Reviews: the signed-off ones count; the latest sets the next review date.
    reviews: dict[str, list[tuple[str, str]]] = {}
    for rec in kinds["review"].values():
        facts = rec[FACTS]
        if (facts is not None and facts[0] == FINAL and not facts[3]
                and rec[FAMILY] in families and _iso(facts[1])):
            reviews.setdefault(rec[FAMILY], []).append((facts[1], facts[2]))
    end = month_end(today)
    due_families = []
    review_limits: list[TimeLimit] = []
    counts: dict[str, int] = {}
    for fid, rec in open_families.items():
        facts = rec[FACTS]
        done = sorted(reviews.get(fid, []), key=lambda r: r[0])
        last = done[-1][0] if done else ""
        following = done[-1][1] if done else ""
        if done and not _iso(following):
            following = time_limits.add_month(date.fromisoformat(last)).isoformat()
        if not done or date.fromisoformat(following) <= end:
            due_families.append(DueFamily(fid, facts[0], facts[1], names.get(facts[2], ""),
                                          last, following))
        opened = date.fromisoformat(rec[FIRST][:10])
        held = [date.fromisoformat(r[0]) for r in done]
        review_limits.extend(time_limits.review_limits(fid, opened, held, today, review_rule))
        worker = names.get(str(facts[2]), "")
        if worker:
            counts[worker] = counts.get(worker, 0) + 1
    due_families.sort(key=due_order)
    parts.families, parts.open_families, parts.reviews = families, open_families, reviews
    parts.due_families = due_families
    parts.review_limits = review_limits
    parts.caseload = sorted((Caseload(w, n) for w, n in counts.items()),
                            key=lambda c: (-c.families, c.worker))


def _actions_part(parts: _Parts, digest: board_digest.BoardDigest, today: date,
                  months: list[date], names: dict[str, str]) -> None:
    """Plan actions: overdue now, and overdue at the end of each of the last twelve months.
    Only actions whose facts changed since the last board are worked out again."""
    points = [min(month_end(m), today).isoformat() for m in months]
    families = parts.families
    folded = {fid: str(rec[FACTS][0]).casefold() for fid, rec in families.items()}
    before = parts.actions
    after: dict[str, _ActionPart] = {}
    changed = len(before) != len(digest.kinds["action"])
    right, left, ends = bisect_right, bisect_left, len(points)
    for action_id, rec in digest.kinds["action"].items():
        facts = rec[FACTS]
        if before:
            known = before.get(action_id)
            if known is not None and known[0] is facts:
                after[action_id] = known
                continue
        changed = True
        if not facts or rec[FAMILY] not in families:
            after[action_id] = (facts, 0, 0, None)
            continue
        due, closed, created = facts[0], facts[1], facts[2]
        # Overdue at a month's end point p when due < p, created <= p and not closed by p.
        lo = right(points, due)
        if created > points[0]:
            lo = max(lo, left(points, created))
        hi = left(points, closed) if closed else ends
        row = None
        if facts[3] and is_overdue(due, today):
            fid = rec[FAMILY]
            owner = names.get(facts[5], "")
            # With its sort key, so that sorting compares tuples of text and calls nothing.
            row = ((owner, due, folded[fid], action_id),
                   OverdueAction(action_id, fid, str(families[fid][FACTS][0]), facts[4],
                                 owner, due, days_overdue(due, today)))
        after[action_id] = (facts, lo, hi, row)
    parts.actions = after
    if not changed and parts.overdue_counts:
        return
    steps = [0] * (len(points) + 1)
    overdue = []
    for _facts, lo, hi, row in after.values():
        if lo < hi:
            steps[lo] += 1
            steps[hi] -= 1
        if row is not None:
            overdue.append(row)
    counts, running = [], 0
    for step in steps[:-1]:
        running += step
        counts.append(running)
    overdue.sort()
    parts.overdue, parts.overdue_counts = [row for _key, row in overdue], counts


def _entries_part(parts: _Parts, digest: board_digest.BoardDigest, today: date,
                  region_name: str, rules: dict[str, time_limits.LimitRule]) -> None:
    """The limits entries start and stop (milestones, the statutory steps) and the urgent
    concerns whose state the time of day decides."""
    open_families = parts.open_families
    steps: dict[str, dict[str, list[tuple[date, str]]]] = {}
    urgent = []
    for entry_id, rec in digest.kinds["entry"].items():
        facts = rec[FACTS]
        fid = rec[FAMILY]
        if facts is None or fid not in open_families or facts[5]:
            continue
        day = _iso(facts[1])
        if day is not None:
            step = time_limits.step_of(rec[SECTION], facts[0], facts[6] if len(facts) > 6 else "")
            if step:
                steps.setdefault(fid, {}).setdefault(step, []).append((day, entry_id))
        if facts[2]:
            raised = _moment(facts[3])
            responded = _moment(facts[4]) if facts[4] else None
            if raised is not None:
                urgent.append((fid, entry_id, raised, responded))
    limits: list[TimeLimit] = []
    for fid, of_family in sorted(steps.items()):
        limits.extend(time_limits.limits_from_steps(fid, of_family, today, region_name, rules))
    parts.step_limits, parts.urgent = limits, urgent


def _compliance(limits: list[TimeLimit], months: list[date]) -> list[MonthCompliance]:
    kept = {m.strftime("%Y-%m"): 0 for m in months}
    total = dict(kept)
    for limit in limits:
        key = limit.due_day[:7]
        if key not in total:
            continue
        if limit.met:
            total[key] += 1
            kept[key] += limit.state != BREACHED
        elif limit.state == BREACHED:
            total[key] += 1
    return [MonthCompliance(k, kept[k], total[k]) for k in total]


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


def _iso(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def region_title(region_name: str) -> str:
    return REGION_TITLES.get(region_name, region_name)
