"""Who signs off a group supervision session: its chair, or a team manager in the chair's
absence - never another senior social worker - and a refusal changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import vaults
from workbook.domain.roles import Role
from workbook.services.errors import NotPermitted
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.meetings import ReviewForm


def _form() -> ReviewForm:
    return ReviewForm(summary="Attendance up", working_well="Routine", worried="Housing",
                      decisions="Keep going", scaling=6, next_review="2026-04-02", actions=())


def test_only_the_chair_or_a_team_manager_signs_off(tmp_path: Path) -> None:
    team = vaults.create_team_vault(tmp_path / "vault")
    (senior,) = vaults.onboard(team, [Role.SENIOR_SOCIAL_WORKER])
    with team.session(team.owner) as tm:
        adams = tm.families.add("Adams family", "REF-1")
        chaired_by_tm = supervision.start_session(tm, "2026-03-02", [senior.username], [adams])
        supervision.record_review(tm, chaired_by_tm, adams, _form())
    with team.session(senior) as ssw:
        with pytest.raises(NotPermitted, match=f"chair \\({team.owner.username}\\)"):
            supervision.finish(ssw, chaired_by_tm)
        meeting = supervision.meeting(ssw, chaired_by_tm)
        assert not meeting.finished
        assert meeting.reviews[adams].status == "draft"
        chaired_by_senior = supervision.start_session(ssw, "2026-03-03", [], [adams])
        supervision.record_review(ssw, chaired_by_senior, adams, _form())
    with team.session(team.owner) as tm:
        assert supervision.finish(tm, chaired_by_senior) == 1
        review = supervision.meeting(tm, chaired_by_senior).reviews[adams]
        assert review.status == "final" and review.signed_off_by == team.owner.username
        assert supervision.finish(tm, chaired_by_tm) == 1
