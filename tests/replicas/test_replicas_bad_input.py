"""Bad input to the replica commands gets one clear line, and nothing already stored changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from support.replica_pcs import OWNER_PASSPHRASE, Pc, ReplicaTeam, run_cli


def run(pc: Pc, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        *argv: str, user: str = "tm", passphrase: str = OWNER_PASSPHRASE) -> tuple[int, str]:
    code, _, err = run_cli(pc, capsys, monkeypatch, *argv, user=user, passphrase=passphrase)
    return code, err


def refused(pc: Pc, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
            *argv: str, **kwargs: str) -> str:
    code, err = run(pc, capsys, monkeypatch, *argv, **kwargs)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbook: error: "), lines
    return lines[0]


def stored(pc: Pc) -> str:
    with pc.session() as s:
        rows = [repr(r) for t in ("replica_self", "replica_log", "replica_applied")
                for r in s.conn.execute(f"SELECT * FROM {t}")]
    return hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()


@pytest.fixture
def team(tmp_path: Path) -> ReplicaTeam:
    return ReplicaTeam.start(tmp_path)


def test_bad_folders_and_ids_are_refused_in_one_line(
        team: ReplicaTeam, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pc = team.first
    before = stored(pc)
    assert "--folder" in refused(pc, capsys, monkeypatch, "sync", "setup")
    assert "cannot be reached" in refused(pc, capsys, monkeypatch, "sync", "setup", "--folder",
                                          str(team.root / "no-such-share"))
    assert "no pending join request" in refused(pc, capsys, monkeypatch, "replica", "approve",
                                                "feedface", "--fingerprint", "1234")
    assert "no replica" in refused(pc, capsys, monkeypatch, "replica", "retire", "feedface",
                                   "--reason", "lost")
    with pc.session() as s:
        mine = next(r["id"] for r in s.replicas.listing() if r["this"])
    assert "cannot retire itself" in refused(pc, capsys, monkeypatch, "replica", "retire", mine,
                                             "--reason", "lost")
    assert stored(pc) == before


def test_an_unreachable_folder_means_working_offline(
        team: ReplicaTeam, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pc = team.first
    with pc.session() as s:
        s.families.add("Smith family", "REF-1")
    before = stored(pc)
    team.folder.rename(team.root / "share-offline")  # the share is unplugged
    line = refused(pc, capsys, monkeypatch, "sync")
    assert "Working offline: the sync folder cannot be reached; your changes are kept" in line
    assert stored(pc) == before
    (team.root / "share-offline").rename(team.folder)
    assert pc.sync().sent == 1


def test_joining_needs_a_new_folder_and_a_manager_approves(
        team: ReplicaTeam, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pc = team.first
    line = refused(pc, capsys, monkeypatch, "replica", "join", "--folder", str(team.folder))
    assert "already holds a vault" in line
    newcomer = Pc("desk 2", team.root / "pc2" / "vault")
    newcomer.vault.mkdir(parents=True)
    line = refused(newcomer, capsys, monkeypatch, "sync")
    assert "no Workbook vault" in line
    with pc.session() as s:
        s.accounts.add("sw1", "Sam Worker", "social-worker", "initial words for sam worker")
    with pc.session("sw1", "initial words for sam worker") as s:
        s.accounts.change_passphrase("initial words for sam worker", "sam's own long words 42")
    before = stored(pc)
    for argv in (("replica", "pending"), ("sync", "setup", "--folder", str(team.folder)),
                 ("replica", "retire", "feedface", "--reason", "lost")):
        line = refused(pc, capsys, monkeypatch, *argv, user="sw1",
                       passphrase="sam's own long words 42")
        assert "only the vault owner or a team manager" in line
    assert stored(pc) == before
