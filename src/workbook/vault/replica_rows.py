"""The rows that travel between replicas, read and written generically, by table and row,
never by record kind: a kind another issue adds travels with no change here.

Each travelling table has a way of applying a received row: `append` (a signed log whose
`seq` is local: a row already present by its content is skipped, else appended in the order
received), `ignore` (keyed rows that never change: insert or ignore) and `replace` (display
caches and rows with a later state: the received row wins). Which rows are new since the
last file is decided by a digest of the row's cells kept in `replica_known` (the tables are
small); the versions and the audit, which are not, go by their sequence numbers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from workbook.crypto.encoding import fields
from workbook.vault.database import Connection, insert_many

APPEND, IGNORE, REPLACE = "append", "ignore", "replace"
Cell = bytes | str | int | float | None
Row = tuple[Cell, ...]

# In the order they are applied: keys and certificates before the logs that name them.
TABLES: tuple[tuple[str, str], ...] = (
    ("users", REPLACE), ("user_keys", IGNORE), ("key_revocations", IGNORE),
    ("user_certs", IGNORE), ("section_epochs", IGNORE), ("section_epoch_rivals", IGNORE),
    # A grant row is re-sealed in place when a holder's key changes (a reset, re-approved):
    # the newest sent wins, as it does locally; but where a section has two epochs of one
    # number (two replicas rotated at once), the grant it would replace is kept beside it.
    ("section_grants", REPLACE), ("section_grants_kept", IGNORE),
    ("section_rival_wraps", IGNORE),
    ("membership", APPEND), ("policy_versions", APPEND), ("replica_log", APPEND),
    ("sharing_identity", IGNORE), ("sharing_identity_seals", IGNORE),
    ("partner_events", APPEND), ("partner_cards", REPLACE), ("partner_vouches", IGNORE),
    ("bundles_received", IGNORE), ("supervision_sessions", REPLACE),
    # So a replica numbers its next bundle to a partner after the team's (decision 0009).
    ("bundles_sent", IGNORE),
    ("retention_log", IGNORE), ("disposals", IGNORE), ("disposed_versions", IGNORE),
)
MODES = dict(TABLES)
VERSION_COLUMNS = ("family_id", "version_id", "record_id", "kind", "section_tag", "epoch",
                   "parents", "author", "device", "created_at", "sealed", "body")

_columns_cache: dict[str, tuple[str, ...]] = {}


def columns(conn: Connection, table: str) -> tuple[str, ...]:
    """The table's columns that travel: all but an append log's local `seq`."""
    if table not in MODES:
        raise ValueError(f"{table} does not travel between replicas")
    if table not in _columns_cache:
        names = tuple(str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})"))
        _columns_cache[table] = tuple(n for n in names
                                      if not (MODES[table] == APPEND and n == "seq"))
    return _columns_cache[table]


def digest(table: str, row: Sequence[Cell]) -> bytes:
    parts: list[bytes | str | int | None] = [table]
    for cell in row:
        parts.append(repr(cell) if isinstance(cell, float) else cell)
    return hashlib.sha256(fields(*parts)).digest()[:16]


def _known(conn: Connection, table: str) -> set[bytes]:
    return {bytes(d) for (d,) in conn.execute(
        "SELECT digest FROM replica_known WHERE table_name = ?", (table,))}


def new_rows(conn: Connection, table: str) -> list[tuple[bytes, Row]]:
    """Rows of `table` this replica has neither sent nor received, in their stored order."""
    cols = columns(conn, table)
    order = " ORDER BY seq" if MODES[table] == APPEND else ""
    known = _known(conn, table)
    out = []
    for row in conn.execute(f"SELECT {', '.join(cols)} FROM {table}{order}"):
        d = digest(table, row)
        if d not in known:
            out.append((d, tuple(row)))
    return out


def mark_known(conn: Connection, table: str, digests: Iterable[bytes]) -> None:
    conn.executemany("INSERT OR IGNORE INTO replica_known (table_name, digest) VALUES (?, ?)",
                     [(table, d) for d in digests])


def mark_all_known(conn: Connection) -> None:
    """Everything now in the travelling tables counts as sent (a replica that just joined
    holds what every other replica already has)."""
    conn.execute("DELETE FROM replica_known")
    for table, _mode in TABLES:
        mark_known(conn, table, [d for d, _row in new_rows(conn, table)])


def apply_row(conn: Connection, table: str, row: Row) -> bool:
    """Store one received row as its table's mode says; True if anything was added."""
    cols = columns(conn, table)
    if len(row) != len(cols):
        raise ValueError(f"a {table} row has {len(row)} cells, not {len(cols)}")
    if table in _EPOCH_TABLES:
        return _apply_epoch(conn, row)
    if table in _GRANT_TABLES:
        return _apply_grant(conn, row)
    mode = MODES[table]
    marks = ", ".join("?" * len(cols))
    names = ", ".join(cols)
    if mode == APPEND:
        where = " AND ".join(f"{c} IS ?" for c in cols)
        if conn.execute(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1", row).fetchone():
            return False
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", row)
        return True
    verb = "INSERT OR IGNORE" if mode == IGNORE else "INSERT OR REPLACE"
    return bool(conn.execute(f"{verb} INTO {table} ({names}) VALUES ({marks})", row).rowcount)


_EPOCH_TABLES = ("section_epochs", "section_epoch_rivals")
_GRANT_TABLES = ("section_grants", "section_grants_kept")
_EPOCH_COLUMNS = ("section, epoch, public_keys, created_by, created_at, signature, "
                  "prev_signature, prev_wrapped")
_GRANT_COLUMNS = "section, epoch, holder, sealed, granted_by, granted_at"


def _apply_epoch(conn: Connection, row: Row) -> bool:
    """An epoch row, from either table: stored as the number's row if this replica has none,
    else kept as a rival if its public keys differ from the row of that number here (two
    replicas rotated at once). Which one counts is decided by signatures when read
    (`trust.load_trust`), never here: nothing received is believed for arriving."""
    marks = "?, ?, ?, ?, ?, ?, ?, ?"
    if conn.execute(f"INSERT OR IGNORE INTO section_epochs ({_EPOCH_COLUMNS}) VALUES ({marks})",
                    row).rowcount:
        return True
    if conn.execute("SELECT 1 FROM section_epochs WHERE section = ? AND epoch = ? AND "
                    "public_keys = ?", row[:3]).fetchone():
        return False
    return bool(conn.execute(f"INSERT OR IGNORE INTO section_epoch_rivals ({_EPOCH_COLUMNS}) "
                             f"VALUES ({marks})", row).rowcount)


def stored_as(table: str) -> tuple[str, ...]:
    """The tables a received row of `table` may be stored in: a row kept as a rival (or a
    kept grant) is known under both names, so it is not sent on as new."""
    for pair in (_EPOCH_TABLES, _GRANT_TABLES):
        if table in pair:
            return pair
    return (table,)


def forked(conn: Connection, section: Cell, epoch: Cell) -> bool:
    """Whether this replica holds two epoch rows of that number of that section."""
    return conn.execute("SELECT 1 FROM section_epoch_rivals WHERE section = ? AND epoch = ? "
                        "LIMIT 1", (section, epoch)).fetchone() is not None


def _apply_grant(conn: Connection, row: Row) -> bool:
    """A grant, from either table. Where the section has one epoch of that number, a received
    grant replaces this replica's (a legitimate re-seal must travel). Where it has two, the
    grant here may be the other epoch's: it stays, and the received one is kept beside it, so
    every holder keeps both secrets (each grant is matched to its epoch when opened)."""
    here = conn.execute("SELECT sealed FROM section_grants WHERE section = ? AND epoch = ? "
                        "AND holder = ?", row[:3]).fetchone()
    if here is not None and bytes(here[0]) == row[3]:
        return False
    if here is not None and forked(conn, row[0], row[1]):
        return bool(conn.execute(f"INSERT OR IGNORE INTO section_grants_kept ({_GRANT_COLUMNS}) "
                                 "VALUES (?, ?, ?, ?, ?, ?)", row).rowcount)
    return bool(conn.execute(f"INSERT OR REPLACE INTO section_grants ({_GRANT_COLUMNS}) "
                             "VALUES (?, ?, ?, ?, ?, ?)", row).rowcount)


def drop_grants_before(conn: Connection, user_id: str, at: str) -> None:
    """A person's section grants made no later than `at` (a signed withdrawal of their keys)."""
    for table in _GRANT_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE holder = ? AND granted_at <= ?",
                     (user_id, at))


# --- versions -------------------------------------------------------------------------------
def versions_after(conn: Connection, mark: int, skips: list[tuple[int, int]]) -> list[Row]:
    """Stored versions logged after `mark`, less those received from other replicas (the
    `skips` ranges), in the order they were logged."""
    rows = conn.execute(
        f"SELECT l.seq, {', '.join('v.' + c for c in VERSION_COLUMNS)} FROM version_log l "
        "JOIN versions v ON v.family_id = l.family_id AND v.kind = l.kind "
        "AND v.version_id = l.version_id WHERE l.seq > ? ORDER BY l.seq", (mark,))
    return [tuple(r[1:]) for r in rows
            if not any(low < int(r[0]) <= high for low, high in skips)]


def insert_versions(conn: Connection, rows: list[Row], disposed: set[str],
                    written: Mapping[tuple[str, str], int]) -> list[Row]:
    """Received versions, stored as they came (author-signed, section-encrypted), in key order
    and in bulk; each new one indexed in `audit_versions` against `written[(family,
    version)]`, the event of its writer's chain that wrote it, as -seq (decision 0009). A
    version with no such event gets no row: no signed event wrote it. Versions of a
    `disposed` family (one whose tombstone the caller verified) are not stored again.
    Returns the rows that were new."""
    for row in rows:
        if len(row) != len(VERSION_COLUMNS):
            raise ValueError("a version row has the wrong number of cells")
    wanted = sorted((r for r in rows if r[0] not in disposed),
                    key=lambda r: (str(r[0]), str(r[3]), str(r[1])))
    present: set[str] = set()
    ids = [str(r[1]) for r in wanted]
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        present.update(str(v) for (v,) in conn.execute(
            f"SELECT version_id FROM versions WHERE version_id IN ({', '.join('?' * len(chunk))})",
            chunk))
    new, seen = [], set()
    for row in wanted:
        if row[1] not in present and row[1] not in seen:
            seen.add(str(row[1]))
            new.append(row)
    logged = int(conn.execute("SELECT coalesce(max(seq), 0) FROM version_log").fetchone()[0])
    insert_many(conn, f"INSERT OR IGNORE INTO versions ({', '.join(VERSION_COLUMNS)})", new)
    # The `version_logged` trigger logged exactly the rows just stored (all new, in this
    # transaction), in their order: the i-th is log entry logged + 1 + i. Their events are
    # bound as one list of numbers and joined to the log by its key in one statement, with no
    # text bound per row (each bound text is an allocation: see `database.insert_many`).
    seqs = [written.get((str(r[0]), str(r[1])), 0) for r in new]
    conn.execute("INSERT OR IGNORE INTO audit_versions (family_id, version_id, seq) "
                 "SELECT l.family_id, l.version_id, -j.value FROM json_each(?) AS j "
                 "JOIN version_log AS l ON l.seq = ? + 1 + j.key WHERE j.value > 0",
                 (json.dumps(seqs), logged))
    return new


def heads_of_records(conn: Connection, record_ids: Iterable[str]) -> dict[str, int]:
    """How many heads each record has (two or more is a conflict kept for a person)."""
    import json

    out = {}
    for record_id in set(record_ids):
        rows = conn.execute("SELECT version_id, parents FROM versions WHERE record_id = ?",
                            (record_id,)).fetchall()
        parents: set[str] = set()
        for _v, text in rows:
            try:
                parents.update(str(p) for p in json.loads(text))
            except (TypeError, ValueError):
                continue
        out[record_id] = sum(1 for v, _p in rows if v not in parents)
    return out
