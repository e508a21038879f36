"""Replicas: one vault on every PC of the team, kept in step through a shared folder
(decision 0009). `session.replicas` is the manager the CLI (and later the GUI) call; joining a
new PC before anyone can sign in on it is `joining.request` / `joining.complete`."""

from __future__ import annotations

import contextlib
import json
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.crypto import replica_file
from workbook.crypto.encoding import b64
from workbook.crypto.keypairs import normalise_fingerprint
from workbook.crypto.secret import Secret
from workbook.domain.acts import REFUSALS, Act
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.replicas import (
    compaction,
    disables,
    fork_merge,
    joining,
    open_session,
    remote_audit,
    replica_log,
    sync_keys,
    syncing,
    vault_statement,
)
from workbook.services.replicas import folder as sync_folder
from workbook.services.replicas.syncing import SyncReport
from workbook.vault import replica_rows, replica_store, retention_store
from workbook.vault.audit_log import AuditRow
from workbook.vault.files import exclusive_lock, write_private
from workbook.vault.keyfile import LOCK_NAME, KeyFile

if TYPE_CHECKING:
    from workbook.services.session import Session

NOT_SET_UP = ("this vault has no sync folder yet: an owner or team manager runs "
              "`workbook sync setup --folder PATH`")


class Replicas:
    """The sync folder, this vault's replicas, and one sync."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- who may -------------------------------------------------------------------------
    def _require_manager(self) -> None:
        self.s.require_keys()
        if not replica_log.may_manage(self.s, self.s.user_id):
            raise NotPermitted(REFUSALS[Act.MANAGE_REPLICAS])
        self.s.require_certified()

    def _own(self) -> replica_store.SelfRow:
        own = replica_store.own(self.s.conn)
        if own is None:
            raise InvalidInput(NOT_SET_UP)
        return own

    def is_set_up(self) -> bool:
        """Whether this vault syncs at all (the desktop shows its sync status only then)."""
        return replica_store.own(self.s.conn) is not None

    # --- set-up ----------------------------------------------------------------------------
    def setup(self, where: Path, name: str = "") -> str:
        """Make this vault the team's first replica, or give this PC's path to the folder.
        Returns the replica id."""
        self._require_manager()
        sync_folder.require_reachable(where)
        own = replica_store.own(self.s.conn)
        if own is not None:
            with self.s.write():
                replica_store.set_marks(self.s.conn, folder=str(where))
                self.s.audit("sync_folder_set", {"replica": own.replica_id})
            return own.replica_id
        replica_id, secret = secrets.token_hex(8), Secret.random(32)
        key = replica_file.replica_keypair(secret.value)
        body = KeyFile.load(self.s.vault_dir).open_body(self.s.device_secret)
        with self.s.write():
            conn = self.s.conn
            replica_store.put_own(conn, replica_store.SelfRow(
                replica_id, bytes(secret.value), bytes(Secret.random(32).value), str(where), 1,
                replica_store.newest_version_seq(conn), replica_store.newest_audit_seq(conn)))
            replica_log.append(self.s, replica_log.ADD, replica_id, name or "first replica",
                               key.public.raw)
            replica_rows.mark_all_known(conn)
            for username, slot in body.accounts.items():
                replica_store.put_slot_mark(conn, username, slot.salt, slot.state,
                                            self.s.now())
            self.s.audit("sync_folder_set", {"replica": replica_id})

        def mark(_kf: KeyFile, kbody: Any) -> None:
            kbody.replica = replica_id

        KeyFile.update(self.s.vault_dir, self.s.device_secret, mark)
        key.wipe()
        secret.wipe()
        return replica_id

    # --- joining ---------------------------------------------------------------------------
    def pending(self) -> list[joining.JoinRequest]:
        self._require_manager()
        own = self._own()
        known = {r.replica_id for r in replica_store.log(self.s.conn)}
        return [r for r in joining.requests(Path(own.folder)) if r.request_id not in known]

    def vault_fingerprint(self) -> str:
        """What a joining PC shows once its join completes, compared by voice."""
        return vault_statement.vault_fingerprint(self.s.vault_dir)

    def approve(self, request_id: str, fingerprint: str) -> joining.JoinRequest:
        """Compare the fingerprint, sign the new replica into the log, and leave it its
        approval: the secrets it needs and a checkpoint, sealed to its key alone."""
        self._require_manager()
        own = self._own()
        where = Path(own.folder)
        sync_folder.require_reachable(where)
        found = {r.request_id: r for r in self.pending()}
        asked = found.get(request_id.strip())
        if asked is None:
            raise NotFound(f"no pending join request {request_id.strip()[:40]!r} in the sync "
                           "folder (see `workbook replica pending`)")
        if normalise_fingerprint(fingerprint) != normalise_fingerprint(asked.fingerprint):
            raise NotPermitted("the fingerprint does not match the one the new PC shows; "
                               "nothing was approved")
        with self.s.write():
            replica_log.append(self.s, replica_log.ADD, asked.request_id, asked.name,
                               asked.public.raw)
            self.s.audit("replica_approved", {"replica": asked.request_id})
        payload = self._approval_payload(own)
        payload.update(vault_statement.sign(self.s, asked, payload["at"]))
        try:
            write_private(sync_folder.joins_dir(where)
                          / f"{asked.request_id}{sync_folder.APPROVAL_SUFFIX}",
                          joining.approval_bytes(asked, payload, replica_file.replica_tag(
                              own.sync_key, self.s.vault_id, own.replica_id)))
        finally:
            payload.clear()
        return asked

    def _approval_payload(self, own: replica_store.SelfRow) -> dict[str, Any]:
        vault_dir = self.s.vault_dir
        copy = vault_dir / f".replica-checkpoint-{secrets.token_hex(6)}.db"
        keyfile = KeyFile.load(vault_dir)
        try:
            with exclusive_lock(vault_dir / LOCK_NAME):
                keyfile_raw = KeyFile.path(vault_dir).read_bytes()
                replica_store.checkpoint_copy(self.s.conn, copy, self.s.vault_key,
                                              keyfile.cipher_page_size)
            database = copy.read_bytes()
        finally:
            for leftover in (copy, copy.with_name(copy.name + "-journal"),
                             copy.with_name(copy.name + "-wal"),
                             copy.with_name(copy.name + "-shm")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        return {"format": joining.APPROVAL_FORMAT, "vault_id": self.s.vault_id,
                "approver_replica": own.replica_id, "approver_files": own.next_seq - 1,
                "approved_by": self.s.user_id, "at": self.s.now(),
                "device_secret": b64(self.s.device_secret.value),
                "vault_key": b64(self.s.vault_key.value), "sync_key": b64(own.sync_key),
                "keyfile": b64(keyfile_raw), "database": b64(database)}

    # --- the list and retiring -------------------------------------------------------------
    def listing(self, known: dict[str, replica_log.Replica] | None = None
                ) -> list[dict[str, Any]]:
        own = self._own()
        applied = replica_store.applied(self.s.conn)
        out = []
        for r in (replica_log.verified(self.s) if known is None else known).values():
            seen = max(applied.get(r.replica_id, {}).values(), default=None)
            out.append({"id": r.replica_id, "name": r.name,
                        "last_seen": self.s.now() if r.replica_id == own.replica_id else seen,
                        "this": r.replica_id == own.replica_id,
                        "status": "active" if r.active else "retired",
                        "approved_by": r.approved_by, "approved_at": r.approved_at,
                        "retired_at": r.retired_at or None, "reason": r.reason or None})
        return out

    def retire(self, replica_id: str, reason: str) -> None:
        """Files this replica writes after the last one accepted here are refused everywhere
        once this event arrives; the retirement is in the log every replica reads. The sync
        key is rotated, so files written after the next one cannot be read by it."""
        self._require_manager()
        own = self._own()
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInput("give the reason for retiring the replica (--reason TEXT)")
        known = replica_log.verified(self.s)
        target = known.get(replica_id.strip())
        if target is None:
            raise NotFound(f"no replica {replica_id.strip()[:40]!r} in this vault "
                           "(see `workbook replica list`)")
        if not target.active:
            raise InvalidInput(f"the replica {target.name} is already retired")
        if target.replica_id == own.replica_id:
            raise InvalidInput("a replica cannot retire itself: retire it from another PC")
        last = max(replica_store.applied(self.s.conn).get(target.replica_id, {}), default=0)
        with self.s.write():
            replica_log.append(self.s, replica_log.RETIRE, target.replica_id, target.name,
                               target.public.raw, last, reason[:300])
            sync_keys.rotate(self.s, own, known, target.replica_id)
            self.s.audit("replica_retired", {"replica": target.replica_id, "last_file": last})

    def verify_audit(self) -> list[remote_audit.ChainReport]:
        """The other replicas' audit chains as received here, each checked end to end."""
        self.s.require_keys()
        return remote_audit.verify(self.s)

    def written_elsewhere(self) -> list[AuditRow]:
        """The verified events of the other replicas' chains, where `audit verify` finds the
        write event of each received version (decision 0009)."""
        self.s.require_keys()
        return remote_audit.verified_events(self.s)

    # --- a fork of the membership log (decision 0009) ----------------------------------------
    def fork(self) -> fork_merge.ForkShown | None:
        """The open fork of the signed membership log, its branches and conflicting pairs."""
        self._require_manager()
        return fork_merge.pending(self.s)

    def resolve_fork(self) -> fork_merge.ForkShown:
        """Sign one merge joining the fork's branches (C32)."""
        self._require_manager()
        return fork_merge.resolve(self.s)

    # --- one sync --------------------------------------------------------------------------
    def sync(self) -> SyncReport:
        """Send, then receive; the report is what `workbook sync --json` prints."""
        self.s.require_keys()
        own = self._own()
        where = Path(own.folder)
        sync_folder.require_reachable(where)
        report = SyncReport()
        report.sent, report.files_sent = syncing.send(self.s, own, where)
        known = syncing.receive(self.s, self._own(), where, report)
        open_session.end_if_disabled(self.s)  # this person, disabled elsewhere: signed out
        disables.follow(self.s)  # a disable made elsewhere: this replica rekeys too
        open_session.catch_up(self.s)  # a role, an approval, a rotation: at the next act
        if report.disposed:  # as after a disposal here: no freed page keeps old ciphertext
            retention_store.vacuum(self.s.conn)
        report.gaps = syncing.gaps(self.s, own)
        report.forks += syncing.forks(self.s)
        report.files_removed = compaction.compact(self.s, self._own(), where, known)
        report.replicas = [{"id": r["id"], "name": r["name"], "last_seen": r["last_seen"]}
                           for r in self.listing(known) if r["status"] == "active"]
        self.s.events.emit("synced", sent=report.sent, received=report.received)
        return report


def describe(report: SyncReport) -> str:
    """The human line of a sync."""
    text = f"Sent {report.sent} version(s), received {report.received}"
    if report.conflicts:
        text += f"; {report.conflicts} conflict(s) to resolve"
    for refused in report.refused:
        text += f"\nrefused {refused['file']}: {refused['reason']}"
    for fork in report.forks:
        text += f"\n{fork['reason']}"
    for gap in report.gaps:
        text += f"\nmissing files {json.dumps(gap['missing'])} of replica {gap['replica']}"
    return text
