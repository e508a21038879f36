"""The board on a vault where actions, reviews and time limits are known (see conftest)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from supervision_vault import NOW, BoardVault

from workbook.services.errors import InvalidInput, NotPermitted
from workbook.services.family import time_limits
from workbook.services.supervision.board import board


def _limits(result, family_id):  # noqa: ANN001, ANN202
    return {(t.limit, t.record_id): t for t in result.time_limits if t.family_id == family_id}


def test_due_families_are_those_never_reviewed_or_due_this_month(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        result = board(tm)
    due = {f.family_id for f in result.due_families}
    assert bv.ids["Brown"] not in due       # next review 15 April
    assert {bv.ids["Adams"], bv.ids["Clark"], bv.ids["Davis"]} <= due
    assert result.month_end == "2026-03-31"
    with bv.sign_in("tm", NOW + timedelta(days=40)) as tm:  # April: Brown is due too
        later = {f.family_id: f for f in board(tm).due_families}
    assert later[bv.ids["Brown"]].last_reviewed == "2026-02-15"
    assert later[bv.ids["Brown"]].next_review == "2026-04-15"


def test_overdue_actions_with_calendar_days(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        result = board(tm)
    adams = [a for a in result.overdue_actions if a.family_id == bv.ids["Adams"]]
    assert [(a.action_id, a.owner, a.due, a.days_overdue, a.text) for a in adams] == [
        (bv.ids["act_overdue"], "sw1", "2026-02-20", 10, "Arrange the home visit")]
    # The smith family's action from the base vault (due 2020) is there too, owned by tm.
    assert all(a.days_overdue > 0 for a in result.overdue_actions)
    assert [a.owner for a in result.overdue_actions] == sorted(
        a.owner for a in result.overdue_actions)


def test_time_limit_states(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        result = board(tm)
    running = {(t.family_id, t.limit): t for t in result.time_limits if t.limit != "review"}
    assert running[(ids["Adams"], "referral")].due == "2026-03-06"
    assert running[(ids["Adams"], "referral")].state == "on_track"
    assert running[(ids["Brown"], "referral")].due == "2026-02-24"
    assert running[(ids["Brown"], "referral")].state == "breached"
    assert running[(ids["Clark"], "referral")].due == "2026-03-02"
    assert running[(ids["Clark"], "referral")].state == "at_risk"
    assert (ids["Davis"], "referral") not in running        # referred in time
    assert running[(ids["Adams"], "urgent-response")].state == "at_risk"
    assert running[(ids["Adams"], "urgent-response")].due.startswith("2026-03-02T12:00")
    assert running[(ids["Brown"], "urgent-response")].state == "breached"
    assert (ids["Clark"], "urgent-response") not in running  # answered within 24 h
    reviews = {t.family_id: t for t in result.time_limits if t.limit == "review"}
    assert reviews[ids["Brown"]].state == "on_track" and reviews[ids["Brown"]].due == "2026-03-15"
    assert reviews[ids["Adams"]].state == "breached" and reviews[ids["Adams"]].due == "2026-02-05"
    assert [t.state for t in result.time_limits] == sorted(
        (t.state for t in result.time_limits),
        key=["breached", "at_risk", "on_track"].index)


def test_compliance_and_trends(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        result = board(tm)
    february = next(m for m in result.compliance_by_month if m.month == "2026-02")
    # Due in February: Brown's referral (breached), Davis's referral (kept), Brown's and
    # Clark's urgent concerns (one breached, one kept), four first reviews (only Brown's
    # happened, late) - so 2 kept of 8.
    assert (february.kept, february.total) == (2, 8)
    assert len(result.overdue_by_month) == 12 and result.overdue_by_month[-1].month == "2026-03"
    by_month = {m.month: m.count for m in result.overdue_by_month}
    # End of February: Adams's 20 Feb action is overdue; the 27 Feb one was done on the 27th.
    assert by_month["2026-02"] >= 1
    assert by_month["2026-03"] == by_month["2026-02"]


def test_caseload_per_worker(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        result = board(tm)
    assert {c.worker: c.families for c in result.caseload} == {"tm": 6}


def test_what_police_may_see(bv: BoardVault) -> None:
    """Police read the core sections (policy), so the same board; the administrator none."""
    with bv.sign_in("pc1") as pc:
        result = board(pc)
    with bv.sign_in("tm") as tm:
        managers = board(tm)
    assert result.time_limits and result.overdue_actions
    assert result.time_limits == managers.time_limits
    assert result.overdue_actions == managers.overdue_actions


def test_region_setting_changes_the_count(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        assert time_limits.region(tm) == "england-and-wales"
        with pytest.raises(InvalidInput, match="unknown region"):
            time_limits.set_region(tm, "atlantis")
        assert time_limits.set_region(tm, "Scotland") == "scotland"
        events = [e["event"] for e in tm.audit_trail.events()]
        assert "setting_changed" in events
    with bv.sign_in("sw1") as sw:
        with pytest.raises(NotPermitted):
            time_limits.set_region(sw, "northern-ireland")
        assert time_limits.region(sw) == "scotland"
    with bv.sign_in("tm") as tm:
        result = board(tm)
    assert result.region == "scotland"
    adams = next(t for t in result.time_limits
                 if t.family_id == ids["Adams"] and t.limit == "referral")
    assert adams.due == "2026-03-06"  # no bank holiday in between in either region


def test_action_status_bad_input_changes_nothing(bv: BoardVault) -> None:
    from workbook.services.errors import NotFound
    from workbook.services.family import plan_actions

    with bv.sign_in("tm") as tm:
        before = len(tm.records.of_record(bv.ids["act_overdue"]))
        with pytest.raises(InvalidInput, match="unknown action status"):
            plan_actions.set_action_status(tm, bv.ids["act_overdue"], "finished")
        with pytest.raises(InvalidInput):
            plan_actions.set_action_status(tm, "nope", "done")
        with pytest.raises(NotFound):
            plan_actions.set_action_status(tm, bv.ids["note_adams"], "done")
        assert len(tm.records.of_record(bv.ids["act_overdue"])) == before
        plan_actions.set_action_status(tm, bv.ids["act_overdue"], "done")
        assert bv.ids["act_overdue"] not in {a.action_id for a in board(tm).overdue_actions}


def test_board_on_one_session_follows_every_change(bv: BoardVault) -> None:
    """The session remembers what it opened; every new version must still show."""
    from workbook.services.family import milestones, plan_actions

    ids = bv.ids
    with bv.sign_in("tm") as tm:
        first = board(tm)
        assert board(tm).to_json() == first.to_json()
        action = tm.families.add_action(ids["Davis"], "Late already", "tm", "2026-02-01")
        assert action in {a.action_id for a in board(tm).overdue_actions}
        plan_actions.set_action_status(tm, action, "done")
        assert action not in {a.action_id for a in board(tm).overdue_actions}
        note = tm.families.add_entry(ids["Davis"], "case-notes", "Worrying call")
        assert not any(t.record_id == note for t in board(tm).time_limits)
        milestones.mark_urgent(tm, note)
        assert any(t.record_id == note and t.limit == "urgent-response"
                   for t in board(tm).time_limits)
        milestones.record_assessment_completed(tm, ids["Davis"], "2026-03-02")
        assert any(t.family_id == ids["Davis"] and t.limit == "referral"
                   for t in board(tm).time_limits)
        plan_actions.set_action_status(tm, ids["act_overdue"], "cancelled")
        tm.families.add_action(ids["Clark"], "Another", "sw1", "2026-02-28")
        warm = board(tm).to_json()
        tm.lock()
        assert not tm._managers  # the remembered versions went with the keys
    with bv.sign_in("tm") as fresh:
        assert board(fresh).to_json() == warm


def test_the_board_of_a_few_families_agrees_with_the_whole_board(bv: BoardVault) -> None:
    """Home shows just my families' deadlines; it must say what the unit's board says of them
    (time limits at risk or breached, reviews due)."""
    from workbook.services.home import overview as home

    chosen = [bv.ids["Adams"], bv.ids["Brown"], bv.ids["Davis"]]
    with bv.sign_in("tm") as tm:
        whole = board(tm, fresh=True)
    with bv.sign_in("tm") as tm:
        mine = [f for f in home.family_overview(tm).families if f.family_id in chosen]
        assert {f.family_id for f in mine} == set(chosen)
        few = home.deadlines(tm, mine)

    def of(rows, keep=lambda _r: True):  # noqa: ANN001, ANN202
        return sorted((repr(r) for r in rows if r.family_id in chosen and keep(r)))

    assert sorted(map(repr, few.time_limits)) == of(
        whole.time_limits, lambda t: t.state in ("at_risk", "breached"))
    assert sorted(map(repr, few.due_for_review)) == of(whole.due_families)
    assert few.time_limits and {t.family_id for t in few.time_limits} <= set(chosen)


def test_the_board_counts_by_the_uk_date(bv: BoardVault) -> None:
    """At 00:30 BST on 1 July the board's month is July, though UTC still says 30 June."""
    from datetime import UTC, datetime

    with bv.sign_in("tm", datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) as tm:
        result = board(tm)
    assert result.today == "2026-07-01"
    assert result.month_end == "2026-07-31"
