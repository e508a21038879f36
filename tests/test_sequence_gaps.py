"""The missing numbers of a series are found without making every number up to the highest:
a bundle or replica file numbered far ahead costs what a few numbers cost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workbook.domain.sequence_gaps import listed, sequence_gaps


@given(st.sets(st.integers(-3, 300)), st.integers(1, 50))
def test_the_same_gaps_as_counting_every_number(seen: set[int], limit: int) -> None:
    top = max(seen, default=0)
    every = sorted(set(range(1, top + 1)) - seen)
    gaps = sequence_gaps(seen, limit)
    assert gaps.count == len(every)
    assert gaps.missing == every[:limit]


def test_a_number_far_ahead_is_cheap_and_counted() -> None:
    gaps = sequence_gaps([1, 2, 2**61])
    assert gaps.count == 2**61 - 3
    assert gaps.missing == list(range(3, 1003))
    assert listed(gaps.missing, gaps.count).endswith(f"22 and {2**61 - 23:,} more")


def test_nothing_missing() -> None:
    assert sequence_gaps([]) == sequence_gaps([1, 2, 3])
    assert sequence_gaps([3, 1, 2]).count == 0
    assert listed([], 0) == ""
    assert listed([4, 7], 2) == "4, 7"
