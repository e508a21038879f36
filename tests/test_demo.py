"""The demo vault: built only through the real services, so these checks are also a check that
a new team's first members can be set up and approved, and that each discipline then sees
exactly what the default policy gives it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest

from support.memory_keyring import MemoryKeyring
from workbook import demo_launcher
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.demo import (
    DEMO_USERS,
    HISTORY_DAYS,
    INITIAL_PASSPHRASE,
    OWNER,
    DemoResult,
    build_demo,
    plan_families,
)
from workbook.domain.passphrase import passphrase_problems
from workbook.domain.policy import default_policy
from workbook.domain.roles import Role, Section
from workbook.services.access.sign_in import sign_in
from workbook.services.errors import InvalidInput

CHEAP_KDF = KdfParams(8 * 1024, 1, 1)
FAMILIES = 5
BIG = 60


@dataclass(frozen=True)
class Built:
    vault: Path
    result: DemoResult


@pytest.fixture(scope="module")
def memory_keyring() -> Iterator[None]:
    """The demo's device secret goes to an in-memory keyring, never the developer's own (nor
    their file keyring: WORKBOOK_KEYRING=file would make select_backend replace this one)."""
    previous = keyring.get_keyring()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("WORKBOOK_KEYRING", raising=False)
        keyring.set_keyring(MemoryKeyring())
        try:
            yield
        finally:
            keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def built(memory_keyring: None, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One small demo for the whole module: building it is the slow part."""
    vault = tmp_path_factory.mktemp("demo") / "vault"
    messages: list[str] = []
    result = build_demo(vault, families=FAMILIES, big_family_entries=BIG, kdf=CHEAP_KDF,
                        progress=messages.append)
    assert messages, "progress should be reported"
    return Built(vault, result)


def _entries(view: dict[str, Any]) -> dict[str, int]:
    return {name: len(content.get("entries", [])) for name, content in view["sections"].items()}


def test_documented_passphrases_pass_the_rule() -> None:
    passphrases = [u.passphrase for u in DEMO_USERS]
    assert len(set(passphrases)) == len(passphrases)
    assert {u.role for u in DEMO_USERS} == {r.value for r in Role}
    for user in DEMO_USERS:
        assert passphrase_problems(user.passphrase, username=user.username,
                                   full_name=user.full_name) == []
        assert user.username not in user.passphrase
        assert passphrase_problems(INITIAL_PASSPHRASE, username=user.username,
                                   full_name=user.full_name) == []


def test_result_describes_the_vault(built: Built) -> None:
    result = built.result
    assert (built.vault / "keys.json").exists()
    assert result.recovery_key and result.recovery_key not in repr(result)
    assert [(u.username, u.role, u.passphrase) for u in result.users] == [
        (u.username, u.role, u.passphrase) for u in DEMO_USERS
    ]
    assert result.families == FAMILIES
    assert result.entries >= BIG and result.actions > 0 and result.persons >= 2 * FAMILIES


def test_every_user_signs_in_with_the_documented_passphrase(built: Built) -> None:
    policy = default_policy()
    for user in DEMO_USERS:
        with sign_in(built.vault, user.username, user.passphrase) as session:
            assert not session.must_replace_passphrase
            assert session.user.is_owner == (user.username == OWNER)
            held = session.keys.held_sections()
            if user.role == Role.ADMIN.value:
                assert held == set()
            else:
                expected = {s.value for s in policy.sections_for(Role(user.role))}
                assert held == expected, user.username


def test_police_see_police_entries_and_no_mental_health(built: Built) -> None:
    police = next(u for u in DEMO_USERS if u.username == "police")
    with sign_in(built.vault, police.username, police.passphrase) as session:
        families = session.families.all()
        assert len(families) == FAMILIES
        for family in families:
            sections = session.workbooks.open(family.family_id).to_json()["sections"]
            assert sections[Section.POLICE.value]["entries"]
            assert Section.MENTAL_HEALTH.value not in sections
            assert all(not e["sealed"] for e in sections[Section.POLICE.value]["entries"])


def test_every_section_has_entries_for_its_readers(built: Built) -> None:
    policy = default_policy()
    seen: dict[str, int] = {s.value: 0 for s in Section}
    for section in Section:
        role = min(policy.readers[section], key=lambda r: r.value)
        user = next(u for u in DEMO_USERS if u.role == role.value)
        with sign_in(built.vault, user.username, user.passphrase) as session:
            for family in session.families.all():
                view = session.workbooks.open(family.family_id, audit=False).to_json()
                seen[section.value] += _entries(view).get(section.value, 0)
    assert all(count > 0 for count in seen.values()), seen


def test_household_and_plan_are_filled_in(built: Built) -> None:
    social = next(u for u in DEMO_USERS if u.username == "social")
    names: list[str] = []
    with sign_in(built.vault, social.username, social.passphrase) as session:
        for family in session.families.all():
            sections = session.workbooks.open(family.family_id, audit=False).to_json()[
                "sections"]
            persons = sections[Section.HOUSEHOLD.value]["persons"]
            assert 2 <= len(persons) <= 6
            assert all(p["dob"] and p["relationship"] for p in persons)
            # Issue 14: a sex for everyone, and sons and daughters linked to their parents.
            assert all(p.get("sex") in ("female", "male") for p in persons), persons
            ids = {p["id"] for p in persons}
            for p in persons:
                if p["relationship"] in ("son", "daughter"):
                    assert p.get("parents") and set(p["parents"]) <= ids, p
            names += [p["name"] for p in persons]
            actions = sections[Section.PLAN.value]["actions"]
            assert actions and all(a["owner"] and a["due"] for a in actions)
    assert any("Zoë" in n for n in names) and any("Ł" in n for n in names)
    assert any("-" in n.split()[-1] for n in names), "a hyphenated surname is expected"


def test_big_family_has_the_requested_entries(built: Built) -> None:
    manager = next(u for u in DEMO_USERS if u.username == OWNER)
    with sign_in(built.vault, manager.username, manager.passphrase) as session:
        view = session.workbooks.open(built.result.big_family_id, audit=False).to_json()
        assert sum(_entries(view).values()) >= BIG
        report = session.audit_trail.verify()
        assert report.ok and report.unapproved_signers == 0


def test_same_seed_and_day_give_the_same_families() -> None:
    day = date(2026, 3, 1)
    first = plan_families(4, 30, seed=7, today=day)
    assert first == plan_families(4, 30, seed=7, today=day)
    assert first != plan_families(4, 30, seed=8, today=day)
    dates = [e.date for f in first for e in f.entries]
    assert max(dates) <= day.isoformat()
    assert min(dates) >= (day - timedelta(days=HISTORY_DAYS)).isoformat()
    overdue = [a for f in first for a in f.actions if a.due < day.isoformat()]
    assert overdue, "some plan actions should be overdue"


def test_refuses_a_folder_in_use(built: Built) -> None:
    with pytest.raises(InvalidInput):
        build_demo(built.vault, families=1, big_family_entries=0, kdf=CHEAP_KDF)


def test_refuses_no_families(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        build_demo(tmp_path / "v", families=0, kdf=CHEAP_KDF)


def test_launcher_reuses_an_existing_demo_vault(
    built: Built, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo_launcher, "find_gui", lambda: None)
    monkeypatch.setattr(demo_launcher, "build_demo", _must_not_build)
    assert demo_launcher.main(["--vault", str(built.vault)]) == 0
    out = capsys.readouterr().out
    assert "synthetic" in out and "Using the existing demo vault" in out
    assert all(u.passphrase in out for u in DEMO_USERS)
    assert "--as social family list" in out and "audit verify" in out


def test_launcher_refuses_a_folder_that_is_not_a_vault(
    memory_keyring: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_launcher, "build_demo", _must_not_build)
    (tmp_path / "notes.txt").write_text("not a vault", encoding="utf-8")
    assert demo_launcher.main(["--vault", str(tmp_path)]) == 2


def _must_not_build(*_args: object, **_kwargs: object) -> DemoResult:
    raise AssertionError("the launcher must not build over an existing folder")


def test_a_year_of_group_supervision_fills_the_board(built: Built) -> None:
    from workbook.demo import demo_user
    from workbook.services.supervision import meetings as supervision
    from workbook.services.supervision.board import board

    manager = demo_user("manager")
    with sign_in(built.vault, manager.username, manager.passphrase) as session:
        held = supervision.sessions(session)
        assert len(held) >= 10 and {row.status for row in held} == {"finished"}
        days = sorted(date.fromisoformat(row.held_on) for row in held)
        assert all(b - a == timedelta(days=28) for a, b in zip(days, days[1:], strict=False))
        result = board(session)
        # Reviewed families are not all due at once, and the charts have a history.
        assert len(result.due_families) < built.result.families
        assert sum(1 for month in result.compliance_by_month if month.total) >= 6
        assert any(month.count for month in result.overdue_by_month[:-2])
        # A family's monthly clock starts the day it came to the unit, not the day of the build.
        today = date.fromisoformat(session.now()[:10])
        for family in session.families.all():
            first = min(v.created_at for v in session.records.of_record(family.family_id))
            assert date.fromisoformat(first[:10]) <= today - timedelta(days=60)


def test_visits_record_the_child_seen_and_assessments_use_both_frameworks(built: Built) -> None:
    from workbook.domain.records import Entry
    from workbook.services.family.assessments import latest_assessment

    senior = next(u for u in DEMO_USERS if u.username == "senior")
    with sign_in(built.vault, senior.username, senior.passphrase) as session:
        seen: set[str] = set()
        frameworks: set[str] = set()
        for family in session.families.all():
            view = session.workbooks.open(family.family_id, audit=False)
            for entry in view.section("case-notes").entries:
                record = entry.record
                if isinstance(record, Entry) and record.type == "visit" and record.time:
                    seen.add(record.child_seen)
            found = latest_assessment(session, family.family_id)
            if found is not None:
                frameworks.add(found.framework)
    assert {"yes", "alone"} <= seen
    assert frameworks == {"family-safeguarding", "radicalisation"}


def test_every_time_limit_is_running_on_the_board(built: Built) -> None:
    """Each limit kind the policy keeps runs somewhere, and the conference clock shows all three
    states: the supervisor sees what a unit's board looks like on an ordinary day."""
    from workbook.demo import demo_user
    from workbook.domain.time_limit_rules import CONFERENCE, LIMITS
    from workbook.services.supervision.board import board

    manager = demo_user("manager")
    with sign_in(built.vault, manager.username, manager.passphrase) as session:
        rows = board(session).time_limits
    assert {row.limit for row in rows} == set(LIMITS)
    assert {row.state for row in rows if row.limit == CONFERENCE} == {
        "on_track", "at_risk", "breached"}


def test_the_front_door_has_referrals_waiting_and_one_decided(built: Built) -> None:
    from workbook.demo import demo_user

    social = demo_user("social")
    with sign_in(built.vault, social.username, social.passphrase) as session:
        shown = session.referrals.all()
        waiting = [r for r in shown if r.state == "open"]
        assert len(waiting) == 2 and len(shown) == 3
        assert any(r.overdue for r in waiting) and not all(r.overdue for r in waiting)
        [decided] = [r for r in shown if r.state == "decided"]
        assert decided.to_json()["outcome"] == "early-help"
    police = demo_user("police")
    with sign_in(built.vault, police.username, police.passphrase) as session:
        assert [r.section for r in session.referrals.all()].count("police") == 1


def test_closed_families_have_outcomes_and_a_case_owner_was_handed_over(
        memory_keyring: None, tmp_path: Path) -> None:
    """Issue 15, in a demo of ten families (a smaller one keeps every family open for the
    time limits): outcomes over several months with lessons learned, a case owner history,
    and reviews with a scaling trend."""
    from workbook.demo import demo_user
    from workbook.demo_outcomes import CLOSINGS

    result = build_demo(tmp_path / "vault", families=10, big_family_entries=0, kdf=CHEAP_KDF)
    manager = demo_user("manager")
    with sign_in(tmp_path / "vault", manager.username, manager.passphrase) as session:
        families = session.families.all()
        assert len(families) == result.families + len(CLOSINGS)
        months = session.outcomes.by_month()
        recorded = [m for m in months if m.closed > m.by_outcome.get("not-recorded", 0)]
        assert len(recorded) >= 3 and sum(m.closed for m in recorded) >= len(CLOSINGS)
        histories = [session.case_owners.history(f.family_id) for f in families]
        (handed,) = [h for h in histories if h]
        assert [i.to_name for i in handed] == ["Sam Adeyemi", "Priya Shah"]
        trends = session.outcomes.scaling_trends()
        assert any(len(points) >= 3 for points in trends.values())
        closed = [session.workbooks.open(f.family_id, audit=False).family.record
                  for f in families if f.status == "closed"]
        assert sum(1 for r in closed if r is not None and r.lessons) == len(CLOSINGS)


def test_a_concern_mid_way_an_abstraction_and_consent_can_be_tried(built: Built) -> None:
    """Issue 15: the mental health worker's concern (steps 1-3, step 2 skipped), her summary
    in the case notes, and consent given, refused and withdrawn."""
    worker = next(u for u in DEMO_USERS if u.username == "mentalhealth")
    with sign_in(built.vault, worker.username, worker.passphrase) as session:
        found = [(f.family_id, c) for f in session.families.all()
                 for c in session.concerns.of_family(f.family_id)]
        assert len(found) == 1
        family_id, concern = found[0]
        assert (concern.state, concern.next_step) == ("open", 4)
        assert [bool(s["skipped"]) for s in concern.steps()] == [False, True, False]
        entries = session.workbooks.open(family_id).section("case-notes").entries
        assert any("abstracted" in e.payload for e in entries)
        statuses = {c.record.status for c in session.consents.of_family(family_id)}
        assert statuses == {"given", "refused", "withdrawn"}
    police = next(u for u in DEMO_USERS if u.username == "police")
    with sign_in(built.vault, police.username, police.passphrase) as session:
        assert session.concerns.of_family(family_id) == []
def test_a_transfer_waits_for_the_police(built: Built) -> None:
    """The demo's transfer to another organisation: every restricted section has answered but
    the police, whose officer can add it (docs/user-guide.md)."""
    police = next(u for u in DEMO_USERS if u.username == "police")
    with sign_in(built.vault, police.username, police.passphrase) as session:
        (transfer,) = session.transfers.all()
        assert transfer.state == "waiting" and transfer.still_to_answer == ["police"]
        answers = {a["section"]: a["answer"] for a in transfer.answers()}
        assert answers["mental-health"] == "declined" and answers["police"] is None
        assert session.transfers.add_section(transfer.id, "police").state == "ready"
