"""The audit table: append-only events, each hash-chained to the one before and signed.

hash_n = SHA-256(hash_{n-1} || fields(seq, time, user, event, ids, SHA-256(detail), signer)).
The signature is over hash_n. Verification walks the chain from the start and names the first
event whose hash or signature does not hold."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from workbook.crypto.encoding import fields
from workbook.vault import cells
from workbook.vault.database import Connection, RowMalformed

GENESIS = hashlib.sha256(b"workbook audit genesis").digest()


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str
    user_id: str
    event: str
    ids: dict[str, object]
    ids_json: str
    detail: bytes | None
    signer: str
    prev_hash: bytes
    hash: bytes
    signature: bytes


def event_hash(
    prev_hash: bytes, seq: int, at: str, user_id: str, event: str, ids_json: str,
    detail: bytes | None, signer: str,
) -> bytes:
    detail_hash = hashlib.sha256(detail).digest() if detail is not None else b""
    body = fields(seq, at, user_id, event, ids_json, detail_hash, signer)
    return hashlib.sha256(prev_hash + body).digest()


def canonical_ids(ids: Mapping[str, object]) -> str:
    return json.dumps(ids, sort_keys=True, separators=(",", ":"))


def head(conn: Connection) -> tuple[int, bytes]:
    r = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (0, GENESIS) if r is None else (cells.integer(r[0], "audit", "seq"),
                                           cells.blob(r[1], "audit", "hash"))


def append(
    conn: Connection, *, at: str, user_id: str, event: str, ids: dict[str, object],
    detail: bytes | None, signer: str, sign: Callable[[bytes], bytes],
    versions: Iterable[tuple[str, str]] = (),
) -> AuditRow:
    """Append one event; must run inside the caller's transaction, so the event and the change
    it records commit together or not at all. `versions`, (family id, version id) pairs an
    event writes many of (a received bundle), are named by a signed digest per family in
    `version_sets`; each is then findable by version (vault/audit_versions.py)."""
    from workbook.vault import audit_versions

    pairs = list(versions)
    if pairs:
        ids = {**ids, "version_sets": audit_versions.set_digests(pairs)}
    last_seq, prev = head(conn)
    seq = last_seq + 1
    ids_json = canonical_ids(ids)
    digest = event_hash(prev, seq, at, user_id, event, ids_json, detail, signer)
    signature = sign(digest)
    conn.execute(
        "INSERT INTO audit (seq, at, user_id, event, ids, detail, signer, prev_hash, hash, "
        "signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, user_id, event, ids_json, detail, signer, prev, digest, signature),
    )
    audit_versions.record_event(conn, seq, ids, pairs)
    return AuditRow(seq, at, user_id, event, ids, ids_json, detail, signer, prev, digest, signature)


def rows(conn: Connection, after_seq: int = 0) -> list[AuditRow]:
    out = []
    for r in conn.execute(
        "SELECT seq, at, user_id, event, ids, detail, signer, prev_hash, hash, signature "
        "FROM audit WHERE seq > ? ORDER BY seq",
        (after_seq,),
    ):
        try:
            ids = json.loads(r[4])
        except (ValueError, TypeError):
            ids = {"_unreadable": True}
        try:
            out.append(
                AuditRow(
                    cells.integer(r[0], "audit", "seq"), cells.text(r[1], "audit", "at"),
                    cells.text(r[2], "audit", "user_id"), cells.text(r[3], "audit", "event"),
                    ids if isinstance(ids, dict) else {}, cells.text(r[4], "audit", "ids"),
                    cells.blob_or_none(r[5], "audit", "detail"),
                    cells.text(r[6], "audit", "signer"), cells.blob(r[7], "audit", "prev_hash"),
                    cells.blob(r[8], "audit", "hash"), cells.blob(r[9], "audit", "signature"),
                )
            )
        except RowMalformed as exc:
            exc.seq = r[0] if type(r[0]) is int else None  # the event verify names as broken
            raise
    return out


def count(conn: Connection) -> int:
    """How many events the audit table holds (whatever their cells)."""
    return int(conn.execute("SELECT count(*) FROM audit").fetchone()[0])


def has_event(conn: Connection, event: str) -> bool:
    """Whether any event of this kind was ever logged (a scan: for rare questions only)."""
    return conn.execute("SELECT 1 FROM audit WHERE event = ? LIMIT 1", (event,)).fetchone() \
        is not None


def hash_at(conn: Connection, seq: int) -> bytes | None:
    r = conn.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()
    return None if r is None else cells.blob(r[0], "audit", "hash")


def last_event_at(conn: Connection, event: str) -> str | None:
    """When the newest event of this kind was logged, or None if never."""
    row = conn.execute(
        "SELECT at FROM audit WHERE event = ? ORDER BY seq DESC LIMIT 1", (event,)
    ).fetchone()
    return None if row is None else cells.text(row[0], "audit", "at")


def has_event_with_ids(conn: Connection, event: str, ids: Mapping[str, object]) -> bool:
    """Whether an event of this kind with exactly these ids is already logged (so a journal
    folded twice logs each failed sign-in once)."""
    return conn.execute(
        "SELECT 1 FROM audit WHERE event = ? AND ids = ?", (event, canonical_ids(ids))
    ).fetchone() is not None
