"""Rows of verification_receipts: opaque per-person marks of versions already verified."""

from __future__ import annotations

from workbook.vault import cells
from workbook.vault.database import Connection, OperationalError, VaultBusy


def of_family(conn: Connection, family_id: str) -> set[bytes]:
    return {cells.blob(r[0], "verification_receipts", "receipt") for r in conn.execute(
        "SELECT receipt FROM verification_receipts WHERE family_id = ?", (family_id,))}


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
