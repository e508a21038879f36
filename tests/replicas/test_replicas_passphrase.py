"""A passphrase change made on one PC holds on every PC after its next sync (issue 18), however
the receiving PC is used while it syncs: the person signed in there with the old passphrase,
nobody of hers signed in, someone else signed in; and when two PCs change it before either
synced, the later signed change wins on both."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from support.replica_pcs import OWNER_PASSPHRASE, Pc, ReplicaTeam, run_cli
from workbook.services.access import slot_changes
from workbook.services.access.sign_in import sign_in
from workbook.services.access.slot_changes import UNSIGNED
from workbook.services.errors import InvalidInput, SignInFailed
from workbook.services.replicas import slots
from workbook.vault.keyfile import KeyFile

NEW = "tess picks a new long passphrase 5"


def refused(pc: Pc, username: str, passphrase: str) -> None:
    with pc.on(), pytest.raises(SignInFailed, match="^wrong username or passphrase$"):
        sign_in(pc.vault, username, passphrase)


def opens(pc: Pc, username: str, passphrase: str) -> None:
    with pc.session(username, passphrase) as s:
        assert s.user.username == username


def change_on_desk_1(team: ReplicaTeam) -> None:
    """Tess changes her passphrase on desk 1, which syncs."""
    with team.first.session("tm", OWNER_PASSPHRASE) as s:
        s.accounts.change_passphrase(OWNER_PASSPHRASE, NEW)
        s.replicas.sync()


def test_a_change_holds_on_a_pc_where_she_is_signed_in_with_the_old_passphrase(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    with desk2.session("tm", OWNER_PASSPHRASE) as on_desk2:  # Tess is signed in on desk 2
        change_on_desk_1(team)
        report = on_desk2.replicas.sync()  # the sync of her open session brings the change
        assert report.refused == []
        before = KeyFile.path(desk2.vault).read_bytes()
        for typed in (OWNER_PASSPHRASE, NEW):  # her old session cannot change it again
            with pytest.raises(InvalidInput, match="^your passphrase was changed on another "
                               "PC since you signed in: sign out, then sign in with the new "
                               "one$"):
                on_desk2.accounts.change_passphrase(typed, "a third long passphrase 6")
        assert KeyFile.path(desk2.vault).read_bytes() == before
    opens(desk2, "tm", NEW)
    refused(desk2, "tm", OWNER_PASSPHRASE)
    with desk2.session("tm", NEW) as s:  # and desk 2 does not send the old one back
        s.replicas.sync()
    opens(team.first, "tm", NEW)
    refused(team.first, "tm", OWNER_PASSPHRASE)


def test_a_change_holds_on_a_pc_where_she_is_signed_out_and_someone_else_syncs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    sam = team.approved_worker()
    team.sync_all(rounds=1)
    opens(desk2, "tm", OWNER_PASSPHRASE)  # her slot on desk 2 holds desk 2's log heads
    change_on_desk_1(team)
    code, out, err = run_cli(desk2, capsys, monkeypatch, "sync", "--json", user="sw1",
                             passphrase=sam)  # Sam syncs desk 2 from the command line
    assert code == 0, err
    assert json.loads(out)["refused"] == []
    opens(desk2, "tm", NEW)
    refused(desk2, "tm", OWNER_PASSPHRASE)
    opens(desk2, "sw1", sam)


def test_a_change_holds_on_a_pc_where_someone_else_is_signed_in_and_syncs(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    sam = team.approved_worker()
    team.sync_all(rounds=1)
    with desk2.session("sw1", sam) as on_desk2:  # Sam works on desk 2 all along
        on_desk2.replicas.sync()
        change_on_desk_1(team)
        assert on_desk2.replicas.sync().refused == []
        opens(desk2, "tm", NEW)  # while Sam is still signed in
    opens(desk2, "tm", NEW)  # and after his session locked
    refused(desk2, "tm", OWNER_PASSPHRASE)
    opens(desk2, "sw1", sam)


@pytest.mark.parametrize("later_syncs_first", [True, False])
def test_two_changes_made_before_either_synced_the_later_wins_on_both(
        tmp_path: Path, later_syncs_first: bool) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    earlier, later = "tess on desk 1 picks this one 3", "tess on desk 2 picks that one 8"
    with team.first.session("tm", OWNER_PASSPHRASE) as s:
        s.accounts.change_passphrase(OWNER_PASSPHRASE, earlier)
    with desk2.session("tm", OWNER_PASSPHRASE) as s:
        s.accounts.change_passphrase(OWNER_PASSPHRASE, later)
    if later_syncs_first:
        steps = [(desk2, later), (team.first, earlier), (desk2, later), (team.first, later)]
    else:
        steps = [(team.first, earlier), (desk2, later), (team.first, earlier), (desk2, later)]
    for pc, passphrase in steps:  # each PC signed in with what it holds before its sync
        with pc.session("tm", passphrase) as s:
            assert s.replicas.sync().refused == []
    for pc in team.pcs:
        opens(pc, "tm", later)
        refused(pc, "tm", earlier)
        refused(pc, "tm", OWNER_PASSPHRASE)


def test_an_old_slot_planted_on_desk_2_does_not_bring_back_the_old_passphrase(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    change_on_desk_1(team)
    with desk2.session("tm", OWNER_PASSPHRASE) as s, s.write():
        # A holder of V on desk 2, by SQL: desk 2's old slot looks changed since it last
        # travelled, and whatever arrives looks older than it.
        s.conn.execute("UPDATE replica_slots SET salt = 'planted', "
                       "stamp = '9999-12-31T00:00:00.000000+00:00' WHERE username = 'tm'")
    with desk2.session("tm", OWNER_PASSPHRASE) as s:
        report = s.replicas.sync()  # sends the old slot, stamped now; receives the change
        assert report.refused == []
    opens(desk2, "tm", NEW)
    refused(desk2, "tm", OWNER_PASSPHRASE)
    with team.first.session("tm", NEW) as s:
        s.replicas.sync()  # the old slot arrives, stamped later than the change
    opens(team.first, "tm", NEW)
    refused(team.first, "tm", OWNER_PASSPHRASE)


def test_an_old_key_file_copied_back_on_desk_2_does_not_send_the_old_passphrase_back(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    key_file = KeyFile.path(desk2.vault)
    old = key_file.read_bytes()  # anyone who can read desk 2's folder keeps a copy
    change_on_desk_1(team)
    with desk2.session("tm", OWNER_PASSPHRASE) as s:
        s.replicas.sync()
    opens(desk2, "tm", NEW)
    key_file.write_bytes(old)  # copied back: desk 2's key file holds the old slot again
    with desk2.session("tm", OWNER_PASSPHRASE) as s:
        s.replicas.sync()  # it differs from what travelled: sent, stamped now
    with team.first.session("tm", NEW) as s:
        s.replicas.sync()
    opens(team.first, "tm", NEW)
    refused(team.first, "tm", OWNER_PASSPHRASE)


def test_a_slot_counts_as_signed_only_by_a_signer_who_may_make_it(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    sam = team.approved_worker()
    with team.first.session("sw1", sam) as s:
        body = KeyFile.load(s.vault_dir).open_body(s.device_secret)
        tess, own = body.accounts["tm"], body.accounts["sw1"]
        assert tess.changed_by == tess.user_id and own.changed_by == own.user_id
        assert slot_changes.signed_time(s.conn, s.vault_id, s.trust, tess) == tess.changed_at
        assert slot_changes.signed_time(s.conn, s.vault_id, s.trust, own) == own.changed_at
        later = replace(tess, changed_at="9999-12-31T00:00:00.000000+00:00")
        assert slot_changes.signed_time(s.conn, s.vault_id, s.trust, later) == UNSIGNED
        assert s.keypair is not None  # Sam signs a slot for Tess: a worker may not
        by_sam = slot_changes.sign(s.vault_id, replace(tess), s.user_id, s.keypair, s.now())
        assert slot_changes.signed_time(s.conn, s.vault_id, s.trust, by_sam) == UNSIGNED
        assert slot_changes.signed_time(s.conn, s.vault_id, s.trust,
                                        replace(tess, change_signature="not base64!")) == UNSIGNED


def test_a_malformed_slot_field_refuses_the_file_and_changes_nothing(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        before = KeyFile.path(s.vault_dir).read_bytes()
        with pytest.raises(InvalidInput, match="^a slot's changed_at is malformed$"):
            slots.incoming(s, {"tm": {"user_id": s.user_id, "kdf": {}, "salt": "x",
                                      "state": "active", "kek_wrap": "x",
                                      "vault_key_generation": 1, "stamp": "x",
                                      "changed_at": 7}})
        assert KeyFile.path(s.vault_dir).read_bytes() == before
