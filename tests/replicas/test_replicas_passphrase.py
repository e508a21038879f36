"""A passphrase change made on one PC holds on every PC after its next sync (issue 18), however
the receiving PC is used while it syncs: the person signed in there with the old passphrase,
nobody of hers signed in, someone else signed in; and when two PCs change it before either
synced, the later signed change wins on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.replica_pcs import OWNER_PASSPHRASE, Pc, ReplicaTeam
from workbook.services.access.sign_in import sign_in
from workbook.services.errors import SignInFailed

NEW = "tess picks a new long passphrase 5"


def refused(pc: Pc, username: str, passphrase: str) -> None:
    with pc.on(), pytest.raises(SignInFailed, match="^wrong username or passphrase$"):
        sign_in(pc.vault, username, passphrase)


def opens(pc: Pc, username: str, passphrase: str) -> None:
    with pc.session(username, passphrase) as s:
        assert s.user.username == username


def test_a_change_holds_on_a_pc_where_she_is_signed_in_with_the_old_passphrase(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    with desk2.session("tm", OWNER_PASSPHRASE) as on_desk2:  # Tess is signed in on desk 2
        with team.first.session("tm", OWNER_PASSPHRASE) as s:
            s.accounts.change_passphrase(OWNER_PASSPHRASE, NEW)
            s.replicas.sync()
        report = on_desk2.replicas.sync()  # the sync of her open session brings the change
        assert report.refused == []
    opens(desk2, "tm", NEW)
    refused(desk2, "tm", OWNER_PASSPHRASE)
    with desk2.session("tm", NEW) as s:  # and desk 2 does not send the old one back
        s.replicas.sync()
    opens(team.first, "tm", NEW)
    refused(team.first, "tm", OWNER_PASSPHRASE)
