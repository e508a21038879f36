"""Which numbers of a numbered series have not arrived: bundles from a partner, a replica's
files. The highest number comes from a signed header or file name, but a sender (or whoever
holds its database key) can number far ahead; the gaps are walked between the numbers seen,
never by making every number up to the highest, so a bundle numbered 2**61 costs what two
numbers cost, and at most `limit` gaps are listed (the count says how many there are)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LISTED = 1000


@dataclass(frozen=True)
class Gaps:
    missing: list[int]   # the first `limit` missing numbers, ascending
    count: int           # how many numbers from 1 to the highest are missing


def sequence_gaps(seen: Iterable[int], limit: int = LISTED) -> Gaps:
    """The numbers from 1 to the highest of `seen` that are not in `seen` (numbers below 1
    are ignored)."""
    numbers = sorted({n for n in seen if n >= 1})
    missing: list[int] = []
    count = 0
    expected = 1
    for n in numbers:
        if n > expected:
            count += n - expected
            missing.extend(range(expected, min(n, expected + limit - len(missing))))
        expected = n + 1
    return Gaps(missing, count)


def listed(missing: list[int], count: int, shown: int = 20) -> str:
    """The first `shown` missing numbers for a sentence, and how many more there are."""
    text = ", ".join(str(n) for n in missing[:shown])
    rest = count - min(shown, len(missing))
    return f"{text} and {rest:,} more" if rest > 0 else text
