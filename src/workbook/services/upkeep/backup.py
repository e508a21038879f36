"""Backups and restores of a whole vault (docs/backup-format.md).

A backup is one file: the key file and a consistent copy of the encrypted database, both
exactly as ciphertext as they sit in the vault folder, behind a header that names their
lengths and SHA-256 digests. The header is authenticated with AES-GCM under a key derived from
the vault key, so a backup altered by anyone who cannot open the vault is refused on restore,
and nothing is installed until every check has passed. The database copy is taken with
SQLite's online backup API on the live, keyed connection: one read transaction, so writers
carry on and the copy is one moment of the vault."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import hkdf, unwrap, wrap
from workbook.domain.ids import new_id
from workbook.services import validation
from workbook.services.errors import InvalidInput, NotPermitted, TamperingDetected
from workbook.vault import audit_log, device_secret, meta, version_store
from workbook.vault.database import (
    DATABASE_NAME,
    DatabaseError,
    VaultDamaged,
    check_openable,
    cipher_pages_ok,
    connect,
    create_keyed_copy,
    integrity_ok,
)
from workbook.vault.files import exclusive_lock, open_new, sync_directory
from workbook.vault.keyfile import KEYFILE_NAME, LOCK_NAME, KeyFile, KeyFileError
from workbook.vault.migrations import current_version

if TYPE_CHECKING:
    from workbook.services.session import Session

MAGIC = b"WORKBOOK-BACKUP\n"
FORMAT = "workbook-backup"
VERSION = 1
TAG_BYTES = 12 + 16  # AES-GCM nonce and tag over an empty plaintext
MAX_HEADER = 64 * 1024
CHUNK = 1024 * 1024
PARTS = (KEYFILE_NAME, DATABASE_NAME)
BACKUP_EVENT = "backup_made"
REMINDER_KEY = "backup_reminder_days"
DEFAULT_REMINDER_DAYS = 7
_LEN = struct.Struct(">I")


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds, from its header: no content, only what names and checks it."""

    backup_id: str
    vault_id: str
    created_at: str
    created_by: str
    schema: int
    parts: tuple[tuple[str, int, str], ...]  # (name, length, sha256 hex)

    def to_json(self) -> dict[str, Any]:
        return {"backup_id": self.backup_id, "vault_id": self.vault_id,
                "created_at": self.created_at, "created_by": self.created_by,
                "schema": self.schema,
                "parts": [{"name": n, "length": length, "sha256": digest}
                          for n, length, digest in self.parts]}


def header_key(vault_key: Secret | bytes, vault_id: str) -> bytes:
    """The key that authenticates backup headers: only holders of the vault key derive it."""
    raw = vault_key.value if isinstance(vault_key, Secret) else vault_key
    return hkdf(raw, fields("workbook backup header", vault_id))


def _header_ad(header: bytes) -> bytes:
    return fields("workbook backup v1", header)


# --- taking a backup ---------------------------------------------------------------------------
def may_make_backups(session: Session) -> bool:
    """The owner, or an administrator the owner approved: from the signed membership log,
    never `users.is_owner` or `users.role` (rows anyone signed in can rewrite)."""
    from workbook.services.authority import may_administer

    if session.keypair is None:
        return False
    membership = session.membership()
    return may_administer(session.conn, session.vault_id, session.trust, membership,
                          session.user_id)


def require_backup_maker(session: Session) -> None:
    """Backups copy everything: the owner or an approved administrator takes them."""
    session.require_keys()
    if not may_make_backups(session):
        raise NotPermitted("only the vault owner or an administrator the owner approved makes "
                           "backups")


def check_output_path(out: Path, vault_dir: Path) -> Path:
    out = validation.folder_path(str(out), "backup file")
    if out.is_dir():
        raise InvalidInput(f"cannot write the backup to {out}: it is a folder")
    if not out.parent.is_dir():
        raise InvalidInput(f"cannot write the backup to {out}: {out.parent} is not a folder")
    if out.exists():
        raise InvalidInput(f"{out} already exists; choose a new file name for the backup")
    if out.resolve().parent == vault_dir.resolve():
        raise InvalidInput("do not keep a backup inside the vault folder it backs up")
    return out


def make_backup(session: Session, out: Path) -> BackupInfo:
    """Write a backup of the vault to `out` (a new file) and audit it."""
    require_backup_maker(session)
    out = check_output_path(out, session.vault_dir)
    backup_id = new_id()
    staging = out.with_name(f".{out.name}.{secrets.token_hex(6)}.part")
    db_copy = staging.with_name(staging.name + "-db")
    try:
        # Holding the key-file lock while copying keeps the key file and the database of
        # one moment: no sign-in can record an audit head the copied database lacks.
        with exclusive_lock(session.vault_dir / LOCK_NAME):
            keyfile_bytes = KeyFile.path(session.vault_dir).read_bytes()
            _copy_database(session, db_copy)
        schema = current_version(session.conn)
        parts = [(KEYFILE_NAME, len(keyfile_bytes), hashlib.sha256(keyfile_bytes).hexdigest()),
                 (DATABASE_NAME, db_copy.stat().st_size, _sha256_file(db_copy))]
        info = BackupInfo(backup_id, session.vault_id, session.now(), session.user_id, schema,
                          tuple(parts))
        header = json.dumps({"format": FORMAT, "version": VERSION, **info.to_json()},
                            sort_keys=True).encode()
        tag = wrap(header_key(session.vault_key, session.vault_id), b"", _header_ad(header))
        with open_new(staging) as handle:
            handle.write(MAGIC + _LEN.pack(len(header)) + header + tag)
            handle.write(keyfile_bytes)
            with db_copy.open("rb") as source:
                shutil.copyfileobj(source, handle, CHUNK)
            handle.flush()
            os.fsync(handle.fileno())
        if out.exists():
            raise InvalidInput(f"{out} appeared while the backup was written; nothing replaced")
        os.replace(staging, out)
        sync_directory(out.parent)
    finally:
        for leftover in (staging, db_copy, *_sidecars(db_copy)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    with session.write():
        session.audit(BACKUP_EVENT, {"backup": backup_id, "schema": schema})
    session.events.emit("backup_made", backup_id=backup_id)
    return info


def _copy_database(session: Session, target: Path) -> None:
    """One step of the online backup API: a single read transaction on the live connection,
    written through a connection keyed like the vault, so only ciphertext reaches the disk."""
    dest = connect_copy(target, session.vault_key, KeyFile.load(session.vault_dir))
    try:
        session.conn.backup(dest, pages=-1)
    finally:
        dest.close()


def connect_copy(path: Path, key: Secret, keyfile: KeyFile) -> Any:
    return create_keyed_copy(path, key, keyfile.cipher_page_size)


def _sidecars(db: Path) -> tuple[Path, Path]:
    return db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- reading a backup --------------------------------------------------------------------------
def read_header(handle: IO[bytes], name: str) -> tuple[BackupInfo, bytes, bytes]:
    """The parsed header, its exact bytes and its tag; refuses anything not a backup."""
    if handle.read(len(MAGIC)) != MAGIC:
        raise InvalidInput(f"{name} is not a Workbook backup")
    raw_len = handle.read(_LEN.size)
    if len(raw_len) != _LEN.size:
        raise TamperingDetected(f"the backup {name} is cut short")
    (length,) = _LEN.unpack(raw_len)
    if not 0 < length <= MAX_HEADER:
        raise TamperingDetected(f"the backup {name} has an impossible header")
    header = handle.read(length)
    tag = handle.read(TAG_BYTES)
    if len(header) != length or len(tag) != TAG_BYTES:
        raise TamperingDetected(f"the backup {name} is cut short")
    try:
        data = json.loads(header)
        if data.get("format") != FORMAT:
            raise ValueError("format")
        if data.get("version") != VERSION:
            raise InvalidInput(f"the backup {name} is format version {data.get('version')}; "
                               f"this Workbook reads version {VERSION}")
        parts = tuple((str(p["name"]), int(p["length"]), str(p["sha256"]))
                      for p in data["parts"])
        info = BackupInfo(str(data["backup_id"]), str(data["vault_id"]), str(data["created_at"]),
                          str(data["created_by"]), int(data["schema"]), parts)
    except InvalidInput:
        raise
    except (ValueError, KeyError, TypeError, AttributeError):
        raise TamperingDetected(f"the backup {name} has a damaged header") from None
    if tuple(p[0] for p in parts) != PARTS or any(p[1] < 0 for p in parts):
        raise TamperingDetected(f"the backup {name} has a damaged header")
    return info, header, tag


def check_header_tag(info: BackupInfo, header: bytes, tag: bytes, vault_key: Secret) -> None:
    try:
        unwrap(header_key(vault_key, info.vault_id), tag, _header_ad(header), "backup header")
    except AuthenticationFailed:
        raise TamperingDetected(
            "the backup was altered: its header does not authenticate with the vault's key"
        ) from None


def _unpack_parts(handle: IO[bytes], info: BackupInfo, into: Path, name: str) -> None:
    for part, length, expected in info.parts:
        digest = hashlib.sha256()
        remaining = length
        with open_new(into / part) as out:
            while remaining:
                chunk = handle.read(min(CHUNK, remaining))
                if not chunk:
                    raise TamperingDetected(f"the backup {name} is cut short")
                digest.update(chunk)
                out.write(chunk)
                remaining -= len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != expected:
            raise TamperingDetected(
                f"the backup {name} was altered or damaged: its {part} does not match its header")
    if handle.read(1):
        raise TamperingDetected(f"the backup {name} has extra bytes after its last part")


@contextlib.contextmanager
def _open_backup(path: Path) -> Iterator[IO[bytes]]:
    path = path.expanduser()
    if path.is_dir():
        raise InvalidInput(f"the backup {path} is a folder, not a backup file")
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InvalidInput(f"the backup file {path} does not exist") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read the backup file {path}: {exc.strerror}") from None
    with handle:
        yield handle


# --- restoring ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    vault_dir: Path
    audit_events: int
    families: int
    enrolled_with_recovery_key: bool


def check_target(to: Path) -> Path:
    to = validation.folder_path(str(to), "folder to restore into")
    check_openable(_staging_for(to, "0" * 12))  # the vault is opened there before it is moved
    if to.exists() and (not to.is_dir() or any(to.iterdir())):
        raise InvalidInput(f"{to} already exists and is not an empty folder: restore into a "
                           "new folder, so no vault is overwritten")
    if not to.parent.is_dir():
        raise InvalidInput(f"cannot restore to {to}: {to.parent} is not a folder")
    return to


def _staging_for(to: Path, token: str) -> Path:
    return to.parent / f".{to.name}.restoring-{token}"


def restore_backup(path: Path, to: Path, username: str, passphrase: str,
                   recovery_text: str = "") -> Restored:
    """Unpack a backup into a new vault folder and prove it before it is put in place.

    On a device whose keyring already holds this vault's device secret, signing in is enough.
    On a new device the recovery key opens the device secret from the key file's recovery
    seal, and the vault is enrolled for this OS account (audited, announced at sign-in).
    Either way the header must authenticate under the vault key, SQLCipher's page check and
    SQLite's integrity check must pass, and the audit chain must verify."""
    from workbook.services.access import recovery
    from workbook.services.access.sign_in import sign_in

    to = check_target(to)
    staging = _staging_for(to, secrets.token_hex(6))
    os.mkdir(staging, 0o700)
    enrolled = False
    seen_id = ""
    try:
        with _open_backup(path) as handle:
            info, header, tag = read_header(handle, path.name)
            seen_id = info.vault_id
            _unpack_parts(handle, info, staging, path.name)
        try:
            keyfile = KeyFile.load(staging)
        except KeyFileError as exc:
            raise TamperingDetected(f"the backup's key file is damaged: {exc}") from None
        if keyfile.vault_id != info.vault_id:
            raise TamperingDetected("the backup's key file belongs to another vault")
        device_secret.select_backend()
        held = device_secret.load_device_secret(keyfile.vault_id)
        if held is None or not _opens(keyfile, held):
            if not recovery_text:
                raise InvalidInput(
                    "this OS account is not enrolled for the backed-up vault: give the "
                    "vault's recovery key (--recovery-key-file) to restore it on this device")
            keyfile, r_pair = recovery.open_recovery(staging, recovery_text)
            try:
                d_secret, v_key = recovery.recovered_secrets(keyfile, r_pair, staging)
                check_header_tag(info, header, tag, v_key)
                if held is not None:
                    raise InvalidInput(
                        "this OS account holds a different device secret under this vault's "
                        "id; it cannot be enrolled for the backup as well")
                conn = connect(staging, v_key)
                try:
                    with _transaction(conn):
                        recovery.audit_recovery_use(conn, r_pair, _now(), "restore a backup",
                                                    {"backup": info.backup_id})
                finally:
                    conn.close()
                device_secret.store_device_secret(keyfile.vault_id, bytes(d_secret.value))
                enrolled = True
                d_secret.wipe()
                v_key.wipe()
            finally:
                r_pair.wipe()
        session = sign_in(staging, username, passphrase)
        try:
            check_header_tag(info, header, tag, session.vault_key)
            if not cipher_pages_ok(session.conn) or not integrity_ok(session.conn):
                raise TamperingDetected("the backup's database fails its integrity checks")
            report = session.audit_trail.verify()
            if not report.ok:
                raise TamperingDetected(
                    f"the backup's audit chain is broken at event {report.first_broken}: "
                    f"{report.problem}")
            families = version_store.count_families(session.conn)
            with session.write():
                session.audit("vault_restored", {"backup": info.backup_id,
                                                 "backup_made": info.created_at})
            events = audit_log.head(session.conn)[0]
        finally:
            session.lock()
        if to.exists():
            to.rmdir()
        os.replace(staging, to)
        sync_directory(to.parent)
        # The restore records itself: this OS account has seen the restored vault in its new
        # folder (services/access/log_heads.py), so its first sign-in there is not refused.
        device_secret.move_seen_state(info.vault_id, staging, to)
    except (DatabaseError, VaultDamaged) as exc:
        _remove(staging)
        _forget_seen(seen_id, staging)
        if enrolled:
            device_secret.delete_device_secret(info.vault_id)
        raise TamperingDetected(f"the backup's database cannot be opened: {exc}") from None
    except BaseException:
        _remove(staging)
        _forget_seen(seen_id, staging)
        if enrolled:
            device_secret.delete_device_secret(info.vault_id)
        raise
    return Restored(info, to, events, families, enrolled)


def _forget_seen(vault_id: str, staging: Path) -> None:
    """A failed restore leaves nothing in the keyring, not even its staging folder's record."""
    if vault_id:
        with contextlib.suppress(Exception):
            device_secret.delete_seen_state(vault_id, staging)


def _opens(keyfile: KeyFile, raw: bytes) -> bool:
    try:
        keyfile.open_body(Secret(raw))
        return True
    except KeyFileError:
        return False


def _now() -> str:
    from workbook.services.clock import stamp, system_clock

    return stamp(system_clock())


@contextlib.contextmanager
def _transaction(conn: Any) -> Iterator[None]:
    from workbook.vault.database import transaction
    from workbook.vault.migrations import migrate

    migrate(conn)
    with transaction(conn):
        yield


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# --- the reminder ------------------------------------------------------------------------------
def last_backup_at(session: Session) -> str | None:
    return audit_log.last_event_at(session.conn, BACKUP_EVENT)


def reminder_days(session: Session) -> int:
    text = meta.get_text(session.conn, REMINDER_KEY)
    try:
        return int(text) if text else DEFAULT_REMINDER_DAYS
    except ValueError:
        return DEFAULT_REMINDER_DAYS


def set_reminder_days(session: Session, days: int) -> None:
    require_backup_maker(session)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise InvalidInput("the backup reminder must be between 1 and 365 days")
    with session.write():
        meta.put(session.conn, REMINDER_KEY, str(days))
        session.audit("backup_reminder_set", {"days": days})


def backup_overdue(session: Session) -> str:
    """A reminder for the owner or an administrator when the last backup is too old; ""
    when none is due or this person does not make backups."""
    from datetime import datetime, timedelta

    if not may_make_backups(session):
        return ""
    days = reminder_days(session)
    last = last_backup_at(session)
    now = session.clock()
    if last is not None and datetime.fromisoformat(last) > now - timedelta(days=days):
        return ""
    if last is None:
        return (f"No backup of this vault has been made yet. Make one now "
                f"(workbook backup --out FILE); you are reminded every {days} days.")
    return (f"The last backup of this vault was made on {last[:10]}, more than {days} days "
            "ago. Make one now (workbook backup --out FILE).")
