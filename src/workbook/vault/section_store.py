"""Rows of section_epochs, section_grants and membership: sealed section secrets and the
signed log of who was given or lost them."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.vault import cells
from workbook.vault.database import Connection


@dataclass(frozen=True)
class EpochRow:
    section: str
    epoch: int
    public_keys: bytes
    created_by: str
    created_at: str
    signature: bytes
    prev_signature: bytes | None
    prev_wrapped: bytes | None


@dataclass(frozen=True)
class GrantRow:
    section: str
    epoch: int
    holder: str
    sealed: bytes
    granted_by: str
    granted_at: str


@dataclass(frozen=True)
class MembershipRow:
    """One stored membership event. Rows of the second format (decision 0006) also carry a
    signed counter, the digest of the event before them, and for grants the digest of the
    holder's public keys; all three travel in the signature column (`_pack`), so old vaults
    need no schema change. `counter` is None for a row of the first format."""

    seq: int
    at: str
    actor: str
    event: str
    user_id: str
    section: str | None
    epoch: int | None
    signature: bytes
    counter: int | None = None
    prev: bytes = b""
    keys_digest: bytes = b""
    prevs: tuple[bytes, ...] = ()  # a merge (third format, decision 0009): every tip it joins


_V2, _V3 = b"WBM2", b"WBM3"


def _pack(signature: bytes, counter: int | None, prev: bytes, keys_digest: bytes,
          prevs: tuple[bytes, ...] = ()) -> bytes:
    if counter is None:
        return signature
    if prevs:  # WBM3 | counter | number of tips | (length, tip)... | keys digest | signature
        tips = b"".join(bytes([len(p)]) + p for p in prevs)
        return b"".join((_V3, counter.to_bytes(8, "big"), bytes([len(prevs)]), tips,
                         bytes([len(keys_digest)]), keys_digest, signature))
    return b"".join((_V2, counter.to_bytes(8, "big"), bytes([len(prev)]), prev,
                     bytes([len(keys_digest)]), keys_digest, signature))


def _unpack(blob: bytes) -> tuple[bytes, int | None, bytes, bytes, tuple[bytes, ...]]:
    """(signature, counter, prev, keys digest, merged tips); a malformed envelope yields an
    empty signature, which never verifies."""
    if blob.startswith(_V3):
        return _unpack_merge(blob)
    if not blob.startswith(_V2):
        return blob, None, b"", b"", ()
    try:
        counter = int.from_bytes(blob[4:12], "big")
        n = blob[12]
        prev = blob[13:13 + n]
        k = blob[13 + n]
        digest = blob[14 + n:14 + n + k]
        return blob[14 + n + k:], counter, prev, digest, ()
    except IndexError:
        return b"", 0, b"", b"", ()


def _unpack_merge(blob: bytes) -> tuple[bytes, int | None, bytes, bytes, tuple[bytes, ...]]:
    try:
        counter, count, at = int.from_bytes(blob[4:12], "big"), blob[12], 13
        prevs = []
        for _ in range(count):
            n = blob[at]
            prevs.append(blob[at + 1:at + 1 + n])
            at += 1 + n
        k = blob[at]
        digest = blob[at + 1:at + 1 + k]
        if len(digest) != k:
            raise IndexError
        return blob[at + 1 + k:], counter, b"", digest, tuple(prevs)
    except IndexError:
        return b"", 0, b"", b"", ()


_E, _G, _M = "section_epochs", "section_grants", "membership"
_RIVALS, _KEPT = "section_epoch_rivals", "section_grants_kept"


def insert_epoch(conn: Connection, row: EpochRow) -> None:
    conn.execute(
        "INSERT INTO section_epochs (section, epoch, public_keys, created_by, created_at, "
        "signature, prev_signature, prev_wrapped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.section, row.epoch, row.public_keys, row.created_by, row.created_at,
            row.signature, row.prev_signature, row.prev_wrapped,
        ),
    )


def all_epochs(conn: Connection, table: str = _E) -> list[EpochRow]:
    """Stored epoch rows; `table` "section_epoch_rivals" for the other rows of a number two
    replicas made at once (decision 0009, C34)."""
    if table not in (_E, _RIVALS):
        raise ValueError(table)
    return [
        EpochRow(cells.text(r[0], _E, "section"), cells.integer(r[1], _E, "epoch"),
                 cells.blob(r[2], _E, "public_keys"), cells.text(r[3], _E, "created_by"),
                 cells.text(r[4], _E, "created_at"), cells.blob(r[5], _E, "signature"),
                 cells.blob_or_none(r[6], _E, "prev_signature"),
                 cells.blob_or_none(r[7], _E, "prev_wrapped"))
        for r in conn.execute(
            "SELECT section, epoch, public_keys, created_by, created_at, signature, "
            f"prev_signature, prev_wrapped FROM {table} ORDER BY section, epoch"
        )
    ]


def epochs_and_rivals(conn: Connection) -> list[EpochRow]:
    """Every stored epoch row of every number, the kept rivals too (`trust.load_trust` picks
    the winner of each number from the signed rows)."""
    return sorted(all_epochs(conn) + all_epochs(conn, _RIVALS),
                  key=lambda r: (r.section, r.epoch))


@dataclass(frozen=True)
class RivalWrap:
    """The secret of epoch `public_keys` of (section, epoch), wrapped under the secret of the
    epoch `under_keys` of the same number (C34)."""

    section: str
    epoch: int
    public_keys: bytes
    under_keys: bytes
    wrapped: bytes


def insert_rival_wrap(conn: Connection, row: RivalWrap) -> None:
    conn.execute("INSERT OR IGNORE INTO section_rival_wraps (section, epoch, public_keys, "
                 "under_keys, wrapped) VALUES (?, ?, ?, ?, ?)",
                 (row.section, row.epoch, row.public_keys, row.under_keys, row.wrapped))


def rival_wraps(conn: Connection) -> list[RivalWrap]:
    t = "section_rival_wraps"
    return [RivalWrap(cells.text(a, t, "section"), cells.integer(b, t, "epoch"),
                      cells.blob(c, t, "public_keys"), cells.blob(d, t, "under_keys"),
                      cells.blob(e, t, "wrapped"))
            for a, b, c, d, e in conn.execute(
                "SELECT section, epoch, public_keys, under_keys, wrapped FROM "
                "section_rival_wraps ORDER BY section, epoch")]


def insert_grant(conn: Connection, row: GrantRow) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO section_grants (section, epoch, holder, sealed, granted_by, "
        "granted_at) VALUES (?, ?, ?, ?, ?, ?)",
        (row.section, row.epoch, row.holder, row.sealed, row.granted_by, row.granted_at),
    )


def delete_grants_of(conn: Connection, holder: str, section: str | None = None) -> None:
    for table in (_G, _KEPT):
        if section is None:
            conn.execute(f"DELETE FROM {table} WHERE holder = ?", (holder,))
        else:
            conn.execute(f"DELETE FROM {table} WHERE holder = ? AND section = ?",
                         (holder, section))


def grants(conn: Connection, holder: str | None = None) -> list[GrantRow]:
    """Stored grants, with those kept beside a grant of the same number to the same holder
    (a rival epoch's, decision 0009): which epoch each seals is found by opening it."""
    where, params = ("", ()) if holder is None else (" WHERE holder = ?", (holder,))
    columns = "section, epoch, holder, sealed, granted_by, granted_at"
    return [
        GrantRow(cells.text(a, _G, "section"), cells.integer(b, _G, "epoch"),
                 cells.text(c, _G, "holder"), cells.blob(d, _G, "sealed"),
                 cells.text(e, _G, "granted_by"), cells.text(f, _G, "granted_at"))
        for a, b, c, d, e, f in conn.execute(
            f"SELECT {columns} FROM {_G}{where} UNION ALL SELECT {columns} FROM {_KEPT}{where}",
            params * 2)
    ]


def append_membership(
    conn: Connection, at: str, actor: str, event: str, user_id: str,
    section: str | None, epoch: int | None, signature: bytes,
    counter: int | None = None, prev: bytes = b"", keys_digest: bytes = b"",
    prevs: tuple[bytes, ...] = (),
) -> None:
    conn.execute(
        "INSERT INTO membership (at, actor, event, user_id, section, epoch, signature) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at, actor, event, user_id, section, epoch,
         _pack(signature, counter, prev, keys_digest, prevs)),
    )


def grant_holders(conn: Connection) -> list[tuple[str, int, str]]:
    """(section, epoch, holder) of every stored grant, without the sealed blobs: what the
    check for grants no signed event backs needs, once per sign-in."""
    return [(cells.text(a, "section_grants", "section"),
             cells.integer(b, "section_grants", "epoch"),
             cells.text(c, "section_grants", "holder")) for a, b, c in conn.execute(
        "SELECT section, epoch, holder FROM section_grants UNION "
        "SELECT section, epoch, holder FROM section_grants_kept")]


def membership_marker(conn: Connection) -> tuple[int, int]:
    """Row count and newest seq of the membership log: what a cached reading of it is keyed
    on, so an append or a deletion (by anyone, in any process) is read afresh."""
    row = conn.execute("SELECT count(*), COALESCE(max(seq), 0) FROM membership").fetchone()
    return int(row[0]), int(row[1])


def membership(conn: Connection) -> list[MembershipRow]:
    return [
        MembershipRow(cells.integer(a, _M, "seq"), cells.text(b, _M, "at"),
                      cells.text(c, _M, "actor"), cells.text(d, _M, "event"),
                      cells.text(e, _M, "user_id"), cells.text_or_none(f, _M, "section"),
                      cells.integer_or_none(g, _M, "epoch"),
                      *_unpack(cells.blob(h, _M, "signature")))
        for a, b, c, d, e, f, g, h in conn.execute(
            "SELECT seq, at, actor, event, user_id, section, epoch, signature FROM membership "
            "ORDER BY seq"
        )
    ]
