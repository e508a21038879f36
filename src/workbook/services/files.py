"""What the edges (the CLI and the GUI) need of the files on this computer, in one place, so
that neither imports the vault or crypto packages: a private atomic save, a bounded read of a
file someone named, the key file that marks a vault folder, whether the device secret has a
safe home, and the passphrase-stretching cost a new vault's key file records."""

from __future__ import annotations

from pathlib import Path

from workbook.crypto.passphrase_kdf import KdfParams
from workbook.vault import device_secret
from workbook.vault.files import FileRefused, read_bounded, write_private
from workbook.vault.keyfile import KEYFILE_NAME

__all__ = ["KEYFILE_NAME", "FileRefused", "KdfParams", "keyring_problem", "read_bounded",
           "save_private"]


def save_private(path: Path, data: bytes) -> None:
    """Save `data` at `path` atomically, readable only by this OS account from the first byte:
    a saved PDF, a recovery sheet or a grant never lies on disk half-written or world-readable."""
    write_private(path, data)


def keyring_problem() -> str | None:
    """Why this device's secret has nowhere safe to live, or None when the keyring is usable.
    A WORKBOOK_KEYRING value that is not understood raises ValueError with a message to show."""
    device_secret.select_backend()
    if device_secret.keyring_available():
        return None
    return str(device_secret.KeyringUnavailable())
