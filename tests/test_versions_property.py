"""Versions, heads and conflicts (ARCHITECTURE.md, "The vault"), as properties.

First the pure rules of `workbook.domain.history` over random version graphs: the heads are
exactly the versions nobody names as a parent, history keeps every version, a record is in
conflict exactly when it has more than one head, and a merge of all heads leaves one.

Then the same promises over a real vault (real SQLCipher, real signatures, through the services):
any sequence of adds and edits keeps every version with its text, in order, with one head; and
two versions written on the same parent are reported as a conflict, listing both heads with their
text, until an edit merges them.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from support.memory_keyring import MemoryKeyring
from workbook.cli import main as cli_main
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.domain.history import head_ids, record_state
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.session import Session

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER = "tm"
OWNER_PASSPHRASE = "correct horse battery staple"

# --- the pure rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class V:
    """A version as the history rules see it: id, parents and time, nothing else."""

    version_id: str
    parents: tuple[str, ...]
    created_at: str


@st.composite
def version_graphs(draw: st.DrawFn, max_versions: int = 30) -> list[V]:
    """A random history: each new version names a random subset of the earlier ones as its
    parents (the empty subset starts another root). Ids are random, and times are drawn
    independently of the graph (clocks disagree, and may collide), so neither can stand in for
    the parent links."""
    count = draw(st.integers(min_value=1, max_value=max_versions))
    ids = draw(
        st.lists(
            st.text("0123456789abcdef", min_size=32, max_size=32),
            min_size=count, max_size=count, unique=True,
        )
    )
    versions: list[V] = []
    for index in range(count):
        parents: set[int] = (
            draw(st.sets(st.integers(min_value=0, max_value=index - 1), max_size=4))
            if index else set()
        )
        second = draw(st.integers(min_value=0, max_value=59))
        versions.append(V(
            ids[index], tuple(sorted(ids[p] for p in parents)),
            f"2026-11-01T10:00:{second:02d}.000000+00:00",
        ))
    return versions


def expected_heads(versions: list[V]) -> set[str]:
    named = {p for v in versions for p in v.parents}
    return {v.version_id for v in versions} - named


@given(version_graphs(), st.randoms(use_true_random=False))
def test_heads_are_exactly_the_unnamed_versions(versions: list[V], rnd: Any) -> None:
    heads = head_ids(versions)
    assert set(heads) == expected_heads(versions)
    assert len(heads) == len(set(heads))
    by_id = {v.version_id: v for v in versions}
    assert heads == sorted(heads, key=lambda h: (by_id[h].created_at, h)), "oldest first"
    shuffled = list(versions)
    rnd.shuffle(shuffled)
    assert head_ids(shuffled) == heads, "heads do not depend on the order versions are read in"


@given(version_graphs())
def test_history_keeps_every_version_and_conflict_means_two_heads(versions: list[V]) -> None:
    state = record_state("r" * 32, versions)
    assert sorted(state.history) == sorted(v.version_id for v in versions)
    assert len(state.history) == len(versions)
    by_id = {v.version_id: v for v in versions}
    assert list(state.history) == sorted(state.history, key=lambda h: (by_id[h].created_at, h))
    assert set(state.heads) == expected_heads(versions)
    assert state.in_conflict == (len(expected_heads(versions)) > 1)


@given(version_graphs())
def test_a_merge_of_all_heads_leaves_one_head(versions: list[V]) -> None:
    before = record_state("r" * 32, versions)
    merge = V("f" * 31 + "e", tuple(sorted(before.heads)), "2026-11-02T00:00:00.000000+00:00")
    if merge.version_id in before.history:  # pragma: no cover - the 32-hex ids are random
        return
    after = record_state("r" * 32, [*versions, merge])
    assert after.heads == (merge.version_id,)
    assert not after.in_conflict
    assert set(after.history) == set(before.history) | {merge.version_id}


@given(version_graphs(), st.data())
def test_a_merge_of_some_heads_keeps_the_others(versions: list[V], data: st.DataObject) -> None:
    before = record_state("r" * 32, versions)
    chosen = data.draw(st.sets(st.sampled_from(before.heads), min_size=1))
    merge = V("f" * 31 + "e", tuple(sorted(chosen)), "2026-11-02T00:00:00.000000+00:00")
    after = record_state("r" * 32, [*versions, merge])
    assert set(after.heads) == (set(before.heads) - chosen) | {merge.version_id}
    assert after.in_conflict == (len(before.heads) - len(chosen) >= 1)


def test_two_children_of_one_parent_are_a_conflict() -> None:
    root = V("a" * 32, (), "2026-11-01T10:00:00.000000+00:00")
    left = V("b" * 32, (root.version_id,), "2026-11-01T10:00:01.000000+00:00")
    right = V("c" * 32, (root.version_id,), "2026-11-01T10:00:01.000000+00:00")
    state = record_state("r" * 32, [right, root, left])
    assert state.heads == (left.version_id, right.version_id)
    assert state.in_conflict
    assert state.history == (root.version_id, left.version_id, right.version_id)


# --- the same promises over a real vault -------------------------------------------------------

READABLE_SECTIONS = ("case-notes", "referral-assessment", "risk-assessment", "supervision",
                     "home-visit-safety", "channel")
TEXTS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1, max_size=80,
).filter(lambda t: bool(t.strip()))


@dataclass
class RealVault:
    path: Path
    backend: MemoryKeyring
    session: Session
    family_id: str


@pytest.fixture(scope="module")
def real_vault() -> Iterator[RealVault]:
    """One keyed vault for the module (cheap Argon2id), with the owner signed in."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    root = Path(tempfile.mkdtemp(prefix="wb-versions-"))
    try:
        create_vault(root / "vault", team="North Unit", owner_username=OWNER,
                     owner_name="Tess Manager", passphrase=OWNER_PASSPHRASE, kdf=FAST_KDF)
        session = sign_in(root / "vault", OWNER, OWNER_PASSPHRASE)
        family_id = session.families.add("Smith family", "REF-1")
        yield RealVault(root / "vault", backend, session, family_id)
        session.lock()
    finally:
        keyring.set_keyring(previous)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _module_keyring(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBOOK_KEYRING", raising=False)
    if "real_vault" in request.fixturenames:
        keyring.set_keyring(request.getfixturevalue("real_vault").backend)


def entry_view(view: dict[str, Any], entry_id: str) -> dict[str, Any]:
    for content in view["sections"].values():
        for entry in content.get("entries", []):
            if entry["id"] == entry_id:
                return dict(entry)
    raise AssertionError(f"entry {entry_id} is not in the workbook")


def test_any_sequence_of_adds_and_edits_keeps_every_version(real_vault: RealVault) -> None:
    session, family_id = real_vault.session, real_vault.family_id

    class EntryEdits(RuleBasedStateMachine):
        """A model of what each entry's history must be: every text ever written, in order."""

        entries = Bundle("entries")

        def __init__(self) -> None:
            super().__init__()
            self.texts: dict[str, list[str]] = {}

        @rule(target=entries, section=st.sampled_from(READABLE_SECTIONS), text=TEXTS)
        def add_entry(self, section: str, text: str) -> str:
            entry_id = session.families.add_entry(family_id, section, text)
            self.texts[entry_id] = [text.strip()]
            return entry_id

        @rule(entry_id=entries, text=TEXTS)
        def edit_entry(self, entry_id: str, text: str) -> None:
            version_id = session.families.edit_entry(entry_id, text)
            self.texts[entry_id].append(text.strip())
            assert session.families.entry_history(entry_id)[-1].version_id == version_id

        @invariant()
        def every_version_is_kept_with_one_head(self) -> None:
            for entry_id, texts in self.texts.items():
                history = session.families.entry_history(entry_id)
                assert [v.payload["text"] for v in history] == texts
                assert len({v.version_id for v in history}) == len(texts)
                # Each edit names the version before it, so the versions form one chain.
                assert history[0].parents == ()
                for earlier, later in zip(history, history[1:], strict=False):
                    assert later.parents == (earlier.version_id,)
                state = record_state(entry_id, history)
                assert state.heads == (history[-1].version_id,)
                assert not state.in_conflict

        def teardown(self) -> None:
            if not self.texts:
                return
            view = session.workbooks.open(family_id, audit=False).to_json()
            for entry_id, texts in self.texts.items():
                shown = entry_view(view, entry_id)
                assert shown["text"] == texts[-1]
                assert shown["conflict"] is False
                assert "heads" not in shown

    run_state_machine_as_test(
        EntryEdits,
        settings=settings(
            max_examples=20, stateful_step_count=25, deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    assert session.audit_trail.verify().ok


def _entry_payload(text: str) -> dict[str, Any]:
    return {"text": text, "date": "2026-11-01", "type": "note", "significant": False}


def test_two_versions_on_one_parent_are_a_conflict_until_an_edit_merges_them(
    real_vault: RealVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, family_id = real_vault.session, real_vault.family_id
    entry_id = session.families.add_entry(family_id, "case-notes", "Visited the family",
                                          "2026-11-01")
    v1 = session.families.entry_history(entry_id)[0].version_id
    written = []
    for text in ("Visited the family with PC Jones", "Visited the family; dog in the yard"):
        with session.write():  # two concurrent edits, each with its write event
            written.append(session.records.write(
                family_id=family_id, record_id=entry_id, kind="entry", section="case-notes",
                payload=_entry_payload(text), parents=(v1,),
            ))
            session.audit("entry_edited", {"family": family_id, "entry": entry_id,
                                           "version": written[-1].version_id})
    heads = {w.version_id for w in written}

    history = session.families.entry_history(entry_id)
    assert [v.version_id for v in history][0] == v1
    assert {v.version_id for v in history} == {v1} | heads
    assert record_state(entry_id, history).in_conflict

    shown = entry_view(session.workbooks.open(family_id, audit=False).to_json(), entry_id)
    assert shown["conflict"] is True
    assert {h["version"] for h in shown["heads"]} == heads
    assert sorted(h["text"] for h in shown["heads"]) == [
        "Visited the family with PC Jones", "Visited the family; dog in the yard",
    ]

    # `workbook show --json` reports the same conflict.
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", OWNER_PASSPHRASE)
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli_main(["show", family_id, "--vault", str(real_vault.path), "--as", OWNER,
                         "--json"])
    assert code == 0
    cli_entry = entry_view(json.loads(out.getvalue()), entry_id)
    assert cli_entry["conflict"] is True
    assert sorted(h["text"] for h in cli_entry["heads"]) == sorted(
        h["text"] for h in shown["heads"])

    merged = session.families.edit_entry(entry_id, "Visited the family with PC Jones; dog")
    history = session.families.entry_history(entry_id)
    assert len(history) == 4
    merge_version = next(v for v in history if v.version_id == merged)
    assert set(merge_version.parents) == heads
    state = record_state(entry_id, history)
    assert state.heads == (merged,)
    assert not state.in_conflict
    shown = entry_view(session.workbooks.open(family_id, audit=False).to_json(), entry_id)
    assert shown["conflict"] is False
    assert "heads" not in shown
    assert shown["text"] == "Visited the family with PC Jones; dog"
    assert session.audit_trail.verify().ok
