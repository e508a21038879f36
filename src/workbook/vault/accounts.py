"""Rows of the users, user_keys and user_certs tables. No decisions here: services decide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbook.vault import cells
from workbook.vault.database import Connection


@dataclass(frozen=True)
class UserRow:
    user_id: str
    username: str
    full_name: str
    role: str
    status: str
    is_owner: bool
    created_at: str
    created_by: str
    public_keys: bytes | None


_COLUMNS = (
    "user_id, username, full_name, role, status, is_owner, created_at, created_by, public_keys"
)


def _row(r: Any) -> UserRow:
    return UserRow(
        cells.text(r[0], "users", "user_id"), cells.text(r[1], "users", "username"),
        cells.text(r[2], "users", "full_name"), cells.text(r[3], "users", "role"),
        cells.text(r[4], "users", "status"), cells.flag(r[5], "users", "is_owner"),
        cells.text(r[6], "users", "created_at"), cells.text(r[7], "users", "created_by"),
        cells.blob_or_none(r[8], "users", "public_keys"),
    )


def insert(conn: Connection, user: UserRow) -> None:
    conn.execute(
        f"INSERT INTO users ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user.user_id, user.username, user.full_name, user.role, user.status,
            int(user.is_owner), user.created_at, user.created_by, user.public_keys,
        ),
    )


def by_username(conn: Connection, username: str) -> UserRow | None:
    r = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE username = ?", (username,)).fetchone()
    return None if r is None else _row(r)


def by_id(conn: Connection, user_id: str) -> UserRow | None:
    r = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE user_id = ?", (user_id,)).fetchone()
    return None if r is None else _row(r)


def all_users(conn: Connection) -> list[UserRow]:
    return [_row(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY username")]


def set_status(conn: Connection, user_id: str, status: str) -> None:
    conn.execute("UPDATE users SET status = ? WHERE user_id = ?", (status, user_id))


def set_role(conn: Connection, user_id: str, role: str) -> None:
    conn.execute("UPDATE users SET role = ? WHERE user_id = ?", (role, user_id))


def reset_to_initial(conn: Connection, user_id: str) -> None:
    """Back to an initial passphrase with no registered keys (a recovery reset)."""
    conn.execute(
        "UPDATE users SET status = 'initial', public_keys = NULL WHERE user_id = ?",
        (user_id,),
    )


def set_public_keys(conn: Connection, user_id: str, public_keys: bytes, at: str) -> None:
    conn.execute(
        "UPDATE users SET public_keys = ?, keys_at = ? WHERE user_id = ?",
        (public_keys, at, user_id),
    )
    conn.execute(
        "INSERT OR IGNORE INTO user_keys (user_id, public_keys, registered_at) VALUES (?, ?, ?)",
        (user_id, public_keys, at),
    )


def key_history(conn: Connection) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for user_id, keys in conn.execute("SELECT user_id, public_keys FROM user_keys"):
        out.setdefault(cells.text(user_id, "user_keys", "user_id"), []).append(
            cells.blob(keys, "user_keys", "public_keys"))
    return out


@dataclass(frozen=True)
class CertRow:
    user_id: str
    public_keys: bytes
    signer: str
    signed_at: str
    signature: bytes


def add_cert(conn: Connection, cert: CertRow) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO user_certs (user_id, public_keys, signer, signed_at, signature) "
        "VALUES (?, ?, ?, ?, ?)",
        (cert.user_id, cert.public_keys, cert.signer, cert.signed_at, cert.signature),
    )


def all_certs(conn: Connection) -> list[CertRow]:
    return [
        CertRow(cells.text(a, "user_certs", "user_id"), cells.blob(b, "user_certs", "public_keys"),
                cells.text(c, "user_certs", "signer"), cells.text(d, "user_certs", "signed_at"),
                cells.blob(e, "user_certs", "signature"))
        for a, b, c, d, e in conn.execute(
            "SELECT user_id, public_keys, signer, signed_at, signature FROM user_certs"
        )
    ]


def add_revocation(conn: Connection, user_id: str, public_keys: bytes, at: str,
                   signature: bytes) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO key_revocations (user_id, public_keys, signed_at, signature) "
        "VALUES (?, ?, ?, ?)",
        (user_id, public_keys, at, signature),
    )


def all_revocations(conn: Connection) -> list[tuple[str, bytes, str, bytes]]:
    return [
        (cells.text(a, "key_revocations", "user_id"),
         cells.blob(b, "key_revocations", "public_keys"),
         cells.text(c, "key_revocations", "signed_at"),
         cells.blob(d, "key_revocations", "signature"))
        for a, b, c, d in conn.execute(
            "SELECT user_id, public_keys, signed_at, signature FROM key_revocations"
        )
    ]
