"""The families' part of the board's kept parts (board_parts.py, issue 19): which families are on
the board and open, their names, the families due for review, the caseload and the review
limits - worked out for all at a first read, and for only the families whose family record or
reviews changed after that. A family's name and whether it is open also decide its actions'
and entries' parts: `some_families` returns the families changed, for board_parts to work
their actions out again; their entries' limits are worked out again here."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from workbook.services.family import time_limits
from workbook.services.supervision import board_limits
from workbook.services.supervision.board_rows import Caseload, DueFamily
from workbook.services.supervision.digest_closed import month_end
from workbook.services.supervision.digest_folder import FACTS, FAMILY, FIRST

if TYPE_CHECKING:
    from workbook.services.supervision.board_digest import BoardDigest
    from workbook.services.supervision.board_parts import Parts

FINAL = "final"
_FIRST = itemgetter(0)


def all_families(parts: Parts, digest: BoardDigest, family_id: str | None) -> None:
    """Every family's part (only `family_id`'s, if given: the family's own view)."""
    kinds = digest.kinds
    families: dict[str, list[Any]] = {}
    parts.family_of_record = {}
    for record_id, rec in kinds["family"].items():
        if family_id is None or rec[FAMILY] == family_id:
            parts.family_of_record[record_id] = rec[FAMILY]
            if _counts(rec):
                families[rec[FAMILY]] = rec
    open_families = {fid: rec for fid, rec in families.items() if rec[FACTS][3] == "open"}
    parts.family_of_review = {}
    reviews: dict[str, list[tuple[str, str]]] = {}
    for record_id, rec in kinds["review"].items():
        if rec[FAMILY] in families:
            parts.family_of_review[record_id] = rec[FAMILY]
            if _signed_off(rec):
                reviews.setdefault(rec[FAMILY], []).append((rec[FACTS][1], rec[FACTS][2]))
    parts.families, parts.open_families = families, open_families
    parts.family_name = {fid: str(rec[FACTS][0]) for fid, rec in families.items()}
    parts.folded = {fid: name.casefold() for fid, name in parts.family_name.items()}
    parts.shared_reviews, parts.review_limits = {}, {}
    parts.worker_of, parts.workers = {}, {}
    due: list[tuple[str, DueFamily]] = []
    end = month_end(parts.today)
    for fid, rec in open_families.items():
        row = _family(parts, fid, rec, reviews.get(fid, []), end)
        if row is not None:
            due.append(row)
    due.sort(key=_FIRST)
    parts.due_keys = [key for key, _row in due]
    parts.due_families = [row for _key, row in due]
    parts.due_key = dict(zip((row.family_id for _key, row in due), parts.due_keys,
                             strict=True))
    _caseload(parts)


def some_families(parts: Parts, digest: BoardDigest, family_records: Iterable[str | None],
                  reviews: Iterable[str | None]) -> set[str]:
    """The families whose family record or reviews changed, worked out again (their rows
    taken out of the kept sorted ones and put back); returns those whose name, or being on the
    board at all, changed: their actions' parts change with it."""
    kinds = digest.kinds
    changed: dict[str, list[Any] | None] = {}
    for record_id in family_records:
        assert record_id is not None
        old = parts.family_of_record.pop(record_id, None)
        if old is not None:
            changed.setdefault(old, None)
        rec = kinds["family"].get(record_id)
        if rec is not None:
            parts.family_of_record[record_id] = rec[FAMILY]
            changed[rec[FAMILY]] = rec
    for record_id in reviews:
        assert record_id is not None
        old = parts.family_of_review.pop(record_id, None)
        rec = kinds["review"].get(record_id)
        for fid in (old, None if rec is None else rec[FAMILY]):
            if fid is not None:
                changed.setdefault(fid, parts.families.get(fid))  # its record as it was
    moved = set()
    for fid, rec in changed.items():
        before = parts.family_name.get(fid)
        _take_out(parts, fid)
        if rec is not None and _counts(rec):
            parts.families[fid] = rec
            parts.family_name[fid] = str(rec[FACTS][0])
            parts.folded[fid] = parts.family_name[fid].casefold()
            if rec[FACTS][3] == "open":
                parts.open_families[fid] = rec
        if parts.family_name.get(fid) != before:
            moved.add(fid)
    _put_back(parts, digest, changed)
    return moved


def _put_back(parts: Parts, digest: BoardDigest, changed: dict[str, Any]) -> None:
    """The changed families' reviews, rows and entries' limits, from the digest."""
    reviews: dict[str, list[tuple[str, str]]] = {}
    for record_id, rec in digest.kinds["review"].items():
        if rec[FAMILY] in changed and rec[FAMILY] in parts.families:
            parts.family_of_review[record_id] = rec[FAMILY]
            if _signed_off(rec):
                reviews.setdefault(rec[FAMILY], []).append((rec[FACTS][1], rec[FACTS][2]))
    entries: dict[str, set[str]] = {}
    for entry_id, rec in digest.kinds["entry"].items():
        if rec[FAMILY] in changed and rec[FAMILY] in parts.open_families:
            entries.setdefault(rec[FAMILY], set()).add(entry_id)
            parts.entry_family[entry_id] = rec[FAMILY]
    end = month_end(parts.today)
    for fid in changed:
        family = parts.open_families.get(fid)
        if family is None:
            continue
        found = _family(parts, fid, family, reviews.get(fid, []), end)
        if found is not None:
            key, row = found
            at = bisect_left(parts.due_keys, key)
            parts.due_keys.insert(at, key)
            parts.due_families.insert(at, row)
            parts.due_key[fid] = key
        board_limits.count_limits(parts, fid, parts.review_limits[fid], 1, fid)
        parts.entries_of[fid] = entries.get(fid, set())
        board_limits.family_entries(parts, fid, digest.kinds["entry"])
        board_limits.count_limits(parts, fid, parts.step_limits.get(fid, ()), 1)
    _caseload(parts)


def _take_out(parts: Parts, fid: str) -> None:
    """A family's rows, counts and limits out of the kept parts (while its name is known)."""
    key = parts.due_key.pop(fid, None)
    if key is not None:
        at = bisect_left(parts.due_keys, key)
        del parts.due_keys[at], parts.due_families[at]
    worker = parts.worker_of.pop(fid, None)
    if worker is not None:
        parts.workers[worker] -= 1
    if fid in parts.review_limits:
        board_limits.count_limits(parts, fid, parts.review_limits.pop(fid), -1, fid)
    board_limits.count_limits(parts, fid, parts.step_limits.pop(fid, ()), -1)
    parts.urgent.pop(fid, None)
    for entry_id in parts.entries_of.pop(fid, ()):
        parts.entry_family.pop(entry_id, None)
    for kept in (parts.families, parts.open_families, parts.family_name, parts.folded):
        kept.pop(fid, None)


def _family(parts: Parts, fid: str, rec: list[Any], done: list[tuple[str, str]],
            end: date) -> tuple[str, DueFamily] | None:
    """An open family's review limits and caseload count; its row due for review (with the
    row's sort key) if it is due by `end`."""
    facts = rec[FACTS]
    # A family's review limits depend on its opening day and reviews only, and name the
    # family only as their record (time_limits.review_limits): worked out once for all the
    # families that share those, naming none (board_limits puts the family in the rows).
    if done:
        done = sorted(done, key=_FIRST)
        days: tuple[str, ...] = (rec[FIRST][:10], *[r[0] for r in done])
    else:
        days = (rec[FIRST][:10],)
    limits = parts.shared_reviews.get(days)
    if limits is None:
        limits = parts.shared_reviews[days] = time_limits.review_limits(
            "", date.fromisoformat(days[0]), [date.fromisoformat(d) for d in days[1:]],
            parts.today, parts.rules[time_limits.REVIEW])
    parts.review_limits[fid] = limits
    worker = parts.names.get(str(facts[2]), "")
    if worker:
        parts.worker_of[fid] = worker
        parts.workers[worker] = parts.workers.get(worker, 0) + 1
    last = done[-1][0] if done else ""
    following = done[-1][1] if done else ""
    if done and not board_limits.iso_day(following):
        following = time_limits.add_month(date.fromisoformat(last)).isoformat()
    if done and date.fromisoformat(following) > end:
        return None
    # Keyed by board_rows.due_order's fields.
    return (f"{following or '0000'}\0{facts[0].casefold()}\0{fid}",
            DueFamily(fid, facts[0], facts[1], parts.names.get(facts[2], ""), last, following))


def _caseload(parts: Parts) -> None:
    parts.caseload = sorted((Caseload(w, n) for w, n in parts.workers.items() if n),
                            key=lambda c: (-c.families, c.worker))


def _counts(rec: list[Any]) -> bool:
    """A family record the board counts: readable and not deleted."""
    return rec[FACTS] is not None and not rec[FACTS][4]


def _signed_off(rec: list[Any]) -> bool:
    """A review that counts: signed off, not deleted, dated."""
    facts = rec[FACTS]
    return (facts is not None and facts[0] == FINAL and not facts[3]
            and board_limits.iso_day(facts[1]) is not None)

