"""`audit verify` stays complete both ways on every replica, however many rounds of receipts
it has had (issue 18): a received version is indexed at receipt against the signed event of
its writer's chain that wrote it, not by the one-time adoption of an upgrade. A version planted
by SQL (no signed write event anywhere) is still named on every PC."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from support.replica_pcs import Pc, ReplicaTeam, run_cli
from workbook.services.upkeep.retention import Retention
from workbook.vault import database


def assert_clean(pcs: list[Pc], capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    """`audit verify` clean on every PC, through the services and `workbook audit verify
    --json`."""
    for pc in pcs:
        with pc.session() as s:
            report = s.audit_trail.verify()
            assert report.ok and not report.unaudited_versions, (pc.name, report)
        code, out, err = run_cli(pc, capsys, monkeypatch, "audit", "verify", "--json")
        assert code == 0, (pc.name, err)
        data = json.loads(out)
        assert data["ok"] is True and data["unaudited_versions"] == [], (pc.name, data)


def note(pc: Pc, family_id: str, text: str) -> str:
    with pc.session() as s:
        return s.families.add_entry(family_id, "case-notes", text, "2026-01-05")


Desks = tuple[ReplicaTeam, Pc, str]
Clean = Callable[[list[Pc]], None]


@pytest.fixture
def desks(tmp_path: Path) -> Desks:
    """Two desks of one team, with a family both hold."""
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    with team.first.session() as s:
        family_id = s.families.add("Round family", "REF-18")
    team.sync_all()
    return team, desk2, family_id


@pytest.fixture
def clean(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Clean:
    """`assert_clean`, for these PCs."""
    return lambda pcs: assert_clean(pcs, capsys, monkeypatch)


def test_two_rounds_of_receipts_leave_every_replica_complete(
        desks: Desks, clean: Clean) -> None:
    team, desk2, family_id = desks
    note(team.first, family_id, "first round note")
    team.sync_all()
    clean(team.pcs)
    note(team.first, family_id, "second round note")
    note(desk2, family_id, "written on desk 2")
    team.sync_all()
    with desk2.session() as s:  # indexed at receipt, against the writer's event
        assert s.conn.execute("SELECT count(*) FROM audit_versions WHERE seq = 0"
                              ).fetchone()[0] == 0
    clean(team.pcs)


def test_a_large_receipt_after_a_first_round_is_complete(
        desks: Desks, clean: Clean) -> None:
    team, desk2, family_id = desks
    note(team.first, family_id, "first round note")
    team.sync_all()
    with team.first.session() as s, s.write():
        for n in range(2 * database.INSERT_CHUNK + 17):
            s.families.add_entry(family_id, "case-notes", f"bulk entry {n}", "2026-01-05")
    team.sync_all()
    clean(team.pcs)


def test_a_conflict_received_in_a_later_round_is_complete(
        desks: Desks, clean: Clean) -> None:
    team, desk2, family_id = desks
    entry_id = note(team.first, family_id, "first words")
    team.sync_all()
    with team.first.session() as s:
        s.families.edit_entry(entry_id, "edited on desk 1")
    with desk2.session() as s:
        s.families.edit_entry(entry_id, "edited on desk 2")
    reports = team.sync_all()
    assert sum(r.conflicts for r in reports) >= 1
    clean(team.pcs)


def test_a_disposal_that_travelled_between_rounds_is_complete(
        desks: Desks, clean: Clean) -> None:
    from test_replicas_deletions import later

    team, desk2, family_id = desks
    team.approved("ad1", "Ada Admin", "admin",
                  ("initial words for ada admin", "ada chooses a long passphrase 9"))
    note(team.first, family_id, "a note to be disposed of")
    team.sync_all()
    with team.first.session() as s:
        Retention(s).close(family_id, "early-help")
        other = s.families.add("Kept family", "REF-19")
    note(team.first, other, "kept note")
    team.sync_all()
    with later(team.first) as s:
        Retention(s).propose(family_id)
    with later(team.first, "ad1") as s:
        Retention(s).confirm(family_id)
    note(team.first, other, "after the disposal")
    team.sync_all()
    clean(team.pcs)


def test_a_replica_joined_from_a_checkpoint_is_complete_after_later_receipts(
        desks: Desks, clean: Clean) -> None:
    team, desk2, family_id = desks
    note(desk2, family_id, "before the third desk")
    team.sync_all()
    desk3 = team.join("desk 3", approver=desk2)
    note(team.first, family_id, "after the third desk joined")
    team.sync_all()
    note(desk2, family_id, "a second round for desk 3")
    team.sync_all()
    clean(team.pcs)
    assert desk3 in team.pcs


def plant(pc: Pc, family_id: str, version_id: str) -> None:
    """The attacker's SQL: a copy of a stored version under a new id, with no event."""
    with pc.session() as s, s.write():
        s.conn.execute(
            "INSERT INTO versions (family_id, version_id, record_id, kind, section_tag, epoch, "
            "parents, author, device, created_at, sealed, body) SELECT family_id, ?, "
            "record_id, kind, section_tag, epoch, parents, author, device, created_at, sealed, "
            "body FROM versions WHERE family_id = ? LIMIT 1", (version_id, family_id))


def test_a_version_planted_by_sql_is_named_on_every_replica(desks: Desks) -> None:
    team, desk2, family_id = desks
    note(team.first, family_id, "honest note")
    team.sync_all()
    plant(team.first, family_id, "planted-on-desk-1")
    note(team.first, family_id, "a later honest note")
    plant(desk2, family_id, "planted-on-desk-2")
    team.sync_all()
    for pc in team.pcs:
        with pc.session() as s:
            report = s.audit_trail.verify()
            named = {u.version for u in report.unaudited_versions}
            assert not report.ok and "planted-on-desk-1" in named, (pc.name, report)
            assert "has no write event in the audit log: it was added outside Workbook" in \
                report.problem
    with desk2.session() as s:
        assert "planted-on-desk-2" in {u.version for u in s.audit_trail.verify().unaudited_versions}


def test_versions_shared_and_received_from_a_partner_on_one_replica_are_complete_on_all(
        tmp_path: Path, desks: Desks, clean: Clean) -> None:
    """A bundle received on desk 1 is written by one event naming its versions by digest
    (`version_sets`); desk 2 finds that event on desk 1's chain for them, as does a share's
    sharing-log entries."""
    from test_replicas_partner_bundles import partner_hub, pin, receive, share

    team, desk2, family_id = desks
    note(team.first, family_id, "first round note")
    team.sync_all()
    hub, hub_id = partner_hub(tmp_path)
    pin(team.first, hub, tmp_path)
    pin(hub, team.first, tmp_path)
    with hub.session() as s:
        theirs = s.families.add("Hub family", "HUB-1")
        s.families.add_entry(theirs, "case-notes", "seen at the hub", "2026-01-05")
        share(s, team.vault_id, theirs, tmp_path / "from-hub.wbx")
    receive(team.first, tmp_path / "from-hub.wbx")
    with team.first.session() as s:
        share(s, hub_id, family_id, tmp_path / "to-hub.wbx")
    team.sync_all()
    with desk2.session() as s:
        assert "seen at the hub" in json.dumps(s.workbooks.open(theirs, audit=False).to_json())
        counts = s.conn.execute(
            "SELECT count(*), (SELECT count(*) FROM audit_versions WHERE family_id = ? AND "
            "seq < 0) FROM versions WHERE family_id = ?", (theirs, theirs)).fetchone()
        assert counts[0] >= 2 and counts[0] == counts[1]  # by desk 1's digest event
    clean(team.pcs)


def test_a_forged_event_of_another_replica_does_not_account_for_a_planted_version(
        desks: Desks) -> None:
    """The attacker on desk 2 plants a version and appends to desk 1's received chain an event
    naming it (desk 1's last event, its ids changed, rehashed, the signature kept): the chain
    breaks there, so the event is not believed, and the version is still named."""
    from workbook.vault import audit_log

    team, desk2, family_id = desks
    note(team.first, family_id, "honest note")
    team.sync_all()
    plant(desk2, family_id, "planted-with-a-forged-event")
    with desk2.session() as s, s.write():
        origin, seq, at, user_id, event, detail, signer, digest, signature = s.conn.execute(
            "SELECT origin, seq, at, user_id, event, detail, signer, hash, signature "
            "FROM replica_audit ORDER BY seq DESC LIMIT 1").fetchone()
        ids = json.dumps({"family": family_id, "version": "planted-with-a-forged-event"})
        forged = audit_log.event_hash(bytes(digest), seq + 1, at, user_id, event, ids, detail,
                                      signer)
        s.conn.execute("INSERT INTO replica_audit (origin, seq, at, user_id, event, ids, "
                       "detail, signer, prev_hash, hash, signature) VALUES (?, ?, ?, ?, ?, ?, "
                       "?, ?, ?, ?, ?)", (origin, seq + 1, at, user_id, event, ids, detail,
                                          signer, digest, forged, signature))
        s.conn.execute("INSERT INTO audit_versions (family_id, version_id, seq) VALUES "
                       "(?, ?, ?)", (family_id, "planted-with-a-forged-event", -(seq + 1)))
    with desk2.session() as s:
        report = s.audit_trail.verify()
        assert "planted-with-a-forged-event" in {u.version for u in report.unaudited_versions}
        assert any(c.problem for c in s.replicas.verify_audit())


@pytest.mark.parametrize("change", [
    "seq = 'seven'", "hash = 'not bytes'", "detail = 42", "prev_hash = 'text'", "ids = x'00'"])
def test_a_received_event_cell_of_the_wrong_type_is_reported_not_raised(
        desks: Desks, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    """The attacker holds the database key: a cell of another replica's event changed by SQL
    to another type is named by `replica audit` (services and CLI), as an altered event is,
    and `audit verify` still answers (it raised before)."""
    team, desk2, family_id = desks
    note(team.first, family_id, "a note")
    team.sync_all()
    with desk2.session() as s, s.write():
        seq = s.conn.execute("SELECT max(seq) FROM replica_audit").fetchone()[0]
        s.conn.execute(f"UPDATE replica_audit SET {change} WHERE seq = ?", (seq,))
    with desk2.session() as s:
        s.audit_trail.verify()
        problems = [r.problem for r in s.replicas.verify_audit() if r.problem]
    assert len(problems) == 1 and "wrong type" in problems[0]
    code, out, _err = run_cli(desk2, capsys, monkeypatch, "replica", "audit", "--json")
    assert code == 0 and "wrong type" in out
    code, _out, err = run_cli(desk2, capsys, monkeypatch, "audit", "verify", "--json")
    assert "Traceback" not in err and "went wrong" not in err
    note(team.first, family_id, "written after the change")
    team.first.sync()
    desk2.sync()   # answers: the next events are refused or stored, never a crash
