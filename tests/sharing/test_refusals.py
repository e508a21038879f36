"""Hostile bundles: every refusal is specific and leaves the vault unchanged (compared with what
`show --json` prints and the row count of every table, before and after)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from sharing_support import CORE, World, make_family, receive, share, snapshot

from workbook.crypto.keypairs import KeyPair
from workbook.services.errors import InvalidInput
from workbook.services.sharing.identity import Identity
from workbook.services.sharing.partners import Partners
from workbook.services.sharing.receiving import Receiving, RefusedBundle
from workbook.sync import bundle as bundle_format
from workbook.sync.bundle import check_bundle
from workbook.sync.errors import BundleRefused
from workbook.sync.stream import TAG_BYTES


def refused(world: World, path: Path, match: str) -> None:
    hub = world.hub
    with hub.session(hub.owner) as s:
        before = snapshot(s)
        with pytest.raises(RefusedBundle, match=match):
            Receiving(s).receive(path)
        with pytest.raises(RefusedBundle, match=match):
            Receiving(s).receive(path, dry_run=True)
        assert snapshot(s) == before


@pytest.fixture
def bundle(world: World, tmp_path: Path) -> Path:
    fid, _ = make_family(world.office, world.office.owner, entries=30)
    return share(world.office, world.office.owner, world.hub, [fid], CORE,
                 tmp_path / "b.wbb", chunk_size=1024)


def _chunk_region(path: Path) -> tuple[int, int, int]:
    """Offset where the chunks start, the sealed chunk size, and the body end."""
    with path.open("rb") as f:
        _pre, _raw, header, _sig = bundle_format.read_header(f)
        body = f.tell()
        klen = int.from_bytes(f.read(4), "big")
    return body + 4 + klen, header.chunk_size + TAG_BYTES, body + header.body_bytes


def test_not_addressed_to_this_vault(world: World, tmp_path: Path) -> None:
    fid, _ = make_family(world.office, world.office.owner)
    out = share(world.office, world.office.owner, world.laptop, [fid], CORE, tmp_path / "l.wbb")
    refused(world, out, "addressed to another vault")


def test_unpinned_and_removed_partner(world: World, bundle: Path, tmp_path: Path) -> None:
    with world.hub.session(world.hub.owner) as s:
        Partners(s).remove("Office North")
    refused(world, bundle, "removed as a partner")
    # A stranger's bundle, correctly formed, signed by a key nobody pinned.
    stranger = KeyPair.generate()
    with world.hub.session(world.hub.owner) as s:
        hub_identity = Identity(s).require()
    out = tmp_path / "stranger.wbb"
    with out.open("wb") as f:
        bundle_format.write_bundle(f, identity=stranger, sender="strangervault01",
                                   recipient=world.hub.vault_id, recipient_identity=hub_identity,
                                   sequence=1, created_at="2026-01-01", payload=iter([]))
    refused(world, out, "not a partner")


def test_replay_says_already_received(world: World, bundle: Path) -> None:
    first = receive(world.hub, world.hub.owner, bundle)
    assert first.applied
    with world.hub.session(world.hub.owner) as s:
        before = snapshot(s)
        again = Receiving(s).receive(bundle)
        assert again.already_received and not again.applied
        assert snapshot(s) == before


def test_unknown_version_and_not_a_bundle(world: World, bundle: Path, tmp_path: Path) -> None:
    data = bytearray(bundle.read_bytes())
    data[8:10] = (2).to_bytes(2, "big")
    other = tmp_path / "v2.wbb"
    other.write_bytes(bytes(data))
    refused(world, other, "format version 2")
    junk = tmp_path / "junk.wbb"
    junk.write_bytes(b"PK\x03\x04 not a bundle at all")
    refused(world, junk, "not a Workbook bundle")
    refused(world, tmp_path / "missing.wbb", "does not exist")


def test_truncated_at_every_chunk_boundary_and_extended(world: World, bundle: Path,
                                                        tmp_path: Path) -> None:
    start, sealed, end = _chunk_region(bundle)
    data = bundle.read_bytes()
    assert end == len(data) and (end - start) // sealed >= 3
    cut = tmp_path / "cut.wbb"
    boundaries = list(range(start, end, sealed))
    for offset in boundaries:
        cut.write_bytes(data[:offset])
        refused(world, cut, "truncated")
    cut.write_bytes(data + b"\0" * 17)
    refused(world, cut, "extended")


def test_truncation_with_a_matching_header_fails_in_the_stream(world: World, bundle: Path
                                                               ) -> None:
    """Even if the digest check were bypassed, the STREAM layer refuses a cut at a boundary:
    the new last chunk was sealed as not final."""
    start, sealed, end = _chunk_region(bundle)
    data = bundle.read_bytes()
    with world.hub.session(world.hub.owner) as s:
        pair = Identity(s).keypair()
        checked = Receiving(s).check(bundle)[0]
        for offset in range(start + sealed, end, sealed):
            short = bundle_format.CheckedBundle(checked.path, checked.header, checked.body_offset,
                                                checked.ad_header)
            cut = bundle.with_name("short.wbb")
            cut.write_bytes(data[:offset])
            object.__setattr__(short, "path", cut)
            header = checked.header
            object.__setattr__(short, "header", bundle_format.Header(
                header.sender, header.recipient, header.bundle_id, header.sequence,
                header.created_at, header.chunk_size, offset - checked.body_offset,
                header.digest))
            with pytest.raises(BundleRefused):
                list(short.frames(pair))


def test_reordered_chunks_are_refused(world: World, bundle: Path, tmp_path: Path) -> None:
    start, sealed, end = _chunk_region(bundle)
    data = bytearray(bundle.read_bytes())
    a, b = start, start + sealed
    data[a:a + sealed], data[b:b + sealed] = data[b:b + sealed], data[a:a + sealed]
    out = tmp_path / "swapped.wbb"
    out.write_bytes(bytes(data))
    refused(world, out, "altered")


def test_every_single_byte_change_is_refused(world: World, tmp_path: Path) -> None:
    """Every byte of a small bundle, flipped, fails the reader; a sample (every 11th byte of
    the header and signature, every 397th of the body) also goes through the service and
    leaves the vault unchanged."""
    fid, _ = make_family(world.office, world.office.owner)
    path = share(world.office, world.office.owner, world.hub, [fid], ["household"],
                 tmp_path / "small.wbb")
    data = path.read_bytes()
    with world.office.session(world.office.owner) as s:
        office_key = Identity(s).require()
    with world.hub.session(world.hub.owner) as s:
        hub_pair = Identity(s).keypair()
    bad = tmp_path / "bad.wbb"
    for i in range(len(data)):
        changed = bytearray(data)
        changed[i] ^= 0x5A
        frozen = bytes(changed)
        with pytest.raises(BundleRefused):
            checked = check_bundle(bad, this_vault=world.hub.vault_id,
                                   sender_key=lambda _s: office_key,
                                   opener=lambda: io.BytesIO(frozen))  # noqa: B023
            list(checked.frames(hub_pair))
    with world.hub.session(world.hub.owner) as s:
        before = snapshot(s)
        receiving = Receiving(s)
        for i in [*range(0, 1102, 11), *range(1102, len(data), 397)]:
            changed = bytearray(data)
            changed[i] ^= 0x01
            bad.write_bytes(bytes(changed))
            with pytest.raises(RefusedBundle):
                receiving.receive(bad)
        assert snapshot(s) == before
    shutil.copy(path, bad)
    assert receive(world.hub, world.hub.owner, bad).applied  # the untouched copy is accepted


def test_section_names_this_vault_does_not_know(world: World, tmp_path: Path) -> None:
    """A partner's card naming an unknown section is refused at pinning and in a bundle."""
    from workbook.sync.card import make_card

    pair = KeyPair.generate()
    card = make_card(pair, vault_id="futurevault01", team="Future Team",
                     sections={"household": (1, pair.public), "astrology": (1, pair.public)},
                     issued_at="2026-01-01")
    with world.hub.session(world.hub.owner) as s:
        before = snapshot(s)
        with pytest.raises(InvalidInput, match="the card names sections this vault does not "
                           r"know \(astrology\)"):
            Partners(s).add(card.to_file(), card.fingerprint)
        assert snapshot(s) == before


def test_a_record_cannot_move_to_another_family(world: World, tmp_path: Path) -> None:
    """A bundle reusing a record id the hub already holds in another family is refused."""
    office, hub = world.office, world.hub
    fid, eid = make_family(office, office.owner)
    receive(hub, hub.owner, share(office, office.owner, hub, [fid], CORE, tmp_path / "a.wbb"))
    other, _ = make_family(office, office.owner)
    with office.session(office.owner) as s, s.write():
        # The office's own database, rewritten by a holder of its key: the entry's id reused
        # in another family. The office still signs and vouches for what it sends.
        s.records.write(family_id=other, record_id=eid, kind="entry",
                        section="home-visit-safety",
                        payload={"text": "moved", "date": "2026-01-01", "type": "note",
                                 "significant": False})
    out = share(office, office.owner, hub, [other], CORE, tmp_path / "b.wbb")
    refused(world, out, "move a record to another family")
