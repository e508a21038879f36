"""Two rotations of one section made on two PCs before either synced (issue 18, decision 0009,
C34): each PC makes its own epoch 2 and writes under it. After syncing both ways, both PCs
open every entry, new writes use the winning epoch (the row first by signed time, then
signature), both rows and both PCs' grants are kept, and no epoch fork is reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from test_replicas_forks import signed_in, sync

from support.replica_pcs import Pc, ReplicaTeam, workbook_text
from workbook.services.session import Session
from workbook.vault import section_store

SECTION = "case-notes"


def rotated_on_both(root: Path, before: Callable[[ReplicaTeam], None] | None = None
                    ) -> tuple[ReplicaTeam, Pc, str]:
    """Sam is disabled on both PCs before either synced (each rotates Sam's sections to an
    epoch 2 of its own), then each PC writes a case note in the family made before.
    `before` runs once everyone is in step, before the disables."""
    team = ReplicaTeam.start(root)
    desk2 = team.join("desk 2")
    team.approved_worker()
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    team.sync_all()
    if before is not None:
        before(team)
    for pc, words in ((team.first, "written on desk 1 under its epoch c0ffee01"),
                      (desk2, "written on desk 2 under its epoch c0ffee02")):
        with pc.session() as s:
            s.accounts.disable("sw1")
            s.families.add_entry(family_id, SECTION, words, "2026-01-05")
    return team, desk2, family_id


def synced_and_merged(team: ReplicaTeam, desk2: Pc) -> None:
    """Both ways twice, then the membership fork the rotations made merged on desk 2 and
    carried to desk 1: each epoch 2 is then backed by its rotate event in the chain."""
    for pc in (team.first, desk2, team.first, desk2):
        sync(pc)
    with signed_in(desk2) as s:
        s.replicas.resolve_fork()
    desk2.sync()
    sync(team.first)


def winner_of(s: Session) -> bytes:
    """The public keys of epoch 2 that counts here, checked against the stored rows: the one
    first by (signed time, signature) of the two."""
    rows = [r for r in section_store.epochs_and_rivals(s.conn)
            if (r.section, r.epoch) == (SECTION, 2)]
    assert len(rows) == 2  # both kept, on every PC
    first = min(rows, key=lambda r: (r.created_at, r.signature)).public_keys
    public = s.trust.section_public(SECTION, 2)
    assert public is not None and public.raw == first
    return first


def newest_row_epoch_key(s: Session, family_id: str) -> bytes:
    """The key pair whose tag the newest stored case note of the family carries."""
    tag, epoch = s.conn.execute(
        "SELECT v.section_tag, v.epoch FROM versions v JOIN version_log l ON "
        "l.version_id = v.version_id WHERE v.family_id = ? ORDER BY l.seq DESC LIMIT 1",
        (family_id,)).fetchone()
    assert epoch == 2 and s.keys.tags_for_section(SECTION, family_id)[bytes(tag)] == (SECTION, 2)
    assert bytes(tag) == s.keys.tag(SECTION, 2, family_id)  # the winner's tag, not a rival's
    return s.keys.keypair(SECTION, 2).public.raw


def test_each_pc_opens_what_the_other_wrote_under_its_own_epoch(tmp_path: Path) -> None:
    team, desk2, family_id = rotated_on_both(tmp_path)
    reports = [sync(pc) for _ in range(2) for pc in (team.first, desk2)]
    for report in reports:
        assert report.refused == []
        # The membership fork the two rotations made is reported (decision 13); the epochs
        # are not: nothing is left to resolve there.
        assert {f["log"] for f in report.forks} <= {"membership"}, report.forks
    winners = []
    for pc in (team.first, desk2):
        with signed_in(pc) as s:
            text = workbook_text(s, family_id)
            assert "c0ffee01" in text and "c0ffee02" in text, pc.name
            winners.append(winner_of(s))
            s.families.add_entry(family_id, SECTION, f"after the fork on {pc.name} 5eed",
                                 "2026-01-06")
            assert newest_row_epoch_key(s, family_id) == winners[-1]
    assert winners[0] == winners[1]
    for _ in range(2):
        for pc in (team.first, desk2):
            sync(pc)
    for pc in (team.first, desk2):
        with signed_in(pc) as s:
            text = workbook_text(s, family_id)
            assert all(w in text for w in ("c0ffee01", "c0ffee02", "on desk 1 5eed",
                                           "on desk 2 5eed")), pc.name

    # The rotations forked the membership chain too; once an owner merges it, both rotations
    # are in the chain and the same epoch still counts: nothing is reported, nobody warned.
    with signed_in(desk2) as s:
        assert len(s.replicas.resolve_fork().branches) == 2
    assert desk2.sync().forks == []  # Pc.session: signed in with no warning at all
    assert sync(team.first).forks == []  # it warned of the fork as it signed in, not after
    for pc in (desk2, team.first, desk2, team.first):
        assert pc.sync().forks == []
    settled = [pc.sync() for pc in (desk2, team.first)]  # in step: nothing echoes for ever
    assert [(r.files_sent, r.refused) for r in settled] == [(0, []), (0, [])]
    for pc in (team.first, desk2):
        with pc.session() as s:
            assert winner_of(s) == winners[0]
            assert "c0ffee01" in workbook_text(s, family_id)
            assert "c0ffee02" in workbook_text(s, family_id)


def test_someone_granted_after_the_fork_reads_what_was_written_under_both(
        tmp_path: Path) -> None:
    """A colleague approved afterwards is sealed the winning epoch only; the losing epoch's
    secret reaches them wrapped under the winner's (made by a holder of both as they signed
    in), so nothing written under either is lost to later holders."""
    team, desk2, family_id = rotated_on_both(tmp_path)
    synced_and_merged(team, desk2)
    pat = team.approved("pw2", "Pat Worker", "social-worker",
                        ("initial words given by the owner", "a colleague chooses long words 5"))
    team.first.sync()
    desk2.sync()
    for pc in (team.first, desk2):
        with pc.session("pw2", pat) as s:
            # epoch 1, epoch 2 and its rival (unwrapped from the winner: sealed only the winner)
            assert [e for (sec, e) in s.keys.held() if sec == SECTION] == [1, 2, 2]
            text = workbook_text(s, family_id)
            assert "c0ffee01" in text and "c0ffee02" in text, pc.name


def test_a_third_pc_that_did_not_rotate_opens_both(tmp_path: Path) -> None:
    """Desk 3 made no epoch 2 of its own: it stores the first row it receives as the number's
    and the other as a rival, whichever order the files come in, and opens both entries."""
    third: list[Pc] = []

    def join_third(team: ReplicaTeam) -> None:
        third.append(team.join("desk 3"))
        team.sync_all()

    team, desk2, family_id = rotated_on_both(tmp_path, before=join_third)
    desk3 = third[0]
    for pc in (desk2, desk3, team.first, desk3, desk2):  # desk 3 hears of desk 2's first
        sync(pc)
    with signed_in(desk3) as s:
        text = workbook_text(s, family_id)
        assert "c0ffee01" in text and "c0ffee02" in text
        first = winner_of(s)
    with signed_in(team.first) as s:
        assert winner_of(s) == first
