"""Compaction (issue 18): a replica removes its own files once every replica has read them; a
replica that has not said what it read holds them back until it does or is retired; a PC
joining after compaction still converges (it starts from a checkpoint)."""

from __future__ import annotations

from pathlib import Path

from support.replica_pcs import Pc, ReplicaTeam, workbook_text


def own_files(team: ReplicaTeam, pc: Pc) -> list[Path]:
    with pc.session() as s:
        mine = next(r["id"] for r in s.replicas.listing() if r["this"])
    from workbook.crypto import replica_file
    from workbook.vault import replica_store

    with pc.session() as s:
        own = replica_store.own(s.conn)
        assert own is not None
        tag = replica_file.replica_tag(own.sync_key, s.vault_id, mine)
    return sorted(p for p in team.folder.rglob("*.wbr") if p.parent.name == tag)


def folder_size(team: ReplicaTeam) -> int:
    return sum(p.stat().st_size for p in team.folder.rglob("*") if p.is_file()
               and "joins" not in p.parts)


def test_files_every_replica_has_read_are_removed_by_their_writer(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2 = team.join("desk 2")
    team.join("laptop")
    for n in range(3):
        with team.first.session() as s:
            s.families.add_entry(family_id, "case-notes", f"note {n} of desk 1", "2026-01-05")
        team.first.sync()
    desk2.sync()
    assert len(own_files(team, team.first)) == 3  # the laptop has not read them yet
    team.sync_all(rounds=2)
    assert own_files(team, team.first) == []
    assert list((team.folder / "joins").iterdir()) == []  # requests and approvals done with
    assert folder_size(team) <= 2 * (team.first.vault / "vault.db").stat().st_size
    # A PC joining now starts from a checkpoint and has every note.
    desk4 = team.join("desk 4", approver=desk2)
    desk4.sync()
    with desk4.session() as s:
        text = workbook_text(s, family_id)
        assert all(f"note {n} of desk 1" in text for n in range(3))


def test_a_silent_replica_holds_files_back_until_it_is_retired(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    lost = team.join("lost laptop")  # never syncs again
    with team.first.session() as s:
        s.families.add("Smith family", "REF-1")
    team.first.sync()
    desk2.sync()
    team.first.sync()
    assert len(own_files(team, team.first)) == 1
    with team.first.session() as s:
        lost_id = next(r["id"] for r in s.replicas.listing() if r["name"] == lost.name)
        s.replicas.retire(lost_id, "left on a train")
    team.first.sync()
    desk2.sync()
    report = team.first.sync()
    assert report.files_removed >= 1
    assert own_files(team, team.first) == []


def test_a_replica_put_back_to_an_older_state_never_reuses_a_read_number(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2 = team.join("desk 2")
    for n in range(2):
        with team.first.session() as s:
            s.families.add_entry(family_id, "case-notes", f"note {n}", "2026-01-05")
        team.first.sync()
    team.sync_all(rounds=2)
    assert own_files(team, team.first) == []  # read by desk 2 and removed
    from workbook.vault import replica_store

    with team.first.session() as s, s.write():  # as if a backup from before were restored
        replica_store.set_marks(s.conn, next_seq=1)
    with team.first.session() as s:
        s.families.add_entry(family_id, "case-notes", "after the restore", "2026-01-06")
    team.first.sync()
    (late,) = own_files(team, team.first)
    assert late.name == "0000000003.wbr"
    assert desk2.sync().received == 1
    with desk2.session() as s:
        assert "after the restore" in workbook_text(s, family_id)
