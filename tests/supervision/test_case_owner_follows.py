"""A case owner appointed at group supervision (applied at sign-off, in the minutes), and what
follows the appointed owner: the home screen's "my families", the board's caseload, the
printed case summary and the next session's agenda. Also the scaling trend of the reviews."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pdf_minutes import minutes_text
from pypdf import PdfReader

from support import vaults
from workbook.domain.roles import Role
from workbook.services.errors import InvalidInput
from workbook.services.home.overview import family_overview
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.board import board
from workbook.services.supervision.meetings import ReviewForm


def _form(scaling: int, next_review: str, new_owner: str = "") -> ReviewForm:
    return ReviewForm(summary="Attendance up", working_well="Routine", worried="Housing",
                      decisions="Keep going", scaling=scaling, next_review=next_review,
                      new_case_owner=new_owner)


def _pdf_text(pdf: bytes) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def test_a_review_appoints_the_case_owner_and_everything_follows(tmp_path: Path) -> None:
    team = vaults.create_team_vault(tmp_path / "vault")
    (worker,) = vaults.onboard(team, [Role.SOCIAL_WORKER])
    with team.session(team.owner) as tm:
        adams = tm.families.add("Adams family", "REF-1")
        first = supervision.start_session(tm, "2026-03-02", [worker.username], [adams])
        supervision.record_review(tm, first, adams, _form(4, "2026-04-02", worker.username))
        # A draft appoints nobody yet.
        assert tm.workbooks.open(adams).family.case_owner == team.owner.username
        supervision.finish(tm, first)
        family = tm.workbooks.open(adams).family
        assert (family.case_owner, family.case_owner_name) == (worker.username,
                                                               worker.full_name)
        (item,) = tm.case_owners.history(adams)
        assert (item.from_name, item.to_name, item.by_name) == (
            team.owner.full_name, worker.full_name, team.owner.full_name)
        assert item.reason == "appointed at group supervision on 02/03/2026"
        assert f"New case owner: {worker.full_name}" in minutes_text(tm, first)
        assert "case_owner_appointed" in [e["event"] for e in tm.audit_trail.events()]
        caseload = {c.worker: c.families for c in board(tm).caseload}
        assert caseload == {worker.username: 1}
        second = supervision.start_session(tm, "2026-04-02", [], [adams])
        (agenda_item,) = supervision.meeting(tm, second).agenda
        assert agenda_item.case_owner == worker.username
        supervision.record_review(tm, second, adams, _form(7, "2026-05-02"))
        supervision.finish(tm, second)
        trend = tm.outcomes.scaling_trend(adams)
        assert [(p.date, p.scaling) for p in trend] == [("2026-03-02", 4), ("2026-04-02", 7)]
    with team.session(worker) as sw:
        mine = family_overview(sw).my_families
        assert [(f.family_id, f.mine) for f in mine] == [(adams, "case owner")]
        summary = _pdf_text(sw.printing.case_summary(adams).pdf)
        assert worker.full_name in summary


def test_a_review_naming_no_possible_owner_is_refused_and_saves_nothing(
        tmp_path: Path) -> None:
    team = vaults.create_team_vault(tmp_path / "vault")
    with team.session(team.owner) as tm:
        adams = tm.families.add("Adams family", "REF-1")
        held = supervision.start_session(tm, "2026-03-02", [], [adams])
        with pytest.raises(InvalidInput, match="no user 'nobody'"):
            supervision.record_review(tm, held, adams, _form(5, "2026-04-02", "nobody"))
        assert supervision.meeting(tm, held).reviews == {}
        assert tm.workbooks.open(adams).family.case_owner == team.owner.username
