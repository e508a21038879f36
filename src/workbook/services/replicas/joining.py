"""A new PC joins the team's vault through the sync folder (decision 0009).

1. `request`: the new PC makes a replica key (its secret kept in this OS account's keyring),
   writes `<folder>/joins/<id>.request` with the public key, and shows its fingerprint.
2. `approve` (Replicas.approve): an owner or team manager on any replica compares the
   fingerprint, signs an `add` event into the replica log, and writes
   `<folder>/joins/<id>.approval`: sealed with HPKE to the new key, the vault's device secret,
   database key and sync key, its key file and a checkpoint (a copy of the database,
   encrypted under the database key as every copy is).
3. `complete`: the new PC opens the approval, writes its vault folder from it, keeps the
   device secret in its keyring and starts as a replica of its own."""

from __future__ import annotations

import json
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook.crypto import replica_file
from workbook.crypto.encoding import b64, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys, short_fingerprint
from workbook.crypto.secret import Secret
from workbook.domain.errors import WorkbookError
from workbook.services.errors import InvalidInput, TamperingDetected
from workbook.services.replicas import folder as sync_folder
from workbook.services.replicas import vault_statement
from workbook.vault import device_secret, replica_rows, replica_store
from workbook.vault.database import connect, database_path, transaction
from workbook.vault.files import FileRefused, read_bounded, write_private
from workbook.vault.keyfile import KEYFILE_NAME, KeyFile, KeyFileBody

REQUEST_FORMAT = "workbook replica join request"
APPROVAL_FORMAT = "workbook replica join approval"
MARKER = "replica-join.json"
LARGEST_REQUEST = 64 * 1024


class NotApprovedYet(WorkbookError):
    """The join request has no approval in the folder yet."""


@dataclass(frozen=True)
class JoinRequest:
    request_id: str
    name: str
    public: PublicKeys
    at: str

    @property
    def fingerprint(self) -> str:
        return short_fingerprint(self.public.raw)

    def to_json(self) -> dict[str, str]:
        return {"request": self.request_id, "name": self.name, "fingerprint": self.fingerprint,
                "at": self.at}


def _join_account(request_id: str) -> str:
    return f"replica-join:{request_id}"


def request(where: Path, vault_dir: Path, now: str, name: str = "") -> JoinRequest:
    """Ask to join: the request file in the folder, the marker in the new vault folder."""
    sync_folder.require_reachable(where)
    if (vault_dir / KEYFILE_NAME).exists() or database_path(vault_dir).exists():
        raise InvalidInput(f"{vault_dir} already holds a vault; give a new folder for this "
                           "replica")
    name = (name or socket.gethostname() or "replica").strip()[:80]
    request_id = secrets.token_hex(8)
    secret = Secret.random(32)
    key = replica_file.replica_keypair(secret.value)
    device_secret.select_backend()
    device_secret.store_device_secret(_join_account(request_id), bytes(secret.value))
    secret.wipe()
    joined = JoinRequest(request_id, name, key.public, now)
    key.wipe()
    vault_dir.mkdir(parents=True, exist_ok=True)
    write_private(vault_dir / MARKER, json.dumps(
        {"format": "workbook replica join marker", "request": request_id,
         "folder": str(where)}).encode())
    sync_folder.joins_dir(where).mkdir(parents=True, exist_ok=True)
    write_private(sync_folder.joins_dir(where) / f"{request_id}{sync_folder.REQUEST_SUFFIX}",
                  json.dumps({"format": REQUEST_FORMAT, "version": 1, "request": request_id,
                              "name": name, "public_keys": b64(key.public.raw),
                              "at": now}).encode())
    return joined


def read_request(path: Path) -> JoinRequest:
    try:
        data = json.loads(read_bounded(path, LARGEST_REQUEST, "join request"))
        if data.get("format") != REQUEST_FORMAT:
            raise ValueError
        return JoinRequest(str(data["request"]), str(data["name"])[:80],
                           PublicKeys(unb64(str(data["public_keys"]))), str(data["at"]))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise InvalidInput(f"{path.name} is not a join request") from None


def requests(where: Path) -> list[JoinRequest]:
    """Every readable request in the folder with no approval beside it."""
    joins = sync_folder.joins_dir(where)
    if not joins.is_dir():
        return []
    out = []
    for path in sorted(joins.glob(f"*{sync_folder.REQUEST_SUFFIX}")):
        if sync_folder.engine_file(path.name):
            continue
        if path.with_suffix(sync_folder.APPROVAL_SUFFIX).exists():
            continue
        try:
            out.append(read_request(path))
        except (InvalidInput, FileRefused):
            continue
    return out


def approval_bytes(joining: JoinRequest, payload: dict[str, Any], by_tag: str) -> bytes:
    """The approval file: the payload sealed to the joining key alone. `by` is the approving
    replica's folder tag (opaque), so that replica alone removes it once the join is done."""
    sealed = joining.public.seal(json.dumps(payload).encode(),
                                 replica_file.approval_info(joining.request_id, joining.public))
    return json.dumps({"format": APPROVAL_FORMAT, "version": 1, "request": joining.request_id,
                       "by": by_tag, "sealed": b64(sealed)}).encode()


def approvals_by(where: Path, by_tag: str) -> dict[str, Path]:
    """The approvals this replica wrote that are still in the folder, by request id."""
    out: dict[str, Path] = {}
    joins = sync_folder.joins_dir(where)
    if not joins.is_dir():
        return out
    for path in joins.glob(f"*{sync_folder.APPROVAL_SUFFIX}"):
        try:
            outer = json.loads(read_bounded(path, sync_folder.LARGEST_FILE, "join approval"))
        except (ValueError, FileRefused, UnicodeDecodeError):
            continue
        if isinstance(outer, dict) and outer.get("by") == by_tag:
            out[str(outer.get("request"))] = path
    return out


def _marker(vault_dir: Path) -> dict[str, str]:
    try:
        data = json.loads(read_bounded(vault_dir / MARKER, LARGEST_REQUEST, "join marker"))
        return {"request": str(data["request"]), "folder": str(data["folder"])}
    except (ValueError, KeyError, TypeError, FileRefused, UnicodeDecodeError):
        raise InvalidInput(f"{vault_dir} is not a vault and has no join request pending "
                           "(`workbook replica join --folder PATH --vault NEWPATH`)") from None


def pending_join(vault_dir: Path) -> bool:
    return (vault_dir / MARKER).exists() and not (vault_dir / KEYFILE_NAME).exists()


def _open_approval(where: Path, request_id: str) -> dict[str, Any]:
    path = sync_folder.joins_dir(where) / f"{request_id}{sync_folder.APPROVAL_SUFFIX}"
    if not path.exists():
        raise NotApprovedYet(
            f"the join request {request_id} is not approved yet: an owner or team manager "
            f"runs `workbook replica approve {request_id} --fingerprint ...` on a replica, "
            "then run this again")
    raw = read_bounded(path, sync_folder.LARGEST_FILE, "join approval")
    device_secret.select_backend()
    secret = device_secret.load_device_secret(_join_account(request_id))
    if secret is None:
        raise InvalidInput("this OS account did not make that join request (its key is not in "
                           "this keyring)")
    key = replica_file.replica_keypair(secret)
    try:
        outer = json.loads(raw)
        sealed = unb64(str(outer["sealed"]))
        opened = key.open(sealed, replica_file.approval_info(request_id, key.public), "approval")
        payload: dict[str, Any] = json.loads(opened)
        payload["joining_key"] = b64(key.public.raw)  # this PC's own, for the statement
    except (ValueError, KeyError, TypeError, AuthenticationFailed):
        raise TamperingDetected(f"the approval of join request {request_id} does not open: "
                                "it was altered or not made for this request") from None
    finally:
        key.wipe()
    payload["secret"] = b64(secret)
    return payload


def _start(vault_dir: Path, vault_key: Secret, device: Secret, row: replica_store.SelfRow,
           approver: str, approver_files: int, at: str) -> int:
    """This replica's own row in the checkpoint it was given; the number of versions held."""
    conn = connect(vault_dir, vault_key)
    try:
        with transaction(conn):
            replica_store.start_as_joined(conn, replica_store.SelfRow(
                row.replica_id, row.secret, row.sync_key, row.folder, 1,
                replica_store.newest_version_seq(conn), replica_store.newest_audit_seq(conn)),
                approver, approver_files, at)
            replica_rows.mark_all_known(conn)
            # The approver's marks travel in the checkpoint: a slot changed elsewhere and
            # still in flight must still count as newer than the checkpoint's.
            marks = replica_store.slot_marks(conn)
            body = KeyFile.load(vault_dir).open_body(device)
            for username, slot in body.accounts.items():
                if username not in marks:
                    replica_store.put_slot_mark(conn, username, slot.salt, slot.state, at)
        return replica_store.newest_version_seq(conn)
    finally:
        conn.close()


@dataclass(frozen=True)
class Joined:
    replica_id: str
    vault_id: str
    approved_by: str
    versions: int
    vault_fingerprint: str


def complete(vault_dir: Path) -> Joined:
    """Build this replica's vault folder from its approval (no one signs in for this)."""
    marker = _marker(vault_dir)
    where = Path(marker["folder"])
    sync_folder.require_reachable(where)
    request_id = marker["request"]
    p = _open_approval(where, request_id)
    try:
        vault_id, approver = str(p["vault_id"]), str(p["approver_replica"])
        device, vault_key = unb64(p["device_secret"]), Secret(unb64(p["vault_key"]))
        keyfile_raw, database = unb64(p["keyfile"]), unb64(p["database"])
        sync_key, secret = unb64(p["sync_key"]), unb64(p["secret"])
        approver_files, at = int(p["approver_files"]), str(p["at"])
    except (KeyError, ValueError, TypeError):
        raise TamperingDetected("the approval is malformed") from None
    existing = device_secret.load_device_secret(vault_id)
    if existing is not None and existing != device:
        raise InvalidInput("this OS account already holds another device secret for this "
                           "vault; nothing was changed")
    write_private(vault_dir / KEYFILE_NAME, keyfile_raw)
    if KeyFile.load(vault_dir).vault_id != vault_id:
        (vault_dir / KEYFILE_NAME).unlink()
        raise TamperingDetected("the approval's key file is for another vault")
    write_private(database_path(vault_dir), database)
    try:
        fingerprint = vault_statement.check(vault_dir, vault_key, p, request_id,
                                            unb64(p["joining_key"]))
    except WorkbookError:
        for written in (vault_dir / KEYFILE_NAME, database_path(vault_dir)):
            written.unlink(missing_ok=True)
        raise
    device_secret.store_device_secret(vault_id, device)

    def as_this_replica(_kf: KeyFile, body: KeyFileBody) -> None:
        body.replica = request_id
        for slot in body.accounts.values():  # lock-outs are per replica
            slot.failed, slot.last_failed, slot.locked = 0, None, False

    KeyFile.update(vault_dir, Secret(device), as_this_replica)
    try:
        versions = _start(vault_dir, vault_key, Secret(device), replica_store.SelfRow(
            request_id, secret, sync_key, str(where), 1, 0, 0), approver, approver_files, at)
    finally:
        vault_key.wipe()
    (vault_dir / MARKER).unlink()
    device_secret.delete_device_secret(_join_account(request_id))
    # The request was this PC's own file; the approval is removed by its approver (compaction).
    (sync_folder.joins_dir(where) / f"{request_id}{sync_folder.REQUEST_SUFFIX}").unlink(
        missing_ok=True)
    return Joined(request_id, vault_id, str(p.get("approved_by", "")), versions, fingerprint)
