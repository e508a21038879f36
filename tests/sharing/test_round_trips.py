"""Round trips between vaults through bundle files: office to hub, back and forth, three vaults,
and the laptop case with a conflict made on both sides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import World
from support.vaults import TeamVault
from workbook.services.receiving import Preview, Receiving
from workbook.services.sharing import Sharing


def share(vault: TeamVault, who: Any, to: TeamVault, families: list[str], sections: list[str],
          out: Path) -> Path:
    with vault.session(who) as s:
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
    preview = receive(world.hub, world.hub.owner, bundle, dry_run=True)
    assert preview.families == [fid]
    assert not preview.applied
    result = receive(world.hub, world.hub.owner, bundle)
    assert result.applied
    seen = view(world.hub, world.hub.owner, fid)
    assert seen["family"]["name"] == "Smith"
    texts = [e["text"] for e in seen["sections"]["home-visit-safety"]["entries"]]
    assert "dog in the house" in texts
    again = receive(world.hub, world.hub.owner, bundle)
    assert again.already_received
