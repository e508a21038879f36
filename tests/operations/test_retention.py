"""Closing families, the disposal review and two-person disposal, on real vaults."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from support import vaults
from workbook.domain.roles import Role
from workbook.services.errors import InvalidInput, NotFound, NotPermitted, TamperingDetected
from workbook.services.session import Session
from workbook.services.upkeep.retention import Retention, is_disposed
from workbook.services.upkeep.tombstones import disposed_refusal
from workbook.vault import retention_store, version_store

LATER = timedelta(days=366 * 7)


@contextmanager
def later(vault: vaults.TeamVault, who: object, shift: timedelta = LATER) -> Iterator[Session]:
    with vault.session(who) as s:  # type: ignore[arg-type]
        real = s.clock
        s.clock = lambda: real() + shift
        yield s


def _close(team: vaults.TeamVault, label: str = "a", kind: str = "early-help") -> str:
    fid = team.families[label]
    with team.session("owner") as s:
        row = Retention(s).close(fid, kind)
        assert row.family_type == kind
    return fid


def _dispose(team: vaults.TeamVault, fid: str) -> None:
    with later(team, Role.TEAM_MANAGER) as s:
        Retention(s).propose(fid)
    with later(team, Role.ADMIN) as s:
        Retention(s).confirm(fid)


def test_closing_starts_retention_by_family_type(team: vaults.TeamVault) -> None:
    fid = _close(team, "a", "early-help")
    with team.session(Role.SOCIAL_WORKER) as s:
        family = next(f for f in s.families.all() if f.family_id == fid)
        assert family.status == "closed"
    with team.session(Role.TEAM_MANAGER) as s:
        r = Retention(s)
        assert r.review() == []
        (item,) = r.review(include_not_due=True)
        assert item.family_id == fid and not item.due
        assert item.dispose_after[:4] == str(int(item.closed_at[:4]) + 6)
        with pytest.raises(InvalidInput, match="kept until"):
            r.propose(fid)
    with later(team, Role.ADMIN) as s:
        (item,) = Retention(s).review()
        assert item.due and item.family_id == fid


def test_bad_close_inputs_are_refused(team: vaults.TeamVault) -> None:
    fid = team.families["a"]
    with team.session("owner") as s:
        r = Retention(s)
        with pytest.raises(InvalidInput, match="unknown family type"):
            r.close(fid, "forever")
        with pytest.raises(NotFound):
            r.close("0" * 32, "early-help")
        with pytest.raises(InvalidInput):
            r.close("not an id!", "early-help")
        r.close(fid, "early-help")
        with pytest.raises(InvalidInput, match="already closed"):
            r.close(fid, "early-help")
    with team.session(Role.SOCIAL_WORKER) as s, pytest.raises(NotPermitted):
        Retention(s).close(team.families["b"], "early-help")
    with team.session(Role.ADMIN) as s, pytest.raises(NotPermitted):
        Retention(s).close(team.families["b"], "early-help")


def test_disposal_is_two_person_and_removes_everything(team: vaults.TeamVault) -> None:
    fid = _close(team)
    other = team.families["b"]
    with later(team, Role.ADMIN) as s, pytest.raises(NotPermitted, match="team manager"):
        Retention(s).propose(fid)
    with later(team, Role.TEAM_MANAGER) as s:
        with pytest.raises(NotPermitted, match="administrator"):
            Retention(s).confirm(fid)
        Retention(s).propose(fid)
        with pytest.raises(InvalidInput, match="already proposed"):
            Retention(s).propose(fid)
    with later(team, Role.ADMIN) as s:
        before = s.conn.execute("SELECT count(*) FROM versions WHERE family_id = ?",
                                (fid,)).fetchone()[0]
        done = Retention(s).confirm(fid)
        assert done.versions_removed == before > 0
        assert done.file_rebuilt
        for table in retention_store.tables_holding_families(s.conn):
            n = s.conn.execute(f'SELECT count(*) FROM "{table}" WHERE family_id = ?',
                               (fid,)).fetchone()[0]
            assert n == 0, table
        assert s.conn.execute("SELECT count(*) FROM family_retention").fetchone()[0] == 0
        assert s.conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert is_disposed(s, fid) and not is_disposed(s, other)
        assert s.audit_trail.verify().ok
        events = [e for e in s.audit_trail.events(None) if e["event"] == "family_disposed"]
        assert events and set(events[0]["ids"]) == {"family", "family_type", "versions"}
        with pytest.raises(InvalidInput, match="already disposed"):
            Retention(s).confirm(fid)
    wal = team.path / "vault.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    for member in team.everyone():
        if member.role == Role.ADMIN.value:
            continue
        with team.session(member) as s:
            assert s.audit_trail.verify().ok
            assert fid not in {f.family_id for f in s.families.all()}
            with pytest.raises(NotFound):
                s.families.add_entry(fid, "case-notes", "more", "2026-03-01")
            assert s.records.can_read("household")  # every role but the administrator's
            assert other in {f.family_id for f in s.families.all()}


def test_proposer_cannot_confirm_and_admin_cannot_skip_proposal(team: vaults.TeamVault) -> None:
    fid = _close(team)
    with later(team, Role.ADMIN) as s, pytest.raises(InvalidInput, match="proposes it first"):
        Retention(s).confirm(fid)
    with later(team, Role.TEAM_MANAGER) as s:
        Retention(s).propose(fid)
        Retention(s).withdraw(fid)
    with later(team, Role.ADMIN) as s, pytest.raises(InvalidInput, match="proposes it first"):
        Retention(s).confirm(fid)


def test_imports_and_writes_to_a_disposed_family_are_refused(team: vaults.TeamVault) -> None:
    # The store no longer decides (a bare disposals row used to swallow every insert): the
    # signed tombstone does, for receiving (which skips the family's versions) and writing.
    fid = _close(team)
    _dispose(team, fid)
    with team.session("owner") as s:
        why = disposed_refusal(s, fid)
        assert why is not None and "was disposed of on" in why
        with s.write(), pytest.raises(InvalidInput, match="nothing can be added"):
            s.records.write(family_id=fid, record_id=fid, kind="family",
                            section="household", payload={"name": "back again"})
        assert version_store.of_family(s.conn, fid) == []


def test_deleting_versions_without_a_signed_disposal_is_still_detected(
        team: vaults.TeamVault) -> None:
    fid = _close(team)
    _dispose(team, fid)
    with team.session("owner") as s:
        assert s.audit_trail.verify().ok
        # Quietly delete a version of the other family: no tombstone covers it.
        victim = s.conn.execute("SELECT version_id FROM versions WHERE family_id = ? AND "
                                "kind = 'entry' LIMIT 1", (team.families["b"],)).fetchone()[0]
        s.conn.execute("DELETE FROM versions WHERE version_id = ?", (victim,))
        report = s.audit_trail.verify()
        assert not report.ok and "rolled back" in report.problem
        # Claim it in the disposed list of the real tombstone: the signed digest refuses it.
        s.conn.execute("INSERT INTO disposed_versions (version_id, family_id) VALUES (?, ?)",
                       (victim, fid))
        report = s.audit_trail.verify()
        assert not report.ok and "do not match its signed record" in report.problem


def test_a_forged_tombstone_is_detected(team: vaults.TeamVault) -> None:
    fid = _close(team)
    _dispose(team, fid)
    with team.session("owner") as s:
        s.conn.execute("UPDATE disposals SET confirmed_by = ? WHERE family_id = ?",
                       (team.owner.user_id, fid))
        report = s.audit_trail.verify()
        assert not report.ok and "not signed by its confirmer" in report.problem


def test_a_forged_closing_or_proposal_is_refused(team: vaults.TeamVault) -> None:
    fid = _close(team)
    with team.session("owner") as s:
        s.conn.execute("UPDATE family_retention SET dispose_after = '2000-01-01'")
    with team.session(Role.TEAM_MANAGER) as s:
        assert Retention(s).review() == []
        with pytest.raises(TamperingDetected):
            Retention(s).propose(fid)


def test_policy_without_retention_stays_valid_and_custom_retention_applies(
        team: vaults.TeamVault) -> None:
    from workbook.domain.policy import DEFAULT_RETENTION_YEARS, PolicyError, parse_policy

    old = ('version = 1\n[core]\nsections = ["household"]\n')
    assert parse_policy(old).retention_years == DEFAULT_RETENTION_YEARS
    custom = parse_policy(old + '\n[retention]\n"short-break" = 2\n')
    assert custom.retention_years == {"short-break": 2}
    assert parse_policy(custom.to_toml()) == custom
    for bad in ['[retention]\n"x" = 0\n', '[retention]\n"Bad Type" = 3\n',
                '[retention]\n"x" = "six"\n', '[retention]\n', 'retention = 5\n']:
        with pytest.raises(PolicyError):
            parse_policy(old + "\n" + bad)


def test_certificate_is_written_only_where_chosen(team: vaults.TeamVault, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook.reports.disposal_certificate import render_disposal_certificate

    fid = _close(team)
    with later(team, Role.TEAM_MANAGER) as s:
        Retention(s).propose(fid)
    with later(team, Role.ADMIN) as s:
        done = Retention(s).confirm(fid)
        pdf = render_disposal_certificate(done, team="North Unit", printed_by="Admin",
                                          printed_at=s.clock())
    assert pdf.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert fid in text and "early-help" in text
    for word in team.all_markers():
        assert word not in text


def test_reopening_ends_retention_and_closing_again_starts_it_anew(
        team: vaults.TeamVault) -> None:
    fid = _close(team)
    with later(team, Role.TEAM_MANAGER) as s:
        Retention(s).propose(fid)
    with team.session(Role.SOCIAL_WORKER) as s, pytest.raises(NotPermitted):
        Retention(s).reopen(fid)
    with team.session("owner") as s:
        Retention(s).reopen(fid)
        with pytest.raises(InvalidInput, match="not closed"):
            Retention(s).reopen(fid)
        assert retention_store.proposal_of(s.conn, fid) is None
        assert next(f for f in s.families.all() if f.family_id == fid).status == "open"
    with later(team, Role.ADMIN) as s:
        assert Retention(s).review(include_not_due=True) == []
        with pytest.raises(NotFound, match="not closed"):
            Retention(s).confirm(fid)
    with team.session("owner") as s:
        row = Retention(s).close(fid, "child-in-need")
        assert row.dispose_after[:4] == str(int(row.closed_at[:4]) + 25)
        assert s.audit_trail.verify().ok


def test_a_past_disposal_certificate_can_be_printed_again(team: vaults.TeamVault) -> None:
    fid = _close(team)
    _dispose(team, fid)
    with team.session(Role.ADMIN) as s:
        again = Retention(s).disposal(fid)
        assert again.family_id == fid and again.versions_removed > 0
        assert again.dispose_after and again.family_type == "early-help"
        with pytest.raises(NotFound):
            Retention(s).disposal(team.families["b"])
    with team.session(Role.SOCIAL_WORKER) as s, pytest.raises(NotPermitted):
        Retention(s).disposal(fid)


def test_one_person_cannot_pass_a_deletion_off_as_a_disposal(team: vaults.TeamVault) -> None:
    from workbook.services.upkeep.retention import (
        disposal_message,
        proposal_message,
        versions_digest,
    )
    from workbook.vault.retention_store import DisposalRow, ProposalRow

    fid = team.families["b"]
    tm = team.member(Role.TEAM_MANAGER)
    with team.session(tm) as s:
        keypair = s.require_keys()
        ids = retention_store.version_ids_of(s.conn, fid)
        now = s.now()
        unsigned_proposal = ProposalRow(fid, s.user_id, now, b"")
        own = keypair.sign(proposal_message(s.vault_id, unsigned_proposal, "2000-01-01"))

        def forge(proposer: str, proposal_signature: bytes) -> None:
            s.conn.execute("DELETE FROM disposals")
            s.conn.execute("DELETE FROM disposed_versions")
            row = DisposalRow(fid, "early-help", now, "2000-01-01", proposer, now,
                              proposal_signature, s.user_id, now, len(ids),
                              versions_digest(ids), b"")
            row = DisposalRow(**{**row.__dict__, "signature": keypair.sign(
                disposal_message(s.vault_id, row))})
            retention_store.put_disposal(s.conn, row, ids)

        s.conn.execute("DELETE FROM versions WHERE family_id = ?", (fid,))
        forge(s.user_id, own)
        report = s.audit_trail.verify()
        assert not report.ok and "one person" in report.problem
        forge(team.owner.user_id, own)  # claims the owner proposed: their signature is missing
        report = s.audit_trail.verify()
        assert not report.ok and "no valid proposal" in report.problem
        # Two colluding team managers: a real proposal, but no administrator confirmed it.
        with team.session("owner") as owner:
            theirs = owner.require_keys().sign(proposal_message(
                s.vault_id, ProposalRow(fid, owner.user_id, now, b""), "2000-01-01"))
        forge(team.owner.user_id, theirs)
        report = s.audit_trail.verify()
        assert not report.ok and "not an approved administrator" in report.problem


def test_the_demo_has_a_family_due_for_disposal_review(tmp_path: Path) -> None:
    from workbook.crypto.passphrase_kdf import KdfParams
    from workbook.demo import build_demo, demo_user
    from workbook.services.access.sign_in import sign_in

    vaults.use_memory_keyring()
    result = build_demo(tmp_path / "demo", families=3, big_family_entries=0,
                        kdf=KdfParams(8 * 1024, 1, 1))
    admin = demo_user("admin")
    with sign_in(tmp_path / "demo", admin.username, admin.passphrase) as s:
        (item,) = Retention(s).review()
        assert item.due and item.family_type == "early-help"
        assert s.audit_trail.verify().ok
    manager = demo_user("manager")
    with sign_in(tmp_path / "demo", manager.username, manager.passphrase) as s:
        statuses = sorted(f.status for f in s.families.all())
        assert statuses == ["closed", "open", "open"] and result.families == 3


def test_a_busy_vault_defers_the_rebuild_and_compact_finishes_it(team: vaults.TeamVault) -> None:
    from workbook.vault.database import connect

    fid = _close(team)
    with later(team, Role.TEAM_MANAGER) as s:
        Retention(s).propose(fid)
    with later(team, Role.ADMIN) as s:
        reader = connect(team.path, s.vault_key)
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM versions").fetchone()
            done = Retention(s).confirm(fid)
            assert not done.file_rebuilt
            assert retention_store.version_ids_of(s.conn, fid) == []
        finally:
            reader.execute("COMMIT")
            reader.close()
        assert Retention(s).compact()
        assert s.audit_trail.verify().ok
    wal = team.path / "vault.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
