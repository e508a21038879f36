"""The order of the list of families - by name casefolded, then id - kept instead of sorted again
(issue 19). The kept list is stored in this order, so a loaded run of families is only checked
(one pass in C, its keys sorted: a sorted run costs one comparison a family), the open and the
closed families' runs are merged by placing the shorter into the longer by bisection, and a
family folded in later is placed by bisection. Sorting 20,000 families with a Python key
function on every sign-in cost more than decrypting them."""

from __future__ import annotations

from bisect import bisect_left, insort
from operator import itemgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbook.services.family.family_list import FamilySummary

Key = tuple[str, str]
_ID = itemgetter(0)
_NAME = itemgetter(1)


def key(family: FamilySummary) -> Key:
    """Where a family goes in the list: its name casefolded, then its id (names repeat)."""
    return (family.name.casefold(), family.family_id)


def keys(families: list[FamilySummary]) -> list[Key]:
    """Every family's `key`, worked out in C (no Python call a family)."""
    return list(zip(map(str.casefold, map(_NAME, families)), map(_ID, families), strict=True))


def ordered(families: list[FamilySummary]) -> tuple[list[FamilySummary], list[Key]]:
    """`families` in the list's order, with their keys: as stored they already are, which one
    sort of the keys (linear on a sorted run) confirms; otherwise (a blob another version's
    casefolding ordered differently) they are sorted."""
    found = keys(families)
    if found == sorted(found):
        return families, found
    pairs = sorted(zip(found, range(len(found)), strict=True))
    return [families[i] for _key, i in pairs], [k for k, _i in pairs]


def merged(first: list[FamilySummary], second: list[FamilySummary],
           second_keys: list[Key] | None = None) -> list[FamilySummary]:
    """Two lists in order as one: each family of the shorter is placed by bisection into the
    longer's keys (a few hundred open families into ten years of closed ones). `second_keys`,
    if given, are `keys(second)`, already worked out."""
    if len(first) > len(second):
        first, second, second_keys = second, first, None
    if not first:
        return list(second)
    into = keys(second) if second_keys is None else second_keys
    out: list[FamilySummary] = []
    last = 0
    for family_key, family in zip(keys(first), first, strict=True):
        at = bisect_left(into, family_key, last)
        out += second[last:at]
        out.append(family)
        last = at
    out += second[last:]
    return out


def place(order: list[FamilySummary], old: FamilySummary | None,
          new: FamilySummary | None) -> None:
    """A family folded in: its former summary (if any) taken out of `order` and the new one
    (if any: None for a family deleted or no longer readable) put in its place."""
    if old is not None:
        at = bisect_left(order, key(old), key=key)
        if at < len(order) and order[at] == old:
            del order[at]
        else:  # not where it belongs (the list was not in order after all): looked for
            try:
                order.remove(old)
            except ValueError:
                pass
    if new is not None:
        insort(order, new, key=key)
