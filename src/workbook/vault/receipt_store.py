"""Rows of verification_receipts: opaque per-person marks of versions already verified."""

from __future__ import annotations

from workbook.vault import cells
from workbook.vault.database import Connection, OperationalError, VaultBusy

_CHUNK = 500  # families per query (SQLite's default limit is 32,766 variables)


def of_family(conn: Connection, family_id: str) -> set[bytes]:
    return {cells.blob(r[0], "verification_receipts", "receipt") for r in conn.execute(
        "SELECT receipt FROM verification_receipts WHERE family_id = ?", (family_id,))}


def of_families(conn: Connection, family_ids: list[str], kind: str | None = None) -> set[bytes]:
    """The receipts of these families (of one kind, if given), a few hundred families per
    query through the primary key: what a reader of the open families needs, not the vault's
    ten years."""
    out: set[bytes] = set()
    also = "" if kind is None else " AND kind = ?"
    for start in range(0, len(family_ids), _CHUNK):
        chunk = family_ids[start:start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        out.update(cells.blob(r[0], "verification_receipts", "receipt") for r in conn.execute(
            f"SELECT receipt FROM verification_receipts WHERE family_id IN ({marks}){also}",
            [*chunk, *([] if kind is None else [kind])]))
    return out


def of_kind(conn: Connection, kind: str) -> set[bytes]:
    return {cells.blob(r[0], "verification_receipts", "receipt") for r in conn.execute(
        "SELECT receipt FROM verification_receipts WHERE kind = ?", (kind,))}


def insert_many(conn: Connection, rows: list[tuple[str, str, bytes]]) -> None:
    try:
        conn.executemany(
            "INSERT OR IGNORE INTO verification_receipts (family_id, kind, receipt) "
            "VALUES (?, ?, ?)", rows)
    except OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise VaultBusy("the vault is busy") from None
        raise
