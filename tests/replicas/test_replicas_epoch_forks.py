"""Two rotations of one section made on two PCs before either synced (issue 18, decision 0009,
C33): each PC makes its own epoch 2 and writes under it. After syncing both ways, both PCs
open every entry, new writes use the winning epoch, and the fork is no longer reported."""

from __future__ import annotations

from pathlib import Path

from test_replicas_forks import signed_in, sync

from support.replica_pcs import Pc, ReplicaTeam, workbook_text


def rotated_on_both(root: Path) -> tuple[ReplicaTeam, Pc, str]:
    """Sam is disabled on both PCs before either synced (each rotates Sam's sections to an
    epoch 2 of its own), then each PC writes a case note in the family made before."""
    team = ReplicaTeam.start(root)
    desk2 = team.join("desk 2")
    team.approved_worker()
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    team.sync_all()
    for pc, words in ((team.first, "written on desk 1 under its epoch c0ffee01"),
                      (desk2, "written on desk 2 under its epoch c0ffee02")):
        with pc.session() as s:
            s.accounts.disable("sw1")
            s.families.add_entry(family_id, "case-notes", words, "2026-01-05")
    return team, desk2, family_id


def test_each_pc_opens_what_the_other_wrote_under_its_own_epoch(tmp_path: Path) -> None:
    team, desk2, family_id = rotated_on_both(tmp_path)
    for _ in range(2):
        for pc in (team.first, desk2):
            sync(pc)
    for pc in (team.first, desk2):
        with signed_in(pc) as s:
            text = workbook_text(s, family_id)
            assert "c0ffee01" in text and "c0ffee02" in text, pc.name
