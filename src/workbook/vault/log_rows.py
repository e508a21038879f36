"""The rows of each signed log in storage order, for remembering how far each log reached
(services/log_heads.py). Storage order is the order rows were appended (rowid); honest code only
ever appends to these tables, so a row that goes missing from the middle or the end shows."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.vault.database import Connection


@dataclass(frozen=True)
class PolicyRow:
    text: str
    author: str
    at: str
    signature: bytes


def policy_rows(conn: Connection) -> list[PolicyRow]:
    return [
        PolicyRow(str(r[0]), str(r[1]), str(r[2]), bytes(r[3]))
        for r in conn.execute("SELECT text, author, at, signature FROM policy_versions "
                              "ORDER BY seq")
    ]


def cert_rows(conn: Connection) -> list[tuple[str, bytes, str, str, bytes]]:
    """(user id, public keys, signer, signed at, signature) in the order they were added."""
    return [
        (str(a), bytes(b), str(c), str(d), bytes(e))
        for a, b, c, d, e in conn.execute(
            "SELECT user_id, public_keys, signer, signed_at, signature FROM user_certs "
            "ORDER BY rowid")
    ]


def revocation_rows(conn: Connection) -> list[tuple[str, bytes, str, bytes]]:
    """(user id, public keys, signed at, signature) in the order they were added."""
    return [
        (str(a), bytes(b), str(c), bytes(d))
        for a, b, c, d in conn.execute(
            "SELECT user_id, public_keys, signed_at, signature FROM key_revocations "
            "ORDER BY rowid")
    ]


def epoch_rows(conn: Connection) -> list[tuple[str, int, bytes, bytes]]:
    """(section, epoch, public keys, signature) in the order the epochs were made."""
    return [
        (str(a), int(b), bytes(c), bytes(d))
        for a, b, c, d in conn.execute(
            "SELECT section, epoch, public_keys, signature FROM section_epochs ORDER BY rowid")
    ]


def received_rows(conn: Connection) -> list[tuple[str, str, int, str]]:
    """(sender, bundle id, sequence, received at) in the order bundles were received."""
    return [
        (str(a), str(b), int(c), str(d))
        for a, b, c, d in conn.execute(
            "SELECT sender, bundle_id, sequence, received_at FROM bundles_received "
            "ORDER BY rowid")
    ]


@dataclass(frozen=True)
class AuditEvent:
    """One audit row with everything needed to recompute its hash and check its signature."""

    seq: int
    at: str
    user_id: str
    event: str
    ids_json: str
    detail: bytes | None
    signer: str
    prev_hash: bytes
    hash: bytes
    signature: bytes


def audit_events_named(conn: Connection, event: str) -> list[AuditEvent]:
    return [
        AuditEvent(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]),
                   None if r[5] is None else bytes(r[5]), str(r[6]), bytes(r[7]), bytes(r[8]),
                   bytes(r[9]))
        for r in conn.execute(
            "SELECT seq, at, user_id, event, ids, detail, signer, prev_hash, hash, signature "
            "FROM audit WHERE event = ? ORDER BY seq", (event,))
    ]


def audit_at(conn: Connection, seq: int) -> str | None:
    r = conn.execute("SELECT at FROM audit WHERE seq = ?", (seq,)).fetchone()
    return None if r is None else str(r[0])


LOG_TABLES = ("policy_versions", "membership", "user_certs", "key_revocations", "partner_events",
              "bundles_received", "section_epochs")


def marks(conn: Connection) -> tuple[int, ...]:
    """Row count and newest rowid of every log table: a cheap sign that none was appended to,
    so what a session verified at sign-in need not be verified again at lock."""
    parts = ", ".join(f"(SELECT count(*) FROM {t}), (SELECT max(rowid) FROM {t})"
                      for t in LOG_TABLES)
    row = conn.execute(f"SELECT {parts}").fetchone()
    return tuple(int(v or 0) for v in row)
