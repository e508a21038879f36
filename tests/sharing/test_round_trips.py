"""Round trips between vaults through bundle files: office to hub, back and forth, three vaults,
and the laptop case with a conflict made on both sides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sharing_support import World, snapshot

from support.consent import give_consent
from support.vaults import TeamVault
from workbook.services.family.chronology import rows_from_workbook
from workbook.services.sharing.receiving import Preview, Receiving
from workbook.services.sharing.sending import Sharing


def share(vault: TeamVault, who: Any, to: TeamVault, families: list[str], sections: list[str],
          out: Path) -> Path:
    with vault.session(who) as s:
        give_consent(s, families, "home visit")
        sharing = Sharing(s)
        decision = sharing.decide(partner=to.vault_id, families=families, sections=sections,
                                  purpose="home visit", lawful_basis="Children Act 1989 s47",
                                  consent="given")
        sharing.share(decision, out)
    return out


def receive(vault: TeamVault, who: Any, path: Path, dry_run: bool = False) -> Preview:
    with vault.session(who) as s:
        return Receiving(s).receive(path, dry_run=dry_run)


def view(vault: TeamVault, who: Any, family_id: str) -> dict[str, Any]:
    with vault.session(who) as s:
        return s.workbooks.open(family_id).to_json()


def make_family(vault: TeamVault, who: Any) -> tuple[str, str]:
    with vault.session(who) as s:
        fid = s.families.add("Smith", "R-1")
        s.families.add_person(fid, "Jo Smith", "2015-01-02", "child")
        eid = s.families.add_entry(fid, "home-visit-safety", "dog in the house")
    return fid, eid


def test_office_to_hub_round_trip(world: World, tmp_path: Path) -> None:
    fid, eid = make_family(world.office, world.office.owner)
    bundle = share(world.office, world.office.owner, world.hub, [fid],
                   ["household", "home-visit-safety"], tmp_path / "b1.wbb")
    with world.hub.session(world.hub.owner) as s:
        before = snapshot(s)
        preview = Receiving(s).receive(bundle, dry_run=True)
        assert snapshot(s) == before  # a dry run changes nothing
    assert preview.families == [fid] and not preview.applied
    assert {r["record"] for r in preview.new} >= {fid, eid}
    result = receive(world.hub, world.hub.owner, bundle)
    assert result.applied
    seen = view(world.hub, world.hub.owner, fid)
    assert seen["family"]["name"] == "Smith"
    texts = [e["text"] for e in seen["sections"]["home-visit-safety"]["entries"]]
    assert "dog in the house" in texts
    again = receive(world.hub, world.hub.owner, bundle)
    assert again.already_received
    with world.hub.session(world.hub.owner) as s:
        opened = s.workbooks.open(fid, audit=False)
    rows = [r for r in rows_from_workbook(opened) if r.preview == "dog in the house"]
    assert [r.author for r in rows] == ["from Office North"]  # the chronology names the partner


def version_state(vault: TeamVault, family_id: str) -> tuple[set[str], dict[str, list[str]]]:
    """Every version id of the family and the heads of every record, from clear headers."""
    import json as _json

    from workbook.domain.history import head_ids

    with vault.session(vault.owner) as s:
        rows = s.conn.execute(
            "SELECT version_id, record_id, parents, created_at FROM versions WHERE family_id = ?"
            " AND kind != 'consent'",  # consent records stay where recorded: never shared
            (family_id,)).fetchall()
    ids = {str(r[0]) for r in rows}
    by_record: dict[str, list[Any]] = {}
    for version_id, record_id, parents, at in rows:
        by_record.setdefault(str(record_id), []).append(
            _V(str(version_id), tuple(_json.loads(parents)), str(at)))
    return ids, {r: head_ids(v) for r, v in by_record.items()}


class _V:
    def __init__(self, version_id: str, parents: tuple[str, ...], created_at: str) -> None:
        self.version_id, self.parents, self.created_at = version_id, parents, created_at


CORE = ["household", "home-visit-safety", "case-notes", "sharing-log"]


def test_laptop_checkout_offline_work_and_return_with_conflict(world: World, tmp_path: Path
                                                               ) -> None:
    office, laptop = world.office, world.laptop
    worker = office.member("social-worker")
    fid, eid = make_family(office, worker)
    with office.session(worker) as s:
        note = s.families.add_entry(fid, "case-notes", "first note")
    # Office to laptop: a checkout of the family.
    out = share(office, worker, laptop, [fid], CORE, tmp_path / "checkout.wbb")
    receive(laptop, laptop.owner, out)
    # Offline on the laptop: a new entry and an edit of the office's note; meanwhile the
    # office edits the same note.
    with laptop.session(laptop.owner) as s:
        s.families.edit_entry(note, "first note, corrected on the visit")
        s.families.add_entry(fid, "case-notes", "visit made, children seen")
    with office.session(worker) as s:
        s.families.edit_entry(note, "first note, corrected at the office")
    # Laptop back to office.
    back = share(laptop, laptop.owner, office, [fid], CORE, tmp_path / "return.wbb")
    result = receive(office, office.owner, back)
    assert [c["record"] for c in result.conflicts] == [note]
    seen = view(office, worker, fid)
    notes = {e["id"]: e for e in seen["sections"]["case-notes"]["entries"]}
    assert notes[note]["conflict"]
    assert {h["text"] for h in notes[note]["heads"]} == {
        "first note, corrected on the visit", "first note, corrected at the office"}
    assert any(e["text"] == "visit made, children seen" for e in notes.values())
    # The office's side travels back: the laptop shows the same conflict.
    again = share(office, worker, laptop, [fid], CORE, tmp_path / "again.wbb")
    receive(laptop, laptop.owner, again)
    laptop_notes = {e["id"]: e for e in
                    view(laptop, laptop.owner, fid)["sections"]["case-notes"]["entries"]}
    assert laptop_notes[note]["conflict"]
    ids_office, heads_office = version_state(office, fid)
    ids_laptop, heads_laptop = version_state(laptop, fid)
    assert ids_laptop <= ids_office  # the office also holds its own sharing-log entries
    for record, heads in heads_laptop.items():
        assert heads_office[record] == heads


def test_three_vaults_keep_ids_and_converge(world: World, tmp_path: Path) -> None:
    office, laptop, hub = world.office, world.laptop, world.hub
    fid, eid = make_family(office, office.owner)
    share(office, office.owner, hub, [fid], CORE, tmp_path / "1.wbb")
    receive(hub, hub.owner, tmp_path / "1.wbb")
    with hub.session(hub.owner) as s:
        s.families.add_entry(fid, "case-notes", "hub note")
    share(hub, hub.owner, laptop, [fid], CORE, tmp_path / "2.wbb")
    receive(laptop, laptop.owner, tmp_path / "2.wbb")
    with laptop.session(laptop.owner) as s:
        s.families.add_entry(fid, "case-notes", "laptop note")
    share(laptop, laptop.owner, office, [fid], CORE, tmp_path / "3.wbb")
    receive(office, office.owner, tmp_path / "3.wbb")
    seen = view(office, office.owner, fid)
    texts = {e["text"] for e in seen["sections"]["case-notes"]["entries"]}
    assert {"hub note", "laptop note"} <= texts
    with office.session(office.owner) as s:
        families = [f.family_id for f in s.families.all()]
    assert families.count(fid) == 1  # one family, not a copy
    hub_ids, _ = version_state(hub, fid)
    office_ids, _ = version_state(office, fid)
    assert hub_ids <= office_ids


def test_restricted_section_is_sealed_from_the_importer(world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    police = office.member("police")
    fid, _eid = make_family(office, office.owner)
    with office.session(police) as s:
        s.families.add_entry(fid, "police", "MARKER-police-intel")
    out = share(office, police, hub, [fid], ["household", "police"], tmp_path / "p.wbb")
    raw = out.read_bytes()
    assert b"MARKER-police-intel" not in raw and b"police" not in raw
    result = receive(hub, hub.owner, out)  # the hub's team manager cannot read police
    assert "police" not in str(result.to_json())
    manager_view = view(hub, hub.owner, fid)
    assert "police" not in manager_view["sections"]
    assert "MARKER-police-intel" not in str(manager_view)
    officer_view = view(hub, hub.member("police"), fid)
    texts = [e["text"] for e in officer_view["sections"]["police"]["entries"]]
    assert "MARKER-police-intel" in texts
    # The decision stands in both sharing logs, naming no restricted section.
    for vault, who in ((office, office.owner), (hub, hub.owner)):
        log = view(vault, who, fid)["sections"]["sharing-log"]["entries"]
        assert any("Shared with Partner Hub" in e["text"] and "1 restricted" in e["text"]
                   for e in log)
        assert all("police" not in e["text"].lower() for e in log)


def test_bundles_in_any_order_converge_and_report_gaps(world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    fid, eid = make_family(office, office.owner)
    first = share(office, office.owner, hub, [fid], CORE, tmp_path / "1.wbb")
    with office.session(office.owner) as s:
        s.families.edit_entry(eid, "dog kept outside now")
    second = share(office, office.owner, hub, [fid], CORE, tmp_path / "2.wbb")
    late = receive(hub, hub.owner, second)
    assert late.missing_sequences == [1]
    early = receive(hub, hub.owner, first)
    assert early.applied and early.missing_sequences == []
    seen = view(hub, hub.owner, fid)
    entry = next(e for e in seen["sections"]["home-visit-safety"]["entries"] if e["id"] == eid)
    assert entry["text"] == "dog kept outside now" and not entry["conflict"]


def test_a_stale_card_epoch_is_brought_forward_and_the_card_refreshed(world: World,
                                                                      tmp_path: Path) -> None:
    """The hub moves its sections to a new epoch (a colleague left); the office still seals to
    the old epoch. The hub's holder imports it under the current epoch, and the hub's next
    bundle gives the office the new card."""
    office, hub = world.office, world.hub
    with hub.session(hub.owner) as s:
        s.accounts.disable(hub.member("social-worker").username)
        epoch = s.trust.current_epoch("household")
    assert epoch >= 2
    fid, _ = make_family(office, office.owner)
    out = share(office, office.owner, hub, [fid], CORE, tmp_path / "stale.wbb")
    assert receive(hub, hub.owner, out).applied
    with hub.session(hub.owner) as s:
        epochs = {int(r[0]) for r in s.conn.execute(
            "SELECT epoch FROM versions WHERE family_id = ? AND sealed = 0", (fid,))}
        assert s.workbooks.open(fid).to_json()["family"]["name"] == "Smith"
    assert epochs == {epoch}
    hub_fid, _ = make_family(hub, hub.owner)
    receive(office, office.owner, share(hub, hub.owner, office, [hub_fid], CORE,
                                        tmp_path / "back.wbb"))
    from workbook.services.sharing.partners import Partners

    with office.session(office.owner) as s:
        partners = Partners(s)
        card = partners.card_of(partners.resolve("Partner Hub"))
    assert card.sections["household"].epoch == epoch


def test_a_bundle_numbered_far_ahead_is_received_and_its_gap_counted(world: World,
                                                                      tmp_path: Path) -> None:
    """A sender that numbers its bundle 2**61 (its database key's holder planted a sent
    bundle so numbered) costs the receiver nothing: the gap is counted, not made."""
    office, hub = world.office, world.hub
    fid, _eid = make_family(office, office.owner)
    with office.session(office.owner) as s, s.write():
        s.conn.execute("INSERT INTO bundles_sent (partner_id, sequence, bundle_id, created_at) "
                       "VALUES (?, ?, 'planted', '2026-01-01T00:00:00+00:00')",
                       (hub.vault_id, 2**61 - 1))
    far = receive(hub, hub.owner, share(office, office.owner, hub, [fid], CORE,
                                        tmp_path / "far.wbb"))
    assert far.applied and far.sequence == 2**61
    assert far.missing_count == 2**61 - 1 and far.missing_sequences[:3] == [1, 2, 3]
    assert len(far.missing_sequences) == 1000
