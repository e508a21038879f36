"""Deletions that travel between replicas: a disposal confirmed on one replica disposes of the
family on every replica (decision 0009).

A `disposals` row arrives like any other row, but it is believed only as the disposal itself
believes it: both signatures checked, with keys and roles read from the signed state this
replica now holds (`tombstones.verify_tombstone`). A tombstone that verifies removes the
family here through the very sweep a local disposal makes (`tombstones.sweep_family`) and is
audited; one that does not verify refuses the whole file it came in (nothing kept, nothing
deleted, the file named in `refused` and read again at a later sync, so a tombstone whose
signer's certificate is still on its way is applied once it arrives)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.services.authority import load_trust
from workbook.services.errors import InvalidInput
from workbook.services.upkeep import tombstones
from workbook.vault import replica_rows, retention_store
from workbook.vault.database import RowMalformed
from workbook.vault.replica_rows import Row
from workbook.vault.retention_store import DisposalRow

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class Received:
    """A tombstone a file carries, and the row this replica held for its family before."""

    row: DisposalRow
    before: DisposalRow | None


def received(session: Session, rows: list[Row]) -> list[Received]:
    """The file's tombstones, read before its rows are stored (so what was here is known)."""
    if not rows:
        return []
    names = replica_rows.columns(session.conn, "disposals")
    out = []
    for row in rows:
        try:
            tombstone = retention_store.disposal_from_cells(names, row)
        except (RowMalformed, ValueError):
            raise InvalidInput("a disposal record it carries is malformed") from None
        out.append(Received(tombstone, retention_store.disposal_of(session.conn,
                                                                   tombstone.family_id)))
    return out


def dispose(session: Session, found: list[Received], origin: str) -> set[str]:
    """Apply the file's tombstones, inside the caller's transaction, after its other rows
    (the certificates and membership events that make them verify come in the same file or an
    earlier one). Returns the families disposed of here; InvalidInput if any does not verify."""
    if not found:
        return set()
    conn, vault_id = session.conn, session.vault_id
    # The file's keys and certificates are stored but not yet in the session's trust.
    trust = load_trust(conn, vault_id, session.trust.recovery)
    out: set[str] = set()
    for item in found:
        row, family_id = item.row, item.row.family_id
        problem = tombstones.verify_tombstone(conn, vault_id, trust, row)
        if problem:
            raise InvalidInput(f"a disposal record it carries does not verify: {problem}")
        out.add(family_id)
        if item.before is not None:
            if item.before == row or not tombstones.verify_tombstone(conn, vault_id, trust,
                                                                     item.before):
                continue  # disposed of here already (this one, or a verified one of its own)
            retention_store.replace_disposal(conn, row)  # an unsigned row stood in its place
        removed = tombstones.sweep_family(conn, family_id)
        session.audit("family_disposed_elsewhere", {
            "family": family_id, "family_type": row.family_type, "replica": origin,
            "versions": removed.get("versions", 0)})
    return out
