"""Deletions that travel between replicas (decision 0009): a disposal confirmed on one replica
disposes of the family on every replica, and a family's retention state (closed, reopened,
proposed for disposal, withdrawn) is settled from its signed retention log as entries arrive.

A `disposals` row arrives like any other row, but it is believed only as the disposal itself
believes it: both signatures checked, with keys and roles read from the signed state this
replica now holds (`tombstones.verify_tombstone`). A tombstone that verifies removes the
family here through the very sweep a local disposal makes (`tombstones.sweep_family`) and is
audited; one that does not verify refuses the whole file it came in (nothing kept, nothing
deleted, the file named in `refused` and read again at a later sync, so a tombstone whose
signer's certificate is still on its way is applied once it arrives). Retention log entries
are stored like any row and the families they name settled (`retention_log.settle`): an entry
that does not verify counts for nothing, as it does here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.services.authority import load_trust
from workbook.services.errors import InvalidInput
from workbook.services.upkeep import retention_log, tombstones
from workbook.services.upkeep.closing_attestations import ATTESTATIONS
from workbook.vault import replica_rows, retention_store
from workbook.vault.database import RowMalformed
from workbook.vault.replica_rows import Row
from workbook.vault.retention_store import DisposalRow

if TYPE_CHECKING:
    from workbook.services.authority import Trust
    from workbook.services.session import Session


TABLES = ("disposals", "retention_log")


@dataclass(frozen=True)
class Received:
    """A tombstone a file carries, and the row this replica held for its family before."""

    row: DisposalRow
    before: DisposalRow | None


@dataclass(frozen=True)
class Pending:
    tombstones: list[Received]
    families: set[str]  # named by the file's retention log entries


def received(session: Session, disposals: list[Row], entries: list[Row]) -> Pending:
    """The file's tombstones, read before its rows are stored (so what was here is known),
    and the families its retention log entries name."""
    out = []
    if disposals:
        names = replica_rows.columns(session.conn, "disposals")
        for row in disposals:
            try:
                tombstone = retention_store.disposal_from_cells(names, row)
            except (RowMalformed, ValueError):
                raise InvalidInput("a disposal record it carries is malformed") from None
            out.append(Received(tombstone, retention_store.disposal_of(session.conn,
                                                                       tombstone.family_id)))
    families: set[str] = set()
    if entries:
        at = replica_rows.columns(session.conn, "retention_log").index("family_id")
        families = {str(row[at]) for row in entries if len(row) > at} - {ATTESTATIONS}
    return Pending(out, families)


def apply(session: Session, pending: Pending, origin: str) -> set[str]:
    """After the file's other rows are stored (the certificates and membership events that
    make its entries verify come in the same file or an earlier one): its tombstones, then
    its families' retention state. Returns the families disposed of here."""
    if not pending.tombstones and not pending.families:
        return set()
    # The file's keys and certificates are stored but not yet in the session's trust.
    trust = load_trust(session.conn, session.vault_id, session.trust.recovery)
    disposed = dispose(session, trust, pending.tombstones, origin)
    for family_id in sorted(pending.families - disposed):
        state = tombstones.disposal_state(session.conn, session.vault_id, trust, family_id)
        if state is not None and state.verified:
            tombstones.sweep_family(session.conn, family_id)  # late entries of a disposed one
        else:
            retention_log.settle(session.conn, session.vault_id, trust, family_id)
    return disposed


def dispose(session: Session, trust: Trust, found: list[Received], origin: str) -> set[str]:
    """Apply the file's tombstones, inside the caller's transaction. Returns the families
    disposed of here; InvalidInput if any does not verify."""
    conn, vault_id = session.conn, session.vault_id
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
