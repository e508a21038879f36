"""What a confirmed disposal did, as plain values: the retention service makes it and the
disposal certificate prints it, so the report needs nothing of the service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Disposal:
    """What a confirmed disposal did: the tombstone in readable form, for the certificate."""

    family_id: str
    family_type: str
    closed_at: str
    dispose_after: str
    proposed_by: str
    proposed_at: str
    confirmed_by: str
    disposed_at: str
    versions_removed: int
    rows_removed: dict[str, int]
    tombstone_digest: str
    file_rebuilt: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)
