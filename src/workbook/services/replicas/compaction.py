"""Compaction: a replica removes its own files once every replica has read them.

Each replica keeps one acknowledgement file of its own, `<replica tag>/acks.wba`, sealed and
signed as its other files are (number 0, which no rows file takes), saying for each replica how
far it has read without a gap, and which replicas it knows. A replica deletes its own files up
to the lowest acknowledgement among all the active replicas that any acknowledgement (or its
own verified log) names; a replica with no acknowledgement file yet holds everything back. So
a file leaves the folder only when every replica that exists has it, a replica approved on
another PC included (its approver names it at once), and only its writer ever deletes it: the
folder keeps one writer per file. A joining replica starts from its approver's checkpoint,
which holds everything the approver acknowledged. An old acknowledgement put back can only
delay compaction; one that does not verify is ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.crypto import replica_file
from workbook.crypto.errors import AuthenticationFailed
from workbook.services.replicas import folder, joining, replica_log
from workbook.vault import replica_store
from workbook.vault.files import FileRefused, write_private

if TYPE_CHECKING:
    from workbook.services.session import Session

ACKS_NAME = "acks.wba"
ACKS_FORMAT = "workbook replica acks"


def read_up_to(session: Session) -> dict[str, int]:
    """Per replica, the highest file number read here with none missing below it."""
    out = {}
    for replica_id, seqs in replica_store.applied(session.conn).items():
        n = 0
        while n + 1 in seqs:
            n += 1
        out[replica_id] = n
    return out


def write_acks(session: Session, own: replica_store.SelfRow, where: Path,
               known: dict[str, replica_log.Replica]) -> None:
    acks = read_up_to(session)
    body = {"format": ACKS_FORMAT, "vault": session.vault_id, "replica": own.replica_id,
            "acks": acks, "known": sorted(known)}
    path = _acks_path(own, session.vault_id, where, own.replica_id)
    current = _read_acks(session, own, where, own.replica_id, known)
    if current is not None and (current["acks"], current["known"]) == (acks, sorted(known)):
        return
    key = replica_file.replica_keypair(own.secret)
    try:
        data = replica_file.seal(json.dumps(body, sort_keys=True).encode(),
                                 sync_key=own.sealing_key(
                                     {r for r, x in known.items() if not x.active}),
                                 vault_id=session.vault_id,
                                 replica_id=own.replica_id, seq=0, replica_key=key)
    finally:
        key.wipe()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, data)


def _acks_path(own: replica_store.SelfRow, vault_id: str, where: Path, replica_id: str) -> Path:
    return (where / replica_file.vault_tag(own.sync_key, vault_id)
            / replica_file.replica_tag(own.sync_key, vault_id, replica_id) / ACKS_NAME)


def _read_acks(session: Session, own: replica_store.SelfRow, where: Path, replica_id: str,
               known: dict[str, replica_log.Replica]) -> dict[str, object] | None:
    replica = known.get(replica_id)
    path = _acks_path(own, session.vault_id, where, replica_id)
    if replica is None or not path.exists():
        return None
    try:
        raw = replica_file.open_file(folder.read_file(path), sync_keys=own.read_keys,
                                     vault_id=session.vault_id, replica_id=replica_id, seq=0,
                                     replica_public=replica.public)
        body = json.loads(raw)
    except (AuthenticationFailed, FileRefused, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or body.get("format") != ACKS_FORMAT or \
            body.get("replica") != replica_id or not isinstance(body.get("acks"), dict) or \
            not isinstance(body.get("known"), list):
        return None
    return body


def compact(session: Session, own: replica_store.SelfRow, where: Path,
            known: dict[str, replica_log.Replica] | None = None) -> int:
    """Write this replica's acknowledgement, then delete its own files every replica has
    read; the number of files deleted. `known`: the verified replica log, if just read."""
    known = replica_log.verified(session) if known is None else known
    write_acks(session, own, where, known)
    _remove_done_approvals(session, own, where, known)
    everyone = {r for r in known if known[r].active}
    acks: dict[str, dict[str, object]] = {}
    for replica_id in sorted(known):
        if replica_id == own.replica_id or not known[replica_id].active:
            continue
        body = _read_acks(session, own, where, replica_id, known)
        if body is None:
            return 0  # a replica that has said nothing yet holds everything back
        acks[replica_id] = body
        everyone |= {str(r) for r in body["known"]}  # type: ignore[attr-defined]
    retired = {r for r in known if not known[r].active}
    others = everyone - retired - {own.replica_id}
    if not others or others - set(acks):
        return 0
    floor = min(_ack_of(acks[r], own.replica_id) for r in others)
    listing = folder.list_vault(where, replica_file.vault_tag(own.sync_key, session.vault_id))
    mine = listing.files.get(replica_file.replica_tag(own.sync_key, session.vault_id,
                                                      own.replica_id), {})
    removed = 0
    for seq, path in sorted(mine.items()):
        if seq <= floor:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def highest_read_of_me(session: Session, own: replica_store.SelfRow, where: Path) -> int:
    """The highest number of this replica's files any other replica says it has read. A
    replica restored from a backup has an older `next_seq`; numbering from here on never
    reuses a number others have read (they would skip the file as already read)."""
    known = replica_log.verified(session)
    best = 0
    for replica_id in known:
        if replica_id == own.replica_id:
            continue
        body = _read_acks(session, own, where, replica_id, known)
        if body is not None:
            best = max(best, _ack_of(body, own.replica_id))
    return best


def _remove_done_approvals(session: Session, own: replica_store.SelfRow, where: Path,
                           known: dict[str, replica_log.Replica]) -> None:
    """An approval this replica wrote goes once its replica has synced (it wrote an
    acknowledgement): the approval carries the vault's secrets, sealed, and a checkpoint."""
    mine = replica_file.replica_tag(own.sync_key, session.vault_id, own.replica_id)
    for request_id, path in joining.approvals_by(where, mine).items():
        if _read_acks(session, own, where, request_id, known) is not None:
            path.unlink(missing_ok=True)


def _ack_of(body: dict[str, object], replica_id: str) -> int:
    value = body["acks"].get(replica_id, 0)  # type: ignore[attr-defined]
    return value if isinstance(value, int) else 0
