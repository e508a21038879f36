"""My drafts on Home (issue 14): the entries I began and did not finish, newest first, each
with its family, section and first line, so that nothing typed is forgotten. Only my own
drafts, opened with my draft key; a draft of a family I cannot see now is left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.services.family.chronology import preview, section_title
from workbook.services.family.drafts import drafts_for

if TYPE_CHECKING:
    from workbook.services.home.overview import HomeFamily
    from workbook.services.session import Session


@dataclass(frozen=True)
class HomeDraft:
    draft_id: str
    family_id: str
    family_name: str
    section: str        # the section's title
    updated_at: str
    preview: str
    correction: bool    # a correction of an existing entry, not a new one


def my_drafts(session: Session, families: list[HomeFamily]) -> list[HomeDraft]:
    names = {f.family_id: f.name for f in families}
    out = [HomeDraft(d.draft_id, d.family_id, names[d.family_id],
                     section_title(d.section) if d.section else "", d.updated_at,
                     preview(d.text) or "(nothing typed yet)", bool(d.entry_id))
           for d in drafts_for(session) if d.family_id in names]
    out.sort(key=lambda d: d.updated_at, reverse=True)
    return out
