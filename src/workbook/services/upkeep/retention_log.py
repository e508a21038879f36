"""The retention log: every signed change of a family's retention state, so that closing,
reopening, proposing a disposal and withdrawing it hold on every replica (decision 0009).

A reopening or a withdrawal deletes a row here; a missing row cannot travel, so each is kept
as a signed entry naming what it ends (a digest of the closing's or the proposal's
signature). The state is a function of the set of entries, not of the order they arrived in:
the family's closing is the newest verified closing no verified reopening ends, and its
proposal the newest verified proposal, made after that closing, that no verified withdrawal
ends. So replicas holding the same entries hold the same `family_retention` and
`disposal_proposals` rows, whatever order their files were read in. Naming what is ended
(rather than comparing times) keeps a closing made again in the same second as a reopening.
An entry that does not verify counts for nothing (anyone signed in can write one)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from workbook.crypto.encoding import fields
from workbook.domain.acts import Act, may
from workbook.services.upkeep.closing_attestations import ATTESTATIONS
from workbook.services.upkeep.tombstones import proposal_message
from workbook.vault import retention_store
from workbook.vault.database import Connection
from workbook.vault.retention_store import LogEntry, ProposalRow, RetentionRow

if TYPE_CHECKING:
    from workbook.services.authority import Trust
    from workbook.services.session import Session

CLOSED, PROPOSED, REOPENED, WITHDRAWN = "closed", "proposed", "reopened", "withdrawn"
# The kind of a closing's verification receipts, and the family id they are stored under: all
# together, as a first sign-in makes thousands (under each family's id, one page of the
# receipts' table each: 1.9 s of writing at 20,000 families, against 0.1 s).
CLOSING_RECEIPTS = "retention closing"
# What each ending may end, and the act its signer must have held when signing it.
_ENDS = {REOPENED: (CLOSED, Act.REOPEN_FAMILY), WITHDRAWN: (PROPOSED, Act.REVIEW_DISPOSALS)}


def closing_message(vault_id: str, row: RetentionRow) -> bytes:
    return fields("workbook family closed v1", vault_id, row.family_id, row.family_type,
                  row.closed_at, row.dispose_after, row.closed_by)


def ending_message(vault_id: str, kind: str, family_id: str, ends: str, by: str,
                   at: str) -> bytes:
    return fields(f"workbook retention {kind} v1", vault_id, family_id, ends, by, at)


def reference(signature: bytes) -> str:
    """How an ending names the closing or proposal it ends."""
    return hashlib.sha256(signature).hexdigest()[:32]


def closed(row: RetentionRow) -> LogEntry:
    return LogEntry(row.family_id, CLOSED, {
        "family_type": row.family_type, "closed_at": row.closed_at,
        "dispose_after": row.dispose_after, "closed_by": row.closed_by}, row.signature)


def proposed(row: ProposalRow) -> LogEntry:
    return LogEntry(row.family_id, PROPOSED, {"proposed_by": row.proposed_by,
                                              "proposed_at": row.proposed_at}, row.signature)


def ending(session: Session, kind: str, family_id: str, ended: bytes) -> LogEntry:
    """A reopening (of the closing signed `ended`) or a withdrawal (of that proposal), signed
    now by the person signed in."""
    ends, at = reference(ended), session.now()
    signature = session.require_certified().sign(
        ending_message(session.vault_id, kind, family_id, ends, session.user_id, at))
    return LogEntry(family_id, kind, {"ends": ends, "by": session.user_id, "at": at},
                    signature)


def record(conn: Connection, entry: LogEntry) -> None:
    retention_store.put_log_entry(conn, entry)


def _texts(entry: LogEntry, *names: str) -> list[str] | None:
    values = [entry.body.get(n) for n in names]
    return [str(v) for v in values] if all(isinstance(v, str) for v in values) else None


def _ended(conn: Connection, vault_id: str, trust: Trust, entries: list[LogEntry]
           ) -> set[tuple[str, str]]:
    """(kind ended, reference) for every ending that verifies, by someone who then held the
    act that ends it."""
    from workbook.services.authority import load_membership

    out = set()
    for entry in entries:
        if entry.kind not in _ENDS:
            continue
        cells = _texts(entry, "ends", "by", "at")
        if cells is None:
            continue
        ends, by, at = cells
        target, act = _ENDS[entry.kind]
        if not trust.verify_by(by, entry.signature, ending_message(
                vault_id, entry.kind, entry.family_id, ends, by, at)):
            continue
        if may(load_membership(conn, vault_id, trust, until=at).role_of(by), act):
            out.add((target, ends))
    return out


def _closing(vault_id: str, trust: Trust, entries: list[LogEntry],
             ended: set[tuple[str, str]]) -> RetentionRow | None:
    live = []
    for entry in (e for e in entries if e.kind == CLOSED):
        cells = _texts(entry, "family_type", "closed_at", "dispose_after", "closed_by")
        if cells is None or (CLOSED, reference(entry.signature)) in ended:
            continue
        family_type, closed_at, dispose_after, closed_by = cells
        row = RetentionRow(entry.family_id, family_type, closed_at, dispose_after, closed_by,
                           entry.signature)
        if _closing_verifies(vault_id, trust, row):
            live.append(row)
    return max(live, key=lambda r: (r.closed_at, r.signature), default=None)


def closing_id(message: bytes, signature: bytes) -> str:
    """A closing's identity for its receipt: a digest of its signed message and signature, as
    a version id is of its version's (C22)."""
    return hashlib.sha256(fields("workbook retention closing id v1", message,
                                 signature)).hexdigest()


def _closing_verifies(vault_id: str, trust: Trust, row: RetentionRow) -> bool:
    """Whether the closer's trusted key signed the closing - checked once per person: a
    fresh reading of the list of families (a first sign-in, and every sign-in after a
    disposal or a change of keys) verifies every closing of ten years (19,600 signatures,
    2.2 s at 20,000 families); those this person verified before are known by their receipt
    (C22), recomputed from the closing as read here."""
    verified = trust.verified
    message = closing_message(vault_id, row)
    entry = closing_id(message, row.signature)
    if verified.is_verified(entry):
        return True
    if not trust.verify_by(row.closed_by, row.signature, message):
        return False
    verified.mark(entry, CLOSING_RECEIPTS, CLOSING_RECEIPTS)
    return True


def _proposal(vault_id: str, trust: Trust, entries: list[LogEntry], closing: RetentionRow,
              ended: set[tuple[str, str]]) -> ProposalRow | None:
    live = []
    for entry in (e for e in entries if e.kind == PROPOSED):
        cells = _texts(entry, "proposed_by", "proposed_at")
        if cells is None or (PROPOSED, reference(entry.signature)) in ended:
            continue
        row = ProposalRow(entry.family_id, cells[0], cells[1], entry.signature)
        if row.proposed_at >= closing.closed_at and trust.verify_by(
                row.proposed_by, row.signature,
                proposal_message(vault_id, row, closing.dispose_after)):
            live.append(row)
    return max(live, key=lambda r: (r.proposed_at, r.signature), default=None)


def settle(conn: Connection, vault_id: str, trust: Trust, family_id: str) -> None:
    """Set the family's retention row and proposal to what its verified entries say."""
    entries = retention_store.log_of(conn, family_id)
    ended = _ended(conn, vault_id, trust, entries)
    closing = _closing(vault_id, trust, entries, ended)
    proposal = None if closing is None else _proposal(vault_id, trust, entries, closing, ended)
    retention_store.settle_state(conn, family_id, closing, proposal)


def verified_closings(conn: Connection, vault_id: str, trust: Trust,
                      families: list[str] | None = None) -> dict[str, RetentionRow]:
    """Family id -> its closing, for every family (of `families`, if given) whose verified
    entries say it is closed now (as `settle` works out one family's), from one read of the
    log (of those families' part of it). The receipts of closings are loaded once a
    closing is to be checked: every person's for the whole vault are tens of thousands of
    rows, and the families open now mostly have none (a newcomer's first home, issue 19)."""
    by_family: dict[str, list[LogEntry]] = {}
    entries = (retention_store.whole_log(conn, but=ATTESTATIONS) if families is None
               else retention_store.log_of_families(conn, families))
    for entry in entries:
        by_family.setdefault(entry.family_id, []).append(entry)
    out = {}
    for family_id, entries in by_family.items():
        if not any(e.kind == CLOSED for e in entries):
            continue
        trust.verified.load_kind(conn, CLOSING_RECEIPTS)
        closing = _closing(vault_id, trust, entries, _ended(conn, vault_id, trust, entries))
        if closing is not None:
            out[family_id] = closing
    return out
