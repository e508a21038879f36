"""Rows of retention and disposal: closed families, proposals, tombstones, and the sweep that
removes a disposed family's content from every table that holds it.

These are rows, not decisions: a `disposals` row is believed only once services/upkeep/tombstones.py
has verified its signatures (anyone signed in can write one)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workbook.vault import cells
from workbook.vault.database import Connection

_CHUNK = 500  # families a query (SQLite caps the parameters of one statement)
# Our own tables keep the family id on purpose; the sweep leaves them alone.
TOMBSTONE_TABLES = frozenset({"disposals", "disposed_versions"})
RETENTION_TABLES = frozenset({"family_retention", "disposal_proposals"})


@dataclass(frozen=True)
class RetentionRow:
    family_id: str
    family_type: str
    closed_at: str
    dispose_after: str
    closed_by: str
    signature: bytes


@dataclass(frozen=True)
class ProposalRow:
    family_id: str
    proposed_by: str
    proposed_at: str
    signature: bytes


@dataclass(frozen=True)
class DisposalRow:
    family_id: str
    family_type: str
    closed_at: str
    dispose_after: str
    proposed_by: str
    proposed_at: str
    proposal_signature: bytes
    confirmed_by: str
    disposed_at: str
    version_count: int
    versions_digest: bytes
    signature: bytes


def put_retention(conn: Connection, row: RetentionRow) -> None:
    conn.execute(
        "INSERT INTO family_retention (family_id, family_type, closed_at, dispose_after, "
        "closed_by, signature) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(family_id) DO UPDATE SET "
        "family_type = excluded.family_type, closed_at = excluded.closed_at, "
        "dispose_after = excluded.dispose_after, closed_by = excluded.closed_by, "
        "signature = excluded.signature",
        (row.family_id, row.family_type, row.closed_at, row.dispose_after, row.closed_by,
         row.signature),
    )


def retention_of(conn: Connection, family_id: str) -> RetentionRow | None:
    r = conn.execute(
        "SELECT family_id, family_type, closed_at, dispose_after, closed_by, signature "
        "FROM family_retention WHERE family_id = ?", (family_id,)).fetchone()
    return None if r is None else _retention(r)


def all_retention(conn: Connection) -> list[RetentionRow]:
    return [_retention(r) for r in conn.execute(
        "SELECT family_id, family_type, closed_at, dispose_after, closed_by, signature "
        "FROM family_retention ORDER BY dispose_after, family_id")]


def delete_retention(conn: Connection, family_id: str) -> None:
    conn.execute("DELETE FROM family_retention WHERE family_id = ?", (family_id,))
    conn.execute("DELETE FROM disposal_proposals WHERE family_id = ?", (family_id,))


def _retention(r: Any) -> RetentionRow:
    t = "family_retention"
    return RetentionRow(cells.text(r[0], t, "family_id"), cells.text(r[1], t, "family_type"),
                        cells.text(r[2], t, "closed_at"), cells.text(r[3], t, "dispose_after"),
                        cells.text(r[4], t, "closed_by"), cells.blob(r[5], t, "signature"))


def put_proposal(conn: Connection, row: ProposalRow) -> None:
    conn.execute(
        "INSERT INTO disposal_proposals (family_id, proposed_by, proposed_at, signature) "
        "VALUES (?, ?, ?, ?)",
        (row.family_id, row.proposed_by, row.proposed_at, row.signature))


def proposal_of(conn: Connection, family_id: str) -> ProposalRow | None:
    r = conn.execute(
        "SELECT family_id, proposed_by, proposed_at, signature FROM disposal_proposals "
        "WHERE family_id = ?", (family_id,)).fetchone()
    t = "disposal_proposals"
    return None if r is None else ProposalRow(
        cells.text(r[0], t, "family_id"), cells.text(r[1], t, "proposed_by"),
        cells.text(r[2], t, "proposed_at"), cells.blob(r[3], t, "signature"))


def delete_proposal(conn: Connection, family_id: str) -> None:
    conn.execute("DELETE FROM disposal_proposals WHERE family_id = ?", (family_id,))


# --- the retention log (what travels between replicas) ---------------------------------------
@dataclass(frozen=True)
class LogEntry:
    """One signed change of a family's retention state: `kind` closed, proposed, reopened or
    withdrawn, `body` its signed fields other than the family (believed once verified)."""

    family_id: str
    kind: str
    body: dict[str, Any]
    signature: bytes


def put_log_entry(conn: Connection, entry: LogEntry) -> None:
    conn.execute("INSERT OR IGNORE INTO retention_log (signature, family_id, kind, body) "
                 "VALUES (?, ?, ?, ?)", (entry.signature, entry.family_id, entry.kind,
                                         json.dumps(entry.body, sort_keys=True)))


def put_raw_log_entry(conn: Connection, signature: bytes, family_id: str, kind: str,
                      body: str) -> None:
    """An entry signed over its body as stored (`raw_log_of` reads it back so)."""
    conn.execute("INSERT OR IGNORE INTO retention_log (signature, family_id, kind, body) "
                 "VALUES (?, ?, ?, ?)", (signature, family_id, kind, body))


_LOG_CELLS = ("SELECT CAST(family_id AS BLOB), CAST(signature AS BLOB), CAST(kind AS BLOB), "
              "CAST(body AS BLOB) FROM retention_log")


def log_of(conn: Connection, family_id: str) -> list[LogEntry]:
    """The family's entries; a row whose cells are not of their types or whose body does not
    read is skipped (no one signed it as it stands)."""
    return _entries(conn.execute(_LOG_CELLS + " WHERE family_id = ?", (family_id,)))


def whole_log(conn: Connection, but: str = "") -> list[LogEntry]:
    """Every family's entries (a first sign-in's list of families) but those kept under the
    id `but` (the closings' attestations, read apart), skipped as `log_of`."""
    return _entries(conn.execute(_LOG_CELLS + " WHERE family_id != ?", (but,)))


def log_of_families(conn: Connection, family_ids: list[str]) -> list[LogEntry]:
    """These families' entries, a few hundred families a query, skipped as `log_of`."""
    out: list[LogEntry] = []
    for start in range(0, len(family_ids), _CHUNK):
        chunk = family_ids[start:start + _CHUNK]
        out += _entries(conn.execute(
            _LOG_CELLS + f" WHERE family_id IN ({', '.join('?' * len(chunk))})", chunk))
    return out


def raw_log_of(conn: Connection, family_id: str) -> list[tuple[bytes, bytes, bytes]]:
    """(signature, kind, body) of the entries kept under `family_id`, as stored: for entries
    signed over their stored body. A row whose cells are not all bytes or text is skipped."""
    return [(signature, kind, body) for signature, kind, body in conn.execute(
        "SELECT CAST(signature AS BLOB), CAST(kind AS BLOB), CAST(body AS BLOB) "
        "FROM retention_log WHERE family_id = ?", (family_id,))
        if isinstance(signature, bytes) and isinstance(kind, bytes) and isinstance(body, bytes)]


def _entries(rows: Any) -> list[LogEntry]:
    """Read as bytes, so a planted cell that is not UTF-8 text skips its row rather than
    failing every read of the log."""
    out = []
    for family_id, signature, kind, body in rows:
        try:
            fields = json.loads(body.decode()) if isinstance(body, bytes) else None
            texts = family_id.decode(), kind.decode()
        except (ValueError, AttributeError):
            continue
        if isinstance(signature, bytes) and isinstance(fields, dict):
            out.append(LogEntry(texts[0], texts[1], fields, signature))
    return out


def settle_state(conn: Connection, family_id: str, retention: RetentionRow | None,
                 proposal: ProposalRow | None) -> None:
    """Put the family's retention row and proposal as the log says they now stand."""
    delete_retention(conn, family_id)
    if retention is not None:
        put_retention(conn, retention)
        if proposal is not None:
            put_proposal(conn, proposal)


def version_ids_of(conn: Connection, family_id: str) -> list[str]:
    return sorted(cells.text(r[0], "versions", "version_id") for r in conn.execute(
        "SELECT version_id FROM versions WHERE family_id = ?", (family_id,)))


def put_disposal(conn: Connection, row: DisposalRow, version_ids: list[str]) -> None:
    conn.execute(
        "INSERT INTO disposals (family_id, family_type, closed_at, dispose_after, proposed_by, "
        "proposed_at, proposal_signature, confirmed_by, disposed_at, version_count, "
        "versions_digest, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.family_id, row.family_type, row.closed_at, row.dispose_after, row.proposed_by,
         row.proposed_at, row.proposal_signature,
         row.confirmed_by, row.disposed_at, row.version_count, row.versions_digest,
         row.signature))
    conn.executemany("INSERT INTO disposed_versions (version_id, family_id) VALUES (?, ?)",
                     [(v, row.family_id) for v in version_ids])


_DISPOSAL_COLUMNS = ("family_id, family_type, closed_at, dispose_after, proposed_by, proposed_at, "
                     "proposal_signature, confirmed_by, disposed_at, version_count, "
                     "versions_digest, signature")


def disposal_of(conn: Connection, family_id: str) -> DisposalRow | None:
    r = conn.execute(f"SELECT {_DISPOSAL_COLUMNS} FROM disposals WHERE family_id = ?",
                     (family_id,)).fetchone()
    return None if r is None else _disposal(r)


def all_disposals(conn: Connection) -> list[DisposalRow]:
    return [_disposal(r) for r in conn.execute(
        f"SELECT {_DISPOSAL_COLUMNS} FROM disposals ORDER BY disposed_at")]


def _disposal(r: Any) -> DisposalRow:
    t = "disposals"
    return DisposalRow(cells.text(r[0], t, "family_id"), cells.text(r[1], t, "family_type"),
                       cells.text(r[2], t, "closed_at"), cells.text(r[3], t, "dispose_after"),
                       cells.text(r[4], t, "proposed_by"), cells.text(r[5], t, "proposed_at"),
                       cells.blob(r[6], t, "proposal_signature"),
                       cells.text(r[7], t, "confirmed_by"), cells.text(r[8], t, "disposed_at"),
                       cells.integer(r[9], t, "version_count"),
                       cells.blob(r[10], t, "versions_digest"), cells.blob(r[11], t, "signature"))


def disposal_from_cells(names: tuple[str, ...], row: tuple[Any, ...]) -> DisposalRow:
    """A `disposals` row received from another replica, its cells named by `names` (the
    table's columns as they travel); RowMalformed if a cell is not of its column's type."""
    by_name = dict(zip(names, row, strict=True))
    return _disposal(tuple(by_name.get(c.strip()) for c in _DISPOSAL_COLUMNS.split(",")))


def replace_disposal(conn: Connection, row: DisposalRow) -> None:
    """Put a verified tombstone in place of a stored row of the same family that is not one
    (a row anyone signed in could have written here): the signed one is what counts."""
    conn.execute("DELETE FROM disposals WHERE family_id = ?", (row.family_id,))
    put_disposal(conn, row, [])


def disposed_family_of_version(conn: Connection, version_id: str) -> str | None:
    r = conn.execute("SELECT family_id FROM disposed_versions WHERE version_id = ?",
                     (version_id,)).fetchone()
    return None if r is None else cells.text(r[0], "disposed_versions", "family_id")


def disposed_version_ids(conn: Connection, family_id: str) -> list[str]:
    return sorted(cells.text(r[0], "disposed_versions", "version_id") for r in conn.execute(
        "SELECT version_id FROM disposed_versions WHERE family_id = ?", (family_id,)))


def tables_holding_families(conn: Connection) -> list[str]:
    """Every table with a family_id column but our own: versions, receipts, drafts, and
    whatever later areas add, so a disposal cannot miss a table someone adds next year."""
    names = [str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    out = []
    for name in names:
        if name in TOMBSTONE_TABLES or name in RETENTION_TABLES:
            continue
        columns = {str(c[1]) for c in conn.execute(f'PRAGMA table_info("{name}")')}
        if "family_id" in columns:
            out.append(name)
    return sorted(out)


def delete_family_rows(conn: Connection, family_id: str) -> dict[str, int]:
    """Delete the family's rows everywhere; secure_delete overwrites the freed cells."""
    removed: dict[str, int] = {}
    for table in tables_holding_families(conn):
        cur = conn.execute(f'DELETE FROM "{table}" WHERE family_id = ?', (family_id,))
        removed[table] = int(cur.rowcount)
    # Each person's stored list of families (encrypted, services/family/family_list.py) names
    # the family too; it no longer holds after a removal anyway, and is rebuilt when next read.
    conn.execute("DELETE FROM meta WHERE key LIKE 'family\\_list.%' ESCAPE '\\'")
    return removed


def vacuum(conn: Connection, wait_ms: int = 1000) -> bool:
    """Rebuild the file so no freed page keeps old ciphertext, then empty the write-ahead log.
    False if the vault was too busy (a writer kept VACUUM out, or a reader kept the log from
    being emptied) within `wait_ms`: the deletion stands, and `compact` can be run later."""
    from workbook.vault.database import BUSY_TIMEOUT_MS, OperationalError

    # The checkpoint waits on the busy handler; a reader may hold it for as long as it likes.
    conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        conn.execute("VACUUM")
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy
    except OperationalError:
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
