"""The key file beside the database: what a user needs before the database can be opened.

Outer layer (clear): vault id, the recovery public keys, the device secret and the vault key
sealed to the recovery key. Body: encrypted under HKDF(device secret), so staff usernames are
not in clear; it holds one slot per account with its Argon2id parameters and KEK wrap, the vault
key sealed to the account's public key, and the online sign-in counters."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook.crypto.encoding import b64, fields, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import hkdf, unwrap, wrap
from workbook.domain.errors import WorkbookError
from workbook.vault.files import exclusive_lock, write_private

KEYFILE_NAME = "keys.json"
LOCK_NAME = "keys.lock"
FORMAT = "workbook-keyfile"
VALID_PAGE_SIZES = (1024, 2048, 4096, 8192, 16384, 32768, 65536)
# Larger pages keep most version rows on one page: measured on 2,000 families, listing every
# family read 166 ms of 4 KiB pages and 73 ms of 8 KiB pages.
NEW_VAULT_PAGE_SIZE = 8192
VERSION = 1


class KeyFileError(WorkbookError):
    """The key file is missing, damaged or not for this vault; the message says which."""


def vault_id_for(recovery_public: PublicKeys) -> str:
    """The vault id is a hash of the recovery public keys (KEYS.md), so it cannot be swapped."""
    return hashlib.sha256(fields("workbook vault id", recovery_public.raw)).hexdigest()[:32]


@dataclass
class Slot:
    """One account's way in. `state` is 'initial' until the owner replaces the passphrase."""

    user_id: str
    kdf: dict[str, int]
    salt: str
    state: str
    kek_wrap: str
    vault_key_seal: str | None = None
    vault_key_generation: int = 1
    pending_vault_key_seal: str | None = None
    failed: int = 0
    last_failed: str | None = None
    locked: bool = False
    # Who made this slot and when, signed (services/access/slot_changes.py): replicas keep
    # the slot with the later signed time (decision 0009).
    changed_at: str | None = None
    changed_by: str | None = None
    change_signature: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        return cls(**data)


@dataclass
class KeyFileBody:
    accounts: dict[str, Slot] = field(default_factory=dict)
    audit_public: str = ""
    replica: str = ""  # this copy's replica id, once the vault has replicas (decision 0009)

    def slot_for_user_id(self, user_id: str) -> tuple[str, Slot]:
        for username, slot in self.accounts.items():
            if slot.user_id == user_id:
                return username, slot
        raise KeyFileError("no sign-in slot for that account in the key file")


@dataclass
class KeyFile:
    """The parsed outer layer plus an encrypted body that opens with the device secret."""

    vault_id: str
    recovery_public: PublicKeys
    device_seal: bytes
    vault_key_recovery_seal: bytes
    vault_key_generation: int
    body_blob: bytes
    pending_recovery_seal: bytes | None = None
    cipher_page_size: int = 4096

    # --- paths -----------------------------------------------------------------------------
    @staticmethod
    def path(vault_dir: Path) -> Path:
        return vault_dir / KEYFILE_NAME

    # --- body ------------------------------------------------------------------------------
    def open_body(self, device_secret: Secret) -> KeyFileBody:
        key = _body_key(device_secret, self.vault_id)
        try:
            raw = unwrap(key, self.body_blob, _body_ad(self.vault_id), "key file")
        except AuthenticationFailed:
            raise KeyFileError(
                "the key file does not open with this device's secret: this OS account is not "
                "enrolled for the vault (see `workbook device enrol`), or the key file was altered"
            ) from None
        try:
            data = json.loads(raw)
            return KeyFileBody(
                {u: Slot.from_json(s) for u, s in data["accounts"].items()},
                str(data.get("audit_public", "")),
                str(data.get("replica", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeyFileError("the key file body is damaged and cannot be read") from None

    def seal_body(self, device_secret: Secret, body: KeyFileBody) -> None:
        fields_ = {
            "accounts": {u: s.to_json() for u, s in sorted(body.accounts.items())},
            "audit_public": body.audit_public,
        }
        if body.replica:
            fields_["replica"] = body.replica
        raw = json.dumps(fields_, sort_keys=True).encode()
        self.body_blob = wrap(_body_key(device_secret, self.vault_id), raw, _body_ad(self.vault_id))

    # --- file I/O --------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "vault_id": self.vault_id,
                "recovery_public": b64(self.recovery_public.raw),
                "device_seal": b64(self.device_seal),
                "vault_key_recovery_seal": b64(self.vault_key_recovery_seal),
                "vault_key_generation": self.vault_key_generation,
                "body": b64(self.body_blob),
                "cipher_page_size": self.cipher_page_size,
                "pending_recovery_seal": (
                    b64(self.pending_recovery_seal) if self.pending_recovery_seal else None
                ),
            },
            indent=1,
        ).encode()

    def save(self, vault_dir: Path, *, durable: bool = True) -> None:
        write_private(self.path(vault_dir), self.to_bytes(), durable=durable)

    @classmethod
    def load(cls, vault_dir: Path) -> KeyFile:
        path = cls.path(vault_dir)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise KeyFileError(f"no Workbook vault at {vault_dir} (no key file)") from None
        except OSError as exc:
            raise KeyFileError(f"cannot read the key file: {exc.strerror}") from None
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise KeyFileError("the key file is not a Workbook key file")
            if data.get("version") != VERSION:
                raise KeyFileError(
                    f"the key file is version {data.get('version')}; this Workbook reads "
                    f"version {VERSION} - install a newer Workbook"
                )
            keyfile = cls(
                vault_id=str(data["vault_id"]),
                recovery_public=PublicKeys(unb64(data["recovery_public"])),
                device_seal=unb64(data["device_seal"]),
                vault_key_recovery_seal=unb64(data["vault_key_recovery_seal"]),
                vault_key_generation=int(data["vault_key_generation"]),
                body_blob=unb64(data["body"]),
                pending_recovery_seal=(
                    unb64(data["pending_recovery_seal"])
                    if data.get("pending_recovery_seal") else None
                ),
                cipher_page_size=int(data.get("cipher_page_size", 4096)),
            )
            if keyfile.cipher_page_size not in VALID_PAGE_SIZES:
                raise KeyFileError("the key file names an impossible database page size")
        except KeyFileError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeyFileError("the key file is damaged and cannot be read") from None
        if vault_id_for(keyfile.recovery_public) != keyfile.vault_id:
            raise KeyFileError("the key file was altered: its vault id does not match its keys")
        return keyfile

    @classmethod
    def update(
        cls, vault_dir: Path, device_secret: Secret,
        change: Callable[[KeyFile, KeyFileBody], None], *, durable: bool = True,
    ) -> KeyFile:
        """Read-modify-write under an exclusive lock, so two processes never lose an update.
        `durable=False` is for counting a sign-in attempt: other processes see it at once (the
        lock and the atomic rename are what make parallel attempts count), and the session's
        own update that follows a right passphrase is durable."""
        with exclusive_lock(vault_dir / LOCK_NAME):
            keyfile = cls.load(vault_dir)
            body = keyfile.open_body(device_secret)
            change(keyfile, body)
            keyfile.seal_body(device_secret, body)
            keyfile.save(vault_dir, durable=durable)
            return keyfile


def put_back(vault_dir: Path, before: bytes, after: bytes) -> bool:
    """Under the lock, replace the key file by `before` if it still holds exactly `after` (the
    bytes one update wrote): an attempt counted and then found right, in a sign-in that was
    refused for another reason, leaves the file as it was. False if anything changed since."""
    with exclusive_lock(vault_dir / LOCK_NAME):
        path = KeyFile.path(vault_dir)
        try:
            if path.read_bytes() != after:
                return False
        except OSError:
            return False
        write_private(path, before)
        return True


def _body_key(device_secret: Secret, vault_id: str) -> bytes:
    return hkdf(device_secret.value, fields("workbook keyfile body", vault_id))


def _body_ad(vault_id: str) -> bytes:
    return fields("workbook keyfile body", VERSION, vault_id)


def device_seal_info(vault_id: str) -> bytes:
    return fields("workbook device secret", vault_id)


def vault_key_recovery_info(vault_id: str, generation: int) -> bytes:
    return fields("workbook vault key", vault_id, "recovery", generation)


def vault_key_user_info(vault_id: str, user_id: str, generation: int) -> bytes:
    return fields("workbook vault key", vault_id, user_id, generation)


def kek_wrap_ad(vault_id: str, user_id: str, slot: Slot) -> bytes:
    return fields(
        "workbook kek wrap",
        vault_id,
        user_id,
        slot.state,
        json.dumps(slot.kdf, sort_keys=True),
        slot.salt,
    )
