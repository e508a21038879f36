"""The policy_versions table: the signed history of the team's policy, newest row last.

Storage only: whether the newest row is believed (its author's signature and standing) is
decided in services (sign_in.verified_policy_text)."""

from __future__ import annotations

from workbook.vault.database import Connection
from workbook.vault.log_rows import PolicyRow


def newest(conn: Connection) -> PolicyRow | None:
    """The last policy appended, or None in a vault that has none (which sign-in refuses)."""
    row = conn.execute(
        "SELECT text, author, at, signature FROM policy_versions ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return PolicyRow(str(row[0]), str(row[1]), str(row[2]), bytes(row[3]))


def append(conn: Connection, text: str, author: str, at: str, signature: bytes) -> None:
    """Append a signed policy; the caller holds the write transaction."""
    conn.execute(
        "INSERT INTO policy_versions (text, author, at, signature) VALUES (?, ?, ?, ?)",
        (text, author, at, signature),
    )
