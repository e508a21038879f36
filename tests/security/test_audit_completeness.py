"""The audit complete both ways (issue 12, docs/threat-model.md A5 and K5): every version in the
vault has the signed event that wrote it, and every such event its version; sealed audit
details have one length per event kind, so no length tells which restricted section was read
or printed.

The attacks are written as a signed-in holder would: their own certified key signs a genuine
version (the services' own codec), which raw SQL then inserts with no event, or an honest
write's event is deleted from the tail of the chain."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from support import vaults
from support.attacker import attacker_db
from support.consent import give_consent
from workbook.cli.main import main
from workbook.domain.ids import new_id
from workbook.domain.roles import Role, Section
from workbook.services.access.sign_in import sign_in
from workbook.services.audit.reads import RESTRICTED
from workbook.services.authority.record_codec import encrypt_for_holder, sign_version
from workbook.services.errors import TamperingDetected
from workbook.services.family import milestones, plan_actions
from workbook.services.family.assessments import Rating, save_assessment
from workbook.services.family.chronology import rows_from_workbook
from workbook.services.family.household import update_person
from workbook.services.printing import Printing
from workbook.services.session import Session
from workbook.services.sharing.identity import Identity
from workbook.services.sharing.partners import Partners
from workbook.services.sharing.receiving import Receiving
from workbook.services.sharing.sending import Sharing
from workbook.services.supervision import meetings as supervision
from workbook.services.upkeep.retention import Retention
from workbook.vault import audit_log, device_secret
from workbook.vault.database import Connection
from workbook.vault.keyfile import KeyFile
from workbook.vault.version_store import VersionRow

BACKDATED = "2024-03-01T09:00:00.000000+00:00"


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.team_vault_template(tmp_path_factory)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path: Path) -> vaults.TeamVault:
    return team_template.copy_to(tmp_path / "vault")


def raw_insert(conn: Connection, row: VersionRow) -> None:
    conn.execute(
        "INSERT INTO versions (family_id, version_id, record_id, kind, section_tag, epoch, "
        "parents, author, device, created_at, sealed, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?)",
        (row.family_id, row.version_id, row.record_id, row.kind, row.section_tag, row.epoch,
         row.parents, row.author, row.device, row.created_at, int(row.sealed), row.body))


def plant_backdated_note(team: vaults.TeamVault, text: str) -> tuple[str, str]:
    """A social worker signs a case note with their own certified key, dated two years ago,
    and inserts it by raw SQL: no event. Returns (version id, entry id)."""
    family = team.families["a"]
    with team.session(Role.SOCIAL_WORKER) as s:
        assert s.keypair is not None
        version = sign_version(
            s.keypair, family_id=family, record_id=new_id(), kind="entry",
            section="case-notes", parents=(), author=s.user_id, device=s.device,
            created_at=BACKDATED,
            payload={"text": text, "date": BACKDATED[:10], "type": "visit",
                     "significant": True})
        row = encrypt_for_holder(version, s.keys, s.trust.current_epoch("case-notes"))
        with s.write():
            raw_insert(s.conn, row)   # the attacker's SQL, on their own session's connection
    return version.version_id, version.record_id


def entry_of(view: dict[str, object], entry_id: str) -> dict[str, object]:
    sections = view["sections"]
    assert isinstance(sections, dict)
    for content in sections.values():
        for entry in content.get("entries", []):
            if entry["id"] == entry_id:
                return dict(entry)
    raise AssertionError(f"entry {entry_id} not shown")


# === attack 1: an unaudited, backdated, self-signed version =====================================
def test_backdated_self_signed_version_without_event_is_named(team: vaults.TeamVault) -> None:
    text = vaults.marker("backdated")
    version_id, entry_id = plant_backdated_note(team, text)
    family = team.families["a"]
    with team.session(Role.TEAM_MANAGER) as s:
        report = s.audit_trail.verify()
        assert not report.ok
        assert report.problem.startswith(
            f"version {version_id} of family {family} has no write event in the audit log: "
            "it was added outside Workbook")
        assert report.to_json()["unaudited_versions"] == [{
            "version": version_id, "family": family, "kind": "entry",
            "problem": report.problem}]
        # The family view marks it, rather than showing a normal contemporaneous note.
        view = s.workbooks.open(family).to_json()
        planted = entry_of(view, entry_id)
        assert planted["text"] == text and planted.get("unaudited") is True
        honest = entry_of(view, team.find("entry:case-notes:second").record_id)
        assert "unaudited" not in honest
        rows = {r.entry_id: r for r in rows_from_workbook(s.workbooks.open(family,
                                                                             audit=False))}
        assert rows[entry_id].unaudited and not rows[honest["id"]].unaudited  # type: ignore[index]


def test_cli_verify_fails_and_json_lists_the_version(
    team: vaults.TeamVault, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    version_id, _entry = plant_backdated_note(team, vaults.marker("cli"))
    tm = team.member(Role.TEAM_MANAGER)
    vaults.use_memory_keyring()
    monkeypatch.setenv("WORKBOOK_VAULT", str(team.path))
    monkeypatch.setenv("WORKBOOK_USER", tm.username)
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", tm.passphrase)
    capsys.readouterr()
    code = main(["audit", "verify", "--json"])
    out = capsys.readouterr()
    assert code != 0
    line = (f"version {version_id} of family {team.families['a']} has no write event in the "
            "audit log: it was added outside Workbook")
    assert line in out.err
    data = json.loads(out.out)
    assert [u["version"] for u in data["unaudited_versions"]] == [version_id]
    assert {"ok", "events", "first_broken", "problem", "unapproved_signers"} <= set(data)
    assert main(["audit", "verify"]) != 0
    assert line in capsys.readouterr().err
    assert main(["show", team.families["a"]]) == 0
    assert "[NOT IN THE AUDIT LOG]" in capsys.readouterr().out


def test_planted_index_row_does_not_hide_the_version_from_verify(
    team: vaults.TeamVault
) -> None:
    """The version index is not signed: a row planted for the inserted version, pointing at an
    honest event, may change what the view reads, never what verify reports."""
    version_id, _entry = plant_backdated_note(team, vaults.marker("indexed"))
    family = team.families["a"]
    with attacker_db(team) as conn:
        seq = max(r.seq for r in audit_log.rows(conn) if r.event == "entry_added")
        conn.execute("INSERT INTO audit_versions (family_id, version_id, seq) VALUES (?, ?, ?)",
                     (family, version_id, seq))
    with team.session(Role.TEAM_MANAGER) as s:
        report = s.audit_trail.verify()
        assert not report.ok and version_id in report.problem
        assert [u.version for u in report.unaudited_versions] == [version_id]


# === attack 2: an honest write whose event was deleted from the tail ===========================
def test_version_whose_event_was_deleted_is_named(team: vaults.TeamVault) -> None:
    family = team.families["b"]
    with team.session(Role.SOCIAL_WORKER) as s:
        entry_id = s.families.add_entry(family, "case-notes", vaults.marker("dropped"))
        event = audit_log.rows(s.conn)[-1]
        assert event.event == "entry_added" and event.ids["entry"] == entry_id
    version_id = str(event.ids["version"])
    with attacker_db(team) as conn:
        # The tail from that event on: the chain still holds, and no colleague's remembered
        # head lies in the deleted part.
        conn.execute("DELETE FROM audit WHERE seq >= ?", (event.seq,))
    # This PC saw the deleted events, so sign-in refuses the vault as older than it was
    # (services/access/log_heads.py); the owner looks into it by accepting it as it is.
    with pytest.raises(TamperingDetected, match="older than the one this PC last saw"):
        team.sign_in(Role.TEAM_MANAGER)
    sign_in(team.path, team.owner.username, team.owner.passphrase, accept_restore=True).lock()
    with team.session(Role.TEAM_MANAGER) as s:
        report = s.audit_trail.verify()
        assert not report.ok and report.first_broken is None
        assert [(u.version, u.family) for u in report.unaudited_versions] == [
            (version_id, family)]


# === honest vaults pass =========================================================================
def every_kind_of_write(team: vaults.TeamVault) -> None:
    """Entries, an edit, a sealed envelope, actions and their status, a person's edit, a risk
    assessment and its second version, a milestone, a supervision review signed off, a family
    closed: each through the services."""
    fa, fb = team.families["a"], team.families["b"]
    with team.session(Role.SOCIAL_WORKER) as s:
        first = save_assessment(s, fa, {"violence": Rating("low", "none this year")},
                                "Manageable.", date="2026-02-01")
        entry = s.workbooks.open(fa).to_json()["sections"]["risk-assessment"]["entries"]
        record = next(e["id"] for e in entry if e["version"] == first)
        save_assessment(s, fa, {"violence": Rating("medium", "one incident")}, "Watch.",
                        date="2026-02-08", entry_id=record)
        person = team.find("person:a").record_id
        update_person(s, person, name=vaults.marker("renamed"))
        action = s.families.add_action(fa, "Ring the school", s.user.username, "2026-03-01")
        plan_actions.set_action_status(s, action, "done")
        milestones.record_referral(s, fb, "2026-02-10")
    with team.session(Role.TEAM_MANAGER) as s:
        sid = supervision.start_session(s, "2026-03-02", [], [fa])
        supervision.record_review(s, sid, fa, supervision.ReviewForm(
            "Engaging", "", "", "Carry on", 6, "2026-04-02"))
        supervision.finish(s, sid)
        Retention(s).close(fb, "early-help")


def test_honest_vault_with_every_kind_of_version_passes(team: vaults.TeamVault) -> None:
    every_kind_of_write(team)
    with team.session(Role.TEAM_MANAGER) as s:
        kinds = {str(r[0]) for r in s.conn.execute("SELECT DISTINCT kind FROM versions")}
        assert kinds >= {"family", "person", "entry", "action", "review"}
        assert s.conn.execute("SELECT count(*) FROM versions WHERE sealed = 1").fetchone()[0]
        report = s.audit_trail.verify()
        assert report.ok, report.problem
        assert report.to_json()["unaudited_versions"] == []
        for fid in team.families.values():
            assert "unaudited" not in json.dumps(s.workbooks.open(fid).to_json())


def pinned_pair(root: Path) -> tuple[vaults.TeamVault, vaults.TeamVault]:
    """Two vaults of different teams, each pinning the other (as tests/sharing builds them)."""
    pair = []
    for team_name in ("Office North", "Partner Hub"):
        vault = vaults.create_team_vault(root / team_name.replace(" ", "-"), team=team_name)
        vaults.onboard(vault, (Role.SOCIAL_WORKER,))
        pair.append(vault)
    for a, b in ((pair[0], pair[1]), (pair[1], pair[0])):
        card = root / f"card-{a.vault_id[:8]}.json"
        with a.session(a.owner) as s:
            fingerprint = Identity(s).export(card).fingerprint
        with b.session(b.owner) as s:
            Partners(s).add(card.read_bytes(), fingerprint)
        card.unlink()
    return pair[0], pair[1]


def test_shared_and_received_versions_are_audited(tmp_path: Path) -> None:
    """A share's sharing-log entries and a received bundle's versions are named by their
    event's signed digest (one per family), so both vaults pass; a version slipped into the
    index of the received bundle does not."""
    office, hub = pinned_pair(tmp_path)
    with office.session(Role.SOCIAL_WORKER) as s:
        fid = s.families.add("Smith", "R-1")
        s.families.add_person(fid, "Jo Smith", "2015-01-02", "child")
        s.families.add_entry(fid, "home-visit-safety", "dog in the house")
        s.families.add_entry(fid, "case-notes", "a note")
        give_consent(s, [fid], "home visit")
        sharing = Sharing(s)
        decision = sharing.decide(
            partner=hub.vault_id, families=[fid],
            sections=["household", "home-visit-safety", "case-notes", "sharing-log"],
            purpose="home visit", lawful_basis="Children Act 1989 s47", consent="given")
        bundle = tmp_path / "b.wbundle"
        sharing.share(decision, bundle)
    with hub.session(Role.SOCIAL_WORKER) as s:
        preview = Receiving(s).receive(bundle)
        assert preview.applied and preview.versions > 0
    for vault in (office, hub):
        with vault.session(Role.SOCIAL_WORKER) as s:
            report = s.audit_trail.verify()
            assert report.ok, report.problem
            assert "unaudited" not in json.dumps(s.workbooks.open(fid).to_json())
    with hub.session(Role.SOCIAL_WORKER) as s:
        received = [r for r in audit_log.rows(s.conn) if r.event == "bundle_received"][-1]
        assert set(received.ids["version_sets"]) == {fid}  # type: ignore[arg-type]
        with s.write():
            s.conn.execute("INSERT INTO audit_versions (family_id, version_id, seq) VALUES "
                           "(?, ?, ?)", (fid, new_id(), received.seq))
        report = s.audit_trail.verify()
        assert not report.ok
        assert report.problem.startswith(f"event {received.seq}'s list of the versions it "
                                         f"wrote in family {fid} was altered")


# === attack 3: lengths ==========================================================================
def restricted_reader(team: vaults.TeamVault, section: Section) -> Session:
    return team.sign_in(vaults.writer_for(team, section))


def test_section_read_details_have_one_length(team: vaults.TeamVault) -> None:
    """Every restricted section read, by whoever, leaves a detail of the same length."""
    for section in RESTRICTED:
        with restricted_reader(team, section) as s:
            s.workbooks.open(team.families["a"])
    with attacker_db(team) as conn:
        lengths = {len(r.detail or b"") for r in audit_log.rows(conn)
                   if r.event == "section_read" and r.detail is not None}
        sections = {r.seq for r in audit_log.rows(conn) if r.event == "section_read"}
    assert len(sections) >= len(RESTRICTED)
    assert len(lengths) == 1, sorted(lengths)


def test_print_details_have_one_length_whatever_was_printed(team: vaults.TeamVault) -> None:
    with team.session(Role.SOCIAL_WORKER) as s:   # no restricted section printed
        p = Printing(s)
        p.record(p.case_summary(team.families["b"]), "print")
    for section in RESTRICTED:
        with restricted_reader(team, section) as s:
            p = Printing(s)
            for action in ("print", "save_pdf"):
                p.record(p.case_summary(team.families["a"]), action)
    with attacker_db(team) as conn:
        printed = [r for r in audit_log.rows(conn) if r.event in ("print", "save_pdf")]
    assert len(printed) == 1 + 2 * len(RESTRICTED)
    assert len({len(r.detail or b"") for r in printed}) == 1, sorted(
        {len(r.detail or b"") for r in printed})
    with team.session(Role.TEAM_MANAGER) as s:   # holders still read which were printed
        assert s.audit_trail.verify().ok
        events = [e for e in s.audit_trail.events() if e["event"] in ("print", "save_pdf")]
        assert any(e.get("restricted_sections") == ["channel"] for e in events)


# === vaults upgraded to the version index =======================================================
def test_an_upgraded_vault_adopts_its_unnamed_versions_once(tmp_path: Path) -> None:
    """The schema-001 sample holds two versions written without events (its conflict). The
    first certified sign-in after the upgrade adopts them with one signed event; a version
    planted later with a planted seq-0 index row is not adopted, and verify names it."""
    sample = Path(__file__).resolve().parents[1] / "data" / "vault-schema-001"
    copy = tmp_path / sample.name
    shutil.copytree(sample, copy)
    vault = copy / "vault"
    expected = json.loads((copy / "expected.json").read_text())
    vaults.use_memory_keyring()
    device_secret.store_device_secret(KeyFile.load(vault).vault_id, base64.urlsafe_b64decode(
        (copy / "device-secret.txt").read_text().strip()))
    passphrase = expected["users"]["tm"]["passphrase"]
    smith = expected["families"]["smith"]["id"]
    with sign_in(vault, "tm", passphrase) as s:
        adopted = [r for r in audit_log.rows(s.conn) if r.event == "audit_versions_adopted"]
        assert len(adopted) == 1 and adopted[0].ids["count"] == 2
        assert s.audit_trail.verify().ok
        assert s.keypair is not None
        version = sign_version(
            s.keypair, family_id=smith, record_id=new_id(), kind="entry",
            section="case-notes", parents=(), author=s.user_id, device=s.device,
            created_at=BACKDATED,
            payload={"text": "planted", "date": BACKDATED[:10], "type": "note",
                     "significant": False})
        with s.write():
            raw_insert(s.conn, encrypt_for_holder(version, s.keys,
                                                  s.trust.current_epoch("case-notes")))
            s.conn.execute("INSERT INTO audit_versions (family_id, version_id, seq) "
                           "VALUES (?, ?, 0)", (smith, version.version_id))
    with sign_in(vault, "tm", passphrase) as s:
        assert len([r for r in audit_log.rows(s.conn)
                    if r.event == "audit_versions_adopted"]) == 1
        report = s.audit_trail.verify()
        assert not report.ok
        assert [u.version for u in report.unaudited_versions] == [version.version_id]


def test_the_chronology_marks_an_unaudited_entry_in_words(team: vaults.TeamVault,
                                                          qtbot: object) -> None:
    from PySide6.QtCore import Qt

    from workbook.ui.family.models.chronology_model import COL_TEXT, ChronologyModel

    text = vaults.marker("gui")
    _version, entry_id = plant_backdated_note(team, text)
    with team.session(Role.TEAM_MANAGER) as s:
        rows = rows_from_workbook(s.workbooks.open(team.families["a"]))
    model = ChronologyModel()
    model.set_rows(rows)
    shown = {model.data(model.index(i, 0), Qt.ItemDataRole.UserRole + 1):
             (str(model.data(model.index(i, COL_TEXT))),
              str(model.data(model.index(i, COL_TEXT), Qt.ItemDataRole.ToolTipRole)))
             for i in range(model.rowCount())}
    assert shown[entry_id][0].startswith("[Not in the audit log] ")
    assert shown[entry_id][1].startswith("Not in the audit log")
    others = [cell for eid, (cell, _tip) in shown.items() if eid != entry_id]
    assert others and not any("audit log" in cell for cell in others)
