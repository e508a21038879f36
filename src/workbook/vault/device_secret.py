"""The one place the app reads and writes the per-vault device secret D (see KEYS.md).

D is 32 random bytes per vault, kept in the OS keyring of each enrolled OS account under service
`workbook` and account = vault id. Beside it, per vault folder, a small record of the newest
signed state this OS account has seen there (account = vault id + ":seen:" + a hash of the
folder's path), so a folder copied back to an older state is noticed. Keeping every keyring
call here means there is one place that decides which keyring is acceptable, one encoding, and
one check that what comes back is intact.

The OS keyring is the default and the only store chosen automatically. A machine without one
gets a clear `KeyringUnavailable` instead of keyring's silent fallbacks; the user may then opt in,
explicitly, to a weaker 0600 file with `WORKBOOK_KEYRING=file`.

Nothing in this module logs D or puts it into an exception message or a repr.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError, PasswordDeleteError

from workbook.crypto.encoding import fields
from workbook.crypto.symmetric import hkdf, mac
from workbook.domain.errors import WorkbookError
from workbook.vault.file_keyring import FileKeyring

SERVICE = "workbook"
SECRET_LENGTH = 32
ENV_VAR = "WORKBOOK_KEYRING"
ACCEPTED_ENV_VALUES = ("file",)

_DAMAGED = "the device secret stored for this vault is damaged"


class KeyringUnavailable(WorkbookError):
    """No usable OS keyring. The message tells the user what the opt-in is and what it costs, so
    the choice to weaken the store is theirs and informed."""

    def __init__(self) -> None:
        super().__init__(
            "No OS keyring was found (such as Secret Service / GNOME Keyring / KWallet, macOS "
            "Keychain or Windows Credential Manager), so Workbook has nowhere safe to keep this "
            "device's secret. Start Workbook with WORKBOOK_KEYRING=file to keep it instead in a "
            "file readable only by you (mode 0600) under your user configuration directory. "
            "That is weaker than an OS keyring: anything running as this OS account can read "
            "the file."
        )


def select_backend() -> str:
    """Apply the user's keyring choice and describe the backend in use (for the status line).

    Only `WORKBOOK_KEYRING=file` changes anything; otherwise keyring's own choice stands, which
    includes a backend a test installed with `keyring.set_keyring`. An unknown value is an error
    rather than ignored, so a typo cannot leave the user believing they chose something they
    did not.
    """
    choice = os.environ.get(ENV_VAR, "")
    if choice == "file":
        backend = FileKeyring()
        keyring.set_keyring(backend)
        return f"file keyring at {backend.path} ({ENV_VAR}=file)"
    if choice:
        accepted = ", ".join(repr(v) for v in ACCEPTED_ENV_VALUES)
        raise ValueError(
            f"{ENV_VAR}={choice!r} is not understood; accepted values: {accepted} "
            "(or leave it unset to use the OS keyring)"
        )
    return str(keyring.get_keyring().name)


def keyring_available() -> bool:
    """True if the active backend really stores secrets. keyring falls back to backends that
    fail or silently drop every write; storing D there would lose the vault's device secret."""
    return _usable(_active_backend())


def store_device_secret(vault_id: str, secret: bytes) -> None:
    """Keep D for this vault in the keyring, replacing any previous value."""
    _check_vault_id(vault_id)
    if not isinstance(secret, bytes) or len(secret) != SECRET_LENGTH:
        raise ValueError(f"a device secret must be exactly {SECRET_LENGTH} bytes")
    backend = _require_backend()
    encoded = base64.urlsafe_b64encode(secret).decode("ascii")
    try:
        backend.set_password(SERVICE, vault_id, encoded)
    except NoKeyringError:
        raise KeyringUnavailable() from None


def load_device_secret(vault_id: str) -> bytes | None:
    """D for this vault, or None if this OS account has not been enrolled for it.

    A value that is present but not 32 bytes of valid base64 is reported as damaged rather than
    treated as absent: "absent" would invite re-enrolment over a secret that may be recoverable.
    """
    _check_vault_id(vault_id)
    backend = _require_backend()
    try:
        encoded = backend.get_password(SERVICE, vault_id)
    except NoKeyringError:
        raise KeyringUnavailable() from None
    if encoded is None:
        return None
    try:
        secret = base64.b64decode(encoded.encode("ascii"), altchars=b"-_", validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise ValueError(_DAMAGED) from None
    if len(secret) != SECRET_LENGTH:
        raise ValueError(_DAMAGED)
    return secret


def delete_device_secret(vault_id: str) -> None:
    """Forget D for this vault on this OS account; already absent is not an error, so removing a
    device can be retried safely."""
    _check_vault_id(vault_id)
    backend = _require_backend()
    try:
        backend.delete_password(SERVICE, vault_id)
    except PasswordDeleteError:
        pass
    except NoKeyringError:
        raise KeyringUnavailable() from None


def _active_backend() -> KeyringBackend:
    """The backend in use, honouring WORKBOOK_KEYRING even if startup forgot to call
    select_backend: otherwise the user who set it would be told to set it."""
    backend = keyring.get_keyring()
    if os.environ.get(ENV_VAR) and not isinstance(backend, FileKeyring):
        select_backend()
        backend = keyring.get_keyring()
    return backend


def _require_backend() -> KeyringBackend:
    backend = _active_backend()
    if not _usable(backend):
        raise KeyringUnavailable()
    return backend


def _usable(backend: KeyringBackend) -> bool:
    if isinstance(backend, FileKeyring):
        return True
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
        return False
    if isinstance(backend, keyring.backends.chainer.ChainerBackend):
        return len(backend.backends) > 0
    try:
        priority = type(backend).priority
    except Exception:  # keyring's contract: a backend unsuited to this system raises here
        return False
    return bool(priority > 0)


def _check_vault_id(vault_id: str) -> None:
    """The vault id is the keyring account; an empty one would collide across vaults."""
    if not isinstance(vault_id, str) or not vault_id:
        raise ValueError("a vault id is required")


# --- what this OS account last saw of a vault folder (docs/crypto.md, "The seen record") -----
SEEN_MARK = ":seen:"


class SeenStateAltered(Exception):
    """The seen record in the keyring does not authenticate under this vault's device secret.

    Not a WorkbookError: it carries no message; log_heads turns it into what the person sees."""


def seen_account(vault_id: str, folder: Path) -> str:
    """The keyring account of the seen record: the vault id and a hash of the folder's path,
    so a copy or restore of the same vault in another folder has a record of its own."""
    _check_vault_id(vault_id)
    where = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape"))
    return f"{vault_id}{SEEN_MARK}{where.hexdigest()[:24]}"


def store_seen_state(vault_id: str, folder: Path, device: bytes, state: dict[str, Any]) -> None:
    """Keep `state` beside D, tagged with a key derived from D: a value planted by someone who
    can write the keyring but does not hold D is noticed."""
    body = json.dumps(state, sort_keys=True, separators=(",", ":"))
    tag = mac(_seen_key(device, vault_id), fields("workbook seen state v1", vault_id, body))
    encoded = json.dumps({"state": body, "tag": tag.hex()}, separators=(",", ":"))
    backend = _require_backend()
    try:
        backend.set_password(SERVICE, seen_account(vault_id, folder), encoded)
    except NoKeyringError:
        raise KeyringUnavailable() from None


def load_seen_state(vault_id: str, folder: Path, device: bytes) -> dict[str, Any] | None:
    """The state last stored for this folder, None if none; SeenStateAltered if it does not
    authenticate."""
    backend = _require_backend()
    try:
        encoded = backend.get_password(SERVICE, seen_account(vault_id, folder))
    except NoKeyringError:
        raise KeyringUnavailable() from None
    if encoded is None:
        return None
    try:
        outer = json.loads(encoded)
        body, tag = str(outer["state"]), bytes.fromhex(str(outer["tag"]))
        expected = mac(_seen_key(device, vault_id), fields("workbook seen state v1", vault_id,
                                                           body))
        if not hmac.compare_digest(tag, expected):
            raise SeenStateAltered()
        state = json.loads(body)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SeenStateAltered() from None
    if not isinstance(state, dict):
        raise SeenStateAltered()
    return state


def move_seen_state(vault_id: str, old: Path, new: Path) -> None:
    """Carry a folder's record to the folder it was moved to (a restore's staging folder)."""
    backend = _require_backend()
    try:
        value = backend.get_password(SERVICE, seen_account(vault_id, old))
        if value is None:
            return
        backend.set_password(SERVICE, seen_account(vault_id, new), value)
        backend.delete_password(SERVICE, seen_account(vault_id, old))
    except PasswordDeleteError:
        pass
    except NoKeyringError:
        raise KeyringUnavailable() from None


def delete_seen_state(vault_id: str, folder: Path) -> None:
    backend = _require_backend()
    try:
        backend.delete_password(SERVICE, seen_account(vault_id, folder))
    except PasswordDeleteError:
        pass
    except NoKeyringError:
        raise KeyringUnavailable() from None


def _seen_key(device: bytes, vault_id: str) -> bytes:
    return hkdf(device, fields("workbook seen state key", vault_id))
