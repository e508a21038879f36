"""The attacker every security test plays: someone signed in, who therefore holds the database
key, opening the vault's database with it and nothing else of Workbook's (no schema pin, no
typed reads), to run any SQL (docs/threat-model.md, A5)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

from support import vaults
from workbook.crypto.secret import Secret
from workbook.vault.keyfile import KeyFile


def raw_connect(vault_dir: Path, key: bytes) -> Any:
    """The database opened with its key alone, as an attacker with the key would."""
    page_size = KeyFile.load(vault_dir).cipher_page_size
    conn = sqlcipher3.connect(str(vault_dir / "vault.db"), timeout=5, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute(f"PRAGMA cipher_page_size = {int(page_size)}")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def database_key(team: vaults.TeamVault) -> Secret:
    """The key every signed-in person holds (taken from the owner's session)."""
    with team.session(team.owner) as owner:
        return Secret(bytes(owner.vault_key.value))


@contextmanager
def attacker_db(team: vaults.TeamVault, key: Secret | None = None) -> Iterator[Any]:
    """The attacker's own connection for the block (autocommit: each statement stands)."""
    own = key is None
    secret = database_key(team) if key is None else key
    conn = raw_connect(team.path, bytes(secret.value))
    try:
        yield conn
    finally:
        conn.close()
        if own:
            secret.wipe()
