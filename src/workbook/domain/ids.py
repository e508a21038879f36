"""Typed identifiers, so a family id is never passed where an entry id is meant."""

from __future__ import annotations

import secrets
from typing import NewType

VaultId = NewType("VaultId", str)
UserId = NewType("UserId", str)
FamilyId = NewType("FamilyId", str)
RecordId = NewType("RecordId", str)
VersionId = NewType("VersionId", str)
DeviceId = NewType("DeviceId", str)


def new_id() -> str:
    """A random 128-bit id in lowercase hex: unguessable, and stable across vaults."""
    return secrets.token_hex(16)
