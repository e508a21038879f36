"""The kinds of record a family workbook holds. Every version names one; the value is what is
signed and stored, so a member's value never changes once released."""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    FAMILY = "family"
    PERSON = "person"
    ENTRY = "entry"
    ACTION = "action"
    REVIEW = "review"
    TRANSFER = "transfer"  # a transfer to another organisation, in the sharing log


# Where a record of each kind is listed in a section of a family's workbook (the JSON of
# `workbook family show`): people and actions apart, everything else among the entries.
BUCKETS: dict[RecordKind, str] = {
    RecordKind.PERSON: "persons",
    RecordKind.ACTION: "actions",
    RecordKind.ENTRY: "entries",
    RecordKind.REVIEW: "entries",
}
