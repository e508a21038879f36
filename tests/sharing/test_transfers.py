"""Transferring a family to another organisation (issue 15), between two real vaults: the
case owner starts it, the restricted sections' holders add or decline, the case owner
finishes, the partner receives one bundle, and the sender's copy is closed and read-only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sharing_support import World, receive

from support.attacker import attacker_db
from support.vaults import TeamVault
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Role
from workbook.services.authority import encrypt_for_holder, sign_version
from workbook.services.errors import InvalidInput, NotFound, NotPermitted, TamperingDetected
from workbook.services.session import Session
from workbook.services.sharing.transfers import awaiting_case_owner
from workbook.vault import version_store

SW, POLICE = Role.SOCIAL_WORKER, Role.POLICE


def _family(office: TeamVault) -> str:
    with office.session(SW) as s:
        fid = s.families.add("Transfer", "T-1")
        s.families.add_person(fid, "Kit Transfer", "2016-03-04", "child")
        s.families.add_entry(fid, "case-notes", "core note travels")
        s.families.add_entry(fid, "education", "school worry stays")
    with office.session(POLICE) as s:
        s.families.add_entry(fid, "police", "police intelligence travels")
    return fid


def _start(office: TeamVault, hub: TeamVault, fid: str) -> str:
    with office.session(SW) as s:
        shown = s.transfers.start(fid, to=hub.vault_id, purpose="family moved to the hub's area",
                                  lawful_basis="Children Act 1989 s47")
    data = shown.to_json()
    assert data["waiting_for"] == ["police", "education", "channel"]
    assert (data["family_id"], data["partner"], data["state"]) == (fid, hub.vault_id, "waiting")
    return str(data["id"])


def _answered(office: TeamVault, hub: TeamVault) -> tuple[str, str]:
    fid = _family(office)
    tid = _start(office, hub, fid)
    with office.session(POLICE) as s:
        s.transfers.add_section(tid, "police")
        s.transfers.decline(tid, "channel", "no channel referral to pass on")
    with office.session(SW) as s:
        shown = s.transfers.decline(tid, "education", "the school will share directly")
    assert shown.state == "ready"
    return fid, tid


def _texts(s: Session, fid: str) -> str:
    return json.dumps(s.workbooks.open(fid, audit=False).to_json())


def _rows(office: TeamVault) -> dict[str, Any]:
    """Rows per table but the audit log and the verification receipts (signing in adds to
    both): what a refused command must leave as it was."""
    with attacker_db(office) as db:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if t not in ("audit", "verification_receipts")}


def test_a_transfer_arrives_with_the_added_section_and_without_the_declined(
        world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    fid, tid = _answered(office, hub)
    with office.session(SW) as s:
        shown = s.transfers.show(tid).to_json()
        assert [(a["section"], a["answer"]) for a in shown["answers"]] == [
            ("police", "added"), ("education", "declined"), ("channel", "declined")]
        police = shown["answers"][0]
        assert police["by"].startswith("Staff Police") and police["versions"] == 1
        assert shown["answers"][1]["reason"] == "the school will share directly"
        # The case owner holds no police key: the sealed part never opens for them.
        assert "police intelligence" not in json.dumps(shown)
        result = s.transfers.finish(tid, tmp_path / "t.wbb")
        assert result.closed.startswith(f"transferred to {hub_team(hub)} on ")
        assert s.transfers.show(tid).state == "finished"
        head = s.workbooks.open(fid, audit=False).to_json()["family"]
        assert head["status"] == "transferred"
        family = s.workbooks.open(fid, audit=False).family.record
        assert family is not None
        assert (family.outcome, family.extra["transferred_to"]) == (
            "transferred", hub_team(hub))
        with pytest.raises(InvalidInput, match="transferred to .* read-only"):
            s.families.add_entry(fid, "case-notes", "one more")
    with office.session("owner") as s:
        assert [r.family_id for r in s.retention.review(include_not_due=True)] == [fid]
        report = s.audit_trail.verify()
        assert report.ok and not report.unaudited_versions, report.to_json()
    with hub.session(POLICE) as s:
        receive(hub, POLICE, tmp_path / "t.wbb")
    with hub.session(POLICE) as s:
        text = _texts(s, fid)
        assert "police intelligence travels" in text and "core note travels" in text
        family = s.workbooks.open(fid, audit=False).to_json()["family"]
        assert awaiting_case_owner(family) or family.get("case_owner") == ""
    with hub.session(SW) as s:
        text = _texts(s, fid)
        assert "school worry stays" not in text and "police intelligence" not in text
        assert "Transferred to" in text
    with hub.session("owner") as s:
        report = s.audit_trail.verify()
        assert report.ok and not report.unaudited_versions, report.to_json()


def hub_team(hub: TeamVault) -> str:
    with hub.session(SW) as s:
        return str(s.identity.show()["team"])


def test_bad_input_changes_nothing(world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    fid = _family(office)
    tid = _start(office, hub, fid)
    before = _rows(office)
    with office.session(SW) as s:
        with pytest.raises(InvalidInput, match="already has a transfer under way"):
            s.transfers.start(fid, to=hub.vault_id, purpose="p", lawful_basis="b")
        with pytest.raises(NotFound, match="no transfer"):
            s.transfers.show("0" * 32)
        with pytest.raises(InvalidInput, match="not a valid transfer id"):
            s.transfers.show("nope")
        with pytest.raises(InvalidInput, match="not waiting for section mental-health"):
            s.transfers.decline(tid, "mental-health", "x")
        with pytest.raises(InvalidInput, match="unknown section|not a section"):
            s.transfers.add_section(tid, "gossip")
        with pytest.raises(NotPermitted, match="only a holder of section police"):
            s.transfers.add_section(tid, "police")
        with pytest.raises(InvalidInput, match="still waiting for section"):
            s.transfers.finish(tid, tmp_path / "early.wbb")
        with pytest.raises(InvalidInput, match="reason for declining must not be empty"):
            s.transfers.decline(tid, "education", "  ")
    with office.session("owner") as s:
        with pytest.raises(NotFound, match="no partner .Nobody Team."):
            s.transfers.start(fid, to="Nobody Team", purpose="p", lawful_basis="b")
    assert not (tmp_path / "early.wbb").exists()
    assert _rows(office) == before
    with office.session(POLICE) as s:
        s.transfers.add_section(tid, "police")
        with pytest.raises(InvalidInput, match="already answered this transfer .added by Staff"):
            s.transfers.add_section(tid, "police")


def test_finish_twice_and_a_closed_family_are_refused(world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    fid, tid = _answered(office, hub)
    with office.session(SW) as s:
        s.transfers.finish(tid, tmp_path / "t.wbb")
        before = _rows(office)
        with pytest.raises(InvalidInput, match="already finished on"):
            s.transfers.finish(tid, tmp_path / "again.wbb")
        with pytest.raises(InvalidInput, match="is transferred: only an open family"):
            s.transfers.start(fid, to=hub.vault_id, purpose="p", lawful_basis="b")
    assert _rows(office) == before and not (tmp_path / "again.wbb").exists()


def test_only_the_case_owner_or_a_supervisor_starts_a_transfer(world: World) -> None:
    office, hub = world.office, world.hub
    fid = _family(office)
    with office.session(POLICE) as s, pytest.raises(NotPermitted, match="case owner"):
        s.transfers.start(fid, to=hub.vault_id, purpose="p", lawful_basis="b")


def test_an_edited_transfer_row_is_refused_at_finish(world: World, tmp_path: Path) -> None:
    """The sealed part lives in the transfer's signed record: an attacker with the database
    key who changes its row is caught, and nothing is sent or closed."""
    office, hub = world.office, world.hub
    fid, tid = _answered(office, hub)
    with attacker_db(office) as db:
        for version_id, body in db.execute("SELECT version_id, body FROM versions "
                                           "WHERE record_id = ?", (tid,)).fetchall():
            changed = bytearray(body)
            changed[len(changed) // 2] ^= 1
            db.execute("UPDATE versions SET body = ? WHERE version_id = ?",
                       (bytes(changed), version_id))
        db.commit()
    with office.session(SW) as s, pytest.raises(TamperingDetected):
        s.transfers.finish(tid, tmp_path / "t.wbb")
    assert not (tmp_path / "t.wbb").exists()


def test_a_tampered_sealed_part_is_refused_by_the_partner(world: World, tmp_path: Path) -> None:
    """A signed-in case owner who rewrites the police part (a new, properly signed version of
    the transfer record) cannot get altered police content past the partner: its holder's
    import fails on the group's authentication."""
    office, hub = world.office, world.hub
    fid, tid = _answered(office, hub)
    with office.session(SW) as s:
        found = s.transfers.find(tid)
        payload = found.record.to_payload()
        police = next(a for a in payload["answers"] if a["section"] == "police")
        body = police["part"]["versions"][0]["body"]
        police["part"]["versions"][0]["body"] = \
            ("A" if body[0] != "A" else "B") + body[1:]
        s.records.supersede(found.heads, payload, kind=RecordKind.TRANSFER,
                            event="attack", ids={})
    with office.session(SW) as s:
        s.transfers.finish(tid, tmp_path / "t.wbb")
    with pytest.raises(InvalidInput, match="does not open with its section's key; nothing"):
        receive(hub, POLICE, tmp_path / "t.wbb")


def test_read_only_is_decided_from_the_signed_family_record(world: World,
                                                            tmp_path: Path) -> None:
    """An attacker signed in with a certified key writes a properly signed "open" version of
    the family record by hand (not through the services, which refuse): any signed version
    saying "transferred" still refuses every write. An edited family row refuses too."""
    office, hub = world.office, world.hub
    fid, tid = _answered(office, hub)
    with office.session(SW) as s:
        s.transfers.finish(tid, tmp_path / "t.wbb")
    with office.session(SW) as s:
        heads = s.transfers.family_head(fid)
        forged = sign_version(
            s.require_certified(), family_id=fid, record_id=fid, kind="family",
            section="household", parents=heads.ids, author=s.user_id, device=s.device,
            created_at=s.now(), payload={**heads.head.payload, "status": "open"})
        with s.write():
            version_store.insert(s.conn, encrypt_for_holder(
                forged, s.keys, s.trust.current_epoch("household")))
        assert s.workbooks.open(fid, audit=False).to_json()["family"]["status"] == "open"
        with pytest.raises(InvalidInput, match=r"was transferred to .* on \d\d/\d\d/\d{4}: "
                                               "its workbook is read-only"):
            s.families.add_entry(fid, "case-notes", "after the transfer")
    with attacker_db(office) as db:
        for version_id, body in db.execute(
                "SELECT version_id, body FROM versions WHERE record_id = ?", (fid,)).fetchall():
            changed = bytearray(body)
            changed[len(changed) // 2] ^= 1
            db.execute("UPDATE versions SET body = ? WHERE version_id = ?",
                       (bytes(changed), version_id))
        db.commit()
    before = _rows(office)
    with office.session(SW) as s, pytest.raises((InvalidInput, TamperingDetected)):
        s.families.add_entry(fid, "case-notes", "after the edit")
    assert _rows(office) == before


def test_an_answer_written_by_someone_else_is_refused(world: World, tmp_path: Path) -> None:
    """The case owner, signed in with a certified key, writes a version of the transfer that
    declines the police section in the police officer's name: finish refuses, nothing sent."""
    office, hub = world.office, world.hub
    fid = _family(office)
    tid = _start(office, hub, fid)
    with office.session(POLICE) as s:
        police_id = s.user_id
        s.transfers.decline(tid, "channel", "nothing to pass on")
    with office.session(SW) as s:
        s.transfers.decline(tid, "education", "the school shares directly")
        found = s.transfers.find(tid)
        payload = found.record.to_payload()
        payload["answers"].append({"section": "police", "answer": "declined", "by": police_id,
                                   "at": s.now(), "reason": "forged"})
        payload["state"] = "ready"
        s.records.supersede(found.heads, payload, kind=RecordKind.TRANSFER, event="attack",
                            ids={})
    before = _rows(office)
    with office.session(SW) as s, pytest.raises(TamperingDetected, match="not given by a "
                                                                        "holder of that"):
        s.transfers.finish(tid, tmp_path / "t.wbb")
    assert _rows(office) == before and not (tmp_path / "t.wbb").exists()


def test_two_answers_given_at_once_both_count(world: World, tmp_path: Path) -> None:
    """Two holders answer from the same version of the transfer (two devices, say): the record
    has two heads; both answers count, and the next version is written over both."""
    office, hub = world.office, world.hub
    fid = _family(office)
    tid = _start(office, hub, fid)
    with office.session(SW) as sw, office.session(POLICE) as police:
        found, section = sw.transfers._answerable(tid, "education")
        police.transfers.decline(tid, "channel", "nothing to pass on")
        sw.transfers._answer(found, section, {"answer": "declined", "by": sw.user_id,
                                              "at": sw.now(), "reason": "school shares"}, 0)
        assert len(sw.transfers.find(tid).heads.ids) == 2
        assert sw.transfers.show(tid).still_to_answer == ["police"]
        shown = police.transfers.add_section(tid, "police")
        assert shown.state == "ready" and len(police.transfers.find(tid).heads.ids) == 1
    with office.session(SW) as s:
        assert s.transfers.finish(tid, tmp_path / "t.wbb").versions > 0
