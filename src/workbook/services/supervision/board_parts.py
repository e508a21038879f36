"""The board's kept parts (issue 19): what the last read of the board worked out, by what it
depends on, so that a read after a few changes costs what changed rather than the size of the
unit, and a first read stays linear in it.

The digest logs the records a fold changed (`BoardDigest.log`, written by digest_folder) and
the parts read on from where they stopped. An action changes only its own part: its overdue
row (kept in a sorted list, moved by bisect) and the months it counts in (its old span taken
off the counts, its new one added). An entry changes only its family's time limits
(board_limits.py). A family record or review changes its family's part (board_families.py)
and, as the family's name and being open decide them, its actions' and entries'. A new
digest, day, policy or set of people, or a fold that changed many records at once (a
closing), works out everything. The board stays exactly the one a fresh computation gives
(tests/supervision/test_board_parts.py compares them after random changes).

A first read works everything out once, linear in the unit but for two sorts: sort keys are
single strings, and the parts keep few objects, as each is one more for the cycle collector's
first pass when `collector_paused` ends."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from workbook.domain.timescales import days_overdue
from workbook.services.family.time_limits import LimitRule, TimeLimit
from workbook.services.supervision import board_families, board_limits
from workbook.services.supervision.board_limits import LimitKey, Urgent
from workbook.services.supervision.board_rows import (
    Caseload,
    DueFamily,
    LimitRow,
    OverdueAction,
)
from workbook.services.supervision.digest_closed import last_months, month_end
from workbook.services.supervision.digest_folder import ENTRIES_OF, FACTS, FAMILY

if TYPE_CHECKING:
    from workbook.services.supervision.board_digest import BoardDigest

# Sort keys are one string of the fields the board orders by, joined by NUL (which no text
# field holds: services/validation.text): they order as the tuples of those fields do, compare
# several times faster, and are no objects for the cycle collector to walk (issue 19).
OverdueKey = str    # owner, due, family name casefolded, action id
# An action's part: its span, the month points at which it counts as overdue (lo <= i < hi,
# as lo * (points + 1) + hi: an int, no object to allocate or for the collector to walk), and
# while it is overdue today, its row (and the row's sort key).
ActionPart = tuple[int, OverdueKey | None, OverdueAction | None]
_NOT_COUNTED: ActionPart = (0, None, None)
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


@dataclass
class Parts:
    """The last board's working, in memory with the session (board_digest.DigestHolder)."""

    base_key: object = None
    log_at: int = 0                       # how much of the digest's log is worked in
    today: date = date.min
    points: list[str] = field(default_factory=list)   # the chart's month-end points
    region: str = ""
    rules: dict[str, LimitRule] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)       # username by user id
    families: dict[str, list[Any]] = field(default_factory=dict)
    open_families: dict[str, list[Any]] = field(default_factory=dict)
    family_name: dict[str, str] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)      # the name, casefolded
    family_of_record: dict[str, str] = field(default_factory=dict)  # family record's family
    family_of_review: dict[str, str] = field(default_factory=dict)  # a review's family
    due_keys: list[str] = field(default_factory=list)                # sorted
    due_families: list[DueFamily] = field(default_factory=list)      # in that order
    due_key: dict[str, str] = field(default_factory=dict)            # by family
    worker_of: dict[str, str] = field(default_factory=dict)          # case owner's username
    workers: dict[str, int] = field(default_factory=dict)            # open families by owner
    caseload: list[Caseload] = field(default_factory=list)
    # Review limits by family (naming no family: shared by those with the same opening day
    # and reviews, `shared_reviews`).
    review_limits: dict[str, list[TimeLimit]] = field(default_factory=dict)
    shared_reviews: dict[tuple[str, ...], list[TimeLimit]] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)            # span by action
    overdue_key: dict[str, OverdueKey] = field(default_factory=dict)  # of those overdue
    overdue_keys: list[OverdueKey] = field(default_factory=list)
    overdue: list[OverdueAction] = field(default_factory=list)
    overdue_counts: list[int] = field(default_factory=list)
    entries_of: dict[str, set[str]] = field(default_factory=dict)   # open family's entries
    entry_family: dict[str, str] = field(default_factory=dict)
    step_limits: dict[str, list[TimeLimit]] = field(default_factory=dict)
    urgent: dict[str, list[Urgent]] = field(default_factory=dict)
    # The running limits but urgent ones, sorted, and every limit but urgent ones by month.
    limit_keys: list[LimitKey] = field(default_factory=list)
    limit_rows: list[LimitRow] = field(default_factory=list)
    kept: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)


def bring_up_to_date(parts: Parts, digest: BoardDigest, today: date, family_id: str | None,
                     names: dict[str, str], rules: dict[str, LimitRule], region: str) -> None:
    """Work in what the digest logged since the last read, or all of it if what everything
    hangs on changed (another digest, the day, people, policy, region, many records)."""
    try:
        _bring_up_to_date(parts, digest, today, family_id, names, rules, region)
    except BaseException:
        parts.base_key = None   # half worked in: the next read works out everything
        raise


def _bring_up_to_date(parts: Parts, digest: BoardDigest, today: date, family_id: str | None,
                      names: dict[str, str], rules: dict[str, LimitRule], region: str) -> None:
    base_key = (digest.serial, today, family_id, tuple(sorted(names.items())),
                tuple(rules.items()), region)
    log = digest.log
    new = log[parts.log_at:] if parts.base_key == base_key else None
    parts.log_at = len(log)
    touched: dict[str, set[str | None]] = {}
    for kind, record_id in new or ():
        touched.setdefault(kind, set()).add(record_id)
    family_records, reviews = touched.get("family", set()), touched.get("review", set())
    if new is None or None in family_records or None in reviews or family_id is not None:
        parts.base_key = None
        _whole(parts, digest, today, family_id, names, rules, region)
        parts.base_key = base_key
        return
    actions = touched.get("action", set())
    if family_records or reviews:
        # A family's name and being on the board decide its actions' parts.
        moved = board_families.some_families(parts, digest, family_records, reviews)
        if moved:
            actions |= {action_id for action_id, rec in digest.kinds["action"].items()
                        if rec[FAMILY] in moved}
    if None in actions:
        _all_actions(parts, digest)
    elif actions:
        _some_actions(parts, digest, actions)
    entries = touched.get("entry", set())
    families = touched.get(ENTRIES_OF, set())
    if None in entries or None in families:   # families closed: they changed too
        _whole(parts, digest, today, family_id, names, rules, region)
    elif entries or families:
        board_limits.some_entries(parts, digest, entries, families)


def _whole(parts: Parts, digest: BoardDigest, today: date, family_id: str | None,
           names: dict[str, str], rules: dict[str, LimitRule], region: str) -> None:
    parts.today = today
    parts.points = [min(month_end(m), today).isoformat() for m in last_months(today)]
    parts.names, parts.rules, parts.region = names, rules, region
    board_families.all_families(parts, digest, family_id)
    _all_actions(parts, digest)
    board_limits.all_entries(parts, digest)
    board_limits.all_limit_rows(parts)


# --- plan actions: overdue now, and at the end of each of the chart's months ------------------
def _action_parts(parts: Parts) -> Callable[[str, list[Any]], ActionPart]:
    """Works out one action's part (what it reads of `parts` bound once: a first read asks
    tens of thousands of times)."""
    families, names, family_name, folded = (parts.families, parts.names, parts.family_name,
                                            parts.folded)
    points, today = parts.points, parts.today
    first, ends = points[0], len(points)
    base = ends + 1
    days_since: dict[str, int] = {}   # timescales' days overdue: many actions share a day

    def one(action_id: str, rec: list[Any]) -> ActionPart:
        facts = rec[FACTS]
        fid = rec[FAMILY]
        if not facts or fid not in families:
            return _NOT_COUNTED
        due, closed, created = facts[0], facts[1], facts[2]
        # Overdue at a month's end point p when due < p, created <= p and not closed by p.
        lo = bisect_right(points, due)
        if created > first:
            lo = max(lo, bisect_left(points, created))
        span = lo * base + (bisect_left(points, closed) if closed else ends)
        if not facts[3]:
            return span, None, None
        days = days_since.get(due)
        if days is None:
            days = days_since[due] = days_overdue(due, today)
        if not days:
            return span, None, None
        owner = names.get(facts[5], "")
        return (span, f"{owner}\0{due}\0{folded[fid]}\0{action_id}",
                OverdueAction(action_id, fid, family_name[fid], facts[4], owner, due, days))

    return one


def _all_actions(parts: Parts, digest: BoardDigest) -> None:
    one = _action_parts(parts)
    base = len(parts.points) + 1
    actions: dict[str, int] = {}
    keys: dict[str, OverdueKey] = {}
    overdue: list[tuple[OverdueKey, OverdueAction]] = []
    by_span = [0] * (base * base)
    for action_id, rec in digest.kinds["action"].items():
        span, key, row = one(action_id, rec)
        actions[action_id] = span
        by_span[span] += 1
        if row is not None:
            overdue.append((key, row))  # type: ignore[arg-type]  # a row has a key
            keys[action_id] = key  # type: ignore[assignment]
    counts = [0] * (base - 1)
    for span, many in enumerate(by_span):
        if many:
            _count_span(counts, span, base, many)
    overdue.sort(key=_FIRST)   # the keys are unique (the action id)
    parts.actions, parts.overdue_key, parts.overdue_counts = actions, keys, counts
    parts.overdue_keys = list(map(_FIRST, overdue))
    parts.overdue = list(map(_SECOND, overdue))


def _count_span(counts: list[int], span: int, base: int, many: int) -> None:
    lo, hi = divmod(span, base)
    for i in range(lo, hi):
        counts[i] += many


def _some_actions(parts: Parts, digest: BoardDigest, action_ids: Iterable[str | None]) -> None:
    """Each changed action's old part taken off, its new one put in."""
    one = _action_parts(parts)
    base = len(parts.points) + 1
    records, counts = digest.kinds["action"], parts.overdue_counts
    keys, rows = parts.overdue_keys, parts.overdue
    for action_id in action_ids:
        assert action_id is not None
        _count_span(counts, parts.actions.pop(action_id, 0), base, -1)
        old = parts.overdue_key.pop(action_id, None)
        if old is not None:
            at = bisect_left(keys, old)
            del keys[at], rows[at]
        rec = records.get(action_id)
        if rec is None:
            continue
        span, key, row = one(action_id, rec)
        parts.actions[action_id] = span
        _count_span(counts, span, base, 1)
        if key is not None and row is not None:
            parts.overdue_key[action_id] = key
            at = bisect_left(keys, key)
            keys.insert(at, key)
            rows.insert(at, row)
