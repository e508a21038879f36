"""Issue 6's sharing figures.

  1. export 10,000 entry versions (200 families x 50 entries) to a partner   (target 2 s)
  2. import them at the partner                                               (target 3 s)
  3. refuse a tampered 100 MB bundle, the vault untouched                     (target 1 s)
  4. peak memory (RSS high-water mark of a fresh process) receiving a 500 MB bundle
                                                                              (target 200 MB)
  5. the ratio of writing a bundle against raw AES-GCM + Ed25519 over the same bytes
  6. receive N small versions (WORKBOOK_BENCH_LOCK_N, default 20,000): the longest time one
     transaction held the write lock (issue 12: applied in batches; target 1 s)

Two vaults are built with the test builders (cheap Argon2id), pinned to each other, in a
temporary folder that is removed afterwards. Run alone with
`.venv/bin/python bench/bench_sharing.py`; WORKBOOK_BENCH_BIG_MB scales figure 4 (default 500).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import common
from common import Row, say
from support import vaults
from support.consent import give_consent
from support.vaults import TeamVault
from workbook.crypto.encoding import b64
from workbook.crypto.keypairs import KeyPair
from workbook.domain.ids import new_id
from workbook.domain.roles import Role
from workbook.services.authority.record_codec import row_ad, sign_version
from workbook.services.authority.sealed_groups import encrypt, group_info, make_token
from workbook.services.sharing.identity import Identity
from workbook.services.sharing.partners import Partners
from workbook.services.sharing.receive_limits import ReceiveLimits
from workbook.services.sharing.receiving import Receiving, RefusedBundle
from workbook.services.sharing.sending import Sharing
from workbook.services.sharing.vouches import vouch_message
from workbook.sync.bundle import write_bundle
from workbook.sync.stream import CHUNK_SIZE

FAMILIES = 200
ENTRIES = 50
SECTIONS = ["household", "case-notes"]


def _world(root: Path) -> tuple[TeamVault, TeamVault]:
    office = vaults.create_team_vault(root / "office", team="Office North")
    hub = vaults.create_team_vault(root / "hub", team="Partner Hub")
    vaults.onboard(hub, (Role.SOCIAL_WORKER,))
    for a, b in ((office, hub), (hub, office)):
        card = root / "card.json"
        with a.session(a.owner) as s:
            fingerprint = Identity(s).export(card).fingerprint
        with b.session(b.owner) as s:
            Partners(s).add(card.read_bytes(), fingerprint)
        card.unlink()
    return office, hub


def _populate(office: TeamVault) -> list[str]:
    families = []
    with office.session(office.owner) as s, s.write():
        for n in range(FAMILIES):
            fid = s.families.add(f"Family {n}", f"R-{n}")
            for e in range(ENTRIES):
                s.families.add_entry(fid, "case-notes", f"entry {e} " + "words " * 60,
                                     date="2026-01-02")
            families.append(fid)
    return families


def _export_import(office: TeamVault, hub: TeamVault, families: list[str], root: Path
                   ) -> list[Row]:
    out = root / "big.wbb"
    with office.session(office.owner) as s:
        give_consent(s, families, "bench")  # a share checks the consent records
        sharing = Sharing(s)
        decision = sharing.decide(partner="Partner Hub", families=families, sections=SECTIONS,
                                  purpose="bench", lawful_basis="bench", consent="given")
        start = time.perf_counter()
        result = sharing.share(decision, out)
        export_s = time.perf_counter() - start
    with hub.session(hub.owner) as s:
        start = time.perf_counter()
        preview = Receiving(s).receive(out)
        import_s = time.perf_counter() - start
    entries = sum(r["versions"] for r in preview.new)
    note = (f"{result.versions} versions ({entries} imported, {FAMILIES * ENTRIES} of them "
            f"entries) in a {out.stat().st_size / 1e6:.1f} MB bundle")
    return [Row("share: export 10,000 entry versions", export_s, "s", target=2.0, note=note),
            Row("receive: verify, preview and import them", import_s, "s", target=3.0)]


def _filler(megabytes: int) -> Iterator[dict[str, Any]]:
    block = "x" * (1024 * 1024)
    for n in range(megabytes):
        yield {"t": "pad", "n": n, "data": block}


def _tampered(office: TeamVault, hub: TeamVault, root: Path) -> list[Row]:
    with office.session(office.owner) as s:
        pair = Identity(s).keypair()
    with hub.session(hub.owner) as s:
        hub_key = Identity(s).require()
    path = root / "tampered.wbb"
    with path.open("wb") as f:
        write_bundle(f, identity=pair, sender=office.vault_id, recipient=hub.vault_id,
                     recipient_identity=hub_key, sequence=1000, created_at="bench",
                     payload=_filler(100))
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(size // 2)
        byte = f.read(1)
        f.seek(size // 2)
        f.write(bytes([byte[0] ^ 1]))
    with hub.session(hub.owner) as s:
        before = _rows(s)
        start = time.perf_counter()
        try:
            Receiving(s).receive(path)
            raise AssertionError("a tampered bundle was accepted")
        except RefusedBundle:
            refuse_s = time.perf_counter() - start
        assert _rows(s) == before
    path.unlink()
    return [Row("refuse a tampered 100 MB bundle", refuse_s, "s", target=1.0,
                note="vault rows compared before and after: unchanged")]


def _rows(s: Any) -> dict[str, int]:
    tables = [str(r[0]) for r in s.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: s.conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _big_bundle(office: TeamVault, hub: TeamVault, path: Path, megabytes: int,
                count: int | None = None, text_bytes: int = 1024 * 1024,
                sequence: int = 2000) -> int:
    """A valid bundle of about `megabytes` MB: versions of 1 MB by an author of the office
    whom the hub never certified, vouched for by the office (or `count` versions of
    `text_bytes`)."""
    with office.session(office.owner) as s:
        identity = Identity(s)
        pair, card = identity.keypair(), identity.card()
        hub_card = Partners(s).card_of(Partners(s).resolve(hub.vault_id))
        fid = s.families.add("Big family", "B-1")
    bundle_id = new_id()
    target = hub_card.sections["case-notes"]
    author_id, author = new_id(), KeyPair.generate()
    text = "words " * (text_bytes // 8)
    count = count if count is not None else max(1, int(megabytes / 1.02))

    def frames() -> Iterator[dict[str, Any]]:
        yield {"t": "card", "card": b64(card.raw), "signature": b64(card.signature)}
        yield {"t": "decision", "decision_id": bundle_id, "families": [fid],
               "sections": ["case-notes"], "restricted": 0, "purpose": "bench",
               "lawful_basis": "bench", "consent": "given", "reason": "", "notes": "",
               "decided_by": author_id, "decided_at": "bench"}
        key, token = make_token(target.public, "case-notes", fid,
                                group_info(hub.vault_id, bundle_id, 0, target.epoch))
        yield {"t": "group", "index": 0, "family": fid, "epoch": target.epoch,
               "token": b64(token)}
        ids = []
        for n in range(count):
            v = sign_version(author, family_id=fid, record_id=new_id(), kind="entry",
                             section="case-notes", parents=(), author=author_id, device="d",
                             created_at=f"2026-01-01T00:00:{n % 60:02d}.{n:06d}+00:00",
                             payload={"text": f"{n} {text}", "date": "2026-01-01",
                                      "type": "note", "significant": False})
            ids.append(v.version_id)
            yield {"t": "version", "id": v.version_id, "family": fid, "record": v.record_id,
                   "kind": "entry", "parents": [], "author": author_id, "device": "d",
                   "at": v.created_at, "epoch": target.epoch, "group": 0,
                   "body": b64(encrypt(key, v.plaintext(), row_ad(
                       v.version_id, fid, v.record_id, "entry", None, target.epoch, "[]",
                       author_id, "d", v.created_at, True)))}
        ids.sort()
        yield {"t": "vouch", "family": fid, "ids": ids,
               "signature": b64(pair.sign(vouch_message(office.vault_id, hub.vault_id,
                                                        bundle_id, fid, ids)))}
        yield {"t": "end", "versions": count}

    with path.open("wb") as f:
        write_bundle(f, identity=pair, sender=office.vault_id, recipient=hub.vault_id,
                     recipient_identity=hub_card.identity, sequence=sequence, created_at="bench",
                     bundle_id=bundle_id, payload=frames())
    return count


_CHILD = """
import json, resource, sys
sys.path[:0] = {paths!r}
import common
common.install_memory_keyring()
from workbook.vault import device_secret
device_secret.store_device_secret({vault_id!r}, bytes.fromhex({secret!r}))
from workbook.services.access.sign_in import sign_in
from workbook.services.sharing.receive_limits import ReceiveLimits
from workbook.services.sharing.receiving import Receiving
s = sign_in(__import__('pathlib').Path({vault!r}), {user!r}, {passphrase!r})
# The figure is about streaming memory, so the per-bundle byte cap is raised for it.
result = Receiving(s, ReceiveLimits(max_bytes=1 << 40)).receive(
    __import__('pathlib').Path({bundle!r}))
s.lock()
# VmHWM, not ru_maxrss: after fork and exec, ru_maxrss still counts the parent's peak.
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")]
peak = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"applied": result.applied, "maxrss_kb": peak}}))
"""


def _peak_memory(office: TeamVault, hub: TeamVault, root: Path) -> list[Row]:
    megabytes = int(os.environ.get("WORKBOOK_BENCH_BIG_MB", "500"))
    path = root / "huge.wbb"
    say(f"   writing a {megabytes} MB bundle")
    count = _big_bundle(office, hub, path, megabytes)
    size = path.stat().st_size
    code = _CHILD.format(
        paths=[str(common.BENCH_DIR), str(common.REPO / "src"), str(common.REPO / "tests")],
        vault_id=hub.vault_id, secret=hub.device_secret.hex(), vault=str(hub.path),
        user=hub.owner.username, passphrase=hub.owner.passphrase, bundle=str(path))
    say(f"   receiving it in a fresh process ({count} versions)")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["applied"]
    path.unlink()
    return [Row(f"receive a {size / 1e6:.0f} MB bundle: peak memory",
                result["maxrss_kb"] / 1024, "MB", target=200.0,
                note=f"RSS high-water mark of the receiving process; {count} versions of "
                     f"1 MB, received in {took:.1f} s")]


def _lock_hold(office: TeamVault, hub: TeamVault, root: Path) -> list[Row]:
    count = int(os.environ.get("WORKBOOK_BENCH_LOCK_N", "20000"))
    path = root / "many.wbb"
    say(f"   writing a bundle of {count} small versions")
    _big_bundle(office, hub, path, 0, count=count, text_bytes=400, sequence=3000)
    with hub.session(hub.owner) as s:
        start = time.perf_counter()
        preview = Receiving(s, ReceiveLimits()).receive(path)
        took = time.perf_counter() - start
    assert preview.applied
    path.unlink()
    return [Row(f"receive {count:,} versions: longest write-lock hold",
                preview.longest_write_s * 1000, "ms", target=1000.0,
                note=f"{preview.transactions} transactions; the whole receive took {took:.1f} s "
                     "(before issue 12 one transaction held the lock all that time)")]


def _ratio(office: TeamVault, hub: TeamVault) -> list[Row]:
    with office.session(office.owner) as s:
        pair = Identity(s).keypair()
    with hub.session(hub.owner) as s:
        hub_key = Identity(s).require()
    megabytes = 50
    sink = io.BytesIO()
    start = time.perf_counter()
    write_bundle(sink, identity=pair, sender=office.vault_id, recipient=hub.vault_id,
                 recipient_identity=hub_key, sequence=1, created_at="bench",
                 payload=_filler(megabytes))
    bundle_s = time.perf_counter() - start
    data = b"x" * (1024 * 1024)
    aead = AESGCM(os.urandom(32))
    start = time.perf_counter()
    digest = hashlib.sha512()
    counter = 0
    for _ in range(megabytes):
        for off in range(0, len(data), CHUNK_SIZE):
            nonce = counter.to_bytes(12, "big")
            digest.update(aead.encrypt(nonce, data[off:off + CHUNK_SIZE], b""))
            counter += 1
    pair.sign(digest.digest())
    raw_s = time.perf_counter() - start
    return [Row(f"write a {megabytes} MB bundle", bundle_s * 1000, "ms", floor=raw_s * 1000,
                note="floor: raw AES-GCM in 64 KiB chunks + SHA-512 + one Ed25519 signature "
                     "over the same bytes")]


def run() -> list[Row]:
    common.install_memory_keyring()
    root = Path(tempfile.mkdtemp(prefix="bench-sharing-"))
    try:
        say("   building two pinned vaults")
        office, hub = _world(root)
        say(f"   writing {FAMILIES} families x {ENTRIES} entries")
        families = _populate(office)
        rows = _export_import(office, hub, families, root)
        rows += _tampered(office, hub, root)
        rows += _ratio(office, hub)
        rows += _lock_hold(office, hub, root)
        rows += _peak_memory(office, hub, root)
        return rows
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    common.print_table(run(), "sharing")
