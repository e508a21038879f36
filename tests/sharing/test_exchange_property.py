"""A state machine: three vaults make random edits and exchange random bundles, delivered in
random order, some twice. After a full exchange every vault holds the same versions and heads of
every record the machine made, not one version was lost, and every vault decrypts and shows the
same text of each entry (one of the texts written to it), in conflict exactly when the entry has
more than one head.

Budget: WORKBOOK_SHARING_EXAMPLES examples (default 15) of WORKBOOK_SHARING_STEPS steps
(default 20), the same examples every run; `make test-deep` runs more, new ones each time
(tests/support/budget.py)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sharing_support import World, share

from support.budget import RANDOM, budget
from support.vaults import TeamVault
from workbook.domain.history import head_ids
from workbook.services.sharing.receiving import Receiving

SECTIONS = ["household", "case-notes"]
EXAMPLES = budget("WORKBOOK_SHARING_EXAMPLES", 15)
STEPS = budget("WORKBOOK_SHARING_STEPS", 20)


class _V:
    def __init__(self, version_id: str, parents: tuple[str, ...], created_at: str) -> None:
        self.version_id, self.parents, self.created_at = version_id, parents, created_at


def state_of(vault: TeamVault, records: set[str]) -> tuple[set[str], dict[str, list[str]]]:
    with vault.session(vault.owner) as s:
        rows = s.conn.execute("SELECT version_id, record_id, parents, created_at FROM versions"
                              ).fetchall()
    mine = [r for r in rows if str(r[1]) in records]
    by_record: dict[str, list[_V]] = {}
    for version_id, record_id, parents, at in mine:
        by_record.setdefault(str(record_id), []).append(
            _V(str(version_id), tuple(json.loads(parents)), str(at)))
    return {str(r[0]) for r in mine}, {r: head_ids(v) for r, v in by_record.items()}


def shown_entries(vault: TeamVault, family: str) -> dict[str, dict[str, Any]]:
    """The case notes as the vault's owner is shown them, decrypted: for each entry its text,
    version, conflict flag and (in conflict) each head's version and text. Who vouched for a
    version ("from") differs by vault and is left out."""
    with vault.session(vault.owner) as s:
        shown = s.workbooks.open(family, audit=False).to_json()
    out = {}
    for entry in shown["sections"].get("case-notes", {}).get("entries", []):
        out[entry["id"]] = {
            "text": entry["text"], "version": entry["version"], "conflict": entry["conflict"],
            "heads": sorted((h["version"], h["text"]) for h in entry.get("heads", []))}
    return out


def make_machine(template: World, base: Path) -> type[RuleBasedStateMachine]:
    class Exchange(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            # A fresh folder per example: the keyring's "seen" record is kept per vault folder,
            # so a folder name reused from an earlier example (id() is reused once an object is
            # freed) would meet that example's newer state and be refused as a rollback.
            self.run = Path(tempfile.mkdtemp(prefix="run-", dir=base))
            self.vaults = [template.office.copy_to(self.run / "office"),
                           template.laptop.copy_to(self.run / "laptop"),
                           template.hub.copy_to(self.run / "hub")]
            self.known: list[set[str]] = [set(), set(), set()]  # entry ids each vault holds
            self.records: set[str] = set()
            self.texts: dict[str, set[str]] = {}  # every text written to each entry
            self.created: set[str] = set()
            self.pending: list[list[Path]] = [[], [], []]
            self.count = 0

        @initialize()
        def start(self) -> None:
            office = self.vaults[0]
            with office.session(office.owner) as s:
                self.family = s.families.add("Exchange", "X-1")
                entry = s.families.add_entry(self.family, "case-notes", "first")
            self.records |= {self.family, entry}
            self.texts[entry] = {"first"}
            self.known[0].add(entry)
            self._note_versions(0)

        def _note_versions(self, index: int) -> None:
            ids, _ = state_of(self.vaults[index], self.records)
            self.created |= ids

        @rule(who=st.integers(0, 2), text=st.text("abc ", min_size=1, max_size=8))
        def add_entry(self, who: int, text: str) -> None:
            vault = self.vaults[who]
            if not self._has_family(who):
                return
            with vault.session(vault.owner) as s:
                entry = s.families.add_entry(self.family, "case-notes", text.strip() or "x")
            self.records.add(entry)
            self.texts[entry] = {text.strip() or "x"}
            self.known[who].add(entry)
            self._note_versions(who)

        @rule(who=st.integers(0, 2), pick=st.integers(0, 50), text=st.text("xyz", min_size=1,
                                                                             max_size=5))
        def edit_entry(self, who: int, pick: int, text: str) -> None:
            if not self.known[who]:
                return
            entry = sorted(self.known[who])[pick % len(self.known[who])]
            vault = self.vaults[who]
            with vault.session(vault.owner) as s:
                s.families.edit_entry(entry, text)
            self.texts[entry].add(text)
            self._note_versions(who)

        @rule(sender=st.integers(0, 2), shift=st.integers(1, 2))
        def send(self, sender: int, shift: int) -> None:
            if not self._has_family(sender):
                return
            to = (sender + shift) % 3
            self.count += 1
            out = share(self.vaults[sender], self.vaults[sender].owner, self.vaults[to],
                        [self.family], SECTIONS, self.run / f"b{self.count}.wbb")
            self.pending[to].append(out)
            self._note_versions(sender)

        @precondition(lambda self: any(self.pending))
        @rule(who=st.integers(0, 2), pick=st.integers(0, 50), keep=st.booleans())
        def deliver(self, who: int, pick: int, keep: bool) -> None:
            if not self.pending[who]:
                return
            path = self.pending[who][pick % len(self.pending[who])]
            if not keep:  # else it stays to be delivered again: replay must be a no-op
                self.pending[who].remove(path)
            self._receive(who, path)

        def _receive(self, who: int, path: Path) -> None:
            vault = self.vaults[who]
            with vault.session(vault.owner) as s:
                Receiving(s).receive(path)
            _ids, heads = state_of(vault, self.records)
            self.known[who] |= {r for r in heads if r != self.family}

        def _has_family(self, who: int) -> bool:
            return who == 0 or bool(self.known[who]) or self._family_here(who)

        def _family_here(self, who: int) -> bool:
            ids, _ = state_of(self.vaults[who], {self.family})
            return bool(ids)

        @invariant()
        def nothing_lost_locally(self) -> None:
            for index, vault in enumerate(self.vaults):
                if index == 0:
                    ids, _ = state_of(vault, self.records)
                    assert ids  # the office always has the family

        def teardown(self) -> None:
            try:
                for _round in range(2):
                    for sender in range(3):
                        for to in range(3):
                            if sender == to or not self._has_family(sender):
                                continue
                            self.count += 1
                            out = share(self.vaults[sender], self.vaults[sender].owner,
                                        self.vaults[to], [self.family], SECTIONS,
                                        self.run / f"full{self.count}.wbb")
                            self._receive(to, out)
                for index in range(3):
                    for path in self.pending[index]:
                        self._receive(index, path)
                states = [state_of(v, self.records) for v in self.vaults]
                ids0, heads0 = states[0]
                assert self.created <= ids0, "a version was lost"
                for ids, heads in states[1:]:
                    assert ids == ids0
                    assert heads == heads0
                self._same_content_everywhere(heads0)
            finally:
                shutil.rmtree(self.run, ignore_errors=True)

        def _same_content_everywhere(self, heads: dict[str, list[str]]) -> None:
            shown = [shown_entries(v, self.family) for v in self.vaults]
            assert set(shown[0]) == set(self.texts), "an entry is not shown (or not decrypted)"
            for other in shown[1:]:
                assert other == shown[0]
            for entry, item in shown[0].items():
                in_conflict = len(heads[entry]) > 1
                assert item["conflict"] is in_conflict, (entry, heads[entry], item)
                assert item["text"] in self.texts[entry], (item, self.texts[entry])
                if in_conflict:
                    assert [v for v, _t in item["heads"]] == sorted(heads[entry])
                    assert {t for _v, t in item["heads"]} <= self.texts[entry]
                else:
                    assert item["version"] == heads[entry][0]

    return Exchange


def test_random_exchanges_converge(world_template: World, tmp_path: Path) -> None:
    machine: Any = make_machine(world_template, tmp_path)
    machine.TestCase.settings = settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        derandomize=not RANDOM, print_blob=True, suppress_health_check=list(HealthCheck))
    machine.TestCase().runTest()
