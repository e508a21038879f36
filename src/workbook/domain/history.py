"""Version history rules: a record's current state is the head of its versions; two heads are
a conflict that a person resolves with a merge version. Pure functions, property-tested."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


class Versioned(Protocol):
    @property
    def version_id(self) -> str: ...

    @property
    def parents(self) -> tuple[str, ...]: ...

    @property
    def created_at(self) -> str: ...


@dataclass(frozen=True)
class HistoryPoint:
    """Just what finding heads needs of a version, read from its clear header before (or
    instead of) decrypting it."""

    version_id: str
    parents: tuple[str, ...]
    created_at: str


def head_ids(versions: Iterable[Versioned]) -> list[str]:
    """Versions that no other version of the record names as a parent, oldest first."""
    items = list(versions)
    superseded = {p for v in items for p in v.parents}
    heads = [v for v in items if v.version_id not in superseded]
    heads.sort(key=lambda v: (v.created_at, v.version_id))
    return [v.version_id for v in heads]


@dataclass(frozen=True)
class RecordState:
    """What a reader sees of one record: its heads, newest last, and its whole history."""

    record_id: str
    heads: tuple[str, ...]
    history: tuple[str, ...]

    @property
    def in_conflict(self) -> bool:
        return len(self.heads) > 1


def record_state(record_id: str, versions: Sequence[Versioned]) -> RecordState:
    ordered = sorted(versions, key=lambda v: (v.created_at, v.version_id))
    return RecordState(record_id, tuple(head_ids(ordered)), tuple(v.version_id for v in ordered))
