"""How far each signed log reached: remembered, and checked at every sign-in (issue 12).

Every row of the signed logs is signed, but deleting the newest rows leaves a log that still
verifies and says something older: the previous policy, a role change or a disable undone, a
removed partner re-admitted, a bundle that may be replayed. So each person's sealed state (the
KEK-wrapped blob) and each OS account's keyring (the "seen" record, vault/device_secret.py)
keep, per log, the count of its rows and a hash chained over their signed content in the order
they were appended. At the next sign-in a log with fewer rows, or whose first rows no longer
chain to the remembered hash, is named. A count per log is one function here (`COUNTERS`), so
a log's notion of which rows count can change in one place."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import fields
from workbook.services.authority import signatures
from workbook.services.errors import NotPermitted, TamperingDetected
from workbook.vault import audit_log, log_rows, section_store
from workbook.vault.database import Connection

if TYPE_CHECKING:
    from workbook.services.session import Session

POLICY, MEMBERSHIP, CERTS, REVOCATIONS = "policy", "membership", "certificates", "revocations"
PARTNERS, RECEIVED, EPOCHS = "partner events", "received bundles", "section epochs"
# A rolled-back membership or policy log changes who may do what: refused, not just named.
DECISIVE = (MEMBERSHIP, POLICY)
# What each OS account's keyring remembers per folder: small, and enough to order two states.
SEEN_LOGS = (MEMBERSHIP, POLICY)
ROLLBACK_EVENT = "log_rollback_detected"
ACCEPT_EVENT = "restore_accepted"
ACCEPTED_NOTE = "You accepted this vault as it is"


@dataclass(frozen=True)
class Chain:
    """The running hash of one log's verified rows: `links[i]` covers the first i rows."""

    links: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.links) - 1

    def head(self) -> list[object]:
        return [self.count, self.links[-1]]


def chain(name: str, items: Iterable[bytes]) -> Chain:
    link = hashlib.sha256(fields("workbook log head v1", name)).hexdigest()
    links = [link]
    for item in items:
        link = hashlib.sha256(fields(link, hashlib.sha256(item).digest())).hexdigest()
        links.append(link)
    return Chain(tuple(links))


# --- one counter per log: its rows' signed content, in append order ------------------------------
# Every row counts, verified or not: the head only has to notice that rows disappeared or
# changed, which any row's removal shows; what a row *means* is decided by the log's readers,
# which verify it. Counting every row costs no signature checks at sign-in and lock, and a row
# whose signer's key stops verifying later (a conflicted account, K4) is not reported as lost.
# A row planted by a holder of V and removed again is named (loud), never silent.
def policy_items(conn: Connection, vault_id: str) -> list[bytes]:
    return [fields(signatures.policy(vault_id, r.text, r.author, r.at), r.signature)
            for r in log_rows.policy_rows(conn)]


def membership_items(conn: Connection, vault_id: str) -> list[bytes]:
    return [fields(signatures.membership(vault_id, r.at, r.actor, r.event, r.user_id, r.section,
                                         r.epoch), r.signature)
            for r in section_store.membership(conn)]


def cert_items(conn: Connection, vault_id: str) -> list[bytes]:
    return [fields(signatures.user_cert(vault_id, user_id, keys, signer, at), signature)
            for user_id, keys, signer, at, signature in log_rows.cert_rows(conn)]


def revocation_items(conn: Connection, vault_id: str) -> list[bytes]:
    return [fields(signatures.key_revocation(vault_id, user_id, keys, at), signature)
            for user_id, keys, at, signature in log_rows.revocation_rows(conn)]


def partner_items(conn: Connection, vault_id: str) -> list[bytes]:
    from workbook.services.sharing.partners import partner_event_message
    from workbook.vault import sharing_store

    return [fields(partner_event_message(vault_id, e.partner_id, e.action, e.public_keys,
                                         e.team, e.at, e.actor), e.signature)
            for e in sharing_store.partner_events(conn)]


def epoch_items(conn: Connection, _vault_id: str) -> list[bytes]:
    return [fields(*row) for row in log_rows.epoch_rows(conn)]


def received_items(conn: Connection, _vault_id: str) -> list[bytes]:
    """Bundles received are not signed rows (each is in the audit chain); the record is what
    refuses a replay, so a deleted row matters as much."""
    return [fields(*row) for row in log_rows.received_rows(conn)]


COUNTERS: dict[str, Callable[[Connection, str], list[bytes]]] = {
    POLICY: policy_items, MEMBERSHIP: membership_items, CERTS: cert_items,
    REVOCATIONS: revocation_items, PARTNERS: partner_items, EPOCHS: epoch_items,
    RECEIVED: received_items,
}


# --- snapshots and their comparison ------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """The newest point of every log, as one person or one OS account saw it."""

    audit_seq: int = 0
    audit_hash: str = ""
    audit_at: str = ""
    logs: dict[str, list[object]] = field(default_factory=dict)
    generation: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"audit_seq": self.audit_seq, "audit_hash": self.audit_hash,
                "audit_at": self.audit_at, "logs": self.logs, "generation": self.generation}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        logs = data.get("logs") or {}
        return cls(int(data.get("audit_seq", 0)), str(data.get("audit_hash", "")),
                   str(data.get("audit_at", "")),
                   {str(k): [int(v[0]), str(v[1])] for k, v in dict(logs).items()},
                   int(data.get("generation", 0)))

    def only(self, names: Iterable[str]) -> Snapshot:
        keep = set(names)
        return Snapshot(self.audit_seq, self.audit_hash, self.audit_at,
                        {k: v for k, v in self.logs.items() if k in keep}, self.generation)


@dataclass(frozen=True)
class Current:
    """The vault as it is now: every log's chain and the audit head."""

    chains: dict[str, Chain]
    audit_seq: int
    audit_hash: str
    audit_at: str
    generation: int

    def snapshot(self) -> Snapshot:
        return Snapshot(self.audit_seq, self.audit_hash, self.audit_at,
                        {name: c.head() for name, c in self.chains.items()}, self.generation)


def current(conn: Connection, vault_id: str, generation: int,
            cache: dict[str, Any] | None = None) -> Current:
    """The vault now. With `cache` (one per session), the chains are computed again only when a
    log table was appended to or shrank since (vault/log_rows.marks)."""
    marks = log_rows.marks(conn) if cache is not None else None
    if cache is not None and cache.get("marks") == marks:
        chains: dict[str, Chain] = cache["chains"]
    else:
        chains = {name: chain(name, count(conn, vault_id))
                  for name, count in COUNTERS.items()}
        if cache is not None:
            cache.update(marks=marks, chains=chains)
    seq, digest = audit_log.head(conn)
    return Current(chains, seq, digest.hex() if seq else "",
                   log_rows.audit_at(conn, seq) or "", generation)


@dataclass(frozen=True)
class Loss:
    log: str
    lost: int  # rows fewer than remembered; 0 if as many or more but the old ones changed

    def describe(self, since: str) -> str:
        if self.lost > 0:
            # Only the head is remembered, so a row taken from the middle reads the same.
            return f"the {self.log} log lost {self.lost} event(s) {since}"
        return f"the {self.log} log was rewritten {since}: an earlier event was removed or changed"


def losses(remembered: Snapshot, now: Current) -> list[Loss]:
    """Every log that is behind what was remembered, in a stable order."""
    out = []
    for name, head in sorted(remembered.logs.items()):
        chain_now = now.chains.get(name)
        if chain_now is None:
            continue
        count, link = int(str(head[0])), str(head[1])
        if chain_now.count < count:
            out.append(Loss(name, count - chain_now.count))
        elif chain_now.links[count] != link:
            out.append(Loss(name, 0))
    return out


def audit_behind(remembered: Snapshot, conn: Connection) -> bool:
    """The remembered audit event is missing or different: the log was cut back or rewritten."""
    if remembered.audit_seq <= 0:
        return False
    stored = audit_log.hash_at(conn, remembered.audit_seq)
    return stored is None or stored.hex() != remembered.audit_hash


def folder_point(seq: int, at: str) -> str:
    return f"audit event {seq} ({at[:10] or 'date unknown'})"


# --- the check at sign-in ----------------------------------------------------------------------
RESTORE_HINT = ("if the team restored a backup on purpose, the owner runs "
                "`workbook vault accept-restore`")


def examine(session: Session, person: Snapshot | None, generation: int,
            accept_restore: bool = False) -> None:
    """Compare the vault with what this person (their sealed blob) and this OS account (the
    keyring's seen record for this folder) last saw. Every log that lost rows is named and
    audited; a rolled-back membership or policy log, or a folder older than this OS account
    saw, is refused until the owner accepts it (a deliberate restore)."""
    from workbook.vault import device_secret

    conn = session.conn
    now = current(conn, session.vault_id, generation, session.log_heads_cache)
    seen: Snapshot | None = None
    refusal: str | None = None
    culprits: list[Snapshot] = []  # the records a refusal rests on: an acceptance must be newer
    try:
        raw = device_secret.load_seen_state(session.vault_id, session.vault_dir,
                                            bytes(session.device_secret.value))
        seen = None if raw is None else Snapshot.from_json(raw)
    except (device_secret.SeenStateAltered, ValueError, TypeError, IndexError):
        refusal = ("this PC's record of the newest vault it saw (in the keyring) was altered; "
                   + RESTORE_HINT)
        culprits.extend([person] if person is not None else [])
    named: dict[str, Loss] = {}
    records = [r for r in (person, seen.only(SEEN_LOGS) if seen else None) if r is not None]
    for record in records:
        for loss in losses(record, now):
            named.setdefault(loss.log, loss)
            if loss.log in DECISIVE:
                culprits.append(record)
    for loss in named.values():
        session.warnings.append(loss.describe("since you last signed in")
                                + "; tell your team manager")
    if named and session.keypair is not None:
        # Signed by the person: `audit verify` accepts no vault-signed event of this kind. A
        # newcomer without keys yet is warned; the next person with keys records it.
        with session.write():
            for loss in named.values():
                session.audit(ROLLBACK_EVENT, {"log": loss.log, "lost": loss.lost})
    decisive = [loss for loss in named.values() if loss.log in DECISIVE]
    if decisive:
        refusal = "; ".join(loss.describe("since you last signed in") for loss in decisive) + \
            (": a role change, a disable or a policy change may have been undone, so Workbook "
             "will not open this vault until the owner checks it and runs "
             "`workbook vault accept-restore`")
    if seen is not None and not (person is not None and audit_behind(person, conn)):
        if audit_behind(seen, conn) or generation < seen.generation:
            culprits.append(seen)
        if audit_behind(seen, conn):
            refusal = (f"this vault is older than the one this PC last saw: "
                       f"{folder_point(now.audit_seq, now.audit_at)} here, "
                       f"{folder_point(seen.audit_seq, seen.audit_at)} last seen; "
                       + RESTORE_HINT)
        elif generation < seen.generation:
            refusal = (f"this vault is older than the one this PC last saw: vault key "
                       f"generation {generation} here, {seen.generation} last seen; "
                       + RESTORE_HINT)
    if refusal is None:
        return
    since = max((r.audit_at for r in culprits), default="")
    owner = session.membership().owner
    accepted = accepted_since(session, owner, since)
    if accepted is not None:
        session.announcements.append(
            f"the owner accepted a restored vault on {accepted[:10]}; what was done after "
            "the restored point is not in this vault")
        return
    if accept_restore:
        if owner is None or session.user_id != owner:
            session.remember_heads = False
            raise NotPermitted("only the vault owner accepts a restored vault")
        try:
            session.require_certified()  # others check the acceptance against this key
        except BaseException:
            session.remember_heads = False
            raise
        with session.write():
            session.audit(ACCEPT_EVENT, {
                "here": now.audit_seq, "last_seen": seen.audit_seq if seen else 0,
                "logs": sorted(named)})
        session.announcements.append(f"{ACCEPTED_NOTE}: {refusal}")
        return
    session.remember_heads = False
    raise TamperingDetected(refusal)


def accepted_since(session: Session, owner: str | None, since: str) -> str | None:
    """The time of an acceptance by the owner made after `since`, chained into this vault's
    own audit log at its place (so one copied from another folder does not count)."""
    if owner is None:
        return None
    conn = session.conn
    for ev in reversed(log_rows.audit_events_named(conn, ACCEPT_EVENT)):
        if ev.signer != owner or ev.user_id != owner or ev.at <= since:
            continue
        digest = audit_log.event_hash(ev.prev_hash, ev.seq, ev.at, ev.user_id, ev.event,
                                      ev.ids_json, ev.detail, ev.signer)
        previous = audit_log.GENESIS if ev.seq == 1 else audit_log.hash_at(conn, ev.seq - 1)
        if digest != ev.hash or previous != ev.prev_hash:
            continue
        if session.trust.verify_by(owner, ev.signature, ev.hash):
            return ev.at
    return None


def remember_seen(session: Session, snapshot: Snapshot) -> None:
    """This OS account's record for this folder: the audit head, the decisive logs and the
    vault key generation."""
    from workbook.vault import device_secret

    device_secret.store_seen_state(session.vault_id, session.vault_dir,
                                   bytes(session.device_secret.value),
                                   snapshot.only(SEEN_LOGS).to_json())
