"""Which audit event named which version: the audit made searchable by version.

The audit table's `ids` are JSON, so "has this version a write event?" cannot be answered by
an index. Every event that writes versions (one named as `version`, or many as
`version_sets`, one digest per family, as a received bundle does) also writes one row here
per version, in the same transaction. The table is not signed: a family opened reads it only
to mark versions without an event, and `workbook audit verify` believes it only where a signed
event's digest covers it (services/audit/completeness.py).

seq 0 marks a version that was already in a vault upgraded to this table without an event
naming it (versions received or logged at sharing before events named them), until an
`audit_versions_adopted` event names it. A negative seq marks a version received from another
replica: -seq is the event of its writer's chain (`replica_audit`) that names it, matched at
receipt (vault/replica_rows.index_received); `audit verify` believes it only where that
chain's signed event names the version."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from workbook.crypto.encoding import fields
from workbook.vault import cells
from workbook.vault.database import Connection

LEGACY_SEQ = 0


def set_digest(family_id: str, version_ids: Iterable[str]) -> str:
    """The digest a signed event keeps of the versions it wrote in one family."""
    body = fields("workbook audit version set v1", family_id, *sorted(set(version_ids)))
    return hashlib.sha256(body).hexdigest()[:32]


def set_digests(versions: Iterable[tuple[str, str]]) -> dict[str, str]:
    """`set_digest` per family of (family id, version id) pairs."""
    by_family: dict[str, list[str]] = {}
    for family_id, version_id in versions:
        by_family.setdefault(family_id, []).append(version_id)
    return {f: set_digest(f, ids) for f, ids in sorted(by_family.items())}


def record_event(conn: Connection, seq: int, ids: Mapping[str, object],
                 versions: Iterable[tuple[str, str]] = ()) -> None:
    """The rows for event `seq`: its named version, if it names one, and `versions`."""
    pairs = list(versions)
    family, version = ids.get("family"), ids.get("version")
    if isinstance(family, str) and isinstance(version, str) and family and version:
        pairs.append((family, version))
    if pairs:
        conn.executemany(
            "INSERT OR IGNORE INTO audit_versions (family_id, version_id, seq) VALUES (?, ?, ?)",
            [(f, v, seq) for f, v in pairs])


def audited_of_family(conn: Connection, family_id: str) -> set[str]:
    """The family's version ids that have a row here: one range read of the primary key. A
    cheap mark for the family view, not a verification: a version written outside Workbook has
    no row. Checking that each row's event is still in the log cost about 3 ms a family open
    (a page read per event) and is left to `audit verify`, which checks the signatures and set
    digests, and to the log heads, which refuse or name a cut-back audit log at sign-in."""
    return {cells.text(r[0], "audit_versions", "version_id") for r in conn.execute(
        "SELECT version_id FROM audit_versions WHERE family_id = ?", (family_id,))}


def all_rows(conn: Connection) -> list[tuple[str, str, int]]:
    """Every (family id, version id, seq) row, for the whole-vault check."""
    return [(cells.text(r[0], "audit_versions", "family_id"),
             cells.text(r[1], "audit_versions", "version_id"),
             cells.integer(r[2], "audit_versions", "seq")) for r in conn.execute(
        "SELECT family_id, version_id, seq FROM audit_versions")]


def all_versions(conn: Connection) -> list[tuple[str, str, str, str]]:
    """Every stored version as (family id, kind, version id, created_at), without bodies."""
    return [(cells.text(r[0], "versions", "family_id"), cells.text(r[1], "versions", "kind"),
             cells.text(r[2], "versions", "version_id"),
             cells.text(r[3], "versions", "created_at")) for r in conn.execute(
        "SELECT family_id, kind, version_id, created_at FROM versions")]


def unadopted(conn: Connection) -> list[tuple[str, str]]:
    """(family id, version id) of the rows still at seq 0 (a partial index: usually none)."""
    return [(cells.text(r[0], "audit_versions", "family_id"),
             cells.text(r[1], "audit_versions", "version_id")) for r in conn.execute(
        "SELECT family_id, version_id FROM audit_versions WHERE seq = 0")]


def adopt(conn: Connection, seq: int, versions: list[tuple[str, str]]) -> None:
    """Point the seq-0 rows `versions` at event `seq`, which names them by digest."""
    conn.executemany(
        "UPDATE audit_versions SET seq = ? WHERE family_id = ? AND version_id = ? AND seq = 0",
        [(seq, f, v) for f, v in versions])
