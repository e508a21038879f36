"""Deletions travel (issue 18): a disposal confirmed on one replica disposes of the family on
every replica, through the same sweep as a local disposal, audited; a tombstone that does not
verify (forged, or made by one person) refuses the file that carries it, and nothing is
deleted anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from support.replica_pcs import Pc, ReplicaTeam
from workbook.services.errors import InvalidInput, NotPermitted
from workbook.services.family.drafts import save_draft
from workbook.services.session import Session
from workbook.services.upkeep import closing_attestations, retention_log
from workbook.services.upkeep.retention import Retention, is_disposed
from workbook.services.upkeep.tombstones import disposal_message, proposal_message
from workbook.vault import retention_store, version_store
from workbook.vault.retention_store import DisposalRow, ProposalRow

LATER = timedelta(days=366 * 7)


@contextmanager
def later(pc: Pc, username: str = "tm") -> Iterator[Session]:
    """A session on `pc` seven years on: past the family's retention period."""
    with pc.session(username) as s:
        real = s.clock
        s.clock = lambda: real() + LATER
        yield s


def add_administrator(team: ReplicaTeam) -> None:
    """Ada Admin (ad1), approved by the owner on desk 1: an administrator the owner approved
    is who may confirm a disposal."""
    team.approved("ad1", "Ada Admin", "admin",
                  ("initial words for ada admin", "ada chooses a long passphrase 9"))


def family_rows(s: Session, family_id: str) -> dict[str, int]:
    out = {}
    for table in retention_store.tables_holding_families(s.conn):
        n = s.conn.execute(f'SELECT count(*) FROM "{table}" WHERE family_id = ?',
                           (family_id,)).fetchone()[0]
        if n:
            out[table] = n
    return out


@pytest.fixture
def team(tmp_path: Path) -> ReplicaTeam:
    team = ReplicaTeam.start(tmp_path)
    add_administrator(team)
    return team


def closed_family(team: ReplicaTeam, desk2: Pc) -> str:
    """A family written on desk 1, worked on desk 2 (a draft, the list of families), closed
    on desk 1; every replica in step."""
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
        s.families.add_entry(family_id, "case-notes", "Visit went well 0ddba11", "2026-01-05")
    team.sync_all()
    with desk2.session() as s:
        save_draft(s, family_id, text="Half-written note", section="case-notes")
        assert family_id in {f.family_id for f in s.families.all()}
    with team.first.session() as s:
        Retention(s).close(family_id, "early-help")
    team.sync_all()
    return family_id


def test_a_disposal_on_one_replica_disposes_of_the_family_on_every_replica(
        team: ReplicaTeam) -> None:
    desk2 = team.join("desk 2")
    family_id = closed_family(team, desk2)
    with desk2.session() as s:
        assert family_rows(s, family_id)["versions"] >= 3
    with later(team.first) as s:
        Retention(s).propose(family_id)
    with later(team.first, "ad1") as s:
        Retention(s).confirm(family_id)
    team.first.sync()
    report = desk2.sync()
    assert report.refused == []
    with desk2.session() as s:
        assert family_rows(s, family_id) == {}
        assert retention_store.retention_of(s.conn, family_id) is None
        assert s.conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'family_list.%'"
                              ).fetchone()[0] == 0
        assert is_disposed(s, family_id)
        assert family_id not in {f.family_id for f in s.families.all()}
        assert s.conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
        (event,) = [e for e in s.audit_trail.events(None)
                    if e["event"] == "family_disposed_elsewhere"]
        assert event["ids"]["family"] == family_id and event["ids"]["versions"] >= 3
        assert s.audit_trail.verify().ok
    # Received again (a replayed or re-sent row) it changes nothing and is not audited twice.
    assert desk2.sync().refused == []
    with desk2.session() as s:
        assert len([e for e in s.audit_trail.events(None)
                    if e["event"] == "family_disposed_elsewhere"]) == 1


def test_a_version_written_elsewhere_before_the_tombstone_arrived_is_not_kept(
        team: ReplicaTeam) -> None:
    desk2, desk3 = team.join("desk 2"), team.join("desk 3")
    family_id = closed_family(team, desk2)
    with later(team.first) as s:
        Retention(s).propose(family_id)
    with later(team.first, "ad1") as s:
        Retention(s).confirm(family_id)
    with desk3.session() as s:  # before desk 3 has heard of the disposal
        Retention(s).reopen(family_id)
    team.sync_all()
    for pc in team.pcs:
        with pc.session() as s:
            assert family_rows(s, family_id) == {}, pc.name
            assert is_disposed(s, family_id)


def forge(s: Session, family_id: str, *, one_person: bool) -> DisposalRow:
    """A tombstone written with SQL by a holder of V: with garbage signatures, or signed
    twice by the one team manager (a disposal needs two people)."""
    row = DisposalRow(family_id, "early-help", "2026-01-01T00:00:00+00:00", "2026-01-02",
                      s.user_id, "2033-01-01T00:00:00+00:00", b"\1" * 64, s.user_id,
                      "2033-01-02T00:00:00+00:00", 0, b"\0" * 32, b"\2" * 64)
    if one_person:
        key = s.require_certified()
        proposal = ProposalRow(family_id, row.proposed_by, row.proposed_at, b"")
        row = DisposalRow(**{**row.__dict__, "proposal_signature": key.sign(
            proposal_message(s.vault_id, proposal, row.dispose_after))})
        row = DisposalRow(**{**row.__dict__, "signature": key.sign(
            disposal_message(s.vault_id, row))})
    with s.write():
        retention_store.put_disposal(s.conn, row, [])
    return row


@pytest.mark.parametrize("one_person", [False, True], ids=["forged", "one-person"])
def test_a_tombstone_that_does_not_verify_refuses_its_file_and_deletes_nothing(
        team: ReplicaTeam, one_person: bool) -> None:
    desk2 = team.join("desk 2")
    family_id = closed_family(team, desk2)
    with team.first.session() as s:
        before = family_rows(s, family_id)
    with desk2.session() as s:  # the attacker holds V on desk 2 (and its replica key)
        forge(s, family_id, one_person=one_person)
        s.families.add_entry(family_id, "case-notes", "desk 2's note", "2026-01-06")
    assert desk2.sync().files_sent == 1
    report = team.first.sync()
    (refused,) = report.refused
    assert "disposal record it carries does not verify" in refused["reason"]
    assert ("proposed and confirmed by one person" if one_person else "not signed") \
        in refused["reason"]
    with team.first.session() as s:
        assert family_rows(s, family_id) == before
        assert retention_store.disposal_of(s.conn, family_id) is None
        assert not is_disposed(s, family_id)
    assert team.first.sync().refused == [refused]  # read again, refused again


# --- retention state travels (closing, reopening, proposals and their withdrawal) -----------
def retention_state(pc: Pc, family_id: str) -> tuple[object, object]:
    with pc.session() as s:
        return (retention_store.retention_of(s.conn, family_id),
                retention_store.proposal_of(s.conn, family_id))


def test_closing_reopening_proposing_and_withdrawing_hold_on_every_replica(
        team: ReplicaTeam) -> None:
    desk2 = team.join("desk 2")
    family_id = closed_family(team, desk2)
    closing, proposal = retention_state(desk2, family_id)
    assert closing == retention_state(team.first, family_id)[0] and proposal is None
    with later(desk2) as s:  # a team manager on desk 2 sees the closing made on desk 1
        (item,) = Retention(s).review()
        assert item.family_id == family_id and item.due
    with desk2.session() as s:
        Retention(s).reopen(family_id)
    team.sync_all()
    assert retention_state(team.first, family_id) == (None, None)
    with team.first.session() as s:
        again = Retention(s).close(family_id, "early-help")
    with later(team.first) as s:
        Retention(s).propose(family_id)
    team.sync_all()
    closing, proposal = retention_state(desk2, family_id)
    assert closing == again and proposal is not None
    with later(desk2) as s:
        Retention(s).withdraw(family_id)
    team.sync_all()
    assert retention_state(team.first, family_id) == (again, None)
    with later(team.first, "ad1") as s:
        with pytest.raises(InvalidInput, match="no disposal of family .* is proposed"):
            Retention(s).confirm(family_id)


def test_retention_state_converges_whatever_order_the_files_arrive_in(
        team: ReplicaTeam, tmp_path: Path) -> None:
    desk2 = team.join("desk 2")
    with team.first.session() as s:
        family_id = s.families.add("Jones family", "REF-2")
    team.first.sync()
    steps = [lambda r: r.close(family_id, "early-help"), lambda r: r.reopen(family_id),
             lambda r: r.close(family_id, "child-protection")]
    for step in steps:  # one file each
        with team.first.session() as s:
            step(Retention(s))
        team.first.sync()
    mine = sorted(p for p in team.folder.rglob("*.wbr") if "joins" not in p.parts)[-3:]
    held = tmp_path / "held"
    held.mkdir()
    for path in mine[:2]:  # the engine delivers the last file first
        path.rename(held / path.name)
    assert desk2.sync().gaps
    assert retention_state(desk2, family_id)[0] == retention_state(team.first, family_id)[0]
    for path in mine[:2]:
        (held / path.name).rename(path)
    assert desk2.sync().refused == []
    assert retention_state(desk2, family_id) == retention_state(team.first, family_id)
    closing, _ = retention_state(desk2, family_id)
    assert closing is not None and closing.family_type == "child-protection"  # type: ignore[attr-defined]


def test_an_ending_that_does_not_verify_counts_for_nothing(team: ReplicaTeam) -> None:
    desk2 = team.join("desk 2")
    family_id = closed_family(team, desk2)
    before = retention_state(team.first, family_id)
    with desk2.session() as s:  # a holder of V writes a reopening nobody signed
        closing = retention_store.retention_of(s.conn, family_id)
        assert closing is not None
        with s.write():
            retention_store.put_log_entry(s.conn, retention_store.LogEntry(
                family_id, retention_log.REOPENED,
                {"ends": retention_log.reference(closing.signature), "by": s.user_id,
                 "at": s.now()}, b"\3" * 64))
            retention_store.delete_retention(s.conn, family_id)
        s.families.add_entry(family_id, "case-notes", "desk 2's note", "2026-01-06")
    desk2.sync()
    report = team.first.sync()
    assert report.refused == [] and report.received == 1
    assert retention_state(team.first, family_id) == before


def test_a_withdrawal_signed_by_someone_without_the_act_counts_for_nothing(
        team: ReplicaTeam) -> None:
    """Sam, a social worker with a certified key, signs a withdrawal of the proposal and
    writes it with SQL on desk 2: it travels, and every replica keeps the proposal."""
    sam = team.approved_worker()
    desk2 = team.join("desk 2")
    family_id = closed_family(team, desk2)
    with later(team.first) as s:
        Retention(s).propose(family_id)
    team.sync_all()
    before = retention_state(team.first, family_id)
    assert before[1] is not None
    with desk2.session("sw1", sam) as s:
        proposal = retention_store.proposal_of(s.conn, family_id)
        assert proposal is not None
        with pytest.raises(NotPermitted):
            Retention(s).withdraw(family_id)
        with s.write():
            retention_log.record(s.conn, retention_log.ending(
                s, retention_log.WITHDRAWN, family_id, proposal.signature))
    desk2.sync()
    assert team.first.sync().refused == []
    desk2.sync()
    assert retention_state(team.first, family_id) == before
    assert retention_state(desk2, family_id) == before


def test_a_closings_attestation_travels_and_settles_nothing(
        team: ReplicaTeam, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made at sign-out on one replica (its fresh reading left the closed family unread),
    believed on another, where it settles no family of its own."""
    monkeypatch.setattr(closing_attestations, "AT_LEAST", 1)
    desk2 = team.join("desk 2")
    family_id = closed_family(team, desk2)
    with desk2.session() as s:
        s.conn.execute("DELETE FROM meta WHERE key LIKE 'family\\_list.%' ESCAPE '\\'")
    with desk2.session() as s:
        s.families.open_with_owners()  # a fresh reading; its sign-out attests the closing
    team.sync_all()
    with team.first.session() as s:
        [attested] = retention_store.log_of(s.conn, closing_attestations.ATTESTATIONS)
        assert attested.kind == closing_attestations.ATTESTED
        closing = retention_store.retention_of(s.conn, family_id)
        assert closing is not None
        [said] = s.closing_attestations.believed()[family_id]
        assert said == closing_attestations.Settled(
            closing.closed_by, version_store.counts_of_kind(s.conn, "family")[family_id])
        assert retention_store.retention_of(s.conn, closing_attestations.ATTESTATIONS) is None
        assert retention_state(team.first, family_id)[0] is not None
