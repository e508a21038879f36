"""The board's time limits as its kept parts hold them (board_parts.py, issue 19): each open
family's limits its entries start (milestones, the statutory steps) and its urgent concerns,
kept by family so that a changed entry works out only its family again; the running limits
but urgent ones kept in the board's order (moved by bisect), and every limit but urgent ones
tallied by month; the urgent concerns, whose state the time of day decides, worked out at
each read and merged in."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, datetime
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from workbook.services.family import time_limits
from workbook.services.family.time_limits import BREACHED, TimeLimit
from workbook.services.supervision.board_rows import _STATE_ORDER, LimitRow, MonthCompliance
from workbook.services.supervision.digest_folder import FACTS, FAMILY, SECTION

if TYPE_CHECKING:
    from workbook.services.supervision.board_digest import BoardDigest
    from workbook.services.supervision.board_parts import Parts

LimitKey = str      # board_rows.limit_order's fields, then family id and start (board_parts)
# An urgent concern's clock: family, entry, raised, responded (None while not yet).
Urgent = tuple[str, str, datetime, datetime | None]
_STATE_KEY = {state: str(order) for state, order in _STATE_ORDER.items()}
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def all_entries(parts: Parts, digest: BoardDigest) -> None:
    open_families = parts.open_families
    entries_of: dict[str, set[str]] = {}
    entry_family: dict[str, str] = {}
    for entry_id, rec in digest.kinds["entry"].items():
        fid = rec[FAMILY]
        if fid in open_families:
            entries_of.setdefault(fid, set()).add(entry_id)
            entry_family[entry_id] = fid
    parts.entries_of, parts.entry_family = entries_of, entry_family
    parts.step_limits, parts.urgent = {}, {}
    records = digest.kinds["entry"]
    for fid in entries_of:
        family_entries(parts, fid, records)


def family_entries(parts: Parts, fid: str, records: dict[str, list[Any]]) -> None:
    """One open family's step limits and urgent concerns, from its entries in the digest."""
    steps: dict[str, list[tuple[date, str]]] = {}
    urgent: list[Urgent] = []
    ids = parts.entries_of.get(fid, set())
    for entry_id in list(ids):
        rec = records.get(entry_id)
        if rec is None or rec[FAMILY] != fid:  # dropped from the digest (a visit unneeded)
            ids.discard(entry_id)
            parts.entry_family.pop(entry_id, None)
            continue
        facts = rec[FACTS]
        if facts is None or facts[5]:
            continue
        day = iso_day(facts[1])
        if day is not None:
            step = time_limits.step_of(rec[SECTION], facts[0], facts[6] if len(facts) > 6 else "")
            if step:
                steps.setdefault(step, []).append((day, entry_id))
        if facts[2]:
            raised = moment(facts[3])
            responded = moment(facts[4]) if facts[4] else None
            if raised is not None:
                urgent.append((fid, entry_id, raised, responded))
    if steps:
        parts.step_limits[fid] = time_limits.limits_from_steps(fid, steps, parts.today,
                                                               parts.region, parts.rules)
    else:
        parts.step_limits.pop(fid, None)
    if urgent:
        parts.urgent[fid] = urgent
    else:
        parts.urgent.pop(fid, None)


def some_entries(parts: Parts, digest: BoardDigest, entry_ids: Iterable[str | None],
                  family_ids: Iterable[str | None]) -> None:
    """The families of the changed entries: their step limits worked out again, their old
    rows taken out of the kept sorted ones and the new put in."""
    records = digest.kinds["entry"]
    families = {fid for fid in family_ids if fid in parts.open_families}
    for entry_id in entry_ids:
        assert entry_id is not None
        old = parts.entry_family.pop(entry_id, None)
        if old is not None:
            parts.entries_of[old].discard(entry_id)
            families.add(old)
        rec = records.get(entry_id)
        if rec is not None and rec[FAMILY] in parts.open_families:
            parts.entry_family[entry_id] = rec[FAMILY]
            parts.entries_of.setdefault(rec[FAMILY], set()).add(entry_id)
            families.add(rec[FAMILY])
    for fid in families:
        count_limits(parts, fid, parts.step_limits.get(fid, ()), -1)
        family_entries(parts, fid, records)
        count_limits(parts, fid, parts.step_limits.get(fid, ()), 1)


# --- the time limits: kept sorted, the urgent ones merged in at each read ---------------------
def _pair(parts: Parts, fid: str, limit: TimeLimit, record_id: str
          ) -> tuple[LimitKey, LimitRow]:
    """A running limit's row and its sort key: `board_rows.limit_order`, then what makes it a
    total order."""
    key = (f"{_STATE_KEY[limit.state]}\0{limit.due}\0{parts.folded[fid]}\0{limit.limit}\0"
           f"{record_id}\0{fid}\0{limit.started}")
    return key, LimitRow(fid, parts.family_name[fid], limit.limit, limit.started, limit.due,
                         limit.state, record_id)


def all_limit_rows(parts: Parts) -> None:
    """From the review limits (by family, shared and naming no family: board_families) and
    the step limits."""
    review_limits = parts.review_limits
    parts.kept = {point[:7]: 0 for point in parts.points}
    parts.total = dict(parts.kept)
    pairs: list[tuple[LimitKey, LimitRow]] = []
    for of_families in (review_limits, parts.step_limits):
        _tally(parts.kept, parts.total, chain.from_iterable(of_families.values()), 1)
    for fid, limits in review_limits.items():
        pairs.extend(_pair(parts, fid, limit, fid) for limit in limits if not limit.met)
    for fid, limits in parts.step_limits.items():
        pairs.extend(_pair(parts, fid, limit, limit.record_id)
                     for limit in limits if not limit.met)
    pairs.sort(key=_FIRST)
    parts.limit_keys = list(map(_FIRST, pairs))
    parts.limit_rows = list(map(_SECOND, pairs))


def count_limits(parts: Parts, fid: str, limits: Iterable[TimeLimit], sign: int,
                 record_id: str | None = None) -> None:
    """Put family `fid`'s `limits` in (sign 1) or take them out (-1) of the kept rows and
    month counts; `record_id` for limits that name none (the review limits)."""
    limits = list(limits)
    _tally(parts.kept, parts.total, limits, sign)
    keys, rows = parts.limit_keys, parts.limit_rows
    for limit in limits:
        if limit.met:
            continue
        key, row = _pair(parts, fid, limit, limit.record_id if record_id is None else record_id)
        at = bisect_left(keys, key)
        if sign > 0:
            keys.insert(at, key)
            rows.insert(at, row)
        else:
            del keys[at], rows[at]


def _tally(kept: dict[str, int], total: dict[str, int], limits: Iterable[TimeLimit],
           sign: int) -> None:
    """A month's limits: those met (in time or not) and those running and breached."""
    for limit in limits:
        key = limit.due[:7]
        if key not in total:
            continue
        if limit.met:
            total[key] += sign
            if limit.state != BREACHED:
                kept[key] += sign
        elif limit.state == BREACHED:
            total[key] += sign


def limits_now(parts: Parts, now: datetime) -> tuple[list[LimitRow], list[MonthCompliance]]:
    """The running limits in the board's order and the compliance by month, as of `now`:
    the kept ones with the urgent concerns' worked out now merged in."""
    rule = parts.rules[time_limits.URGENT]
    urgent = [time_limits.urgent_limit(fid, entry_id, raised, responded, now, rule)
              for of_family in parts.urgent.values()
              for fid, entry_id, raised, responded in of_family]
    kept, total = dict(parts.kept), dict(parts.total)
    _tally(kept, total, urgent, 1)
    compliance = [MonthCompliance(month, kept[month], total[month]) for month in total]
    extra = sorted((_pair(parts, limit.family_id, limit, limit.record_id)
                    for limit in urgent if not limit.met), key=_FIRST)
    keys, rows = parts.limit_keys, parts.limit_rows
    merged: list[LimitRow] = []
    start = 0
    for key, row in extra:
        at = bisect_right(keys, key, start)
        merged.extend(rows[start:at])
        merged.append(row)
        start = at
    merged.extend(rows[start:])
    return merged, compliance


def iso_day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
