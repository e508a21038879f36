"""One replica file's rows: gathered from this vault to send, and applied when received.

Rows travel as they are stored: versions already author-signed and section-encrypted, log
rows already signed, the audit events of the writing replica's own chain. Applying a row
grants nothing by itself: the readers that verify this vault's own rows (trust, membership,
the record path, `audit verify`) verify received rows the same way (decision 0009)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import b64, unb64
from workbook.services.authority import RECOVERY, signatures
from workbook.services.errors import InvalidInput
from workbook.services.replicas import deletions, slots, sync_keys
from workbook.services.upkeep import tombstones
from workbook.vault import audit_versions, replica_rows, replica_store
from workbook.vault.replica_rows import TABLES, VERSION_COLUMNS, Cell, Row

if TYPE_CHECKING:
    from workbook.services.session import Session

FORMAT = "workbook replica rows"
VERSION = 1
_VERSION_TYPES: tuple[tuple[type, ...], ...] = (
    (str,), (str,), (str,), (str,), (bytes, type(None)), (int,), (str,), (str,), (str,), (str,),
    (int,), (bytes,))


def _out(cell: Cell) -> Any:
    return {"b": b64(cell)} if isinstance(cell, bytes) else cell


_PLAIN = (str, int, float, type(None))  # exact types: a JSON true/false (bool) is refused


def _in(value: Any) -> Cell:
    if type(value) in _PLAIN:
        return value
    if type(value) is dict and len(value) == 1 and type(value.get("b")) is str:
        try:
            return unb64(value["b"])
        except ValueError:
            raise InvalidInput("a cell is malformed") from None
    raise InvalidInput("a cell is malformed")


def _rows(value: Any, what: str) -> list[Row]:
    """Every row's cells decoded (a received file can hold tens of thousands of rows: one
    pass, exact type checks, no per-cell generator)."""
    if type(value) is not list or not all(type(r) is list for r in value):
        raise InvalidInput(f"the {what} rows are malformed")
    return [tuple(map(_in, r)) for r in value]


@dataclass
class Outgoing:
    """What this replica has that it has not sent, and the marks to move once it is sent."""

    body: dict[str, Any]
    version_count: int
    digests: dict[str, list[bytes]] = field(default_factory=dict)
    version_mark: int = 0
    audit_mark: int = 0
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing but audit events: they wait for the next change. Every sync signs someone
        in and audits itself, so sending audit alone would write a file at every sync, and
        each replica's receipt of it would make the next one, for ever."""
        b = self.body
        return not (b["versions"] or b["slots"] or b["sync_keys"] or any(b["tables"].values()))


def gather(session: Session, own: replica_store.SelfRow, seq: int) -> Outgoing:
    conn = session.conn
    tables: dict[str, list[list[Any]]] = {}
    digests: dict[str, list[bytes]] = {}
    for table, _mode in TABLES:
        found = replica_rows.new_rows(conn, table)
        tables[table] = [[_out(c) for c in row] for _d, row in found]
        digests[table] = [d for d, _row in found]
    versions = replica_rows.versions_after(conn, own.version_mark, replica_store.skips(conn))
    audit = replica_store.local_audit_after(conn, own.audit_mark)
    now = session.now()
    changed = slots.outgoing(session, now)
    body = {"format": FORMAT, "version": VERSION, "vault": session.vault_id,
            "replica": own.replica_id, "seq": seq, "written_at": now, "tables": tables,
            "versions": [[_out(c) for c in row] for row in versions],
            "audit": [[_out(c) for c in row] for row in audit],
            "slots": changed, "sync_keys": sync_keys.outgoing(session, own)}
    return Outgoing(body, len(versions), digests, replica_store.newest_version_seq(conn),
                    replica_store.newest_audit_seq(conn), changed)


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def decode(raw: bytes, vault_id: str, replica_id: str, seq: int) -> dict[str, Any]:
    """The body of an authentic file, checked against the names it was opened under."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("its rows do not read") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise InvalidInput("it is not a replica rows file")
    if body.get("version") != VERSION:
        raise InvalidInput(f"it is format version {body.get('version')!r}; install the newer "
                           "Workbook the other replica runs")
    if (body.get("vault"), body.get("replica"), body.get("seq")) != (vault_id, replica_id, seq):
        raise InvalidInput("it names another vault, replica or number than its place")
    if not isinstance(body.get("written_at"), str) or not isinstance(body.get("tables"), dict):
        raise InvalidInput("its header is malformed")
    return body


@dataclass
class Applied:
    versions: int = 0
    rows: int = 0
    records: set[str] = field(default_factory=set)
    replica_log_changed: bool = False
    sync_key_added: bool = False
    disposed: set[str] = field(default_factory=set)  # families a received tombstone removed


def _withdraw_grants(session: Session, row: Row) -> None:
    """A reset withdrew a person's keys (signed by R) and removed their grants there; the
    removal travels as the signed withdrawal, so the grants sealed to the old keys go here too
    (those granted after it, to the new keys, stay). Applied before `section_grants` in every
    file, so a re-approval in the same file survives."""
    user_id, keys, at, signature = row
    if not (isinstance(user_id, str) and isinstance(keys, bytes) and isinstance(at, str)
            and isinstance(signature, bytes)):
        return
    message = signatures.key_revocation(session.vault_id, user_id, keys, at)
    if session.trust.verify_by(RECOVERY, signature, message):
        replica_rows.drop_grants_before(session.conn, user_id, at)


def _written(audit: list[Row], versions: list[Row]) -> dict[tuple[str, str], int]:
    """Which received event of the writer's chain wrote each received version: the first that
    names it (`family` and `version`), else one that names many by `version_sets` whose digest
    for the family is that of the family's received versions no event names singly (a bundle
    received, a share's log entries). The signatures are `audit verify`'s to check."""
    out: dict[tuple[str, str], int] = {}
    sets: list[tuple[int, dict[str, Any]]] = []
    for row in sorted(audit, key=lambda r: r[0] if isinstance(r[0], int) else 0):
        seq, text = row[0], row[4]
        if not (isinstance(seq, int) and isinstance(text, str)):
            continue
        try:
            ids = json.loads(text)
        except ValueError:
            continue
        if not isinstance(ids, dict):
            continue
        family, version = ids.get("family"), ids.get("version")
        if isinstance(family, str) and isinstance(version, str):
            out.setdefault((family, version), seq)
        if isinstance(ids.get("version_sets"), dict):
            sets.append((seq, ids["version_sets"]))
    by_family: dict[str, set[str]] = {}
    for row in versions:
        if (str(row[0]), str(row[1])) not in out:
            by_family.setdefault(str(row[0]), set()).add(str(row[1]))
    for seq, digests in sets:
        for family, digest in digests.items():
            left = by_family.get(str(family), set())
            if left and audit_versions.set_digest(str(family), left) == digest:
                out.update(((str(family), v), seq) for v in left)
                by_family[str(family)] = set()
    return out


def apply(session: Session, body: dict[str, Any], origin: str) -> Applied:
    """Store a file's rows inside the caller's transaction; InvalidInput (nothing kept, as the
    caller rolls back) if any row is malformed."""
    conn, done = session.conn, Applied()
    pending = deletions.received(session, *(_rows(body["tables"].get(t, []), t)
                                            for t in deletions.TABLES))
    for table, _mode in TABLES:
        rows = _rows(body["tables"].get(table, []), table)
        for row in rows:
            try:
                added = replica_rows.apply_row(conn, table, row)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None
            done.rows += added
            done.replica_log_changed |= added and table == "replica_log"
            if added and table == "key_revocations":
                _withdraw_grants(session, row)
        for name in replica_rows.stored_as(table):
            replica_rows.mark_known(conn, name, [replica_rows.digest(name, r) for r in rows])
    done.disposed = deletions.apply(session, pending, origin)
    before = replica_store.newest_version_seq(conn)
    versions = _rows(body.get("versions", []), "version")
    for row in versions:
        if len(row) != len(VERSION_COLUMNS) or not all(
                isinstance(c, kinds) for c, kinds in zip(row, _VERSION_TYPES, strict=True)):
            raise InvalidInput("a version row is malformed")
    # Only a tombstone whose signatures hold stops a version (a bare disposals row never
    # swallows one, as on the write path).
    disposed = done.disposed | {f for f in {str(r[0]) for r in versions}
                                if tombstones.is_disposed(session, f)}
    audit = _rows(body.get("audit", []), "audit")
    for row in audit:
        if len(row) != len(replica_store.AUDIT_COLUMNS) or not isinstance(row[0], int):
            raise InvalidInput("an audit row is malformed")
    # The writer's events first: each received version is indexed at once against the event
    # of that chain that wrote it (same transaction; decision 0009).
    replica_store.put_remote_audit(conn, origin, audit)
    new = replica_rows.insert_versions(conn, versions, disposed, _written(audit, versions))
    done.versions = len(new)
    # Only a record with a received edit (a version with parents) can now have two heads.
    done.records = {str(row[2]) for row in new if row[6] != "[]"}
    replica_store.add_skip(conn, before, replica_store.newest_version_seq(conn))
    slots.incoming(session, body.get("slots", {}))
    done.sync_key_added = sync_keys.incoming(session, body.get("sync_keys"), origin)
    return done
