"""Replicas of one vault on several PCs (each its own vault folder and keyring) converge
through one sync folder: a note, a new account and a passphrase change made on one hold on
the others after a sync (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.replica_pcs import ReplicaTeam, workbook_text
from workbook.services.access.sign_in import sign_in
from workbook.services.errors import SignInFailed
from workbook.services.session import Session


def test_a_note_written_on_one_replica_appears_on_the_others(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2 = team.join("desk 2")
    desk3 = team.join("desk 3", approver=desk2)
    with desk2.session() as s:
        s.families.add_entry(family_id, "case-notes", "Visited on desk 2 c0ffee", "2026-01-05")
    report = desk2.sync()
    assert report.sent >= 1 and report.refused == []
    for pc in (team.first, desk3):
        got = pc.sync()
        assert got.received >= 1, got
        assert got.refused == [] and got.conflicts == 0
        with pc.session() as s:
            assert "Visited on desk 2 c0ffee" in workbook_text(s, family_id)
        with pc.session() as s:  # desk 2's own audit chain travelled with its note
            origins = {str(o) for (o,) in s.conn.execute("SELECT origin FROM replica_audit")}
            assert desk2_id(s) in origins
        with pc.session() as s:  # and its chain checks out here
            chains = {r.replica: r for r in s.replicas.verify_audit()}
            assert chains[desk2_id(s)].events > 0 and not chains[desk2_id(s)].problem
        with pc.session() as s:  # each received version has its writer's signed event
            verdict = s.audit_trail.verify()
            assert verdict.ok and not verdict.unaudited_versions, verdict
    # Once in step, syncing again writes no file anywhere: a sync's own audit events wait
    # for the next change, so replicas never answer each other for ever.
    team.sync_all(rounds=1)
    for again in team.sync_all(rounds=2):
        assert (again.sent, again.received, again.files_sent, again.refused) == (0, 0, 0, [])
        assert len({r["id"] for r in again.replicas}) == 3


def test_concurrent_edits_are_kept_as_a_conflict(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Jones family", "REF-2")
        entry_id = s.families.add_entry(family_id, "case-notes", "first words", "2026-01-05")
    desk2 = team.join("desk 2")
    with team.first.session() as s:
        s.families.edit_entry(entry_id, "edited on desk 1")
    with desk2.session() as s:
        s.families.edit_entry(entry_id, "edited on desk 2")
    team.first.sync()
    report = desk2.sync()
    assert report.conflicts == 1
    team.first.sync()
    for pc in team.pcs:
        with pc.session() as s:
            text = workbook_text(s, family_id)
            assert "edited on desk 1" in text and "edited on desk 2" in text


def test_a_new_account_a_passphrase_change_and_a_role_change_hold_on_the_other_replica(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    initial, final = "initial words for sam worker", "sam chooses a long passphrase 7"
    with team.first.session() as s:
        s.accounts.add("sw1", "Sam Worker", "social-worker", initial)
    team.first.sync()
    desk2.sync()
    with desk2.session("sw1", initial) as s:  # the account made on desk 1 signs in on desk 2
        s.accounts.change_passphrase(initial, final)
        fingerprint = s.grants.fingerprint()
    desk2.sync()
    team.first.sync()
    with team.first.session("sw1", final) as s:  # the change made on desk 2 holds on desk 1
        assert s.user.full_name == "Sam Worker"
    with team.first.session() as s:  # a role change made on desk 1 holds on desk 2
        s.accounts.set_role("sw1", "senior-social-worker")
    team.first.sync()
    desk2.sync()
    with desk2.session("sw1", final) as s:
        assert s.signed_role is not None and s.signed_role.value == "senior-social-worker"
    with team.first.session() as s:  # the owner approves on desk 1 what desk 2 shows
        s.grants.approve("sw1", fingerprint=fingerprint, recovery_text=team.recovery_key)
    team.first.sync()
    desk2.sync()
    with desk2.session("sw1", final) as s:
        assert s.require_certified()
        assert s.keys.held_sections()


def desk2_id(s: Session) -> str:
    return next(r["id"] for r in s.replicas.listing() if r["name"] == "desk 2")


def test_a_disable_on_one_replica_holds_on_the_other_and_rotated_sections_work(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2 = team.join("desk 2")
    final = team.approved_worker()
    team.first.sync()
    desk2.sync()
    with desk2.session("sw1", final) as s:
        s.families.add_entry(family_id, "case-notes", "by sam on desk 2", "2026-01-05")
    desk2.sync()
    team.first.sync()
    with team.first.session() as s:
        s.accounts.disable("sw1")  # rotates case notes on desk 1
    team.first.sync()
    desk2.sync()
    with desk2.on():  # the slot is gone here too (desk 2 rekeyed: test_replicas_disable.py)
        with pytest.raises(SignInFailed, match="wrong username or passphrase"):
            sign_in(desk2.vault, "sw1", final)
    with desk2.session() as s:  # written on desk 2 under the epoch desk 1 rotated to
        assert s.trust.current_epoch("case-notes") == 2
        s.families.add_entry(family_id, "case-notes", "after the rotation", "2026-01-06")
    desk2.sync()
    team.first.sync()
    with team.first.session() as s:
        text = workbook_text(s, family_id)
        assert "by sam on desk 2" in text and "after the rotation" in text


def test_an_account_reset_on_one_replica_and_re_approved_reads_again_on_the_other(
        tmp_path: Path) -> None:
    from workbook.services.access.recovery import reset_account

    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
        s.families.add_entry(family_id, "case-notes", "written before the reset", "2026-01-05")
    desk2 = team.join("desk 2")
    team.approved_worker()
    team.sync_all(rounds=1)
    again, chosen = "a new initial for sam worker", "sam's second long passphrase 9"
    with team.first.on():  # sam forgot the passphrase: reset with the recovery key on desk 1
        reset_account(team.first.vault, "sw1", team.recovery_key, again)
    team.first.sync()
    desk2.sync()
    with desk2.session("sw1", again) as s:  # sam sits at desk 2
        s.accounts.change_passphrase(again, chosen)
        fingerprint = s.grants.fingerprint()
    desk2.sync()
    team.first.sync()
    with team.first.session() as s:
        s.grants.approve("sw1", fingerprint=fingerprint, recovery_text=team.recovery_key)
    team.first.sync()
    desk2.sync()
    with desk2.session("sw1", chosen) as s:
        assert "written before the reset" in workbook_text(s, family_id)
