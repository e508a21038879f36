"""A family transferred to another organisation is read-only here (docs/bundle-format.md,
"Transfers"): every write to it is refused, decided from the signed versions of its family
record, never from a plain row.

Any verified version of the family record that says "transferred" decides it, not only the
newest: a version written later (by someone holding a certified key and writing rows by hand)
cannot reopen the family. Deleting the rows themselves is the rollback limit every signed log in
the vault has (docs/threat-model.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.domain.display import uk_date
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services.errors import InvalidInput
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

TRANSFERRED = "transferred"


class FamilyTransferred(InvalidInput):
    """A write to a family that was transferred away; nothing was saved."""


Seen = dict[str, tuple[frozenset[str], str | None]]


def transferred_to(session: Session, family_id: str, seen: Seen | None = None) -> str | None:
    """"transferred to TEAM on dd/mm/yyyy" if a verified version of the family record says
    so, else None. Rows of the household section only, opened with its tags (a version that
    fails its checks raises TamperingDetected, so an edited row refuses too). `seen` keeps the
    answer per family for the same stored versions, so a batch of writes opens them once."""
    rows = [r for r in version_store.of_record(session.conn, family_id)
            if r.kind == RecordKind.FAMILY.value]
    if not rows:
        return None
    ids = frozenset(r.version_id for r in rows)
    known = seen.get(family_id) if seen is not None else None
    if known is not None and known[0] == ids:
        return known[1]
    why = None
    for version in session.records.open_many(rows, section=Section.HOUSEHOLD.value):
        payload = version.payload
        if payload.get("status") == TRANSFERRED:
            why = (f"transferred to {payload.get('transferred_to', 'another organisation')} "
                   f"on {uk_date(str(payload.get('transferred_on', '')))}")
            break
    if seen is not None:
        seen[family_id] = (ids, why)
    return why


def refuse_if_transferred(session: Session, family_id: str, seen: Seen | None = None) -> None:
    """The write path's check (services/family/records.py)."""
    why = transferred_to(session, family_id, seen)
    if why is not None:
        raise FamilyTransferred(f"family {family_id} was {why}: its workbook is read-only; "
                                "nothing was saved")
