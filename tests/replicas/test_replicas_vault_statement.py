"""The joiner's check (issue 18, decision 0009): the approval carries a statement of the vault
signed by the approver's certified key; the new PC refuses an approval whose statement does not
verify (and keeps nothing of it), and shows the vault fingerprint that the approver's screen
shows, so that an approval of another vault (someone answering the request from a vault of
their own) is caught by the comparison."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from support.replica_pcs import Pc, ReplicaTeam, now
from workbook.services.errors import TamperingDetected
from workbook.services.replicas import folder as sync_folder
from workbook.services.replicas import joining, vault_statement
from workbook.vault import replica_store
from workbook.vault.database import database_path
from workbook.vault.keyfile import KEYFILE_NAME


def ask(team: ReplicaTeam, name: str) -> tuple[Pc, joining.JoinRequest]:
    pc = Pc(name, team.root / name.replace(" ", "") / "vault", passphrases=team.passphrases)
    with pc.on():
        return pc, joining.request(team.folder, pc.vault, now(), name)


def approval_path(team: ReplicaTeam, request_id: str) -> Path:
    return sync_folder.joins_dir(team.folder) / f"{request_id}{sync_folder.APPROVAL_SUFFIX}"


def forged(team: ReplicaTeam, asked: joining.JoinRequest, change: str) -> None:
    """An approval sealed to the asking PC's (public) key by someone who can write to the
    folder, carrying a genuine checkpoint but a statement that is missing or does not fit."""
    with team.first.session() as s:
        own = replica_store.own(s.conn)
        assert own is not None
        payload: dict[str, Any] = s.replicas._approval_payload(own)
        if change == "for another request":
            _pc, other = ask(team, "desk 9")
            payload.update(vault_statement.sign(s, other, payload["at"]))
        elif change == "fingerprint altered":
            payload.update(vault_statement.sign(s, asked, payload["at"]))
            payload["vault_fingerprint"] = "1234 5678 9012 3456 7890"
        elif change == "signed later than said":
            payload.update(vault_statement.sign(s, asked, payload["at"]))
            payload["at"] = "2030-01-01T00:00:00+00:00"
        approval_path(team, asked.request_id).write_bytes(
            joining.approval_bytes(asked, payload, "someone"))


@pytest.mark.parametrize("change", ["missing", "for another request", "fingerprint altered",
                                    "signed later than said"])
def test_an_approval_whose_statement_does_not_verify_is_refused_and_nothing_kept(
        tmp_path: Path, change: str) -> None:
    team = ReplicaTeam.start(tmp_path)
    pc, asked = ask(team, "desk 2")
    forged(team, asked, change)
    with pc.on(), pytest.raises(TamperingDetected, match="signed statement of the vault"):
        joining.complete(pc.vault)
    assert not (pc.vault / KEYFILE_NAME).exists() and not database_path(pc.vault).exists()
    assert joining.pending_join(pc.vault)  # the request stands: a genuine approval completes it
    approval_path(team, asked.request_id).unlink()
    with team.first.session() as s:
        s.replicas.approve(asked.request_id, asked.fingerprint)
        shown = s.replicas.vault_fingerprint()
    with pc.on():
        joined = joining.complete(pc.vault)
    assert joined.vault_fingerprint == shown


def test_an_approval_from_another_vault_shows_another_fingerprint(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path / "ours")
    with team.first.session() as s:
        ours = s.replicas.vault_fingerprint()
    pc, asked = ask(team, "desk 2")
    # Someone with their own vault and write access to the folder answers the request.
    theirs = ReplicaTeam.start(tmp_path / "theirs")
    request_file = approval_path(team, asked.request_id).with_suffix(sync_folder.REQUEST_SUFFIX)
    sync_folder.joins_dir(theirs.folder).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(request_file, sync_folder.joins_dir(theirs.folder) / request_file.name)
    with theirs.first.session() as s:
        s.replicas.approve(asked.request_id, asked.fingerprint)
        shown_there = s.replicas.vault_fingerprint()
    shutil.copyfile(approval_path(theirs, asked.request_id), approval_path(team, asked.request_id))
    with pc.on():
        joined = joining.complete(pc.vault)
    # Its statement is genuine in its own vault: only the spoken comparison catches it.
    assert joined.vault_fingerprint == shown_there != ours
