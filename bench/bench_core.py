"""Issue 2's speed figures on 2,000 families x 50 entries, each beside its floor.

  1. Argon2id alone with the production parameters (64 MiB, t=3, p=4)
  2. unlock = sign_in minus its KDF (measured on the cheap-KDF fixture)
  3. open one family and decrypt everything the user may see (audit off and on)
  4. add an entry
  5. list all families
  6. floors: the same open-family work on plain sqlite3 (same DDL, same rows, bodies as opaque
     blobs, JSON parsing of the equivalent plaintext), and raw AES-GCM / Ed25519 / HKDF over
     the same bodies, to show where the time goes.

The reader is the fixture's social worker (`sw1`: core sections + education, 41 of a family's
53 versions); the police officer (`pc1`: core + police + channel) is measured too, because
reading a restricted section adds sealed audit details. Run alone with
`.venv/bin/python bench/bench_core.py`, or with every benchmark through `make bench`.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import random
import sqlite3
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import common
from common import Row, Timing, each, repeat, say
from workbook.crypto.encoding import fields, unb64
from workbook.crypto.passphrase_kdf import PRODUCTION_KDF, new_salt, stretch
from workbook.crypto.symmetric import hkdf
from workbook.services.access.sign_in import sign_in
from workbook.services.authority.record_codec import RecordVersion, row_ad, signed_message
from workbook.services.authority.section_keys import row_tag, tag_key
from workbook.services.session import Session
from workbook.vault import version_store
from workbook.vault.database import connect
from workbook.vault.version_store import VersionRow

READER = "sw1"
POLICE = "pc1"
SAMPLE = 50  # families per open-family figure
ADDS = 100
LISTS = 10
FIRST_LISTS = 5
UNLOCKS = 10
KDF_RUNS = 5
PROFILED = 20  # families opened under cProfile
SELECT = (
    "SELECT family_id, version_id, record_id, kind, section_tag, epoch, parents, author, "
    "device, created_at, sealed, body FROM versions WHERE family_id = ?"
)
OPEN_TARGET_MS = 20.0
ADD_TARGET_MS = 10.0
LIST_TARGET_MS = 50.0
RATIO_TARGET = 1.3


def run() -> list[Row]:
    fx, work = common.prepare()
    built = "reused from bench/.cache" if fx.reused else "built now"
    rows = [Row(
        f"fixture: {fx.families:,} families x {fx.entries} entries + 3 household records "
        f"= {fx.versions:,} versions",
        fx.build_seconds, "s",
        note=f"fixture build time, {built} (built {fx.built_at}; cheap Argon2id; one "
             f"transaction per writer per {common.CHUNK} families)",
    )]
    rows += _kdf_and_unlock(work)
    with sign_in(work, READER, common.PASSPHRASES[READER]) as sw, \
            sign_in(work, POLICE, common.PASSPHRASES[POLICE]) as pc:
        families = version_store.all_family_ids(sw.conn)
        picks = random.Random(7).sample(families, 5 * SAMPLE + ADDS + PROFILED + 1)
        batches = [picks[i * SAMPLE:(i + 1) * SAMPLE] for i in range(5)]
        rest = picks[5 * SAMPLE:]
        adds, profiled, warmup = rest[:ADDS], rest[ADDS:ADDS + PROFILED], rest[-1]
        sw.workbooks.open(warmup, audit=False)  # imports and the user-name cache, once
        pc.workbooks.open(warmup, audit=False)

        say("open family ...")
        open_off = each(lambda f: sw.workbooks.open(f, audit=False), batches[0])
        open_on = each(sw.workbooks.open, batches[1])
        police_on = each(pc.workbooks.open, batches[2])
        warm = repeat(lambda: sw.workbooks.open(batches[0][0], audit=False), 20)
        records_only = each(sw.records.of_family, batches[3])
        sqlcipher_select = each(lambda f: sw.conn.execute(SELECT, (f,)).fetchall(), batches[4])
        visible = statistics.mean(len(sw.records.of_family(f)) for f in batches[0][:10])

        say("add entry, list families ...")
        text = common._text(random.Random(1), 100, 100)
        add = each(lambda f: sw.families.add_entry(f, "case-notes", text, "2025-06-01"), adds)
        listing = repeat(sw.families.all, LISTS)
        listed = len(sw.families.all())
        kind_select = repeat(lambda: list(version_store.of_kind(sw.conn, "family")), LISTS)

        say("floors: plain SQLite copy, raw crypto ...")
        plain_path = _plain_copy(sw, work.parent / "plain.db")
        floors = _floors(sw, plain_path, batches[0], batches[4])
        list_floor, list_verify = _list_floors(sw, plain_path)
        add_floor = _add_floor(plain_path, len(text))

        say("profile ...")
        top = _profile(lambda: [sw.workbooks.open(f) for f in profiled],
                       common.CACHE / "profile-open.txt",
                       f"open family x{PROFILED} (audit on), {READER}")
        _profile(sw.families.all, common.CACHE / "profile-list.txt",
                 f"list all families x1, {READER}")

    first_list = common.Timing()  # the listing kept for the session is not there yet
    for _ in range(FIRST_LISTS):
        with sign_in(work, READER, common.PASSPHRASES[READER]) as again:
            first_list.samples.extend(repeat(again.families.all, 1).samples)
    select_json = floors.select_json.median_ms
    rows += [
        Row(f"open family, {READER}, decrypt all visible (~{visible:.0f} versions), audit off",
            open_off.median_ms, target=OPEN_TARGET_MS, floor=select_json,
            ratio_target=RATIO_TARGET,
            note=f"median over {SAMPLE} random families, each opened once ({open_off.spread()});"
                 " floor = the same SELECT on plain sqlite3 (same DDL and rows, no encryption)"
                 " + JSON parsing of the same plaintexts"),
        Row(f"open family, {READER}, audit on (as the app does)", open_on.median_ms,
            target=OPEN_TARGET_MS, floor=select_json, ratio_target=RATIO_TARGET,
            note=f"adds family_opened and, as {READER} reads education, a section_read event "
                 f"with an HPKE-sealed detail; hash chain, Ed25519 signs, one committed "
                 f"transaction (WAL, synchronous=FULL) ({open_on.spread()})"),
        Row(f"open family, {POLICE} (core + police + channel), audit on", police_on.median_ms,
            target=OPEN_TARGET_MS, floor=select_json,
            note=f"two section_read events (police, channel), each HPKE-sealed (ML-KEM-768 + "
                 f"X25519) ({police_on.spread()})"),
        Row("open family, same family again (warm caches), audit off", warm.median_ms,
            target=OPEN_TARGET_MS, floor=select_json),
        Row("  of which records.of_family (SELECT + decrypt + verify)",
            records_only.median_ms, floor=select_json),
        Row("  SELECT one family on SQLCipher (rows only)", sqlcipher_select.median_ms,
            floor=floors.select_only.median_ms,
            note="families outside the open-family sample, so the page cache is cold for "
                 "them in both databases; floor = the same SELECT on plain sqlite3"),
        Row("  floor + view assembly (plain SQLite, no crypto, same Workbooks code)",
            floors.app_no_crypto.median_ms, floor=select_json),
        Row("  raw AES-256-GCM decrypt of the visible bodies", floors.aes.median_ms),
        Row("  raw Ed25519 verify of the visible versions", floors.ed25519.median_ms),
        Row("  raw HKDF + HMAC per family (content keys, section tags)", floors.keys.median_ms),
        Row("open family vs sum of floors (SQLite + JSON + AES + Ed25519 + HKDF)",
            open_off.median_ms, floor=floors.total_ms),
        Row(f"add an entry ({READER}, case-notes, 100 words)", add.median_ms,
            target=ADD_TARGET_MS, floor=add_floor.median_ms,
            note=f"median of {ADDS} into random families, each its own transaction with its "
                 f"audit event ({add.spread()}); floor = INSERT of a row of the same size + "
                 "COMMIT on plain sqlite3, WAL, synchronous=FULL"),
        Row(f"list all families ({listed:,}, families.all)", listing.median_ms,
            target=LIST_TARGET_MS, floor=list_floor.median_ms,
            note=f"median of {LISTS} ({listing.spread()}); floor = SELECT of the family rows "
                 "(same query) on plain sqlite3 + JSON parsing of the same plaintexts"),
        Row("list all families, the first call after sign-in", first_list.median_ms,
            target=LIST_TARGET_MS, floor=list_floor.median_ms,
            note=f"one call in each of {FIRST_LISTS} fresh sign-ins ({first_list.spread()}); "
                 "later calls fold in only what the version log adds (family_list.py)"),
        Row("  SELECT the family rows on SQLCipher (rows only)", kind_select.median_ms,
            floor=list_floor.median_ms),
        Row(f"  raw Ed25519 verify of {listed:,} family versions", list_verify.median_ms),
    ]
    print(f"\ncProfile, open family x{PROFILED} (audit on), top 10 by cumulative time "
          "(top 15 in bench/.cache/profile-open.txt):")
    print(top)
    return rows


# --------------------------------------------------------------------------------------------
# 1-2: KDF and unlock
# --------------------------------------------------------------------------------------------


def _kdf_and_unlock(work: Path) -> list[Row]:
    say("Argon2id, sign-in ...")
    passphrase = common.PASSPHRASES[READER]
    production = repeat(lambda: stretch(passphrase, new_salt(), PRODUCTION_KDF), KDF_RUNS)
    cheap = repeat(lambda: stretch(passphrase, new_salt(), common.CHEAP_KDF), 20, warmup=2)
    sessions: list[Session] = []
    signing_in = repeat(lambda: sessions.append(sign_in(work, READER, passphrase)), UNLOCKS)
    locking = each(lambda s: s.lock(), sessions)
    unlock_ms = signing_in.median_ms - cheap.median_ms
    p = PRODUCTION_KDF
    return [
        Row(f"Argon2id KDF alone, production ({p.memory_kib // 1024} MiB, t={p.iterations}, "
            f"p={p.lanes})", production.median_ms, note=f"median of {KDF_RUNS} "
            f"({production.spread()}); cheap test KDF (8 MiB, t=1, p=1): {cheap.median_ms:.2f} ms"),
        Row("unlock = sign-in minus KDF", unlock_ms,
            note=f"median of {UNLOCKS} sign_in() on the cheap-KDF fixture ({signing_in.spread()})"
                 f" minus the cheap KDF; includes key file, HPKE unwraps, SQLCipher open, trust "
                 f"chain, section grants, policy check, sign_in audit event"),
        Row("unlock + production KDF (what a user waits)", unlock_ms + production.median_ms),
        Row("lock (sign out)", locking.median_ms),
    ]


# --------------------------------------------------------------------------------------------
# 6: floors
# --------------------------------------------------------------------------------------------


@dataclass
class Visible:
    """One version the reader may see, with everything its open needs precomputed."""

    version_id: str
    section: str
    plaintext: bytes
    aead: AESGCM
    nonce: bytes
    ciphertext: bytes
    ad: bytes
    signature: bytes
    message: bytes
    author_key: ed25519.Ed25519PublicKey


@dataclass
class Floors:
    select_json: Timing
    select_only: Timing
    app_no_crypto: Timing
    aes: Timing
    ed25519: Timing
    keys: Timing

    @property
    def total_ms(self) -> float:
        return (self.select_json.median_ms + self.aes.median_ms + self.ed25519.median_ms
                + self.keys.median_ms)


def _plain_copy(sw: Session, path: Path) -> Path:
    """The versions table on plain sqlite3: the DDL read from the vault itself (so it is
    migrations.py's, WITHOUT ROWID, clustered by family), the rows copied as they are, bodies
    as opaque blobs, inserted in creation order so the B-tree grows as the vault's did."""
    if path.exists():
        path.unlink()
    source = connect(sw.vault_dir, sw.vault_key)
    plain = sqlite3.connect(path, isolation_level=None)
    try:
        plain.execute("PRAGMA synchronous = OFF")
        ddl = source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'versions' AND sql IS NOT NULL "
            "AND type IN ('table', 'index') "  # not the version log's triggers: Workbook's own
            "ORDER BY type DESC"  # the table before its indexes
        ).fetchall()
        plain.execute("BEGIN")
        for (statement,) in ddl:
            plain.execute(statement)
        cursor = source.execute("SELECT * FROM versions ORDER BY created_at")
        while batch := cursor.fetchmany(5000):
            plain.executemany(f"INSERT INTO versions VALUES ({', '.join('?' * 12)})", batch)
        plain.execute("COMMIT")
    finally:
        plain.close()
        source.close()
    return path


def _visible(sw: Session, family_id: str) -> list[Visible]:
    """Decrypt once, outside any timing, what the reader may see of one family."""
    out = []
    tags = sw.keys.tags_for_family(family_id)
    for row in version_store.of_family(sw.conn, family_id):
        found = tags.get(row.section_tag or b"")
        if row.sealed or found is None or not sw.records.can_read(found[0]):
            continue
        section, epoch = found
        ad = row_ad(row.version_id, row.family_id, row.record_id, row.kind, row.section_tag,
                    row.epoch, row.parents, row.author, row.device, row.created_at, row.sealed)
        aead: AESGCM = sw.keys.cipher(section, epoch, family_id)._aead  # the raw primitive
        plaintext = aead.decrypt(row.body[:12], row.body[12:], ad)
        envelope = json.loads(plaintext)
        message = signed_message(
            row.family_id, row.record_id, row.kind, section, tuple(json.loads(row.parents)),
            row.author, row.device, row.created_at, envelope["p"].encode(),
        )
        out.append(Visible(
            row.version_id, section, plaintext, aead, row.body[:12], row.body[12:], ad,
            unb64(envelope["sig"]), message, sw.trust.keys_of(row.author)[0].signing,
        ))
    return out


def _floors(sw: Session, plain_path: Path, sample: list[str], cold: list[str]) -> Floors:
    visible = {f: _visible(sw, f) for f in sample}
    plaintexts = {v.version_id: v.plaintext for vs in visible.values() for v in vs}
    readable = [s.value for s in sw.records.readable_sections()]

    def parse(conn: sqlite3.Connection, family_id: str) -> list[tuple[VersionRow, Any]]:
        out = []
        for r in conn.execute(SELECT, (family_id,)):
            row = version_store._row(r)
            plaintext = plaintexts.get(row.version_id)
            if plaintext is None:  # a section this reader may not see
                continue
            envelope = json.loads(plaintext)
            out.append((row, (envelope["s"], json.loads(envelope["p"]),
                              tuple(json.loads(row.parents)))))
        return out

    def assemble(conn: sqlite3.Connection, family_id: str) -> None:
        versions = [
            RecordVersion(row.version_id, row.family_id, row.record_id, row.kind, section,
                          parents, row.author, row.device, row.created_at, payload, row.sealed)
            for row, (section, payload, parents) in parse(conn, family_id)
        ]
        sw.workbooks._assemble(family_id, versions, readable)

    def fresh(fn: Callable[[sqlite3.Connection, str], object], items: list[str]) -> Timing:
        conn = sqlite3.connect(plain_path, isolation_level=None)
        try:
            return each(lambda f: fn(conn, f), items)
        finally:
            conn.close()

    def aes(family_id: str) -> None:
        for v in visible[family_id]:
            v.aead.decrypt(v.nonce, v.ciphertext, v.ad)

    def verify(family_id: str) -> None:
        for v in visible[family_id]:
            v.author_key.verify(v.signature, v.message)

    held = sw.keys.held()
    tag_keys = [tag_key(sw.keys.secret(s, e), sw.vault_id, s, e) for s, e in held]

    def derive(family_id: str) -> None:  # what SectionKeys.tags_for_family + .cipher compute
        for key in tag_keys:
            row_tag(key, family_id)
        for s, e in held:
            AESGCM(hkdf(sw.keys.secret(s, e).value,
                        fields("workbook content", sw.vault_id, s, e, family_id)))

    return Floors(
        select_json=fresh(parse, sample),
        select_only=fresh(lambda c, f: c.execute(SELECT, (f,)).fetchall(), cold),
        app_no_crypto=fresh(assemble, sample),
        aes=each(aes, sample),
        ed25519=each(verify, sample),
        keys=each(derive, sample),
    )


def _list_floors(sw: Session, plain_path: Path) -> tuple[Timing, Timing]:
    """families.all() on plain sqlite3: the same SELECT of every family row + JSON parsing of
    the same plaintexts; and the raw Ed25519 verifies the real listing does on top."""
    plaintexts: dict[str, bytes] = {}
    checks: list[tuple[ed25519.Ed25519PublicKey, bytes, bytes]] = []
    for row in version_store.of_kind(sw.conn, "family"):
        found = sw.keys.tags_for_family(row.family_id).get(row.section_tag or b"")
        if found is None:
            continue
        section, epoch = found
        ad = row_ad(row.version_id, row.family_id, row.record_id, row.kind, row.section_tag,
                    row.epoch, row.parents, row.author, row.device, row.created_at, row.sealed)
        plaintext = sw.keys.cipher(section, epoch, row.family_id).decrypt(row.body, ad)
        plaintexts[row.version_id] = plaintext
        envelope = json.loads(plaintext)
        message = signed_message(
            row.family_id, row.record_id, row.kind, section, tuple(json.loads(row.parents)),
            row.author, row.device, row.created_at, envelope["p"].encode(),
        )
        checks.append((sw.trust.keys_of(row.author)[0].signing, unb64(envelope["sig"]), message))

    def listing(conn: sqlite3.Connection) -> list[tuple[str, Any]]:
        out = []
        for r in conn.execute(SELECT.replace("family_id = ?", "kind = ?"), ("family",)):
            row = version_store._row(r)
            envelope = json.loads(plaintexts[row.version_id])
            out.append((row.family_id, json.loads(envelope["p"])))
        return out

    conn = sqlite3.connect(plain_path, isolation_level=None)
    try:
        floor = repeat(lambda: listing(conn), LISTS)
    finally:
        conn.close()

    def verify_all() -> None:
        for key, signature, message in checks:
            key.verify(signature, message)

    return floor, repeat(verify_all, 3)


def _add_floor(plain_path: Path, text_length: int) -> Timing:
    """One INSERT of a version row of the same size and its COMMIT, on plain sqlite3 with the
    vault's durability settings (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(plain_path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        template = list(conn.execute(
            "SELECT * FROM versions WHERE kind = 'entry' LIMIT 1").fetchone())
        rng = random.Random(5)

        def insert() -> None:
            row = list(template)
            row[1] = f"{rng.getrandbits(128):032x}"  # a new version id
            row[2] = f"{rng.getrandbits(128):032x}"  # of a new record
            row[11] = rng.randbytes(text_length + 300)  # about the size of the vault's body
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"INSERT INTO versions VALUES ({', '.join('?' * 12)})", row)
            conn.execute("COMMIT")

        return repeat(insert, ADDS, warmup=2)
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# profile
# --------------------------------------------------------------------------------------------


def _profile(fn: Callable[[], object], out: Path, title: str) -> str:
    """cProfile one call of `fn`; write the top 15 by cumulative and by own time to `out` and
    return the top 10 lines by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(15)
    cumulative = text.getvalue()
    text.seek(0)
    text.truncate()
    stats.sort_stats("tottime").print_stats(15)
    out.write_text(f"{title}\n\n{cumulative}\n--- by own time ---\n{text.getvalue()}")
    lines = cumulative.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:start + 11])


if __name__ == "__main__":
    common.print_table(run(), "bench_core")
