"""Fuzzing the bundle reader with hypothesis: random files, mutated bundles, and well-signed
bundles from a malicious pinned partner with arbitrary frames. The only failure allowed is the
clean refusal; and a refusal leaves the vault unchanged."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sharing_support import CORE, World, make_family, share, snapshot

from workbook.crypto.keypairs import KeyPair
from workbook.services.sharing.identity import Identity
from workbook.services.sharing.receiving import Receiving, RefusedBundle
from workbook.sync import bundle as bundle_format
from workbook.sync.errors import BundleRefused

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def keys_and_bundle(world: World, tmp_path: Path) -> tuple[Any, KeyPair, bytes]:
    fid, _ = make_family(world.office, world.office.owner, entries=5)
    path = share(world.office, world.office.owner, world.hub, [fid], CORE, tmp_path / "f.wbb",
                 chunk_size=1024)
    with world.office.session(world.office.owner) as s:
        office_key = Identity(s).require()
    with world.hub.session(world.hub.owner) as s:
        hub_pair = Identity(s).keypair()
    return office_key, hub_pair, path.read_bytes()


def _read(data: bytes, vault_id: str, key: Any, pair: KeyPair) -> None:
    checked = bundle_format.check_bundle(Path("fuzz.wbb"), this_vault=vault_id,
                                         sender_key=lambda _s: key,
                                         opener=lambda: io.BytesIO(data))
    for _frame in checked.frames(pair):
        pass


def test_reader_refuses_mutations_cleanly(world: World, keys_and_bundle: Any) -> None:
    key, pair, good = keys_and_bundle
    _read(good, world.hub.vault_id, key, pair)  # the original reads

    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        mutated = bytearray(good)
        for _ in range(data.draw(st.integers(1, 4))):
            how = data.draw(st.sampled_from(["flip", "cut", "insert", "splice", "zero"]))
            at = data.draw(st.integers(0, max(0, len(mutated) - 1)))
            if how == "flip" and mutated:
                mutated[at] ^= data.draw(st.integers(1, 255))
            elif how == "cut":
                del mutated[at:]
            elif how == "insert":
                mutated[at:at] = data.draw(st.binary(min_size=1, max_size=64))
            elif how == "splice":
                size = data.draw(st.integers(1, 2048))
                src = data.draw(st.integers(0, max(0, len(good) - size)))
                mutated[at:at + size] = good[src:src + size]
            else:
                mutated[at:at + 16] = bytes(len(mutated[at:at + 16]))
        if bytes(mutated) == good:
            return
        with pytest.raises(BundleRefused):
            _read(bytes(mutated), world.hub.vault_id, key, pair)

    check()


def test_reader_refuses_random_files_cleanly(world: World, keys_and_bundle: Any) -> None:
    key, pair, good = keys_and_bundle

    @FUZZ
    @given(st.one_of(st.binary(max_size=4096),
                     st.binary(max_size=2048).map(lambda b: good[:14] + b),
                     st.binary(max_size=2048).map(lambda b: good[:1102] + b)))
    def check(data: bytes) -> None:
        with pytest.raises(BundleRefused):
            _read(data, world.hub.vault_id, key, pair)

    check()


_ID = st.text("0123456789abcdef", min_size=32, max_size=32)
_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2**40) | st.text(max_size=40) | _ID,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=8)


def _frames(card_frame: dict[str, Any], family: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    decision = st.fixed_dictionaries({
        "t": st.just("decision"), "families": st.sampled_from([[family], [], ["x"]]),
        "sections": st.sampled_from([["household"], ["astrology"], []]),
        "restricted": st.integers(-1, 3), "consent": st.sampled_from(["given", "maybe"]),
        "purpose": st.text(max_size=10), "lawful_basis": st.text(max_size=10),
        "reason": st.just(""), "notes": st.just(""), "decided_by": st.just("u"),
        "decided_at": st.just("2026")})
    version = st.fixed_dictionaries({
        "t": st.just("version"), "id": _ID, "family": st.sampled_from([family, "0" * 32]),
        "record": _ID, "kind": st.sampled_from(["entry", "policy", "account", "family"]),
        "parents": st.lists(_ID, max_size=2), "author": st.text(max_size=8),
        "device": st.just("d"), "at": st.just("2026"), "epoch": st.integers(0, 3),
        "group": st.integers(0, 2), "body": st.just("AAAA")})
    group = st.fixed_dictionaries({
        "t": st.just("group"), "index": st.integers(0, 2),
        "family": st.sampled_from([family, "0" * 32]), "epoch": st.integers(0, 2),
        "token": st.just("AAAA")})
    other = st.dictionaries(st.sampled_from(["t", "ids", "family", "signature", "versions"]),
                            _VALUE, max_size=5).map(lambda d: {**d, "t": str(d.get("t", "x"))})
    end = st.fixed_dictionaries({"t": st.just("end"), "versions": st.integers(0, 2)})
    return st.tuples(
        st.sampled_from([[card_frame], []]), st.lists(decision, max_size=1),
        st.lists(st.one_of(group, version, other, end), max_size=5),
    ).map(lambda parts: [*parts[0], *parts[1], *parts[2]])


def test_malicious_partner_frames_are_refused_cleanly(world: World, tmp_path: Path) -> None:
    """The sender is a pinned partner and signs correctly, but the frames are arbitrary:
    only the clean refusal (or, for a well-formed bundle, a normal receipt) may happen."""
    office, hub = world.office, world.hub
    fid, _ = make_family(office, office.owner)
    with office.session(office.owner) as s:
        identity = Identity(s)
        pair, card = identity.keypair(), identity.card()
    from workbook.crypto.encoding import b64

    card_frame = {"t": "card", "card": b64(card.raw), "signature": b64(card.signature)}
    with hub.session(hub.owner) as s:
        hub_public = Identity(s).require()
    counter = iter(range(10**6))

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_frames(card_frame, fid))
    def check(frames: list[dict[str, Any]]) -> None:
        out = tmp_path / f"m{next(counter)}.wbb"
        with out.open("wb") as f:
            bundle_format.write_bundle(f, identity=pair, sender=office.vault_id,
                                       recipient=hub.vault_id, recipient_identity=hub_public,
                                       sequence=1, created_at="2026", payload=iter(frames),
                                       chunk_size=1024)
        with hub.session(hub.owner) as s:
            before = snapshot(s)
            try:
                Receiving(s).receive(out)
            except RefusedBundle:
                assert snapshot(s) == before
        out.unlink()

    check()
