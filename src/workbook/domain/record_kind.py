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
    REFERRAL = "referral"   # a contact at the front door, before any workbook (issue 15)
    CONCERN = "concern"   # a concern about a person, through the six steps (domain/concerns.py)
    CONSENT = "consent"   # one consent decision of a person (domain/consent.py)
    TRANSFER = "transfer"  # a transfer to another organisation, in the sharing log


# Where a record of each kind is listed in a section of a family's workbook (the JSON of
# `workbook family show`): people and actions apart, the rest among the entries. A kind with
# no bucket (a concern, a consent) is not listed there: its own commands and panels show it.
# A referral is its own record (its family id is its own id), listed at the front door.
BUCKETS: dict[RecordKind, str] = {
    RecordKind.PERSON: "persons",
    RecordKind.ACTION: "actions",
    RecordKind.ENTRY: "entries",
    RecordKind.REVIEW: "entries",
}
