"""Small named values stored in the vault: team name, the audit key pair, settings."""

from __future__ import annotations

from workbook.vault.database import Connection


def get(conn: Connection, key: str) -> bytes | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    return row[0].encode() if isinstance(row[0], str) else bytes(row[0])


def get_text(conn: Connection, key: str, default: str = "") -> str:
    value = get(conn, key)
    return default if value is None else value.decode("utf-8")


def put(conn: Connection, key: str, value: bytes | str) -> None:
    data = value.encode("utf-8") if isinstance(value, str) else value
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, data),
    )
