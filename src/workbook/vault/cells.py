"""Typed cell readers: every repository read that turns a row into values goes through these.

SQLite columns are not STRICT, so a holder of the database key can store text in a BLOB
column, a blob in a TEXT column, text or a real in an INTEGER column, or NULL anywhere a
constraint was dropped. `bytes("x")` then raises TypeError and `int("x")` ValueError deep in
a read, shown as "unexpected internal error"; worse, `bool("x")` or `str(b"..")` would carry
on silently with a value nobody wrote. Each reader accepts exactly the storage class the
schema intends and otherwise raises RowMalformed (a VaultDamaged), which every caller already
reports as a refusal naming the table and column. The checks are `type(v) is ...` so the hot
version reads pay one comparison per cell.
"""

from __future__ import annotations

from workbook.vault.database import RowMalformed

__all__ = ["RowMalformed", "blob", "blob_or_none", "flag", "integer", "integer_or_none",
           "text", "text_or_none"]


def blob(value: object, table: str, column: str) -> bytes:
    """A BLOB cell: bytes (a memoryview or bytearray is copied); anything else is refused."""
    if type(value) is bytes:
        return value
    if isinstance(value, (memoryview, bytearray)):
        return bytes(value)
    raise RowMalformed(table, column)


def blob_or_none(value: object, table: str, column: str) -> bytes | None:
    """A nullable BLOB cell."""
    return None if value is None else blob(value, table, column)


def text(value: object, table: str, column: str) -> str:
    """A TEXT cell: str only (a blob or NULL in a TEXT column is refused, not str()-ed)."""
    if type(value) is str:
        return value
    raise RowMalformed(table, column)


def text_or_none(value: object, table: str, column: str) -> str | None:
    """A nullable TEXT cell."""
    return None if value is None else text(value, table, column)


def integer(value: object, table: str, column: str) -> int:
    """An INTEGER cell: int only - not bool, not a real, not text that failed to convert."""
    if type(value) is int:
        return value
    raise RowMalformed(table, column)


def integer_or_none(value: object, table: str, column: str) -> int | None:
    """A nullable INTEGER cell."""
    return None if value is None else integer(value, table, column)


def flag(value: object, table: str, column: str) -> bool:
    """An INTEGER cell used as a yes/no: 0 or 1 only (`bool("x")` would say yes)."""
    if type(value) is int and value in {0, 1}:
        return value == 1
    raise RowMalformed(table, column)
