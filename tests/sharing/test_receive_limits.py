"""What one bundle and one partner may add, and large bundles applied in batches (issue 12).

A pinned partner can still be hostile: its bundle is refused over a cap (versions or bytes per
bundle, versions per partner in a rolling period) with a message naming the cap and its value,
the vault unchanged; a bundle under the caps is written in several short transactions, counted
here (never timed), and is complete afterwards; a second import changes nothing; a crash
between batches leaves a state that importing the bundle again completes."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from sharing_support import CORE, World, make_family, share, snapshot

from workbook.services.sharing import receive_limits
from workbook.services.sharing.receive_limits import ReceiveLimits
from workbook.services.sharing.receiving import Receiving, RefusedBundle
from workbook.sync import bundle as bundle_format


def _big(world: World, tmp_path: Path, entries: int = 30) -> Path:
    fid, _ = make_family(world.office, world.office.owner, entries=entries)
    return share(world.office, world.office.owner, world.hub, [fid], CORE, tmp_path / "b.wbb")


def _versions(world: World) -> int:
    with world.hub.session(world.hub.owner) as s:
        return int(s.conn.execute("SELECT count(*) FROM versions").fetchone()[0])


def test_a_bundle_over_the_version_cap_is_refused_naming_the_cap(
        world: World, tmp_path: Path) -> None:
    path = _big(world, tmp_path)
    hub = world.hub
    with hub.session(hub.owner) as s:
        before = snapshot(s)
        with pytest.raises(RefusedBundle, match=r"more than 10 versions, the cap for one bundle"
                           ) as refused:
            Receiving(s, ReceiveLimits(max_versions=10)).receive(path)
        assert "\n" not in str(refused.value)
        assert snapshot(s) == before
        # Under the default caps the same bundle is accepted.
        assert Receiving(s).receive(path).applied


def test_a_bundle_over_the_byte_cap_is_refused_before_its_body_is_read(
        world: World, tmp_path: Path) -> None:
    path = _big(world, tmp_path)
    with world.hub.session(world.hub.owner) as s:
        before = snapshot(s)
        with pytest.raises(RefusedBundle, match=r"over this vault's cap of 4,096 bytes per bundle"):
            Receiving(s, ReceiveLimits(max_bytes=4096)).receive(path)
        assert snapshot(s) == before


def test_a_partner_over_its_cap_per_period_is_refused(world: World, tmp_path: Path) -> None:
    first = _big(world, tmp_path, entries=5)
    fid, _ = make_family(world.office, world.office.owner, entries=5)
    second = share(world.office, world.office.owner, world.hub, [fid], CORE,
                   tmp_path / "second.wbb")
    with world.hub.session(world.hub.owner) as s:
        limits = ReceiveLimits(partner_versions=15)
        done = Receiving(s, limits).receive(first)
        assert done.applied and 0 < done.partner_received <= 15
        assert done.to_json()["caps"]["partner_versions"] == 15
        before = snapshot(s)
        with pytest.raises(RefusedBundle, match=r"cap of 15 versions per partner in 30 days"):
            Receiving(s, limits).receive(second)
        assert snapshot(s) == before


def test_a_large_bundle_is_applied_in_batches_and_complete_afterwards(
        world: World, tmp_path: Path) -> None:
    path = _big(world, tmp_path, entries=40)
    with world.hub.session(world.hub.owner) as s:
        preview = Receiving(s).receive(path, dry_run=True)
    with world.hub.session(world.hub.owner) as s:
        done = Receiving(s, ReceiveLimits(batch_size=7)).receive(path)
        assert done.applied
        new = done.versions - done.known_versions
        assert new > 21
        assert done.transactions >= new // 7 + 1, done.transactions
        after = snapshot(s)
        family = preview.families[0]
        present = s.conn.execute("SELECT count(*) FROM versions WHERE family_id = ?",
                                 (family,)).fetchone()[0]
        assert present == preview.versions, "every version of the bundle is present"
        again = Receiving(s, ReceiveLimits(batch_size=7)).receive(path)
        assert again.already_received and not again.applied
        assert snapshot(s) == after


def test_a_bundle_kept_on_disk_between_passes_is_written_from_the_second_pass(
        world: World, tmp_path: Path) -> None:
    """Over the memory budget, the writer reads the bundle again, writing only what the first
    pass validated."""
    path = _big(world, tmp_path, entries=20)
    with world.hub.session(world.hub.owner) as s:
        done = Receiving(s, ReceiveLimits(batch_size=5, keep_in_memory=0)).receive(path)
        assert done.applied and done.transactions > 2
        assert Receiving(s).receive(path).already_received


def test_a_crash_between_batches_is_completed_by_importing_again(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _big(world, tmp_path, entries=30)
    before = _versions(world)

    def crash(self: receive_limits.BatchWriter, last: object) -> None:
        raise KeyboardInterrupt("power cut before the last batch")

    with world.hub.session(world.hub.owner) as s:
        with monkeypatch.context() as m:
            m.setattr(receive_limits.BatchWriter, "finish", crash)
            with pytest.raises(KeyboardInterrupt):
                Receiving(s, ReceiveLimits(batch_size=5)).receive(path)
        partial = _versions(world)
        assert before < partial, "the earlier batches were committed"
        done = Receiving(s, ReceiveLimits(batch_size=5)).receive(path)
        assert done.applied and not done.already_received
        complete = snapshot(s)
        assert Receiving(s).receive(path).already_received
        assert snapshot(s) == complete
    assert _versions(world) > partial


def test_a_bundle_header_of_deeply_nested_json_is_refused_in_one_line(
        world: World, tmp_path: Path) -> None:
    header = b"[" * 16000 + b"]" * 384
    path = tmp_path / "nested.wbb"
    path.write_bytes(struct.pack(">8sHI", bundle_format.MAGIC, bundle_format.FORMAT,
                                 len(header)) + header + b"\0" * 64 + b"x" * 100)
    with world.hub.session(world.hub.owner) as s:
        before = snapshot(s)
        with pytest.raises(RefusedBundle, match="header is malformed") as refused:
            Receiving(s).receive(path)
        assert "\n" not in str(refused.value)
        assert snapshot(s) == before


def test_an_oversized_bundle_header_is_refused(world: World, tmp_path: Path) -> None:
    header = b'{"a":"' + b"x" * (bundle_format.MAX_HEADER + 10) + b'"}'
    path = tmp_path / "huge-header.wbb"
    path.write_bytes(struct.pack(">8sHI", bundle_format.MAGIC, bundle_format.FORMAT,
                                 len(header)) + header + b"\0" * 64)
    with world.hub.session(world.hub.owner) as s:
        before = snapshot(s)
        with pytest.raises(RefusedBundle, match="header is malformed"):
            Receiving(s).receive(path)
        assert snapshot(s) == before
