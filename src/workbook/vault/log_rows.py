"""The rows of each signed log in storage order, for remembering how far each log reached
(services/access/log_heads.py). Storage order is the order rows were appended (rowid); honest code
only ever appends to these tables, so a row that goes missing from the middle or the end shows."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.vault import cells
from workbook.vault.database import Connection


@dataclass(frozen=True)
class PolicyRow:
    text: str
    author: str
    at: str
    signature: bytes


_P, _C, _R, _E = "policy_versions", "user_certs", "key_revocations", "section_epochs"
_B, _A = "bundles_received", "audit"


def policy_rows(conn: Connection) -> list[PolicyRow]:
    return [
        PolicyRow(cells.text(r[0], _P, "text"), cells.text(r[1], _P, "author"),
                  cells.text(r[2], _P, "at"), cells.blob(r[3], _P, "signature"))
        for r in conn.execute("SELECT text, author, at, signature FROM policy_versions "
                              "ORDER BY seq")
    ]


def newest_policy(conn: Connection) -> PolicyRow | None:
    """The newest policy row (highest seq): what sign-in verifies and applies."""
    r = conn.execute("SELECT text, author, at, signature FROM policy_versions "
                     "ORDER BY seq DESC LIMIT 1").fetchone()
    return None if r is None else PolicyRow(
        cells.text(r[0], _P, "text"), cells.text(r[1], _P, "author"),
        cells.text(r[2], _P, "at"), cells.blob(r[3], _P, "signature"))


def cert_rows(conn: Connection) -> list[tuple[str, bytes, str, str, bytes]]:
    """(user id, public keys, signer, signed at, signature) in the order they were added."""
    return [
        (cells.text(a, _C, "user_id"), cells.blob(b, _C, "public_keys"),
         cells.text(c, _C, "signer"), cells.text(d, _C, "signed_at"),
         cells.blob(e, _C, "signature"))
        for a, b, c, d, e in conn.execute(
            "SELECT user_id, public_keys, signer, signed_at, signature FROM user_certs "
            "ORDER BY rowid")
    ]


def revocation_rows(conn: Connection) -> list[tuple[str, bytes, str, bytes]]:
    """(user id, public keys, signed at, signature) in the order they were added."""
    return [
        (cells.text(a, _R, "user_id"), cells.blob(b, _R, "public_keys"),
         cells.text(c, _R, "signed_at"), cells.blob(d, _R, "signature"))
        for a, b, c, d in conn.execute(
            "SELECT user_id, public_keys, signed_at, signature FROM key_revocations "
            "ORDER BY rowid")
    ]


def epoch_rows(conn: Connection) -> list[tuple[str, int, bytes, bytes]]:
    """(section, epoch, public keys, signature) in the order the epochs were made."""
    return [
        (cells.text(a, _E, "section"), cells.integer(b, _E, "epoch"),
         cells.blob(c, _E, "public_keys"), cells.blob(d, _E, "signature"))
        for a, b, c, d in conn.execute(
            "SELECT section, epoch, public_keys, signature FROM section_epochs ORDER BY rowid")
    ]


def received_rows(conn: Connection) -> list[tuple[str, str, int, str]]:
    """(sender, bundle id, sequence, received at) in the order bundles were received."""
    return [
        (cells.text(a, _B, "sender"), cells.text(b, _B, "bundle_id"),
         cells.integer(c, _B, "sequence"), cells.text(d, _B, "received_at"))
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
        AuditEvent(cells.integer(r[0], _A, "seq"), cells.text(r[1], _A, "at"),
                   cells.text(r[2], _A, "user_id"), cells.text(r[3], _A, "event"),
                   cells.text(r[4], _A, "ids"), cells.blob_or_none(r[5], _A, "detail"),
                   cells.text(r[6], _A, "signer"), cells.blob(r[7], _A, "prev_hash"),
                   cells.blob(r[8], _A, "hash"), cells.blob(r[9], _A, "signature"))
        for r in conn.execute(
            "SELECT seq, at, user_id, event, ids, detail, signer, prev_hash, hash, signature "
            "FROM audit WHERE event = ? ORDER BY seq", (event,))
    ]


def audit_at(conn: Connection, seq: int) -> str | None:
    r = conn.execute("SELECT at FROM audit WHERE seq = ?", (seq,)).fetchone()
    return None if r is None else cells.text(r[0], _A, "at")


LOG_TABLES = ("policy_versions", "membership", "user_certs", "key_revocations", "partner_events",
              "bundles_received", "section_epochs")


def marks(conn: Connection) -> tuple[int, ...]:
    """Row count and newest rowid of every log table: a cheap sign that none was appended to,
    so what a session verified at sign-in need not be verified again at lock."""
    parts = ", ".join(f"(SELECT count(*) FROM {t}), (SELECT max(rowid) FROM {t})"
                      for t in LOG_TABLES)
    row = conn.execute(f"SELECT {parts}").fetchone()
    return tuple(int(v or 0) for v in row)
