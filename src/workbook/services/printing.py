"""Printing: home-visit summaries, case summaries and subject access exports (issue 5).

What a document shows is gathered ONLY from `workbooks.open`, the same service that decides what
the family screen shows: there is no second permission path, so a printout can never hold more
than the screen would. Documents are built in memory; this module never writes a file.

Every print and every saved PDF is audited (`print`, `save_pdf`, `subject_access`): who (the
event's user), when (its time), which family or person and which sections. Core section names
are in the clear ids, as they are for everyone; whether a restricted section went into the
document is sealed to that section's key, one sealed note for EVERY restricted section (printed
or not), so neither the administrator nor a colleague without the key learns from the audit
which restricted sections a family has, or even how many (P4, P7)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from workbook.domain import third_parties
from workbook.domain.display import uk_date
from workbook.domain.records import Person
from workbook.domain.roles import CORE_SECTIONS, Section
from workbook.domain.third_parties import Member, ThirdParties
from workbook.domain.timescales import is_overdue
from workbook.domain.workbook import FamilyWorkbook, Shown
from workbook.reports import case_summary, home_visit, subject_access
from workbook.reports.ages import age_on
from workbook.reports.content import (
    ActionLine,
    AssessmentContent,
    CaseSummaryContent,
    EntryLine,
    FactorLine,
    FamilyHeading,
    HomeVisitContent,
    PersonLine,
    SubjectAccessContent,
)
from workbook.services import validation
from workbook.services.audit.reads import RESTRICTED, pad_detail, sealed_note
from workbook.services.clock import civil_date
from workbook.services.errors import InvalidInput, NotFound
from workbook.services.family import assessments
from workbook.services.family.chronology import section_title
from workbook.services.family.household import genogram_person
from workbook.vault import accounts

if TYPE_CHECKING:
    from workbook.services.session import Session

HOME_VISIT = "home-visit"
CASE_SUMMARY = "case-summary"
SUBJECT_ACCESS = "subject-access"
KINDS = (HOME_VISIT, CASE_SUMMARY)
PARTS: dict[str, dict[str, str]] = {HOME_VISIT: home_visit.PARTS,
                                    CASE_SUMMARY: case_summary.PARTS}
ACTIONS = ("print", "save_pdf")
RECENT_ENTRIES = 8
RECENT_CHARS = 400
THIRD_PARTY = third_parties.MARKS[third_parties.NAME]

_SAFETY = Section.HOME_VISIT_SAFETY.value
_HOUSEHOLD = Section.HOUSEHOLD.value
_PLAN = Section.PLAN.value
_REFERRAL = Section.REFERRAL_ASSESSMENT.value
_RISK = Section.RISK_ASSESSMENT.value


@dataclass(frozen=True, repr=False)
class PrintedDocument:
    """A document built in memory, with what its audit needs. Never printed by repr()."""

    kind: str
    title: str
    pdf: bytes
    family_id: str
    sections: tuple[str, ...]   # section values whose content is in the document
    left_out: tuple[str, ...] = ()
    person_id: str = ""
    redacted: bool = False
    # Restricted sections put in by the printing person's explicit choice (a home visit).
    included: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"PrintedDocument(kind={self.kind!r}, pages=..., bytes={len(self.pdf)})"

    @property
    def suggested_name(self) -> str:
        """A file name that says what the file is and nothing about whom."""
        return f"{self.kind}-{date.today().isoformat()}.pdf"


def page_count(pdf: bytes) -> int:
    """Pages in a PDF that reportlab wrote (one "/Type /Page" object per page)."""
    return len(re.findall(rb"/Type /Page(?!s)", pdf))


def parse_kind(kind: str) -> str:
    value = kind.strip().lower()
    if value not in KINDS:
        raise InvalidInput(f"unknown document kind {kind[:40]!r}; use one of {', '.join(KINDS)}")
    return value


def parse_leave_out(kind: str, parts: str | Iterable[str]) -> tuple[str, ...]:
    """"safety,plan" or ["safety", "plan"] -> checked part names, each once, in print order."""
    kind = parse_kind(kind)
    items = parts.split(",") if isinstance(parts, str) else list(parts)
    known = PARTS[kind]
    chosen: set[str] = set()
    for raw in items:
        part = raw.strip().lower()
        if not part:
            if isinstance(parts, str) and parts.strip():
                raise InvalidInput("an empty part name in --leave-out (two commas in a row?)")
            continue
        if part not in known:
            raise InvalidInput(f"unknown part {raw.strip()[:40]!r} of a {kind} document; "
                               f"parts: {', '.join(known)}")
        chosen.add(part)
    if chosen == set(known):
        raise InvalidInput("every part was left out: there would be nothing to print")
    return tuple(p for p in known if p in chosen)


def parse_include(sections: str | Iterable[str]) -> tuple[str, ...]:
    """"police,mental-health" or a list -> restricted section values, each once, in section
    order. A home-visit summary leaves every restricted section out unless chosen here."""
    items = sections.split(",") if isinstance(sections, str) else list(sections)
    chosen: set[str] = set()
    restricted = {s.value for s in RESTRICTED}
    for raw in items:
        name = raw.strip().lower()
        if not name:
            continue
        if name not in {s.value for s in Section}:
            raise InvalidInput(f"unknown section {raw.strip()[:40]!r}; restricted sections: "
                               f"{', '.join(sorted(restricted))}")
        if name not in restricted:
            raise InvalidInput(f"{name} is not a restricted section: a home-visit summary "
                               "already holds what you may read of it")
        chosen.add(name)
    return tuple(s.value for s in Section if s.value in chosen)


class Printing:
    """The print use cases of one signed-in person."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._full_names: dict[str, str] | None = None

    # --- documents --------------------------------------------------------------------------
    def document(self, kind: str, family_id: str, leave_out: str | Iterable[str] = (),
                 include: str | Iterable[str] = ()) -> PrintedDocument:
        kind = parse_kind(kind)
        if kind == HOME_VISIT:
            return self.home_visit(family_id, leave_out, include)
        if parse_include(include):
            raise InvalidInput("only a home-visit summary chooses restricted sections; a case "
                               "summary holds every section you may read")
        return self.case_summary(family_id, leave_out)

    def home_visit(self, family_id: str, leave_out: str | Iterable[str] = (),
                   include: str | Iterable[str] = ()) -> PrintedDocument:
        """The summary carried into the home: core sections only, and a restricted section
        only when the printing person chose it for this print (the page says so and the
        audit records the choice, sealed to that section)."""
        left_out = parse_leave_out(HOME_VISIT, leave_out)
        included = parse_include(include)
        for section in included:
            if not self.s.records.can_read(section):
                raise InvalidInput(f"you cannot read the {section_title(section)} section, "
                                   "so it cannot be printed")
        view, now = self._open(family_id)
        used: set[str] = {_HOUSEHOLD}
        keep = {p: p not in left_out for p in home_visit.PARTS}
        persons = self._persons(view)
        flags = None
        if keep["safety"]:
            flags = tuple(reversed(self._entries(view, [_SAFETY])))
            used |= {_SAFETY} if flags else set()
        actions = None
        if keep["plan"]:
            actions = tuple(a for a in self._actions(view, civil_date(now)) if a.status == "open")
            used |= {_PLAN} if actions else set()
        recent = None
        if keep["chronology"]:
            carried = [s for s in view.sections
                       if Section(s) in CORE_SECTIONS or s in included]
            everything = self._entries(view, carried)
            recent = tuple(_shorten(e) for e in reversed(everything[-RECENT_ENTRIES:]))
            used |= {self._section_of(view, e) for e in recent}
        content = HomeVisitContent(
            family=self._heading(view, persons if keep["address"] else ()),
            safety_flags=flags,
            household=tuple(_line(p, civil_date(now)) for p in persons) if keep["household"]
            else None,
            actions=actions,
            recent=recent,
            contacts=self._contacts(view) if keep["contacts"] else None,
            show_address=keep["address"],
            left_out=left_out,
            included=tuple(section_title(s) for s in included),
        )
        pdf = home_visit.render_home_visit(content, printed_by=self.s.user.full_name,
                                           printed_at=now)
        return PrintedDocument(HOME_VISIT, home_visit.TITLE, pdf, view.family_id,
                               _ordered(used), left_out, included=included)

    def case_summary(self, family_id: str,
                     leave_out: str | Iterable[str] = ()) -> PrintedDocument:
        left_out = parse_leave_out(CASE_SUMMARY, leave_out)
        view, now = self._open(family_id)
        keep = {p: p not in left_out for p in case_summary.PARTS}
        persons = self._persons(view)
        used: set[str] = {_HOUSEHOLD}
        assessment_entries = (tuple(self._entries(view, [_REFERRAL])) if keep["assessment"]
                              else None)
        risk: AssessmentContent | None = None
        risk_entries = None
        if keep["risk"]:
            risk_entries = tuple(self._entries(view, [_RISK]))
            risk = self._risk(view)
        actions = tuple(self._actions(view, civil_date(now))) if keep["plan"] else None
        chronology = (tuple(self._entries(view, list(view.sections)))
                      if keep["chronology"] else None)
        used |= {_REFERRAL} if assessment_entries else set()
        used |= {_RISK} if risk_entries else set()
        used |= {_PLAN} if actions else set()
        used |= {self._section_of(view, e) for e in chronology or ()}
        content = CaseSummaryContent(
            family=self._heading(view, persons),
            household=tuple(_line(p, civil_date(now)) for p in persons) if keep["household"]
            else None,
            genogram=tuple(genogram_person(p) for p in persons) if keep["genogram"] else None,
            assessment_entries=assessment_entries,
            risk=risk,
            risk_entries=risk_entries,
            actions=actions,
            chronology=chronology,
            left_out=left_out,
        )
        pdf = case_summary.render_case_summary(content, printed_by=self.s.user.full_name,
                                               printed_at=now)
        return PrintedDocument(CASE_SUMMARY, case_summary.TITLE, pdf, view.family_id,
                               _ordered(used), left_out)

    def subject_access(self, person_id: str, *,
                       redact_third_parties: bool = False) -> PrintedDocument:
        """The person's own data in the sections this person may read: entries about other
        household members only are left out; with `redact_third_parties`, other people's
        names, dates of birth, addresses and phone numbers inside what is kept are replaced
        (domain/third_parties.py). The export lists what was withheld, by category."""
        person_id = validation.record_id(person_id, "person id")
        self.s.require_practitioner()
        versions = self.s.records.of_record(person_id)
        if not versions or versions[0].kind != "person":
            raise NotFound(f"no person {person_id} that you can read")
        view, now = self._open(versions[0].family_id)
        today = civil_date(now)
        persons = self._persons(view)
        subject = next((p for p in persons if p.id == person_id), None)
        if subject is None:
            raise NotFound(f"no person {person_id} that you can read")
        others = [p for p in persons if p.id != person_id]
        parties = ThirdParties(_member(subject), tuple(_member(p) for p in others),
                               view.family.name)

        def redact(text: str) -> str:
            return parties.redact(text) if redact_third_parties else text

        entries = []
        for e in self._entries(view, list(view.sections)):
            if parties.about_others_only(e.text):
                parties.leave_out()
                continue
            entries.append(EntryLine(e.date, e.section, e.type, e.author, redact(e.text),
                                     e.significant, e.conflict))
        actions = self._actions(view, today)
        names: dict[str, str] = {p.id: p.record.name for p in persons}
        if redact_third_parties:
            parties.withheld[third_parties.NAME] += len(others)
        content = SubjectAccessContent(
            subject=_line(subject, today),
            family=self._heading(view, ()),
            details=tuple((k, redact(v)) for k, v in _details(subject.to_json(), names, today))
            + (("Recorded by", self.full_name(subject.author)),),
            others=tuple(
                PersonLine(THIRD_PARTY, "", "", p.record.relationship)
                if redact_third_parties else _line(p, today) for p in others),
            actions=tuple(ActionLine(redact(a.text), a.owner, a.due, a.status, a.mine,
                                     a.overdue) for a in actions),
            entries=tuple(entries),
            sections=tuple(section_title(s) for s in view.sections),
            redacted=redact_third_parties,
            withheld=parties.summary(),
        )
        used = {_HOUSEHOLD} | {self._section_of(view, e) for e in entries}
        used |= {_PLAN} if actions else set()
        pdf = subject_access.render_subject_access(content, printed_by=self.s.user.full_name,
                                                   printed_at=now)
        return PrintedDocument(SUBJECT_ACCESS, subject_access.TITLE, pdf,
                               view.family_id, _ordered(used), (), person_id,
                               redact_third_parties)

    # --- audit ------------------------------------------------------------------------------
    def record(self, document: PrintedDocument, action: str) -> None:
        """Audit that `document` was printed (`print`) or saved as a PDF (`save_pdf`).

        A subject access export is audited as `subject_access` whichever way it left."""
        if action not in ACTIONS:
            raise InvalidInput(f"unknown print action {action!r}")
        self.s.require_practitioner()
        core = [s for s in document.sections if Section(s) in CORE_SECTIONS]
        ids: dict[str, object] = {"family": document.family_id, "document": document.kind,
                                  "sections": ",".join(core)}
        if document.left_out:
            ids["left_out"] = ",".join(document.left_out)
        event = action
        if document.kind == SUBJECT_ACCESS:
            event = "subject_access"
            ids.update({"person": document.person_id, "action": action,
                        "redacted": document.redacted})
        detail = self._sealed_sections(document.sections, document.included)
        with self.s.write():
            self.s.audit(event, ids, detail)

    def _sealed_sections(self, sections: Sequence[str], chosen: Sequence[str] = ()) -> bytes:
        """One note per restricted section, sealed to that section: whether it was printed
        and whether the printing person chose to include it (a home-visit summary)."""
        notes = [note for section in RESTRICTED
                 if (note := sealed_note(self.s, section.value,
                                         {"section": section.value,
                                          "printed": section.value in sections,
                                          "chosen": section.value in chosen})) is not None]
        return pad_detail("print", json.dumps({"restricted": notes}).encode())

    # --- gathering --------------------------------------------------------------------------
    def _open(self, family_id: str) -> tuple[FamilyWorkbook, datetime]:
        return self.s.workbooks.open(family_id), self.s.clock()

    def full_name(self, username: str) -> str:
        if self._full_names is None:
            self._full_names = {u.username: u.full_name or u.username
                                for u in accounts.all_users(self.s.conn)}
        return self._full_names.get(username, username)

    def _heading(self, view: FamilyWorkbook,
                 persons: Sequence[Shown[Person]]) -> FamilyHeading:
        family = view.family
        addresses = tuple(dict.fromkeys(p.record.address.strip() for p in persons
                                        if p.record.address.strip()))
        return FamilyHeading(
            name=family.name or f"Family {family.id}",
            reference=family.reference,
            case_owner=self.full_name(family.case_owner),
            addresses=addresses,
        )

    def _persons(self, view: FamilyWorkbook) -> list[Shown[Person]]:
        # Oldest first, as a household is read aloud; no date of birth goes last.
        return sorted(view.section(_HOUSEHOLD).persons,
                      key=lambda p: (not p.record.dob, p.record.dob, p.record.name.casefold()))

    def _entries(self, view: FamilyWorkbook, sections: Sequence[str]) -> list[EntryLine]:
        out: list[tuple[tuple[str, str, str], EntryLine]] = []
        for section in sections:
            for e in view.section(section).entries:
                record = e.record
                line = EntryLine(
                    date=uk_date(record.date or e.created_at[:10]),
                    section=section_title(section),
                    type=record.type or "note",
                    author=self.full_name(e.author),
                    text=record.text,
                    significant=record.significant,
                    conflict=e.conflict,
                )
                out.append(((record.date, e.created_at, e.id), line))
        out.sort(key=lambda item: item[0])
        return [line for _key, line in out]

    def _section_of(self, view: FamilyWorkbook, entry: EntryLine) -> str:
        for section in view.sections:
            if section_title(section) == entry.section:
                return section
        return _HOUSEHOLD

    def _actions(self, view: FamilyWorkbook, today: date) -> list[ActionLine]:
        me = self.s.user.username
        lines = []
        for shown in view.section(_PLAN).actions:
            a = shown.record
            lines.append((a.owner != me, a.due, ActionLine(
                text=a.text, owner=self.full_name(a.owner), due=uk_date(a.due),
                status=a.status, mine=a.owner == me,
                overdue=a.status == "open" and is_overdue(a.due, today))))
        lines.sort(key=lambda item: (item[0], item[1]))
        return [line for *_key, line in lines]

    def _contacts(self, view: FamilyWorkbook) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        owner = view.family.case_owner
        if owner:
            out.append(("Case owner (lead professional)", self.full_name(owner)))
        owners = [self.full_name(a.record.owner) for a in view.section(_PLAN).actions
                  if a.record.status == "open" and a.record.owner != owner]
        if owners:
            out.append(("Owners of open plan actions", ", ".join(dict.fromkeys(owners))))
        for p in self._persons(view):
            phone = p.record.phone.strip()
            if phone:
                out.append((p.record.name, phone))
        return tuple(out)

    def _risk(self, view: FamilyWorkbook) -> AssessmentContent | None:
        found = assessments.from_workbook(view)
        if found is None:
            return None
        factors = []
        for domain, keys in (("Risk/threat", assessments.RISK_FACTORS),
                             ("Resilience", assessments.RESILIENCE_FACTORS)):
            for key, label in keys:
                rating = found.factors.get(key)
                factors.append(FactorLine(domain, label, rating.rating if rating else "",
                                          rating.rationale if rating else ""))
        return AssessmentContent(uk_date(found.date), self.full_name(found.author),
                                 tuple(factors), found.formulation)


# --- helpers -------------------------------------------------------------------------------
def _ordered(sections: set[str]) -> tuple[str, ...]:
    return tuple(s.value for s in Section if s.value in sections)


def _line(person: Shown[Person], today: date) -> PersonLine:
    p = person.record
    return PersonLine(
        name=p.name, dob=uk_date(p.dob) if p.dob else "", age=age_on(p.dob, today),
        relationship=p.relationship, address=p.address, language=p.language,
    )


def _shorten(entry: EntryLine) -> EntryLine:
    """At most RECENT_CHARS of an entry, cut at a word, its line breaks kept."""
    kept = "\n".join(" ".join(line.split()) for line in entry.text.splitlines()
                      if line.strip())
    if len(kept) <= RECENT_CHARS:
        return EntryLine(entry.date, entry.section, entry.type, entry.author, kept,
                         entry.significant, entry.conflict)
    cut = re.split(r"[ \n](?=\S*$)", kept[:RECENT_CHARS])[0]
    return EntryLine(entry.date, entry.section, entry.type, entry.author, cut + " …",
                     entry.significant, entry.conflict)


_DETAIL_LABELS = (("name", "Name"), ("dob", "Date of birth"), ("relationship", "Relationship"),
                  ("sex", "Sex"), ("address", "Address"), ("language", "Language"),
                  ("phone", "Phone"))
_INTERNAL = frozenset({"id", "version", "author", "created_at", "sealed", "conflict", "heads",
                       "parents", "partner_of", "separated", "index", "deleted"})


def _details(person: dict[str, Any], names: dict[str, str],
             today: date) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, label in _DETAIL_LABELS:
        value = str(person.get(key) or "").strip()
        if value:
            out.append((label, uk_date(value) if key == "dob" else value))
    age = age_on(str(person.get("dob") or ""), today)
    if age:
        out.append(("Age", age))
    partner = names.get(str(person.get("partner_of") or ""))
    if partner:
        out.append(("Partner", partner + (" (separated)" if person.get("separated") else "")))
    parents = [names[p] for p in person.get("parents") or [] if p in names]
    if parents:
        out.append(("Parents", ", ".join(parents)))
    known = {k for k, _label in _DETAIL_LABELS} | _INTERNAL
    for key in sorted(person):
        if key not in known and isinstance(person[key], str | int | float) and str(person[key]):
            out.append((key.replace("_", " ").capitalize(), str(person[key])))
    return out


def _member(person: Shown[Person]) -> Member:
    p = person.record
    return Member(p.name, p.dob, p.address, p.phone)
