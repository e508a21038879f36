"""The side journal: events that happen before anyone unlocks (failed sign-ins).

Each line is one event sealed to the vault's audit public key, so the file reveals nothing
(not even which username was tried). The next person to unlock folds it into the audit chain."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from workbook.crypto.encoding import b64, fields, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys

JOURNAL_NAME = "journal"


def _info(vault_id: str) -> bytes:
    return fields("workbook side journal v1", vault_id)


def append(vault_dir: Path, vault_id: str, audit_public: PublicKeys, event: dict[str, Any]) -> None:
    line = b64(audit_public.seal(json.dumps(event).encode(), _info(vault_id))) + "\n"
    fd = os.open(vault_dir / JOURNAL_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read(vault_dir: Path, vault_id: str, audit_key: KeyPair) -> tuple[list[dict[str, Any]], int]:
    """Every event that opens, and the count of lines that did not (reported as tampering)."""
    path = vault_dir / JOURNAL_NAME
    try:
        lines = path.read_text("ascii").splitlines()
    except FileNotFoundError:
        return [], 0
    except (OSError, UnicodeDecodeError):
        return [], 1
    events: list[dict[str, Any]] = []
    bad = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            event = json.loads(audit_key.open(unb64(line.strip()), _info(vault_id)))
            if isinstance(event, dict):
                events.append(event)
            else:
                bad += 1
        except (AuthenticationFailed, ValueError):
            bad += 1
    return events, bad


def clear(vault_dir: Path) -> None:
    try:
        (vault_dir / JOURNAL_NAME).unlink()
    except FileNotFoundError:
        pass
