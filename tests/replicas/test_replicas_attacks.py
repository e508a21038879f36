"""Attacks on the sync folder (issue 18): a file planted, altered, truncated, replayed under
another number, copied from another vault, or written by a retired replica is refused and
reported in `refused` with its file and reason, and changes nothing; partial and engine files
are skipped without a word; a deleted file only delays (its number is reported as a gap)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from support.replica_pcs import Pc, ReplicaTeam, workbook_text
from workbook.services.session import Session

TABLES = ("versions", "membership", "user_certs", "users", "replica_log", "replica_applied",
          "replica_audit", "replica_known", "policy_versions", "section_grants")


def state(pc: Pc) -> str:
    """A digest of every table a received file could change (read with the vault key)."""
    with pc.session() as s:
        return _digest(s)


def _digest(s: Session) -> str:
    h = hashlib.sha256()
    for table in TABLES:
        for row in sorted(repr(r) for r in s.conn.execute(f"SELECT * FROM {table}")):
            h.update(row.encode())
    return h.hexdigest()


def files_of(team: ReplicaTeam) -> list[Path]:
    return sorted(p for p in team.folder.rglob("*.wbr") if "joins" not in p.parts)


def refused_files(pc: Pc) -> dict[str, str]:
    report = pc.sync()
    assert report.received == 0
    return {r["file"]: r["reason"] for r in report.refused}


def test_tampered_files_are_refused_and_change_nothing(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2 = team.join("desk 2")
    with team.first.session() as s:
        s.families.add_entry(family_id, "case-notes", "Written on desk 1 5ca1ab1e", "2026-01-05")
    team.first.sync()
    (good,) = files_of(team)
    original = good.read_bytes()
    before = state(desk2)
    name = good.relative_to(team.folder).as_posix()

    attacks = {
        "altered": original[:200] + bytes([original[200] ^ 1]) + original[201:],
        "truncated": original[: len(original) // 2],
        "extended": original + b"\0" * 16,
        "planted": b"WBR1" + bytes(5000),
    }
    for attack, data in attacks.items():
        good.write_bytes(data)
        refused = refused_files(desk2)
        assert name in refused, (attack, refused)
        assert state(desk2) == before, attack
    # The genuine file, put back, is then read: a refusal never marks a file as read.
    good.write_bytes(original)
    replayed = good.with_name("0000000002.wbr")
    shutil.copyfile(good, replayed)  # a genuine file replayed under the next number
    report = desk2.sync()
    assert report.received == 1
    assert [r["file"] for r in report.refused] == [replayed.relative_to(team.folder).as_posix()]
    assert "signature" in report.refused[0]["reason"]
    with desk2.session() as s:
        assert "Written on desk 1 5ca1ab1e" in workbook_text(s, family_id)


def test_a_file_from_another_vault_is_refused(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path / "ours")
    desk2 = team.join("desk 2")
    other = ReplicaTeam.start(tmp_path / "theirs")
    with other.first.session() as s:
        s.families.add("Planted family", "X-1")
    other.first.sync()
    (foreign,) = files_of(other)
    with team.first.session() as s:
        s.families.add("Our family", "O-1")
    team.first.sync()
    (ours,) = files_of(team)
    before = state(desk2)
    # Under its own replica folder inside ours, and under our first replica's name.
    as_stranger = ours.parent.parent / foreign.parent.name / "0000000001.wbr"
    as_ours = ours.with_name("0000000005.wbr")
    as_stranger.parent.mkdir()
    shutil.copyfile(foreign, as_stranger)
    shutil.copyfile(foreign, as_ours)
    ours.unlink()
    refused = refused_files(desk2)
    assert "not approved" in refused[as_stranger.relative_to(team.folder).as_posix()]
    assert "signature" in refused[as_ours.relative_to(team.folder).as_posix()]
    assert state(desk2) == before


def test_a_retired_replicas_later_files_are_refused(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2 = team.join("desk 2")
    laptop = team.join("laptop")
    with laptop.session() as s:
        s.families.add_entry(family_id, "case-notes", "before the theft", "2026-01-05")
    laptop.sync()
    team.first.sync()
    with team.first.session() as s:
        s.replicas.retire(laptop_id(s, "laptop"), "stolen from a car on 05/01/2026")
        listed = {r["name"]: r["status"] for r in s.replicas.listing()}
        assert listed["laptop"] == "retired"
    team.first.sync()
    with laptop.session() as s:  # the thief's copy still writes files
        s.families.add_entry(family_id, "case-notes", "after the theft", "2026-01-06")
    laptop.sync()
    desk2_before = desk2.sync()  # reads the retirement and the laptop's first file
    assert desk2_before.received == 1
    assert any("retired" in r["reason"] for r in desk2_before.refused)
    for pc in (team.first, desk2):
        with pc.session() as s:
            text = workbook_text(s, family_id)
            assert "before the theft" in text and "after the theft" not in text
            assert "laptop" not in {r["name"] for r in s.replicas.sync().replicas}


def laptop_id(s: Session, name: str) -> str:
    return next(r["id"] for r in s.replicas.listing() if r["name"] == name)


def test_engine_files_are_skipped_and_a_deleted_file_is_a_gap(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    team.first.sync()
    with team.first.session() as s:
        s.families.add_entry(family_id, "case-notes", "second file", "2026-01-05")
    team.first.sync()
    first, second = files_of(team)
    for junk in (".syncthing.0000000003.wbr.tmp", "0000000001.sync-conflict-20261206-ABC.wbr",
                 "~$0000000004.wbr", ".~lock.0000000004.wbr#", "desktop.ini"):
        (first.parent / junk).write_bytes(b"partial")
    kept = first.read_bytes()
    first.unlink()  # held back by the engine, or deleted
    report = desk2.sync()
    assert report.refused == [], report.refused
    assert report.received == 1
    assert report.gaps == [{"replica": laptop_id_of(team), "missing": [1]}]
    first.write_bytes(kept)  # it arrives late: read then, and the gap is gone
    late = desk2.sync()
    assert (late.received, late.gaps, late.refused) == (1, [], [])
    with desk2.session() as s:
        assert "second file" in workbook_text(s, family_id)


def laptop_id_of(team: ReplicaTeam) -> str:
    with team.first.session() as s:
        return next(r["id"] for r in s.replicas.listing() if r["this"])


def test_an_altered_event_of_another_replicas_chain_is_named(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    with desk2.session() as s:
        s.families.add("Smith family", "REF-1")
    desk2.sync()
    team.first.sync()
    with team.first.session() as s:
        (ok,) = s.replicas.verify_audit()
        assert ok.problem == "" and ok.events > 0
        with s.write():  # a holder of V edits a received event
            s.conn.execute("UPDATE replica_audit SET event = 'nothing_happened' "
                           "WHERE seq = (SELECT max(seq) FROM replica_audit)")
    with team.first.session() as s:
        (bad,) = s.replicas.verify_audit()
        assert "was altered" in bad.problem


def test_an_unsigned_tombstone_does_not_swallow_received_versions(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2 = team.join("desk 2")
    with desk2.session() as s, s.write():  # a holder of V plants a disposal nobody signed
        s.conn.execute(
            "INSERT INTO disposals VALUES (?, 'child', '2020-01-01', '2020-01-02', 'x', "
            "'2020-01-03', x'00', 'y', '2020-01-04', 0, x'00', x'00')", (family_id,))
    with team.first.session() as s:
        s.families.add_entry(family_id, "case-notes", "still arrives", "2026-01-05")
    team.first.sync()
    assert desk2.sync().received == 1
    with desk2.session() as s:
        assert "still arrives" in workbook_text(s, family_id)
