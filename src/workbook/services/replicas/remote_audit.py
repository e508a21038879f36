"""The other replicas' audit chains, as received, checked as `audit verify` checks this one.

Each replica keeps its own chain (decision 0009); what it sent is stored here by origin. An
event must hash to its content, follow the event before it where that one is here (a replica's
first events before its checkpoint are on its approver's chain, not here), and carry the
signature of its actor's certified key (or the vault's audit key, only for the events that
happen before anyone has keys; or the recovery key). A problem is named per replica; nothing
is changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.services.audit.trail import VAULT_SIGNABLE
from workbook.vault import audit_log, replica_store
from workbook.vault.audit_log import AuditRow

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class ChainReport:
    replica: str
    events: int
    problem: str

    def to_json(self) -> dict[str, Any]:
        return {"replica": self.replica, "events": self.events, "ok": not self.problem,
                "problem": self.problem}


def _signers(session: Session, signer: str, event: str) -> list[PublicKeys]:
    if signer == "vault":
        return [session.audit_key.public] if event in VAULT_SIGNABLE else []
    if signer == "recovery":
        return [session.trust.recovery]
    return session.trust.keys_of(signer) + [
        PublicKeys(k) for k in sorted(session.trust.withdrawn.get(signer, set()))]


def _well_formed(row: tuple[Any, ...]) -> bool:
    """Each cell of the type Workbook writes: a cell changed by SQL to another type is reported
    as an alteration, never raised as a crash of `audit verify` or of a receipt."""
    seq, at, user_id, event, ids, detail, signer, prev, digest, signature = row
    return (type(seq) is int and all(type(v) is str for v in (at, user_id, event, ids, signer))
            and (detail is None or type(detail) is bytes)
            and all(type(v) is bytes for v in (prev, digest, signature)))


def _problem(session: Session, row: tuple[Any, ...], before: bytes | None) -> str:
    if not _well_formed(row):
        return (f"event {row[0]!r} has a cell of the wrong type: it was altered outside "
                "Workbook")
    seq, at, user_id, event, ids, detail, signer, prev, digest, signature = row
    if before is not None and bytes(prev) != before:
        return f"event {seq} does not follow event {seq - 1} (chain broken)"
    if audit_log.event_hash(bytes(prev), seq, at, user_id, event, ids, detail,
                            signer) != bytes(digest):
        return f"event {seq} was altered (its hash does not match its content)"
    if signer not in ("vault", "recovery") and signer != user_id:
        return f"event {seq} is signed by someone other than its actor"
    for key in _signers(session, signer, event):
        try:
            key.verify(bytes(signature), bytes(digest))
            return ""
        except AuthenticationFailed:
            continue
    return f"event {seq} has a signature that does not verify"


def _checked(session: Session) -> list[tuple[str, list[tuple[Any, ...]], int, str]]:
    """Per origin: its events, how many lead the chain before its first problem, the problem."""
    out = []
    for origin, rows in sorted(replica_store.remote_audit(session.conn).items()):
        problem, hashes, good = "", dict[int, bytes](), 0
        for row in rows:
            previous = hashes.get(row[0] - 1) if type(row[0]) is int else None
            problem = _problem(session, row, previous)
            if problem:
                break
            hashes[row[0]] = bytes(row[8])
            good += 1
        out.append((origin, rows, good, problem))
    return out


def verify(session: Session) -> list[ChainReport]:
    return [ChainReport(origin, len(rows), problem)
            for origin, rows, _good, problem in _checked(session)]


def verified_events(session: Session) -> list[AuditRow]:
    """The other replicas' events whose hash, place and signature hold (each chain up to its
    first problem): `audit verify` finds there the write event of a received version."""
    out = []
    for _origin, rows, good, _problem in _checked(session):
        for seq, at, user_id, event, ids_json, detail, signer, prev, digest, sig in rows[:good]:
            try:
                ids = json.loads(ids_json)
            except (TypeError, ValueError):
                ids = {}
            out.append(AuditRow(seq, at, user_id, event, ids if isinstance(ids, dict) else {},
                                ids_json, detail, signer, bytes(prev), bytes(digest),
                                bytes(sig)))
    return out
