"""Helpers shared by the sharing tests: the three vaults of a World, share, receive, and a
snapshot of a vault's content. (Not in conftest.py: a module named conftest is not unique
across test folders, so tests cannot import from it.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.consent import give_consent
from support.vaults import TeamVault
from workbook.services.session import Session
from workbook.services.sharing.receiving import Preview, Receiving
from workbook.services.sharing.sending import Sharing
from workbook.sync.stream import CHUNK_SIZE


@dataclass
class World:
    office: TeamVault
    laptop: TeamVault
    hub: TeamVault

    def all(self) -> list[TeamVault]:
        return [self.office, self.laptop, self.hub]


CORE = ["household", "home-visit-safety", "case-notes", "sharing-log"]


def share(vault: TeamVault, who: Any, to: TeamVault, families: list[str], sections: list[str],
          out: Path, chunk_size: int = CHUNK_SIZE) -> Path:
    with vault.session(who) as s:
        give_consent(s, families, "home visit")
        sharing = Sharing(s)
        decision = sharing.decide(partner=to.vault_id, families=families, sections=sections,
                                  purpose="home visit", lawful_basis="Children Act 1989 s47",
                                  consent="given")
        sharing.share(decision, out, chunk_size=chunk_size)
    return out


def receive(vault: TeamVault, who: Any, path: Path, dry_run: bool = False) -> Preview:
    with vault.session(who) as s:
        return Receiving(s).receive(path, dry_run=dry_run)


def make_family(vault: TeamVault, who: Any, entries: int = 1) -> tuple[str, str]:
    with vault.session(who) as s:
        fid = s.families.add("Smith", "R-1")
        s.families.add_person(fid, "Jo Smith", "2015-01-02", "child")
        eid = s.families.add_entry(fid, "home-visit-safety", "dog in the house")
        for n in range(entries - 1):
            s.families.add_entry(fid, "case-notes", f"note {n} " + "words " * 40)
    return fid, eid


def snapshot(s: Session) -> dict[str, Any]:
    """What `show --json` prints for every family, and how many rows every table holds."""
    families = [f.family_id for f in s.families.all()]
    tables = [str(r[0]) for r in s.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {
        "show": {f: s.workbooks.open(f, audit=False).to_json() for f in families},
        "rows": {t: s.conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables},
    }
