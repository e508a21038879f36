"""Who has which role, read from the signed membership log rather than the users table.

Anyone signed in can rewrite the users table, so a role (which decides what a person is offered
and what they keep when a section rotates) is believed only when the owner's creation (signed by
the recovery key) or an account manager's signed event says so. Events whose signer is not
trusted are ignored; account managers are the owner and certified administrators.

The order of the log comes from signed content, never from the row's `seq` (decision 0006):
rows of the first format are taken in the order of their signed time, copies dropped; rows of
the second format sign a counter and the digest of the event before them, and are followed as
a chain after the first-format rows, so a copied, moved or foreign row changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.domain.acts import Act
from workbook.domain.acts import may as may_act
from workbook.domain.roles import Role
from workbook.services.authority import membership_chain, signatures
from workbook.services.authority.signatures import RECOVERY
from workbook.vault import accounts, section_store
from workbook.vault.database import Connection

if TYPE_CHECKING:
    from workbook.services.authority.trust import Trust

OWNER_EVENT = "owner:"
ROLE_EVENT = "role:"
DISABLE_EVENT = "disable"


@dataclass(frozen=True)
class MembershipEvent:
    """One verified event, in the log's signed order."""

    at: str
    actor: str
    event: str
    user_id: str
    section: str | None
    epoch: int | None
    keys_digest: bytes
    counter: int | None
    prev: bytes
    digest: bytes
    prevs: tuple[bytes, ...] = ()  # a merge's branch tips (decision 0009)


@dataclass
class MembershipLog:
    events: list[MembershipEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Chain counters where two or more signed events follow the same event: two replicas each
    # changed membership before either synced (decision 0009), or a signer wrote two.
    forks: list[int] = field(default_factory=list)
    # Verified chained events that do not count: on a branch no merge names, or after a gap.
    outside: list[MembershipEvent] = field(default_factory=list)

    @property
    def head(self) -> tuple[int, bytes]:
        """(counter, digest) of the newest chained event; (0, b"") before the first."""
        chained = [e for e in self.events if e.counter is not None]
        return (chained[-1].counter or 0, chained[-1].digest) if chained else (0, b"")


def verified_log(conn: Connection, vault_id: str, trust: Trust) -> MembershipLog:
    """Every membership event whose actor's trusted key signed it, in signed order.

    First-format rows: ordered by their signed time (then storage order), each distinct event
    once. Second-format rows: the chain counter 1, 2, ... where each names the digest of the one
    before; a row that breaks the chain (a gap, a fork) ends it, and is reported.

    Kept on the Trust (which it was verified with) until the log gains or loses a row: a
    sign-in asks for it several times (the person, rotation, log heads)."""
    marker = section_store.membership_marker(conn)
    kept = trust.memo.get("membership")
    if kept is not None and kept[0] == (vault_id, marker):
        cached = kept[1]
        assert isinstance(cached, MembershipLog)
        return MembershipLog(list(cached.events), list(cached.problems), list(cached.forks),
                             list(cached.outside))
    log = _read_log(conn, vault_id, trust)
    trust.memo["membership"] = ((vault_id, marker), log)
    return MembershipLog(list(log.events), list(log.problems), list(log.forks),
                         list(log.outside))


def _read_log(conn: Connection, vault_id: str, trust: Trust) -> MembershipLog:
    log = MembershipLog()
    legacy: list[tuple[str, int, MembershipEvent]] = []
    chained: list[MembershipEvent] = []
    seen: set[bytes] = set()
    for row in section_store.membership(conn):
        message = row_message(vault_id, row)
        if not trust.verify_by(row.actor, row.signature, message):
            continue
        digest = signatures.event_digest(message, row.signature)
        if digest in seen:
            continue  # a copy of a signed row is the same event, once
        seen.add(digest)
        event = MembershipEvent(row.at, row.actor, row.event, row.user_id, row.section,
                                row.epoch, row.keys_digest, row.counter, row.prev, digest,
                                row.prevs)
        if row.counter is None:
            legacy.append((row.at, row.seq, event))
        else:
            chained.append(event)
    log.events = [e for _at, _seq, e in sorted(legacy, key=lambda t: (t[0], t[1]))]
    chain = membership_chain.follow(chained, _may_merge(conn, vault_id, trust, log.events))
    log.events += chain.events
    log.forks, log.problems = chain.forks, log.problems + chain.problems
    log.outside = chain.outside
    return log


def row_message(vault_id: str, row: section_store.MembershipRow) -> bytes:
    """The bytes a stored row's signer signed, in whichever of the three formats it is."""
    if row.counter is None:
        return signatures.membership(vault_id, row.at, row.actor, row.event, row.user_id,
                                     row.section, row.epoch)
    if row.prevs:
        return signatures.membership_v3(vault_id, row.counter, row.prevs, row.at, row.actor,
                                        row.event, row.user_id, row.section, row.epoch,
                                        row.keys_digest)
    return signatures.membership_v2(vault_id, row.counter, row.prev, row.at, row.actor,
                                    row.event, row.user_id, row.section, row.epoch,
                                    row.keys_digest)


def _may_merge(conn: Connection, vault_id: str, trust: Trust, legacy: list[MembershipEvent]
               ) -> membership_chain.MayMerge:
    """A merge counts only when its signer was, by the events before the fork, the owner or
    an active team manager (who manages replicas: `Act.MANAGE_REPLICAS`)."""
    def may(before: list[MembershipEvent], merge: MembershipEvent) -> bool:
        known = load_membership(conn, vault_id, trust, events=legacy + before)
        return merge.actor == known.owner or (
            known.is_active(merge.actor) and may_act(known.role_of(merge.actor),
                                                     Act.MANAGE_REPLICAS))
    return may


def owner_of(conn: Connection, vault_id: str, recovery: PublicKeys) -> str | None:
    """The owner: named by the earliest owner event the recovery key signed."""
    found: list[tuple[str, int, str]] = []
    for row in section_store.membership(conn):
        if row.actor != RECOVERY or not row.event.startswith(OWNER_EVENT):
            continue
        try:
            recovery.verify(row.signature, row_message(vault_id, row))
        except AuthenticationFailed:
            continue
        found.append((row.at, row.seq, row.user_id))
    return min(found)[2] if found else None


def verified_events(conn: Connection, vault_id: str, trust: Trust) -> list[MembershipEvent]:
    """The verified membership events in signed order: what the log-heads check counts."""
    return verified_log(conn, vault_id, trust).events


def append_event(conn: Connection, vault_id: str, trust: Trust, at: str, actor: str,
                 sign: Callable[[bytes], bytes], event: str, user_id: str,
                 section: str | None = None, epoch: int | None = None,
                 keys_digest: bytes = b"") -> None:
    """Append a second-format event after the newest verified one (inside the caller's
    transaction, so two writers cannot both take the same counter)."""
    counter, prev = verified_log(conn, vault_id, trust).head
    message = signatures.membership_v2(vault_id, counter + 1, prev, at, actor, event, user_id,
                                       section, epoch, keys_digest)
    section_store.append_membership(conn, at, actor, event, user_id, section, epoch,
                                    sign(message), counter + 1, prev, keys_digest)


def append_merge(conn: Connection, vault_id: str, trust: Trust, at: str, actor: str,
                 sign: Callable[[bytes], bytes]) -> list[list[MembershipEvent]]:
    """Sign one `merge` event joining every branch that forks after the chain's head (C32),
    inside the caller's transaction; returns the branches in the order they now count (empty,
    and nothing signed, when the chain does not fork there)."""
    log = verified_log(conn, vault_id, trust)
    branches = membership_chain.open_branches(log.outside, log.head)
    if not branches:
        return []
    tips = tuple(sorted(b[-1].digest for b in branches))
    counter = max(b[-1].counter or 0 for b in branches) + 1
    message = signatures.membership_v3(vault_id, counter, tips, at, actor,
                                       membership_chain.MERGE_EVENT, "", None, None, b"")
    section_store.append_membership(conn, at, actor, membership_chain.MERGE_EVENT, "", None,
                                    None, sign(message), counter, b"", b"", tips)
    return branches


@dataclass(frozen=True)
class Membership:
    roles: dict[str, Role]
    disabled: frozenset[str]
    owner: str | None

    def role_of(self, user_id: str) -> Role | None:
        return self.roles.get(user_id)

    def is_active(self, user_id: str) -> bool:
        return user_id in self.roles and user_id not in self.disabled

    def may_manage_accounts(self, user_id: str) -> bool:
        return user_id == self.owner or self.roles.get(user_id) is Role.ADMIN


def load_membership(
    conn: Connection, vault_id: str, trust: Trust, until: str | None = None,
    events: list[MembershipEvent] | None = None,
) -> Membership:
    """Replay the signed log (up to `until`, to ask what held when something was signed).

    An administrator's events count only while the administrator's key is vouched for by the
    owner or the recovery key: any approved colleague can certify keys, but only the owner may
    decide who administers the team."""
    roles: dict[str, Role] = {}
    disabled: set[str] = set()
    owner: str | None = None
    vouched = _owner_vouched(conn, vault_id, trust)
    for row in verified_events(conn, vault_id, trust) if events is None else events:
        if until is not None and row.at > until:
            break
        if row.event.startswith(OWNER_EVENT) and row.actor == RECOVERY and owner is None:
            owner = row.user_id
            roles[row.user_id] = _role(row.event[len(OWNER_EVENT):]) or Role.TEAM_MANAGER
            continue
        manager = row.actor == owner or (
            roles.get(row.actor) is Role.ADMIN and row.actor in vouched(owner)
        )
        if not manager or row.actor in disabled:
            continue
        if row.event.startswith(ROLE_EVENT):
            role = _role(row.event[len(ROLE_EVENT):])
            if role is not None and row.user_id != owner:
                roles[row.user_id] = role
            elif role is not None and role is not Role.ADMIN:
                roles[row.user_id] = role
        elif row.event == DISABLE_EVENT and row.user_id != owner:
            disabled.add(row.user_id)
    return Membership(roles, frozenset(disabled), owner)


def _owner_vouched(conn: Connection, vault_id: str, trust: Trust
                   ) -> Callable[[str | None], set[str]]:
    """People whose current key carries a valid certificate by the owner or the recovery key."""
    certs = accounts.all_certs(conn)

    def vouched(owner: str | None) -> set[str]:
        out = set()
        for cert in certs:
            if cert.signer not in (owner, RECOVERY):
                continue
            current = trust.current_key(cert.user_id)
            if current is None or current.raw != cert.public_keys:
                continue
            message = signatures.user_cert(vault_id, cert.user_id, cert.public_keys,
                                           cert.signer, cert.signed_at)
            if trust.verify_by(cert.signer, cert.signature, message):
                out.add(cert.user_id)
        return out

    cache: dict[str | None, set[str]] = {}

    def cached(owner: str | None) -> set[str]:
        if owner not in cache:
            cache[owner] = vouched(owner)
        return cache[owner]

    return cached


def may_administer(conn: Connection, vault_id: str, trust: Trust, membership: Membership,
                   user_id: str) -> bool:
    """The owner, or an administrator whose key the owner (or recovery key) vouched for."""
    if user_id == membership.owner:
        return True
    return membership.role_of(user_id) is Role.ADMIN and user_id in _owner_vouched(
        conn, vault_id, trust)(membership.owner)


def _role(text: str) -> Role | None:
    try:
        return Role(text)
    except ValueError:
        return None
