"""The types of entry a practitioner records (DOMAIN.md; the statutory steps Mosaic and LCS users
know). The value is signed into each entry, so a member's value never changes once released."""

from __future__ import annotations

from enum import StrEnum


class EntryType(StrEnum):
    STRATEGY_DISCUSSION = "strategy-discussion"
    SECTION_47 = "section-47"          # a section 47 enquiry
    CONFERENCE = "conference"          # a child protection conference
    CORE_GROUP = "core-group"
    VISIT = "visit"
    CALL = "call"
    MEETING = "meeting"
    NOTE = "note"
    OTHER = "other"


# The order a person is offered them in (the everyday ones first).
ENTRY_TYPES: tuple[str, ...] = (
    EntryType.VISIT, EntryType.CALL, EntryType.MEETING, EntryType.NOTE, EntryType.OTHER,
    EntryType.STRATEGY_DISCUSSION, EntryType.SECTION_47, EntryType.CONFERENCE,
    EntryType.CORE_GROUP,
)
