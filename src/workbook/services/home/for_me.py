"""What waits for me on Home (issue 14): my drafts - the entries I began and did not finish,
newest first, each with its family, section and first line, so that nothing typed is
forgotten (only my own, opened with my draft key; a draft of a family I cannot see now is left
out) - and the sealed entries passed on to a section I hold in my families."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from workbook.domain.roles import CORE_SECTIONS, Section
from workbook.services.access.people import People
from workbook.services.clock import civil_date
from workbook.services.errors import NotPermitted
from workbook.services.family.chronology import preview, section_title
from workbook.services.family.drafts import drafts_for
from workbook.vault import version_store

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


# --- sealed entries for me ---------------------------------------------------------------
SEALED_DAYS = 30
SEALED_SHOWN = 10


@dataclass(frozen=True)
class SealedForMe:
    """A sealed entry (P3) written for a section I hold, in one of my families: someone who
    cannot read that section passed it on, and I am one of those it is addressed to."""

    family_id: str
    family_name: str
    entry_id: str
    section: str        # the section's title
    date: str
    author: str         # full name
    preview: str


def sealed_for_me(session: Session, families: list[HomeFamily]) -> list[SealedForMe]:
    """The newest sealed entries of the last 30 days in `families` that my keys open (not
    my own), newest first. Found from the clear headers, opened through the one read rule;
    a restricted section's entry listed is a read of it, audited as `section_read`."""
    known = {f.family_id: f for f in families}
    if not known:
        return []
    since = sealed_since(session)
    keys = [(h.family_id, h.kind, h.version_id)
            for h in version_store.headers_of_kind(session.conn, "entry")
            if h.sealed and h.family_id in known and h.created_at >= since]
    return sealed_opened(session, known, keys)


def sealed_since(session: Session) -> str:
    """The first day (ISO) whose sealed entries are shown."""
    return (civil_date(session.clock()) - timedelta(days=SEALED_DAYS)).isoformat()


def sealed_opened(session: Session, known: dict[str, HomeFamily],
                  keys: list[tuple[str, str, str]]) -> list[SealedForMe]:
    """The sealed entries at `keys` (family, kind, version) that my keys open, not my own,
    newest first; those of a restricted section audited as read."""
    if not keys:
        return []
    opened = [v for v in session.records.open_many(version_store.by_keys(session.conn, keys))
              if v.author != session.user_id and not v.payload.get("deleted")]
    opened.sort(key=lambda v: v.created_at, reverse=True)
    opened = opened[:SEALED_SHOWN]
    people = People(session)
    restricted = [v for v in opened if Section(v.section) not in CORE_SECTIONS]
    if restricted:
        with session.write():
            for v in restricted:
                session.audit("section_read", {"family": v.family_id, "entry": v.record_id})
    return [SealedForMe(v.family_id, known[v.family_id].name, v.record_id,
                        section_title(v.section), str(v.payload.get("date", "")),
                        people.name(v.author), preview(str(v.payload.get("text", ""))))
            for v in opened]


STEP_FAMILIES = 200  # families whose version headers one step of SealedSteps reads


class SealedSteps:
    """`sealed_for_me` a step at a time (issue 19): it read every entry header of the vault in
    one call (seconds on the worker at 20,000 families); here each step reads the headers of
    a few hundred of `families`, and the last opens what was found. Construct and step it on
    the thread that owns the session; `result` holds the answer once `done`."""

    def __init__(self, session: Session, families: list[HomeFamily],
                 step: int = STEP_FAMILIES) -> None:
        self._session = session
        self._known = {f.family_id: f for f in families}
        ids, size = list(self._known), max(1, step)
        self._chunks = [ids[i:i + size] for i in range(0, len(ids), size)]
        self._next = 0
        self._since = sealed_since(session)
        self._keys: list[tuple[str, str, str]] = []
        self.result: list[SealedForMe] = []
        self.done = not self._known

    def step(self, session: Session) -> bool:
        """The next families' sealed entry headers; True once the entries found are opened."""
        if session is not self._session or session.closed:
            raise NotPermitted("these sealed entries belong to a session that has ended")
        if self.done:
            return True
        since = self._since
        self._keys.extend((h.family_id, h.kind, h.version_id)
                          for h in version_store.headers_of_families(
                              session.conn, self._chunks[self._next])
                          if h.kind == "entry" and h.sealed and h.created_at >= since)
        self._next += 1
        if self._next >= len(self._chunks):
            self.result = sealed_opened(session, self._known, self._keys)
            self.done = True
        return self.done
