"""Small named values stored in the vault: team name, the audit key pair, settings."""

from __future__ import annotations

from workbook.vault.database import Connection, RowMalformed


def get(conn: Connection, key: str) -> bytes | None:
    """The value as bytes; text is accepted too (`put` stores bytes, but a value set as text
    by an older build reads the same). Anything else - an integer or a real put there by
    hand - is refused as RowMalformed naming the key."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    value = row[0]
    if type(value) is bytes:
        return value
    if type(value) is str:
        return value.encode()
    if isinstance(value, (memoryview, bytearray)):
        return bytes(value)
    raise RowMalformed("meta", f"value of '{key}'")


def get_blob(conn: Connection, key: str) -> bytes | None:
    """A binary value (a key seed, a signature): bytes only. Text there was never written by
    Workbook, whose `put` stores bytes: refused rather than encoded into a wrong key."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    if type(row[0]) is bytes:
        return row[0]
    raise RowMalformed("meta", f"value of '{key}'")


def get_text(conn: Connection, key: str, default: str = "") -> str:
    value = get(conn, key)
    if value is None:
        return default
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise RowMalformed("meta", f"value of '{key}'") from None


def put(conn: Connection, key: str, value: bytes | str) -> None:
    data = value.encode("utf-8") if isinstance(value, str) else value
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, data),
    )
