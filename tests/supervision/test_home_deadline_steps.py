"""Home's deadlines worked out in steps (issue 19) say exactly what the one-call answer says."""

from __future__ import annotations

import pytest
from supervision_vault import BoardVault

from workbook.services.errors import NotPermitted
from workbook.services.home import overview as home
from workbook.services.home.deadlines import DeadlineSteps, deadlines_in_steps


def _stepped(session, mine, families: int, records: int) -> home.HomeDeadlines:  # noqa: ANN001
    steps = DeadlineSteps(session, mine, families=families)
    count = 0
    while not steps.step(session, records=records):
        count += 1
    assert count > len(mine) // max(1, families)  # the digest, its records, then each chunk
    return steps.result


def test_the_stepped_deadlines_equal_the_whole_answer(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        families = home.family_overview(tm).families
        assert len(families) >= 4
        whole = home.deadlines(tm, families)
        assert whole.time_limits and whole.due_for_review
        for size, records in ((1, 3), (2, 7), (500, 100_000)):
            assert repr(_stepped(tm, families, size, records)) == repr(whole)
        few = [f for f in families if f.family_id in (bv.ids["Adams"], bv.ids["Davis"])]
        assert repr(deadlines_in_steps(tm, few)) == repr(home.deadlines(tm, few))


def test_nothing_to_step_for_no_families_and_not_for_another_session(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        assert DeadlineSteps(tm, []).done
        mine = home.family_overview(tm).families
        steps = DeadlineSteps(tm, mine)
    with bv.sign_in("tm") as other, pytest.raises(NotPermitted):
        steps.step(other)
