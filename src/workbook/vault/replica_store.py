"""The replica tables (migration 007): this replica's own row, the signed replica log, what was
applied from whom, and the audit chains of the other replicas. SQL only; every decision about
what a row means is made in services/replicas/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook.crypto.secret import Secret
from workbook.vault import cells
from workbook.vault.database import Connection, create_keyed_copy, insert_many


@dataclass(frozen=True)
class SelfRow:
    """This replica: its id, the secret its key derives from, the team's sync key, this PC's
    path to the sync folder, the number of its next file, and how far it has sent."""

    replica_id: str
    secret: bytes
    sync_key: bytes
    folder: str
    next_seq: int
    version_mark: int
    audit_mark: int

    # The sync keys made at retirements, newest first, with the replica that made each and
    # whether it may be sealed with yet (filled in by `own`; none: the first key, `sync_key`,
    # is the only one).
    newer_keys: tuple[bytes, ...] = ()
    key_makers: tuple[str, ...] = ()
    key_ready: tuple[bool, ...] = ()

    def __repr__(self) -> str:
        return f"SelfRow(replica_id={self.replica_id!r}, folder={self.folder!r})"

    @property
    def read_keys(self) -> tuple[bytes, ...]:
        return (*self.newer_keys, self.sync_key)

    def sealing_key(self, retired: frozenset[str] | set[str]) -> bytes:
        """The newest key to seal with: never one a now `retired` replica made (it would know
        it: a key it made, future-dated, before its retirement must not outlive it), nor one
        this replica made whose sealed copies have not travelled yet."""
        for key, maker, ready in zip(self.newer_keys, self.key_makers, self.key_ready,
                                     strict=True):
            if ready and maker not in retired:
                return key
        return self.sync_key


@dataclass(frozen=True)
class LogRow:
    """One signed replica log event: `add` (approved) or `retire`."""

    seq: int
    event: str
    replica_id: str
    name: str
    public_keys: bytes
    last_seq: int
    reason: str
    actor: str
    at: str
    signature: bytes


def own(conn: Connection) -> SelfRow | None:
    r = conn.execute("SELECT replica_id, secret, sync_key, folder, next_seq, version_mark, "
                     "audit_mark FROM replica_self WHERE slot = 1").fetchone()
    if r is None:
        return None
    replica_id = cells.text(r[0], "replica_self", "replica_id")
    keys = conn.execute("SELECT sync_key, made_by, grants FROM replica_sync_keys "
                        "ORDER BY made_at DESC, key_id DESC").fetchall()
    # A key this replica made is sealed with only once its grants have travelled (in a file
    # under the key before it), so nobody receives a file they cannot open yet.
    return SelfRow(replica_id,
                   cells.blob(r[1], "replica_self", "secret"),
                   cells.blob(r[2], "replica_self", "sync_key"),
                   cells.text(r[3], "replica_self", "folder"),
                   cells.integer(r[4], "replica_self", "next_seq"),
                   cells.integer(r[5], "replica_self", "version_mark"),
                   cells.integer(r[6], "replica_self", "audit_mark"),
                   tuple(cells.blob(k[0], "replica_sync_keys", "sync_key") for k in keys),
                   tuple(cells.text(k[1], "replica_sync_keys", "made_by") for k in keys),
                   tuple(not (k[1] == replica_id and k[2] is not None) for k in keys))


# --- sync keys made at retirements (decision 0009, C28) -----------------------------------------
def put_sync_key(conn: Connection, key_id: str, sync_key: bytes, made_at: str, made_by: str,
                 grants: str | None) -> bool:
    """Keep a sync key (insert or ignore); True if it is new here."""
    return bool(conn.execute(
        "INSERT OR IGNORE INTO replica_sync_keys (key_id, sync_key, made_at, made_by, grants) "
        "VALUES (?, ?, ?, ?, ?)", (key_id, sync_key, made_at, made_by, grants)).rowcount)


def unsent_grants(conn: Connection, replica_id: str) -> list[tuple[str, str, str]]:
    """(key id, made at, grants JSON) of the keys this replica made whose grants have not
    travelled yet."""
    return [(str(k), str(at), str(g)) for k, at, g in conn.execute(
        "SELECT key_id, made_at, grants FROM replica_sync_keys WHERE made_by = ? "
        "AND grants IS NOT NULL ORDER BY made_at, key_id", (replica_id,))]


def grants_sent(conn: Connection, key_ids: list[str]) -> None:
    conn.executemany("UPDATE replica_sync_keys SET grants = NULL WHERE key_id = ?",
                     [(k,) for k in key_ids])


def put_own(conn: Connection, row: SelfRow) -> None:
    conn.execute("INSERT OR REPLACE INTO replica_self (slot, replica_id, secret, sync_key, folder, "
                 "next_seq, version_mark, audit_mark) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                 (row.replica_id, row.secret, row.sync_key, row.folder, row.next_seq,
                  row.version_mark, row.audit_mark))


def log(conn: Connection) -> list[LogRow]:
    rows = conn.execute("SELECT seq, event, replica_id, name, public_keys, last_seq, reason, "
                        "actor, at, signature FROM replica_log ORDER BY seq").fetchall()
    t = "replica_log"
    return [LogRow(cells.integer(r[0], t, "seq"), cells.text(r[1], t, "event"),
                   cells.text(r[2], t, "replica_id"), cells.text(r[3], t, "name"),
                   cells.blob(r[4], t, "public_keys"), cells.integer(r[5], t, "last_seq"),
                   cells.text(r[6], t, "reason"), cells.text(r[7], t, "actor"),
                   cells.text(r[8], t, "at"), cells.blob(r[9], t, "signature"))
            for r in rows]


def append_log(conn: Connection, row: LogRow) -> None:
    conn.execute("INSERT INTO replica_log (event, replica_id, name, public_keys, last_seq, "
                 "reason, actor, at, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (row.event, row.replica_id, row.name, row.public_keys, row.last_seq,
                  row.reason, row.actor, row.at, row.signature))


# --- what was applied from whom -----------------------------------------------------------------
def applied(conn: Connection) -> dict[str, dict[int, str]]:
    """Per replica id, the numbers of its files applied here and when each was written."""
    out: dict[str, dict[int, str]] = {}
    for rid, seq, at in conn.execute("SELECT replica_id, seq, written_at FROM replica_applied"):
        out.setdefault(str(rid), {})[int(seq)] = str(at)
    return out


def mark_applied(conn: Connection, replica_id: str, seq: int, written_at: str) -> None:
    conn.execute("INSERT OR IGNORE INTO replica_applied (replica_id, seq, written_at) "
                 "VALUES (?, ?, ?)", (replica_id, seq, written_at))


def set_marks(conn: Connection, *, next_seq: int | None = None, version_mark: int | None = None,
              audit_mark: int | None = None, folder: str | None = None) -> None:
    for column, value in (("next_seq", next_seq), ("version_mark", version_mark),
                          ("audit_mark", audit_mark), ("folder", folder)):
        if value is not None:
            conn.execute(f"UPDATE replica_self SET {column} = ? WHERE slot = 1", (value,))


# --- versions received, so they are not sent back -----------------------------------------------
def newest_version_seq(conn: Connection) -> int:
    row = conn.execute("SELECT max(seq) FROM version_log").fetchone()
    return int(row[0] or 0)


def add_skip(conn: Connection, low: int, high: int) -> None:
    if high > low:
        conn.execute("INSERT OR REPLACE INTO replica_skip (low, high) VALUES (?, ?)", (low, high))


def skips(conn: Connection) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in
            conn.execute("SELECT low, high FROM replica_skip ORDER BY low")]


def drop_skips_below(conn: Connection, mark: int) -> None:
    conn.execute("DELETE FROM replica_skip WHERE high <= ?", (mark,))


# --- the other replicas' audit chains ----------------------------------------------------------
AUDIT_COLUMNS = ("seq", "at", "user_id", "event", "ids", "detail", "signer", "prev_hash", "hash",
                 "signature")


def local_audit_after(conn: Connection, seq: int) -> list[tuple[Any, ...]]:
    return list(conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit WHERE seq > ? "
                             "ORDER BY seq", (seq,)))


def newest_audit_seq(conn: Connection) -> int:
    row = conn.execute("SELECT max(seq) FROM audit").fetchone()
    return int(row[0] or 0)


def remote_audit_hash(conn: Connection, origin: str, seq: int) -> bytes | None:
    row = conn.execute("SELECT hash FROM replica_audit WHERE origin = ? AND seq = ?",
                       (origin, seq)).fetchone()
    return None if row is None else bytes(row[0])


def put_remote_audit(conn: Connection, origin: str, rows: list[tuple[Any, ...]]) -> None:
    insert_many(conn, f"INSERT OR IGNORE INTO replica_audit (origin, {', '.join(AUDIT_COLUMNS)})",
                [(origin, *row) for row in rows])


def remote_audit_count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM replica_audit").fetchone()[0])


# --- key file slots: which version of each account's slot this replica holds -----------------
def slot_marks(conn: Connection) -> dict[str, tuple[str, str, str]]:
    return {str(u): (str(salt), str(state), str(stamp)) for u, salt, state, stamp in
            conn.execute("SELECT username, salt, state, stamp FROM replica_slots")}


def put_slot_mark(conn: Connection, username: str, salt: str, state: str, stamp: str) -> None:
    conn.execute("INSERT OR REPLACE INTO replica_slots (username, salt, state, stamp) "
                 "VALUES (?, ?, ?, ?)", (username, salt, state, stamp))


# --- the checkpoint a joining replica starts from -----------------------------------------------
def checkpoint_copy(conn: Connection, path: Path, key: Secret, page_size: int) -> None:
    """A copy of the whole vault at `path`, keyed like it (only ciphertext reaches the disk),
    without this replica's own row: the joining replica gets its own key, never ours."""
    dest = create_keyed_copy(path, key, page_size)
    try:
        conn.backup(dest, pages=-1)
        dest.execute("PRAGMA secure_delete = ON")
        dest.execute("DELETE FROM replica_self")
        dest.execute("DELETE FROM replica_skip")
        dest.execute("DELETE FROM replica_known")
        dest.execute("UPDATE replica_sync_keys SET grants = NULL")
    finally:
        dest.close()


def start_as_joined(conn: Connection, row: SelfRow, approver: str, approver_files: int,
                    at: str) -> None:
    """A joined replica's own row: it has read every file the approver wrote before the
    checkpoint (their rows are in it)."""
    put_own(conn, row)
    conn.executemany("INSERT OR IGNORE INTO replica_applied (replica_id, seq, written_at) "
                     "VALUES (?, ?, ?)", [(approver, n, at) for n in range(1, approver_files + 1)])


def remote_audit(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """The other replicas' audit events, per origin in number order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for row in conn.execute(f"SELECT origin, {', '.join(AUDIT_COLUMNS)} FROM replica_audit "
                            "ORDER BY origin, seq"):
        out.setdefault(str(row[0]), []).append(tuple(row[1:]))
    return out
