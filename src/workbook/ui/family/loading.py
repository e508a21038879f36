"""What the family workbook view loads off the GUI thread: the opened workbook (only the
sections this person may read, as the services decided), flattened once into what every page
shows - in one operation, or for a first look at a big family in parts (`FamilyLoad`). Plain
data: it crosses from the worker thread to the GUI thread, and no widget is touched here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from workbook.domain.acts import Act
from workbook.domain.outcomes import ScalingPoint, scaling_points
from workbook.domain.record_kind import RecordKind
from workbook.domain.records import Action, Entry, Person, Review
from workbook.domain.roles import Section
from workbook.domain.workbook import FamilyShown, FamilyWorkbook, Shown
from workbook.services import collector
from workbook.services.access.people import People, PersonName
from workbook.services.clock import civil_date
from workbook.services.family.assessments import Assessment, from_workbook
from workbook.services.family.case_owner import OwnerChange
from workbook.services.family.chronology import ChronologyRow, rows_from_workbook
from workbook.services.family.drafts import Draft, drafts_for
from workbook.services.family.workbooks import (
    CHUNK_ROWS,
    FIRST_ENTRIES,
    WHOLE_UP_TO,
    OpeningInParts,
)
from workbook.services.session import Session


@dataclass(frozen=True)
class LoadProgress:
    """How far a family opened in parts has got: versions opened of all it has."""

    opened: int
    total: int


@dataclass(frozen=True, slots=True)
class Conflict:
    """A person or an entry with several heads, and the section it is in."""

    section: str
    kind: RecordKind
    shown: Shown[Person] | Shown[Entry | Review]


class SectionEntry(NamedTuple):
    """An entry of the workbook with the section it is in (the editor corrects it there); a
    tuple, since a big family makes thousands at once."""

    section: str
    shown: Shown[Entry | Review]


@dataclass(frozen=True)
class CaseFacts:
    """What the header's case tools need: whether I may appoint a case owner or close the
    family, the colleagues who may be appointed, the policy's family types, the trend."""

    may_appoint: bool
    may_close: bool
    candidates: list[PersonName]
    family_types: list[str]
    scaling: list[ScalingPoint]
    owner_history: list[OwnerChange]


def case_facts(session: Session, workbook: FamilyWorkbook) -> CaseFacts:
    may_appoint = session.may(Act.APPOINT_CASE_OWNER) or (
        bool(workbook.family.case_owner) and workbook.family.case_owner == session.user.username)
    record = workbook.family.record
    return CaseFacts(may_appoint, session.may(Act.CLOSE_FAMILY),
                     session.case_owners.candidates() if may_appoint else [],
                     session.policy.family_types(), scaling_points(workbook),
                     session.case_owners.changes(record.owner_history) if record else [])


@dataclass
class FamilySnapshot:
    family_id: str
    family: FamilyShown
    readable: list[str]                    # section values, in the order of Section
    unreadable: list[str]
    rows: list[ChronologyRow]
    rows_by_section: dict[str, list[ChronologyRow]]
    persons: list[Shown[Person]]
    actions: list[Shown[Action]]
    safety: list[Shown[Entry | Review]]    # current home-visit safety entries, newest first
    conflicts: list[Conflict]              # records with several heads (entries and persons)
    other_conflicts: int                   # e.g. plan actions: counted, resolved elsewhere
    entries: dict[str, SectionEntry]       # entry id -> the entry, with its section
    drafts: list[Draft]
    assessment: Assessment | None
    users: list[PersonName]                # active practitioners who may own an action
    names: dict[str, str]                  # username -> full name, for every account
    me: str
    today: date                            # the UK civil date on the session's clock
    loading: LoadProgress | None = None    # set on a first look: the rest is still loading
    # Issue 15: who may appoint the case owner or close the case (what the header offers;
    # the services decide), whom they may appoint, and the scaling trend of the reviews.
    case: CaseFacts | None = None

    @property
    def complete(self) -> bool:
        return self.loading is None

    @property
    def conflict_count(self) -> int:
        family = 1 if self.family.conflict else 0
        return len(self.conflicts) + self.other_conflicts + family


def load_family(session: Session, family_id: str, *, audit: bool = True) -> FamilySnapshot:
    """Open the family. The opening is audited once (P7); the view's refreshes after a change
    pass audit=False, since the person is still looking at the family they opened."""
    # Opening a big family allocates tens of thousands of short-lived objects and no cycles:
    # the cyclic collector's full passes over the heap meanwhile are a third of the flattening.
    with collector.paused():
        return snapshot_of(session, family_id, session.workbooks.open(family_id, audit=audit))


class FamilyLoad:
    """A family loaded in parts (services/family/workbooks.OpeningInParts): `first()` gives the
    snapshot of a first look, `step()` opens more and reports progress until it gives the
    whole snapshot - equal to what `load_family` gives. Each call runs on the worker; the
    GUI may `cancel()` at any time, and the next call then drops what was opened."""

    def __init__(self, family_id: str, *, first_entries: int = FIRST_ENTRIES,
                 chunk: int = CHUNK_ROWS, whole_up_to: int = WHOLE_UP_TO) -> None:
        self.family_id = family_id
        self._opening = OpeningInParts(family_id, first_entries=first_entries, chunk=chunk,
                                       whole_up_to=whole_up_to)

    def cancel(self) -> None:
        self._opening.cancel()

    def first(self, session: Session) -> FamilySnapshot:
        with collector.paused():
            workbook = self._opening.first(session)
            return snapshot_of(session, self.family_id, workbook, self._progress())

    def step(self, session: Session) -> FamilySnapshot | LoadProgress:
        with collector.paused():
            view = self._opening.step(session)
            if view is None:
                progress = self._progress()
                assert progress is not None
                return progress
            return snapshot_of(session, self.family_id, view)

    def _progress(self) -> LoadProgress | None:
        if self._opening.done:
            return None
        return LoadProgress(self._opening.opened, self._opening.total)


def snapshot_of(session: Session, family_id: str, workbook: FamilyWorkbook,
                loading: LoadProgress | None = None) -> FamilySnapshot:
    """Flatten an opened workbook for every page."""
    sections = workbook.sections
    order = [s.value for s in Section]
    readable = sorted(sections, key=order.index)
    conflicts: list[Conflict] = []
    entries: dict[str, SectionEntry] = {}
    for section, content in sections.items():
        for entry in content.entries:
            entries[entry.id] = SectionEntry(section, entry)
        conflicts.extend(Conflict(section, RecordKind.ENTRY, e)
                         for e in content.entries if e.conflict)
        conflicts.extend(Conflict(section, RecordKind.PERSON, p)
                         for p in content.persons if p.conflict)
    plan = workbook.section(Section.PLAN.value)
    safety = list(workbook.section(Section.HOME_VISIT_SAFETY.value).entries)
    safety.sort(key=lambda e: (e.record.date, e.created_at), reverse=True)
    people = People(session)
    users = people.owners()
    names = {p.username: p.full_name for p in people.everyone()}
    rows = rows_from_workbook(workbook, names)
    by_section: dict[str, list[ChronologyRow]] = {s: [] for s in readable}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)
    return FamilySnapshot(
        family_id=family_id,
        family=workbook.family,
        readable=readable,
        unreadable=[s for s in order if s not in sections],
        rows=rows,
        rows_by_section=by_section,
        persons=list(workbook.section(Section.HOUSEHOLD.value).persons),
        actions=list(plan.actions),
        safety=safety,
        conflicts=conflicts,
        other_conflicts=sum(1 for a in plan.actions if a.conflict),
        entries=entries,
        drafts=drafts_for(session, family_id),
        assessment=from_workbook(workbook),
        users=users,
        names=names,
        me=session.user.username,
        today=civil_date(session.clock()),
        loading=loading,
        case=case_facts(session, workbook),
    )
