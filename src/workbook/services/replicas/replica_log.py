"""The signed replica log: which replica keys this vault's replicas accept files from.

A replica's key counts only through an `add` event signed by a person who, by the signed
membership log at that moment, was the owner or an active team manager, with a key the trust
chain certifies; a `retire` event signed the same way ends it after the last file the retirer
had accepted. The `replica_log` rows themselves are a store like any other: a row nobody
entitled signed is ignored, so a planted row never makes a file acceptable (decision 0009)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.crypto.encoding import fields
from workbook.crypto.keypairs import PublicKeys
from workbook.domain.acts import Act, may
from workbook.services.authority import MembershipEvent, load_membership, verified_events
from workbook.vault import replica_store
from workbook.vault.replica_store import LogRow

if TYPE_CHECKING:
    from workbook.services.session import Session

ADD, RETIRE = "add", "retire"


def message(vault_id: str, row: LogRow) -> bytes:
    """The exact bytes an `add` or `retire` event signs."""
    return fields("workbook replica log v1", vault_id, row.event, row.replica_id, row.name,
                  row.public_keys, row.last_seq, row.reason, row.actor, row.at)


@dataclass(frozen=True)
class Replica:
    """A replica as the verified log says: its key, who approved it and, once retired, the
    number of the last file accepted from it."""

    replica_id: str
    name: str
    public: PublicKeys
    approved_by: str
    approved_at: str
    retired_after: int | None = None
    retired_by: str = ""
    retired_at: str = ""
    reason: str = ""

    @property
    def active(self) -> bool:
        return self.retired_after is None


def may_manage(session: Session, user_id: str, at: str | None = None,
               events: list[MembershipEvent] | None = None) -> bool:
    """The owner or an active team manager (by the signed membership log, at `at`)."""
    membership = load_membership(session.conn, session.vault_id, session.trust, until=at,
                                 events=events)
    if not membership.is_active(user_id):
        return False
    return user_id == membership.owner or may(membership.role_of(user_id), Act.MANAGE_REPLICAS)


def verified(session: Session) -> dict[str, Replica]:
    """Every replica the verified log names, by id; unsigned or unentitled rows ignored."""
    out: dict[str, Replica] = {}
    events: list[MembershipEvent] | None = None
    for row in replica_store.log(session.conn):
        if not session.trust.verify_by(row.actor, row.signature,
                                       message(session.vault_id, row)):
            continue
        if events is None:  # verified once per reading of the log, not once per row
            events = verified_events(session.conn, session.vault_id, session.trust)
        if not may_manage(session, row.actor, row.at, events):
            continue
        if row.event == ADD and row.replica_id not in out:
            try:
                public = PublicKeys(row.public_keys)
            except ValueError:
                continue
            out[row.replica_id] = Replica(row.replica_id, row.name, public, row.actor, row.at)
        elif row.event == RETIRE and row.replica_id in out and out[row.replica_id].active:
            old = out[row.replica_id]
            out[row.replica_id] = Replica(old.replica_id, old.name, old.public, old.approved_by,
                                          old.approved_at, row.last_seq, row.actor, row.at,
                                          row.reason)
    return out


def retired(session: Session) -> set[str]:
    """The replicas the verified log has retired."""
    return {r for r, replica in verified(session).items() if not replica.active}


def append(session: Session, event: str, replica_id: str, name: str, public: bytes,
           last_seq: int = 0, reason: str = "") -> None:
    """Sign and store one event as the signed-in person (inside the caller's transaction)."""
    keypair = session.require_certified()
    row = LogRow(0, event, replica_id, name, public, last_seq, reason, session.user_id,
                 session.now(), b"")
    signed = LogRow(0, event, replica_id, name, public, last_seq, reason, session.user_id,
                    row.at, keypair.sign(message(session.vault_id, row)))
    replica_store.append_log(session.conn, signed)
