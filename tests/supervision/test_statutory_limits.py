"""The statutory time limits, configured in the signed policy and started by the entries that
practitioners record: strategy discussion -> initial conference (15 working days), conference
-> core group (10) and child protection visits (every 10), referral -> child and family
assessment (45), Channel exit -> reviews at 6 and 12 months."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from supervision_vault import BoardVault

from support import vaults
from workbook.domain.policy import PolicyError, default_policy, default_policy_text, parse_policy
from workbook.domain.roles import Role
from workbook.domain.time_limit_rules import DEFAULT_TIME_LIMITS, LimitRule
from workbook.domain.working_days import add_working_days
from workbook.services.access.policy_admin import current_policy_text, set_policy
from workbook.services.clock import civil_date
from workbook.services.errors import InvalidInput
from workbook.services.family import milestones
from workbook.services.supervision.board import board

BOARD_NOW = datetime.fromisoformat("2026-03-02T10:00:00+00:00")


def _running(result, family_id: str) -> dict[str, list]:  # noqa: ANN001
    out: dict[str, list] = {}
    for t in result.time_limits:
        if t.family_id == family_id:
            out.setdefault(t.limit, []).append(t)
    return out


# --- the policy -----------------------------------------------------------------------------
def test_the_default_policy_names_every_limit_with_its_statutory_length() -> None:
    rules = default_policy().time_limits
    assert rules == DEFAULT_TIME_LIMITS
    assert rules["child-and-family-assessment"].length == "45 working days"
    assert rules["initial-conference"].length == "15 working days"
    assert rules["child-protection-visits"].length == "10 working days"
    assert rules["core-group"].length == "10 working days"
    assert rules["channel-review-6-months"].length == "6 months"
    assert rules["channel-review-12-months"].length == "12 months"
    assert (rules["referral"].length, rules["urgent-response"].length,
            rules["review"].length) == ("10 working days", "24 hours", "1 month")
    # A policy written before time limits (no table) keeps the defaults, and its canonical
    # text gains nothing.
    older = default_policy_text().split("[time-limits]")[0]
    assert parse_policy(older).time_limits == DEFAULT_TIME_LIMITS
    assert "[time-limits]" not in parse_policy(older).to_toml()


def test_a_policy_sets_a_limit_and_when_it_is_at_risk() -> None:
    text = default_policy_text().replace(
        '"45 working days"', '{ within = "40 working days", at-risk = "5 working days" }')
    policy = parse_policy(text)
    assert policy.time_limits["child-and-family-assessment"] == LimitRule(
        40, "working days", 5, "working days")
    assert parse_policy(policy.to_toml()).time_limits == policy.time_limits


@pytest.mark.parametrize(("line", "message"), [
    ('review = "2 fortnights"', "review must be a length such as"),
    ('urgent-response = "2 days"', "urgent-response must be counted in hours"),
    ('core-group = "12 hours"', "core-group must be counted in working days, days or months"),
    ('case-closure = "3 days"', "unknown limit 'case-closure'"),
    ('referral = "0 working days"', "referral must be from 1 to 260 working days"),
    ('referral = { within = "3 days", at-risk = "1 month" }', "at-risk must be in working days"),
    ("referral = 5", "referral must be a length"),
])
def test_a_malformed_limit_is_named(line: str, message: str) -> None:
    text = default_policy_text().split("[time-limits]")[0] + "[time-limits]\n" + line + "\n"
    with pytest.raises(PolicyError, match=message):
        parse_policy(text)


@pytest.fixture(scope="module")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.session_template(tmp_path_factory, "statutory-limits",
                                   vaults.build_team_vault_with_admin)


def test_a_malformed_limit_changes_no_stored_policy_and_a_good_one_moves_the_due_date(
        team_template: vaults.TeamVault, tmp_path: Path) -> None:
    team = team_template.copy_to(tmp_path / "vault")
    family = next(iter(team.families.values()))
    with team.session(Role.ADMIN) as s:
        before = current_policy_text(s)
        bad = before.replace('"15 working days"', '"fifteen working days"')
        with pytest.raises(InvalidInput) as refused:
            set_policy(s, bad)
        assert str(refused.value) == (
            'the policy was not changed: [time-limits] initial-conference must be a length '
            'such as "10 working days", "24 hours" or "6 months"')
        assert current_policy_text(s) == before
    with team.session(Role.TEAM_MANAGER) as s:
        today = civil_date(s.clock())
        s.families.add_entry(family, "case-notes", "Strategy discussion with police and school",
                             today.isoformat(), entry_type="strategy-discussion")
        limit = _running(board(s), family)["initial-conference"][0]
        assert limit.due == add_working_days(today, 15).isoformat()
        assert s.policy.time_limits == DEFAULT_TIME_LIMITS
    with team.session(Role.ADMIN) as s:
        set_policy(s, before.replace('"15 working days"', '"12 working days"'))
    with team.session(Role.TEAM_MANAGER) as s:
        limit = _running(board(s), family)["initial-conference"][0]
        assert limit.due == add_working_days(today, 12).isoformat()
        assert board(s).label("initial-conference") == (
            "Initial child protection conference (12 working days)")


# --- what starts and stops each clock ---------------------------------------------------------
def test_the_statutory_steps_start_and_stop_their_clocks(bv: BoardVault) -> None:
    ids = bv.ids
    adams = ids["Adams"]
    with bv.sign_in("tm") as tm:
        add = tm.families.add_entry
        add(adams, "case-notes", "Strategy discussion", "2026-02-02",
            entry_type="strategy-discussion")
        result = _running(board(tm), adams)
        conference = result["initial-conference"][0]
        # 15 working days after Monday 2 February: Monday 23 February; today is 2 March.
        assert (conference.due, conference.state) == ("2026-02-23", "breached")
        add(adams, "case-notes", "Initial child protection conference", "2026-02-20",
            entry_type="conference")
        add(adams, "case-notes", "Home visit, children seen", "2026-02-24",
            entry_type="visit")
        add(adams, "police", "Police visit", "2026-02-27", entry_type="visit")
        result = _running(board(tm), adams)
        assert "initial-conference" not in result   # met on 20 February
        core = result["core-group"][0]
        assert (core.started, core.due, core.state) == ("2026-02-20", "2026-03-06", "on_track")
        visits = result["child-protection-visits"]
        # The case-notes visit of 24 Feb restarted the clock; the police one does not count.
        assert [(v.started, v.due, v.state) for v in visits] == [
            ("2026-02-24", "2026-03-10", "on_track")]
        add(adams, "case-notes", "Core group", "2026-03-02", entry_type="core-group")
        assert "core-group" not in _running(board(tm), adams)


def test_a_referral_starts_the_assessment_and_channel_exit_the_reviews(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        # Davis was referred on 10 February: the assessment is due 45 working days later
        # (Good Friday and Easter Monday 2026 skipped).
        davis = _running(board(tm), ids["Davis"])["child-and-family-assessment"][0]
        assert davis.due == add_working_days(date(2026, 2, 10), 45).isoformat() == "2026-04-16"
        assert davis.state == "on_track"
        milestones.record_assessment_completed(tm, ids["Davis"], "2026-03-01")
        assert "child-and-family-assessment" not in _running(board(tm), ids["Davis"])
        milestones.record_channel_exit(tm, ids["Brown"], "2025-09-01")
        milestones.record_channel_review(tm, ids["Brown"], "2026-02-20")
        channel = _running(board(tm), ids["Brown"])
        assert "channel-review-6-months" not in channel  # held (late) on 20 February
        twelve = channel["channel-review-12-months"][0]
        assert (twelve.due, twelve.state) == ("2026-09-01", "on_track")
    # A police officer reads the Channel section; a social worker does not see its limits.
    with bv.sign_in("sw1") as sw:
        assert "channel-review-12-months" not in _running(board(sw), ids["Brown"])


def test_bad_channel_dates_record_nothing(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("tm") as tm:
        before = len(board(tm).time_limits)
        with pytest.raises(InvalidInput, match="Channel exit date"):
            milestones.record_channel_exit(tm, ids["Brown"], "01/09/2025")
        with pytest.raises(InvalidInput, match="in the future"):
            milestones.record_channel_review(tm, ids["Brown"], "2027-01-01")
        assert len(board(tm).time_limits) == before


def test_minutes_name_people_in_full_and_date_the_sign_off(bv: BoardVault) -> None:
    from pdf_minutes import minutes_text

    with bv.sign_in("tm") as tm:
        text = minutes_text(tm, bv.ids["reviewed_session"])
        owner = tm.user.full_name
    assert f"Attendees: {owner}, Sam Worker" in text and f"chaired by {owner}" in text
    assert f"Signed off by {owner} on 15/02/2026 at 14:00" in text
    assert "2026-02-15" not in text


def test_a_visit_recorded_before_its_conference_still_counts(bv: BoardVault) -> None:
    """The digest keeps visits only where a family has a conference; a conference recorded
    after a visit it precedes reads the family's visits again, as a fresh board does."""
    adams = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        add = tm.families.add_entry
        add(adams, "case-notes", "Home visit, children seen", "2026-02-24",
            entry_type="visit")
        assert "child-protection-visits" not in _running(board(tm), adams)
        add(adams, "case-notes", "Initial child protection conference", "2026-02-20",
            entry_type="conference")
        kept = board(tm)
        visits = _running(kept, adams)["child-protection-visits"]
        assert [(v.started, v.due) for v in visits] == [("2026-02-24", "2026-03-10")]
        assert kept.time_limits == board(tm, fresh=True).time_limits
