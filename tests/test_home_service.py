"""The home screen's use cases (services/home/overview.py) over a real vault: my families, my
overdue actions, recently changed families, conflicts, and the idle-lock setting. Each list holds
only what the signed-in person may read; a write in a restricted section does not make a family look
recently changed to someone who cannot read that section."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import keyring
import pytest

from support.memory_keyring import MemoryKeyring
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.home import overview as home
from workbook.vault import meta

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER_PASS = "correct horse battery staple"
PASSES = {"admin": "keeper of accounts walks the quiet corridor",
          "pc1": "police constable reads the sealed notes",
          "sw1": "social worker visits on tuesday mornings",
          "new1": "newcomer waits for approval patiently"}
INITIAL = "initial pass phrase for everyone"
TODAY = date(2026, 6, 15)


@dataclass
class Team:
    vault: Path
    ash: str  # case owner tm; sw1 owns an open action in it; police wrote last
    birch: str  # case owner sw1; tm owns an overdue action; has a conflict
    cedar: str  # case owner tm, nothing of sw1's


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    previous = keyring.get_keyring()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("WORKBOOK_KEYRING", raising=False)
        keyring.set_keyring(MemoryKeyring())
        try:
            yield _build(tmp_path_factory.mktemp("home") / "vault")
        finally:
            keyring.set_keyring(previous)


def _pause() -> None:
    time.sleep(0.002)  # versions are ordered by their microsecond time stamps


def _build(vault: Path) -> Team:
    created = create_vault(vault, team="North Unit", owner_username="tm",
                           owner_name="Tess Manager", passphrase=OWNER_PASS, kdf=FAST_KDF)
    with sign_in(vault, "tm", OWNER_PASS) as s:
        for user, name, role in (("admin", "Avery Hall", "admin"),
                                 ("pc1", "Pat Constable", "police"),
                                 ("sw1", "Sam Worker", "social-worker"),
                                 ("new1", "Nia Newcomer", "social-worker")):
            s.accounts.add(user, name, role, INITIAL)
    fingerprints = {}
    for user in ("admin", "pc1", "sw1", "new1"):
        with sign_in(vault, user, INITIAL) as s:
            s.accounts.change_passphrase(INITIAL, PASSES[user])
            fingerprints[user] = s.grants.fingerprint()
    with sign_in(vault, "tm", OWNER_PASS) as s:
        for user in ("pc1", "sw1"):
            s.grants.approve(user, fingerprint=fingerprints[user],
                             recovery_text=created.recovery_key)
        ash = s.families.add("The Ash family", "NU-1")
        cedar = s.families.add("The Cedar family", "NU-3")
        s.families.add_action(ash, "Book the core group", "sw1", "2026-07-01")
    with sign_in(vault, "sw1", PASSES["sw1"]) as s:
        birch = s.families.add("The Birch family", "NU-2")
        s.families.add_action(birch, "Chase the school report", "tm", "2026-06-01")
        s.families.add_action(birch, "Done already", "tm", "2026-05-01")
        entry = s.families.add_entry(birch, "case-notes", "Home visit", "2026-06-10")
        base = s.records.of_record(entry)[0]
        with s.write():  # two corrections of the same version: a conflict
            for text in ("Home visit (a)", "Home visit (b)"):
                s.records.write(family_id=birch, record_id=entry, kind="entry",
                                section="case-notes", payload={**base.payload, "text": text},
                                parents=(base.version_id,))
        _pause()
        s.families.add_entry(cedar, "case-notes", "Phoned school", "2026-06-12")
    with sign_in(vault, "tm", OWNER_PASS) as s:
        done = [a for a in s.workbooks.open(birch).to_json()["sections"]["plan"]["actions"]
                if a["text"] == "Done already"][0]
        with s.write():  # actions have no "mark done" use case yet: write the version directly
            version = s.records.of_record(done["id"])[0]
            s.records.write(family_id=birch, record_id=done["id"], kind="action",
                            section="plan", payload={**version.payload, "status": "done"},
                            parents=(version.version_id,))
    _pause()
    with sign_in(vault, "pc1", PASSES["pc1"]) as s:
        s.families.add_entry(ash, "police", "Intelligence about a visitor", "2026-06-14")
    return Team(vault, ash, birch, cedar)


def test_my_families_as_case_owner_or_action_owner(team: Team) -> None:
    with sign_in(team.vault, "sw1", PASSES["sw1"]) as s:
        result = home.overview(s, TODAY)
    mine = {f.name: f.mine for f in result.my_families}
    assert mine == {"The Ash family": "plan action", "The Birch family": "case owner"}
    assert [f.name for f in result.families] == [
        "The Ash family", "The Birch family", "The Cedar family"]
    birch = next(f for f in result.families if f.name == "The Birch family")
    assert (birch.reference, birch.status, birch.case_owner) == ("NU-2", "open", "sw1")
    assert result.overdue_actions == []


def test_the_quick_first_step_lists_families_and_mine_as_case_owner(team: Team) -> None:
    with sign_in(team.vault, "sw1", PASSES["sw1"]) as s:
        first = home.family_overview(s)
        second = home.action_overview(s, first, TODAY)
    assert [f.name for f in first.my_families] == ["The Birch family"]
    assert first.overdue_actions == []
    assert len(first.families) == 3
    assert [f.name for f in second.my_families] == ["The Ash family", "The Birch family"]
    assert second.families == first.families


def test_my_overdue_actions(team: Team) -> None:
    with sign_in(team.vault, "tm", OWNER_PASS) as s:
        result = home.overview(s, TODAY)
    assert [(a.text, a.family_name, a.due, a.days_overdue) for a in result.overdue_actions] == [
        ("Chase the school report", "The Birch family", "2026-06-01", 14)]
    mine = {f.name: f.mine for f in result.my_families}
    assert mine == {"The Ash family": "case owner", "The Birch family": "plan action",
                    "The Cedar family": "case owner"}
    # Not overdue on its due date.
    with sign_in(team.vault, "tm", OWNER_PASS) as s:
        assert home.overview(s, date(2026, 6, 1)).overdue_actions == []


def test_recently_changed_counts_only_sections_i_can_read(team: Team) -> None:
    with sign_in(team.vault, "sw1", PASSES["sw1"]) as s:
        summary = home.home_summary(s, TODAY)
    # The police entry in Ash is the newest write of all, but sw1 cannot read it: for sw1 the
    # newest is the action tm marked done in Birch.
    assert [c.name for c in summary.recently_changed] == [
        "The Birch family", "The Cedar family", "The Ash family"]
    with sign_in(team.vault, "pc1", PASSES["pc1"]) as s:
        police = home.home_summary(s, TODAY)
    assert [c.name for c in police.recently_changed][:1] == ["The Ash family"]
    assert police.recently_changed[0].changed_at > summary.recently_changed[0].changed_at


def test_conflicts_to_resolve(team: Team) -> None:
    with sign_in(team.vault, "tm", OWNER_PASS) as s:
        summary = home.home_summary(s, TODAY)
    assert [(c.name, c.records) for c in summary.conflicts] == [("The Birch family", 1)]
    assert summary.due_for_review == [] and summary.time_limits_at_risk == []


def test_recent_limit(team: Team) -> None:
    with sign_in(team.vault, "tm", OWNER_PASS) as s:
        assert len(home.home_summary(s, TODAY, limit=2).recently_changed) == 2


@pytest.mark.parametrize(("user", "note"), [("admin", home.ADMIN_NOTE),
                                            ("new1", home.NO_KEYS_NOTE)])
def test_no_case_content_without_the_household_key(team: Team, user: str, note: str) -> None:
    with sign_in(team.vault, user, PASSES[user]) as s:
        summary = home.home_summary(s, TODAY)
    assert summary.note == note
    assert summary.my_families == summary.overdue_actions == []
    assert summary.recently_changed == summary.conflicts == []


def test_idle_lock_minutes_setting(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        vault = tmp_path / "v"
        create_vault(vault, team="T", owner_username="tm", owner_name="Tess Manager",
                     passphrase=OWNER_PASS, kdf=FAST_KDF)
        with sign_in(vault, "tm", OWNER_PASS) as s:
            assert home.idle_lock_minutes(s) == 5
            # The plain meta row is not signed: whatever it holds, the signed policy decides
            # (tests/security/test_signed_settings.py sets it there).
            for stored in ("12", "0", "soon", "100000"):
                with s.write():
                    meta.put(s.conn, home.IDLE_LOCK_KEY, stored)
                assert home.idle_lock_minutes(s) == 5
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize("user", ["tm", "sw1", "pc1"])
def test_activity_in_steps_says_what_activity_says(team: Team, user: str) -> None:
    """Issue 19: home's recent changes and conflicts, a few families' headers per worker job,
    are the same as in one call (with a conflict, and a section sw1 cannot read)."""
    from workbook.services.home.steps import ActivitySteps

    with sign_in(team.vault, user, PASSES.get(user, OWNER_PASS)) as s:
        families = home.family_overview(s).families
        assert len(families) >= 3
        whole = home.activity(s, families)
        for size, limit in ((1, home.RECENT_LIMIT), (2, 2), (500, home.RECENT_LIMIT)):
            steps = ActivitySteps(s, families, step=size, limit=limit)
            count = 0
            while not steps.step(s):
                count += 1
            assert count == -(-len(families) // size) - 1
            assert steps.result == home.activity(s, families, limit)
        assert whole.recently_changed and (user != "tm" or whole.conflicts)


def test_sealed_for_me_in_steps_says_what_sealed_for_me_says(team: Team) -> None:
    """Issue 19: the sealed entries passed on to me, a few families' headers per worker job,
    are those `sealed_for_me` finds in one call (run last: it adds entries)."""
    from workbook.services.home.for_me import SealedSteps, sealed_for_me

    with sign_in(team.vault, "sw1", PASSES["sw1"]) as s:  # sw1 cannot read police: sealed
        for family, text in ((team.birch, "Father seen at the house"),
                             (team.cedar, "A neighbour called")):
            s.families.add_entry(family, "police", text, "")
            _pause()
    with sign_in(team.vault, "pc1", PASSES["pc1"]) as s:
        families = home.family_overview(s).families
        whole = sealed_for_me(s, families)
        assert [e.preview for e in whole] == ["A neighbour called", "Father seen at the house"]
        for size in (1, 2, 500):
            steps = SealedSteps(s, families, step=size)
            while not steps.step(s):
                pass
            assert steps.result == whole
        assert SealedSteps(s, []).done


@pytest.mark.parametrize("user", ["tm", "sw1", "admin"])
def test_action_overview_in_steps_says_what_action_overview_says(team: Team, user: str) -> None:
    """Issue 19: my overdue actions and my families, a few families' actions per worker job."""
    from workbook.services.home.steps import ActionSteps

    with sign_in(team.vault, user, PASSES.get(user, OWNER_PASS)) as s:
        first = home.family_overview(s)
        whole = home.action_overview(s, first, TODAY)
        for size in (1, 2, 200):
            steps = ActionSteps(s, first, step=size, today=TODAY)
            while not steps.step(s):
                pass
            assert steps.result == whole
        assert user == "admin" or whole.my_families
        assert user != "tm" or whole.overdue_actions
