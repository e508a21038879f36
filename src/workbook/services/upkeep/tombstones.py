"""Disposal tombstones, believed only when signed (docs/retention.md, docs/crypto.md).

Anyone signed in can write a `disposals` row, so the row alone decides nothing. A family
counts as disposed of only when its tombstone carries the proposing team manager's signature
and the confirming administrator's signature over the vault, the family, the disposal time and
the count and digest of the removed versions, both made with certified keys by people who held
those roles (in the signed membership log) when they signed. A row that fails any of this is
"not signed": it never hides a family and never swallows a write; it is named where it matters
(`audit verify`, a disposal of that family refused loudly)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.crypto.encoding import fields
from workbook.domain.acts import Act, may
from workbook.services.authority import Trust
from workbook.services.errors import InvalidInput
from workbook.vault import retention_store
from workbook.vault.database import Connection
from workbook.vault.retention_store import DisposalRow, ProposalRow

if TYPE_CHECKING:
    from workbook.services.session import Session


def proposal_message(vault_id: str, row: ProposalRow, dispose_after: str) -> bytes:
    return fields("workbook disposal proposed v1", vault_id, row.family_id, row.proposed_by,
                  row.proposed_at, dispose_after)


def disposal_message(vault_id: str, row: DisposalRow) -> bytes:
    return fields("workbook family disposed v1", vault_id, row.family_id, row.family_type,
                  row.closed_at, row.dispose_after, row.proposed_by, row.proposed_at,
                  row.proposal_signature, row.confirmed_by, row.disposed_at, row.version_count,
                  row.versions_digest)


def versions_digest(version_ids: list[str]) -> bytes:
    return hashlib.sha256(fields("workbook disposed versions v1", *sorted(version_ids))).digest()


def verify_tombstone(conn: Connection, vault_id: str, trust: Trust, row: DisposalRow) -> str:
    """"" if the tombstone's two signatures hold: the confirmer's over the whole record, by
    someone who was then an administrator the owner approved; and the proposal's, by someone
    else who was then a team manager. Otherwise what is wrong. So one person with the database
    key (and even their own certified key) cannot declare a family disposed of."""
    from workbook.services.authority import load_membership, may_administer

    family_id = row.family_id
    if not trust.verify_by(row.confirmed_by, row.signature, disposal_message(vault_id, row)):
        return f"the disposal record of family {family_id} is not signed by its confirmer"
    proposal = ProposalRow(family_id, row.proposed_by, row.proposed_at, row.proposal_signature)
    if not trust.verify_by(row.proposed_by, row.proposal_signature,
                           proposal_message(vault_id, proposal, row.dispose_after)):
        return f"the disposal record of family {family_id} has no valid proposal"
    if row.proposed_by == row.confirmed_by:
        return f"the disposal of family {family_id} was proposed and confirmed by one person"
    then = load_membership(conn, vault_id, trust, until=row.disposed_at)
    if not may(then.role_of(row.confirmed_by), Act.CONFIRM_DISPOSAL) or not may_administer(
            conn, vault_id, trust, then, row.confirmed_by):
        return (f"the disposal of family {family_id} was confirmed by someone who was not an "
                "approved administrator")
    proposed = load_membership(conn, vault_id, trust, until=row.proposed_at)
    if not may(proposed.role_of(row.proposed_by), Act.PROPOSE_DISPOSAL):
        return (f"the disposal of family {family_id} was proposed by someone who was not a "
                "team manager")
    return ""


def verify_disposal(conn: Connection, vault_id: str, trust: Trust, family_id: str) -> str:
    """`verify_tombstone`, and the versions recorded as disposed are exactly those the signed
    record counts and digests: what `audit verify` needs before it accepts a missing version
    as disposed of rather than quietly deleted."""
    row = retention_store.disposal_of(conn, family_id)
    if row is None:
        return f"family {family_id} has disposed versions but no disposal record"
    problem = verify_tombstone(conn, vault_id, trust, row)
    if problem:
        return problem
    ids = retention_store.disposed_version_ids(conn, family_id)
    if len(ids) != row.version_count or versions_digest(ids) != row.versions_digest:
        return f"the disposed versions of family {family_id} do not match its signed record"
    return ""


@dataclass(frozen=True)
class DisposalState:
    """A family's `disposals` row, judged: `problem` is "" when its signatures hold."""

    family_id: str
    disposed_at: str
    problem: str

    @property
    def verified(self) -> bool:
        return not self.problem


def disposal_state(conn: Connection, vault_id: str, trust: Trust, family_id: str
                   ) -> DisposalState | None:
    """None when the family has no disposals row at all (the common case: one indexed look);
    else the row's date and whether its signatures hold. Whether the removed versions still
    match the digest is `audit verify`'s question, not this one: deleting `disposed_versions`
    rows must not bring a disposed family back."""
    row = retention_store.disposal_of(conn, family_id)
    if row is None:
        return None
    return DisposalState(family_id, row.disposed_at,
                         verify_tombstone(conn, vault_id, trust, row))


def is_disposed(session: Session, family_id: str) -> bool:
    """True only for a family with a tombstone whose signatures hold."""
    state = disposal_state(session.conn, session.vault_id, session.trust, family_id)
    return state is not None and state.verified


def disposed_refusal(session: Session, family_id: str) -> str | None:
    """Why nothing may be added to this family (a verified disposal), or None. An unsigned
    disposals row gives None: it cannot stop work on a family, let alone hide it."""
    state = disposal_state(session.conn, session.vault_id, session.trust, family_id)
    if state is None or not state.verified:
        return None
    return (f"family {family_id} was disposed of on {state.disposed_at[:10]}; nothing can be "
            "added")


def sweep_family(conn: Connection, family_id: str) -> dict[str, int]:
    """What a disposal removes, by table: the family's rows in every table that holds one
    (versions, drafts, logs, receipts, the board's digest entries, everyone's stored list of
    families) and its retention row and proposal. One path for a disposal confirmed here and
    for a verified tombstone received from another replica, so neither can miss what the other
    removes; the caller holds the transaction and writes the tombstone."""
    removed = retention_store.delete_family_rows(conn, family_id)
    retention_store.delete_retention(conn, family_id)
    return removed


def refuse_if_disposed(session: Session, family_id: str) -> None:
    """The write path's check: a verified disposal refuses, loudly; nothing is stored."""
    why = disposed_refusal(session, family_id)
    if why is not None:
        raise InvalidInput(why)
