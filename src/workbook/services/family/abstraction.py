"""Abstraction: the holder of a restricted section writes a summary of a sensitive entry into
a core section, "brought to a sufficient level of abstraction" ("known to mental health
services; engaging"), so the core team knows enough without the source.

The summary is a NEW entry in the core section, holding the holder's text and a link to the
source entry (its id and its section's name, never its text); readers of the core section see
"Abstracted from a restricted section (Mental health) by NAME on dd/mm/yyyy". Only a reader of
the source's restricted section may write it (the source must open with their keys). With a
concern, the abstraction completes its step 6 as an internal share, in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.domain.display import uk_date
from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import CORE_SECTIONS, SECTION_TITLES, Section, parse_section
from workbook.services import validation
from workbook.services.audit.reads import audit_restricted_reads
from workbook.services.clock import civil_date
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.records import heads_of_record
from workbook.vault import accounts

if TYPE_CHECKING:
    from workbook.services.session import Session

MAX_ABSTRACT = 4000


def abstraction_line(abstracted: Mapping[str, Any]) -> str:
    """What a reader of the core section is told about where an abstracted entry came from;
    "" for an entry that is no abstraction (or whose link is malformed)."""
    section = abstracted.get("from_section")
    try:
        title = SECTION_TITLES[Section(str(section))]
    except ValueError:
        return ""
    by = str(abstracted.get("by_name", "")) or "a holder of that section"
    return (f"Abstracted from a restricted section ({title}) by {by} on "
            f"{uk_date(str(abstracted.get('on', '')))}")


@dataclass(frozen=True)
class Abstracted:
    entry_id: str
    family_id: str
    section: str
    line: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.entry_id, "family_id": self.family_id, "section": self.section,
                "abstracted": self.line}


class Abstractions:
    """Writing an abstracted summary of a restricted entry into a core section."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def abstract(self, entry_id: str, to_section: str, text: str, *,
                 concern_id: str = "") -> Abstracted:
        entry_id = validation.record_id(entry_id, "entry id")
        self.s.require_practitioner()
        try:
            target = parse_section(to_section)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        if target not in CORE_SECTIONS:
            raise InvalidInput(f"abstract into a core section, not {target.value}: the summary "
                               "is for the whole team")
        text = validation.text(text, "abstracted text")
        if len(text) > MAX_ABSTRACT:
            raise InvalidInput(f"the abstracted text is too long (at most {MAX_ABSTRACT} "
                               "characters)")
        versions = self.s.records.of_record(entry_id)
        if not versions or versions[0].kind != RecordKind.ENTRY.value:
            raise NotFound(f"no entry {entry_id} that you can read")
        source = heads_of_record(entry_id, versions).head
        if source.payload.get("deleted"):
            raise NotFound(f"no entry {entry_id} that you can read")
        if Section(source.section) in CORE_SECTIONS:
            raise InvalidInput("that entry is already in a core section: only an entry of a "
                               "restricted section is abstracted")
        if not self.s.records.can_read(target.value):
            raise NotPermitted(f"you cannot write a summary into {target.value}")
        concerns = self.s.concerns
        if concern_id:
            concern = concerns.ready_to_share(concern_id, (source.family_id,))
            concern_id = concern.id
        me = accounts.by_id(self.s.conn, self.s.user_id)
        on = civil_date(self.s.clock()).isoformat()
        link = {"source": entry_id, "from_section": source.section, "by": self.s.user_id,
                "by_name": (me.full_name or me.username) if me else "", "on": on}
        if concern_id:
            link["concern"] = concern_id
        new_entry = new_id()
        with self.s.write():
            version = self.s.records.write(
                family_id=source.family_id, record_id=new_entry, kind=RecordKind.ENTRY.value,
                section=target.value,
                payload={"text": text, "date": on, "type": "note", "significant": False,
                         "abstracted": link})
            self.s.audit("entry_abstracted", {"family": source.family_id, "entry": new_entry,
                                              "source": entry_id,
                                              "version": version.version_id})
            audit_restricted_reads(self.s, source.family_id, [source.section])
            if concern_id:
                concerns.complete_by_share(
                    concern_id, {"kind": "internal", "entry": new_entry,
                                 "section": target.value},
                    f"Abstracted into {SECTION_TITLES[target]}")
        self.s.events.emit("entry_added", family_id=source.family_id, entry_id=new_entry)
        return Abstracted(new_entry, source.family_id, target.value, abstraction_line(link))
