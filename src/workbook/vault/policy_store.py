"""The policy_versions table: the signed history of the team's policy, newest row last.

Storage only: whether the newest row is believed (its author's signature and standing) is
decided in services (sign_in.verified_policy_text)."""

from __future__ import annotations

from workbook.vault.database import Connection
from workbook.vault.log_rows import PolicyRow, newest_policy


def newest(conn: Connection) -> PolicyRow | None:
    """The last policy appended, or None in a vault that has none (which sign-in refuses)."""
    return newest_policy(conn)


def append(conn: Connection, text: str, author: str, at: str, signature: bytes) -> None:
    """Append a signed policy; the caller holds the write transaction."""
    conn.execute(
        "INSERT INTO policy_versions (text, author, at, signature) VALUES (?, ?, ?, ?)",
        (text, author, at, signature),
    )
