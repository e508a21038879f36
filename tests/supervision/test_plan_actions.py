"""Finishing plan actions (issue 14, item 3): done, cancelled with a reason, reassigned by
name and re-dated, by the action's owner, the family's case owner or a supervisor; every change
a new version (the history keeps the old owner, date and status), audited; bad input and a
refused person change nothing. Adams's act_overdue is sw1's, in a family tm owns."""

from __future__ import annotations

from typing import Any

import pytest
from supervision_vault import BoardVault

from workbook.services.access.people import People
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family import plan_actions


def _versions(bv: BoardVault, action_id: str) -> list[dict[str, Any]]:
    with bv.sign_in("tm") as tm:
        return sorted((v.payload for v in tm.records.of_record(action_id)),
                      key=lambda p: (p.get("status", ""), p.get("due", ""), p.get("owner", "")))


def _audited(bv: BoardVault, event: str) -> int:
    with bv.sign_in("tm") as tm:
        return sum(1 for e in tm.audit_trail.events() if e["event"] == event)


def test_the_owner_marks_done_and_the_history_keeps_the_open_version(bv: BoardVault) -> None:
    action = bv.ids["act_overdue"]
    before = _audited(bv, "action_status_changed")
    with bv.sign_in("sw1") as sw1:
        plan_actions.mark_done(sw1, action)
        with pytest.raises(InvalidInput, match="already done"):
            plan_actions.mark_done(sw1, action)
    statuses = sorted(p["status"] for p in _versions(bv, action))
    assert statuses == ["done", "open"]
    assert _audited(bv, "action_status_changed") == before + 1
    with bv.sign_in("tm") as tm:
        shown = tm.workbooks.open(bv.ids["Adams"]).section("plan").actions
        done = next(a for a in shown if a.id == action)
        assert done.record.status == "done" and done.record.closed_on == "2026-03-02"


def test_cancel_needs_a_reason_and_keeps_it(bv: BoardVault) -> None:
    action = bv.ids["act_future"]
    with bv.sign_in("tm") as tm:
        with pytest.raises(InvalidInput, match="reason for cancelling must not be empty"):
            plan_actions.cancel(tm, action, "   ")
        assert len(tm.records.of_record(action)) == 1
        plan_actions.cancel(tm, action, "The GP saw them already")
        head = tm.workbooks.open(bv.ids["Adams"]).section("plan").actions
        cancelled = next(a for a in head if a.id == action).record
    assert cancelled.status == "cancelled"
    assert cancelled.cancel_reason == "The GP saw them already"


def test_reassign_by_full_name_and_redate(bv: BoardVault) -> None:
    action = bv.ids["act_overdue"]
    with bv.sign_in("tm") as tm:
        names = {p.username: p.full_name for p in People(tm).owners()}
        plan_actions.reassign(tm, action, names["mh1"].upper())
        plan_actions.redate(tm, action, "2026-03-20")
        with pytest.raises(InvalidInput, match="already due on that day"):
            plan_actions.redate(tm, action, "2026-03-20")
        shown = tm.workbooks.open(bv.ids["Adams"]).section("plan").actions
        now = next(a for a in shown if a.id == action).record
    assert (now.owner, now.due) == ("mh1", "2026-03-20")
    owners_dues = {(p["owner"], p["due"]) for p in _versions(bv, action)}
    assert len(owners_dues) == 3  # sw1's, then mh1's, then mh1's re-dated: all kept
    assert _audited(bv, "action_reassigned") == 1
    assert _audited(bv, "action_redated") == 1


@pytest.mark.parametrize(("change", "args", "message"), [
    (plan_actions.reassign, ("nobody at all",), "no active colleague 'nobody at all'"),
    (plan_actions.reassign, ("",), "name the new owner"),
    (plan_actions.reassign, ("sw1",), "already owns this action"),
    (plan_actions.redate, ("2026-02-30",), "not a date in the form YYYY-MM-DD"),
    (plan_actions.redate, ("",), "not a date in the form YYYY-MM-DD"),
    (plan_actions.cancel, ("x" * 3000,), "too long"),
    (plan_actions.set_action_status, ("finished",), "unknown action status"),
])
def test_bad_input_is_one_clear_line_and_changes_nothing(
        bv: BoardVault, change: Any, args: tuple[str, ...], message: str) -> None:
    action = bv.ids["act_overdue"]
    before = _versions(bv, action)
    with bv.sign_in("tm") as tm, pytest.raises(InvalidInput, match=message) as caught:
        change(tm, action, *args)
    assert "\n" not in str(caught.value)
    assert _versions(bv, action) == before


def test_someone_else_is_refused_and_nothing_changes(bv: BoardVault) -> None:
    action = bv.ids["act_overdue"]  # sw1's, in tm's family: pc1 is neither nor a supervisor
    before = _versions(bv, action)
    with bv.sign_in("pc1") as pc1:
        assert not plan_actions.may_change(pc1, action)
        for change, args in ((plan_actions.mark_done, ()), (plan_actions.cancel, ("no",)),
                             (plan_actions.reassign, ("pc1",)),
                             (plan_actions.redate, ("2026-04-01",))):
            with pytest.raises(NotPermitted, match="action's owner, the family's case owner"):
                change(pc1, action, *args)
    assert _versions(bv, action) == before
    with bv.sign_in("sw1") as sw1:
        assert plan_actions.may_change(sw1, action)
        with pytest.raises(NotFound):
            plan_actions.mark_done(sw1, bv.ids["Adams"])  # a family is not an action
