"""Closed families in the board's digest (docs/decisions/0011-the-board-without-closed-families.md).

A closed family is nobody's work: it is not due for review, its actions are not overdue, no time
limit runs for it, it is in no one's caseload. The only part of the board it still shows in is
the chart of plan actions overdue at each of the last twelve months' ends - for the months it
was open. So the digest keeps no record of a closed family, only, for each family closed after
the first month the digest's chart can show (its `anchor`), how many of its actions were overdue
at each month's end before its closing: a few numbers, worked out once from its verified
actions when it closes (or at the digest's build) and again only if one of its actions or its
family record changes. A family closed before the anchor contributes nothing to any month the
board can show, so a build reads nothing of it but its family record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

OPEN = "open"
TREND_MONTHS = 12
# A family record's facts (digest_folder._facts): [name, reference, case owner, status,
# deleted, closing day].
_STATUS, _DELETED, _CLOSING = 3, 4, 5


def month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def last_months(today: date, count: int = TREND_MONTHS) -> list[date]:
    """The first day of each of the last `count` months, oldest first, this month last."""
    out = []
    year, month = today.year, today.month
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def anchor_of(today: date) -> str:
    """The first month (its first day, ISO) the board's chart shows on `today`."""
    return last_months(today)[0].isoformat()


def is_open(family_facts: list[Any]) -> bool:
    """Open and not deleted: the families whose records the digest keeps."""
    return bool(family_facts) and family_facts[_STATUS] == OPEN and not family_facts[_DELETED]


def closing_day(family_facts: list[Any]) -> str | None:
    """The day a closed (or transferred) family closed, from its verified head; None for an
    open or deleted family, which has no history in the chart."""
    if not family_facts or family_facts[_STATUS] == OPEN or family_facts[_DELETED]:
        return None
    return str(family_facts[_CLOSING])[:10] if len(family_facts) > _CLOSING else None


def overdue_by_month(actions: Iterable[list[Any]], closed_on: str, anchor: str
                     ) -> dict[str, int]:
    """How many of a closed family's actions (their facts: due, closed on, first written, ...)
    were overdue at each month's end from `anchor` while the family was open (the month's end
    before `closed_on`), by month "YYYY-MM"; months with none are left out. Overdue at a
    point p: due < p, written by p, and not closed by p - as the board counts open families."""
    points: list[tuple[str, str]] = []
    month = date.fromisoformat(anchor)
    while (end := month_end(month).isoformat()) < closed_on:
        points.append((month.strftime("%Y-%m"), end))
        month = month_end(month) + timedelta(days=1)
    out: dict[str, int] = {}
    if not points:
        return out
    for facts in actions:
        if not facts:
            continue
        due, closed, created = facts[0], facts[1], facts[2]
        for key, p in points:
            if due < p and created <= p and (not closed or p < closed):
                out[key] = out.get(key, 0) + 1
    return out


class ClosedHistory:
    """The digest's closed families that still count in some month of the chart:
    family id -> [closing day, {month: actions overdue at its end}], and their sum by month
    (worked out again only when a family is added or taken away)."""

    def __init__(self, families: dict[str, list[Any]] | None = None) -> None:
        self.families: dict[str, list[Any]] = families if families is not None else {}
        self.total: dict[str, int] = {}
        for _day, counts in self.families.values():
            self._add(counts, 1)

    def _add(self, counts: dict[str, int], sign: int) -> None:
        for month, n in counts.items():
            self.total[month] = self.total.get(month, 0) + sign * int(n)

    def put(self, family_id: str, closed_on: str, counts: dict[str, int]) -> None:
        self.drop(family_id)
        if counts:
            self.families[family_id] = [closed_on, counts]
            self._add(counts, 1)

    def drop(self, family_id: str) -> None:
        old = self.families.pop(family_id, None)
        if old is not None:
            self._add(old[1], -1)

    def forget_before(self, anchor: str) -> None:
        """Drop the families closed before the end of the chart's first month (`anchor`):
        they count in no month it shows, so the history stays the size of a year's closings."""
        for family_id in [fid for fid, (day, _counts) in self.families.items()
                          if not counts_after(anchor, day)]:
            self.drop(family_id)


def counts_after(anchor: str, closed_on: str) -> bool:
    """Whether a family closed on `closed_on` was open at the end of some month the digest's
    chart can show (from `anchor`)."""
    return month_end(date.fromisoformat(anchor)).isoformat() < closed_on
