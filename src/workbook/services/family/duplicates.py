"""Possible duplicates: is the person being added already known in another family?

Compared only over what the signed-in person can decrypt (household versions they hold the key
for), in memory, never with SQL over names (there are none in clear). Names match when they are
equal after folding case, accents, hyphens and apostrophes ("Zoë Smith-Jones" and "zoe smith
jones"), and the dates of birth are the same."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services import validation
from workbook.services.authority import RecordVersion
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class DuplicateMatch:
    """Someone already recorded in another family with the same name and date of birth."""

    family_id: str
    family_name: str
    person_id: str
    name: str
    dob: str
    relationship: str


def fold_name(name: str) -> str:
    """A name reduced for comparison: no accents, no case, hyphens and apostrophes as spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("ı", "i").replace("ł", "l").replace("Ł", "l").replace("đ", "d")
    for mark in "-‐‑–'’`.":
        bare = bare.replace(mark, " ")
    return " ".join(bare.casefold().split())


def possible_duplicates(
    session: Session, name: str, dob: str, exclude_family_id: str = ""
) -> list[DuplicateMatch]:
    """Persons in other families this person may see, with the same folded name and date of
    birth. Without a date of birth there is no match: a name alone is too weak to warn on."""
    session.require_practitioner()
    if not dob.strip() or not name.strip():
        return []
    dob = validation.iso_date(dob, "date of birth")
    if not session.records.can_read(Section.HOUSEHOLD.value):
        return []
    wanted = fold_name(name)
    names = {f.family_id: f.name for f in session.families.all()}
    latest: dict[str, RecordVersion] = {}
    rows = (row for row in version_store.of_kind(session.conn, RecordKind.PERSON.value)
            if row.family_id != exclude_family_id and row.family_id in names)
    for version in session.records.open_each(rows):
        current = latest.get(version.record_id)
        if current is None or (version.created_at, version.version_id) > (
            current.created_at, current.version_id
        ):
            latest[version.record_id] = version
    out = []
    for version in latest.values():
        payload = version.payload
        if payload.get("deleted") or payload.get("dob") != dob:
            continue
        if fold_name(str(payload.get("name", ""))) != wanted:
            continue
        out.append(DuplicateMatch(
            version.family_id, names[version.family_id], version.record_id,
            str(payload.get("name", "")), dob, str(payload.get("relationship", "")),
        ))
    out.sort(key=lambda m: (m.family_name.casefold(), m.name.casefold(), m.person_id))
    return out
