"""People's changes made on one PC hold on the other after its next sync while someone is
signed in there (issue 18): the desktop syncs in the signed-in person's own session, which must
not undo what arrives, and takes it in - a new account, a role change, an approval, a disable
and its section rotation. A person disabled elsewhere is signed out at their next sync, and a
session of theirs open beside it is refused at its next act, as after a disable made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.replica_pcs import OWNER_PASSPHRASE, Pc, ReplicaTeam, run_cli, workbook_text
from workbook.services.access.sign_in import sign_in
from workbook.services.errors import NotPermitted, SignInFailed
from workbook.services.replicas.open_session import DISABLED_ELSEWHERE
from workbook.services.session import Session
from workbook.vault.database import DatabaseError
from workbook.vault.keyfile import KeyFile

INITIAL, CHOSEN = "initial words for sam worker", "sam chooses a long passphrase 7"


def open_on(pc: Pc, username: str, passphrase: str) -> Session:
    with pc.on():
        return sign_in(pc.vault, username, passphrase)


def test_an_account_made_approved_and_promoted_on_desk_1_holds_on_desk_2_under_an_open_session(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
        s.families.add_entry(family_id, "case-notes", "written on desk 1", "2026-01-05")
    desk2 = team.join("desk 2")
    tess = open_on(desk2, "tm", OWNER_PASSPHRASE)  # Tess works on desk 2 throughout
    with desk2.on():  # the open sessions keep desk 2's seen record
        try:
            with team.first.session() as s:
                s.accounts.add("sw1", "Sam Worker", "social-worker", INITIAL)
                s.replicas.sync()
            assert tess.replicas.sync().refused == []
            with desk2.session("sw1", INITIAL) as s:  # the new account signs in on desk 2
                s.accounts.change_passphrase(INITIAL, CHOSEN)
                fingerprint = s.grants.fingerprint()
            assert tess.replicas.sync().refused == []  # sends Sam's chosen passphrase
            with team.first.session() as s:
                s.replicas.sync()
                s.accounts.set_role("sw1", "senior-social-worker")
                s.grants.approve("sw1", fingerprint=fingerprint, recovery_text=team.recovery_key)
                s.replicas.sync()
            assert tess.replicas.sync().refused == []
            with desk2.session("sw1", CHOSEN) as s:  # while Tess is still signed in
                assert s.signed_role is not None and s.signed_role.value == "senior-social-worker"
                assert "written on desk 1" in workbook_text(s, family_id)
        finally:
            tess.lock()
    with desk2.session("sw1", CHOSEN) as s:  # and after her session locked
        assert s.signed_role is not None and s.signed_role.value == "senior-social-worker"
        s.require_certified()
    with team.first.session("sw1", CHOSEN) as s:
        assert s.user.full_name == "Sam Worker"


def test_a_role_change_and_an_approval_reach_the_open_session_they_are_for(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
        s.families.add_entry(family_id, "case-notes", "written on desk 1", "2026-01-05")
        s.accounts.add("sw1", "Sam Worker", "social-worker", INITIAL)
    with team.first.session("sw1", INITIAL) as s:
        s.accounts.change_passphrase(INITIAL, CHOSEN)
        fingerprint = s.grants.fingerprint()
    desk2 = team.join("desk 2")
    sam = open_on(desk2, "sw1", CHOSEN)  # not approved yet: he reads nothing
    with desk2.on():  # the open sessions keep desk 2's seen record
        try:
            assert sam.keys.held_sections() == set()
            assert sam.signed_role is not None and sam.signed_role.value == "social-worker"
            with team.first.session() as s:
                s.accounts.set_role("sw1", "senior-social-worker")
                s.grants.approve("sw1", fingerprint=fingerprint, recovery_text=team.recovery_key)
                s.replicas.sync()
            assert sam.replicas.sync().refused == []
            assert sam.signed_role is not None and sam.signed_role.value == "senior-social-worker"
            assert "case-notes" in sam.keys.held_sections()
            assert "written on desk 1" in workbook_text(sam, family_id)
        finally:
            sam.lock()
    with desk2.session("sw1", CHOSEN) as s:  # his lock undid nothing
        assert s.signed_role is not None and s.signed_role.value == "senior-social-worker"


def test_a_person_disabled_on_desk_1_is_signed_out_of_desk_2_and_the_rotation_holds_there(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2 = team.join("desk 2")
    sam_words = team.approved_worker()
    pat_words = team.approved("pw2", "Pat Worker", "social-worker",
                              ("initial words given by the owner",
                               "a colleague chooses long words 5"))
    team.sync_all(rounds=1)
    sam = open_on(desk2, "sw1", sam_words)  # his desktop syncs in his own session
    pat = open_on(desk2, "pw2", pat_words)  # pat's session is open beside it
    tess = open_on(desk2, "tm", OWNER_PASSPHRASE)
    with desk2.on():  # the open sessions keep desk 2's seen record
        try:
            with team.first.session() as s:
                s.accounts.disable("sw1")  # case notes rotate on desk 1
                s.accounts.disable("pw2")
                s.replicas.sync()
            with pytest.raises(NotPermitted, match=f"^{DISABLED_ELSEWHERE}$"):
                sam.replicas.sync()
            with pytest.raises(Exception, match="closed|locked"):  # his session has ended
                sam.families.add_entry(family_id, "case-notes", "after it", "2026-01-06")
            with desk2.on(), pytest.raises(SignInFailed, match="^this account is disabled$"):
                sign_in(desk2.vault, "sw1", sam_words)
            # Tess's open session follows both disables (this PC rekeys) and takes the epoch
            # rotated on desk 1; Pat's session, holding the old database key, is refused.
            assert tess.replicas.sync().refused == []
            with pytest.raises(DatabaseError):
                pat.families.add_entry(family_id, "case-notes", "after it", "2026-01-06")
            assert tess.trust.current_epoch("case-notes") == 3  # one rotation per disable
            tess.families.add_entry(family_id, "case-notes", "under the new epoch", "2026-01-06")
            body = KeyFile.load(desk2.vault).open_body(tess.device_secret)
            assert {"sw1", "pw2"}.isdisjoint(body.accounts)
            tess.replicas.sync()
        finally:
            tess.lock()
            with pytest.raises(DatabaseError):
                pat.lock()
    with desk2.on(), pytest.raises(SignInFailed):
        sign_in(desk2.vault, "sw1", sam_words)
    with team.first.session() as s:
        s.replicas.sync()
        assert "under the new epoch" in workbook_text(s, family_id)


def test_the_command_line_says_in_one_line_that_the_person_was_signed_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    sam = team.approved_worker()
    team.sync_all(rounds=1)
    with team.first.session() as s:
        s.accounts.disable("sw1")
        s.replicas.sync()
    code, out, err = run_cli(desk2, capsys, monkeypatch, "sync", "--json", user="sw1",
                             passphrase=sam)
    assert code != 0 and out == ""
    assert err.strip().splitlines() == [f"workbook: error: {DISABLED_ELSEWHERE}"], err
    code, _, err = run_cli(desk2, capsys, monkeypatch, "sync", user="sw1", passphrase=sam)
    assert code != 0 and "this account is disabled" in err
    assert desk2.sync().refused == []  # the owner's sync follows the disable here
    with desk2.session() as s:
        assert "sw1" not in KeyFile.load(s.vault_dir).open_body(s.device_secret).accounts
