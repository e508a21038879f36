"""The sync key is rotated at each retirement (decision 0009, C28): a retired laptop keeps
the key it had, so files written after its retirement must be sealed under one it never gets.

The retiring replica makes a new key and seals one copy to each replica still active by its
verified log (HPKE to the replica's own key, bound to the vault, the key and both replicas).
The copies travel in its next file, which is still sealed under the key before (everyone,
the retired replica too, can open that file; only the named replicas can open their copy);
after that file it seals with the new key. A receiver keeps the copy made for it, if the file
is authentic (signed by an active replica) and the copy opens; files under a key it does not
hold yet are refused for now and read again at a later sync. A replica joining later gets
every key in its checkpoint. The first key still names the folders, so nothing moves."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from workbook.crypto import replica_file
from workbook.crypto.encoding import b64, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.secret import Secret
from workbook.services.errors import InvalidInput
from workbook.services.replicas import replica_log
from workbook.vault import replica_store

if TYPE_CHECKING:
    from workbook.services.session import Session


def rotate(session: Session, own: replica_store.SelfRow,
           known: dict[str, replica_log.Replica], retired: str) -> str:
    """Make the next sync key and its sealed copies for every active replica but `retired`
    and this one (inside the caller's transaction). Returns the key's id."""
    key = Secret.random(32)
    try:
        raw = bytes(key.value)
        name = replica_file.key_id(raw)
        grants = {r.replica_id: b64(r.public.seal(raw, replica_file.sync_key_info(
                      session.vault_id, name, r.replica_id, own.replica_id)))
                  for r in known.values()
                  if r.active and r.replica_id not in {retired, own.replica_id}}
        replica_store.put_sync_key(session.conn, name, raw, session.now(), own.replica_id,
                                   json.dumps(grants, sort_keys=True))
    finally:
        key.wipe()
    return name


def outgoing(session: Session, own: replica_store.SelfRow) -> list[dict[str, Any]]:
    """The grants this replica made that have not travelled yet, for its next file."""
    return [{"key_id": name, "made_at": at, "sealed": json.loads(grants)}
            for name, at, grants in replica_store.unsent_grants(session.conn, own.replica_id)]


def incoming(session: Session, grants: Any, origin: str) -> bool:
    """Keep the copy of each key made for this replica in an authentic file of `origin`;
    InvalidInput (the file is refused, nothing kept) if a grant is malformed or its copy for
    this replica does not open. True if a key is new here."""
    if not grants:
        return False
    own = replica_store.own(session.conn)
    if own is None or not isinstance(grants, list):
        raise InvalidInput("its sync key grants are malformed")
    added = False
    for grant in grants:
        if not (isinstance(grant, dict) and isinstance(grant.get("key_id"), str)
                and isinstance(grant.get("made_at"), str)
                and isinstance(grant.get("sealed"), dict)):
            raise InvalidInput("its sync key grants are malformed")
        sealed = grant["sealed"].get(own.replica_id)
        if sealed is None:  # not for this replica (a retired one, or one approved since)
            continue
        added |= _keep(session, own, grant["key_id"], grant["made_at"], origin, sealed)
    return added


def _keep(session: Session, own: replica_store.SelfRow, name: str, made_at: str, origin: str,
          sealed: Any) -> bool:
    mine = replica_file.replica_keypair(own.secret)
    try:
        raw = mine.open(unb64(str(sealed)), replica_file.sync_key_info(
            session.vault_id, name, own.replica_id, origin), "sync key")
    except (ValueError, AuthenticationFailed):
        raise InvalidInput("its sync key for this replica does not open") from None
    finally:
        mine.wipe()
    if len(raw) != 32 or replica_file.key_id(raw) != name:
        raise InvalidInput("its sync key for this replica is not the key it names")
    return replica_store.put_sync_key(session.conn, name, raw, made_at, origin, None)
