"""Household details for the genogram: sex, partner, parents, separation and the index child.

A person's payload has always held name, date of birth and relationship; these use cases add
the optional fields a genogram is drawn from. A change is a new version of the person whose
parents are every current head (so an edit of a person in conflict also resolves it), signed,
audited as `person_edited` and announced as an event - never an overwrite."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from workbook.domain.genogram import SEXES, GenogramPerson
from workbook.domain.record_kind import RecordKind
from workbook.domain.records import Person
from workbook.domain.roles import Section
from workbook.domain.workbook import Shown
from workbook.services import validation
from workbook.services.authority import RecordVersion
from workbook.services.clock import civil_date
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.records import heads_of_record

if TYPE_CHECKING:
    from workbook.services.session import Session

_UNSET: Any = object()


@dataclass(frozen=True)
class PersonDetails:
    """The genogram fields of one person, checked."""

    sex: str = "unknown"
    partner_of: str = ""
    parents: tuple[str, ...] = ()
    separated: bool = False
    index: bool = False

    def payload(self) -> dict[str, Any]:
        return {"sex": self.sex, "partner_of": self.partner_of, "parents": list(self.parents),
                "separated": self.separated, "index": self.index}


def genogram_person(person: Shown[Person]) -> GenogramPerson:
    """A person of an opened workbook, in the layout's terms."""
    record = person.record
    return GenogramPerson(
        person_id=person.id, name=record.name, sex=record.sex or "unknown",
        relationship=record.relationship, partner_of=record.partner_of,
        parents=record.parents, separated=record.separated, index=record.index,
        dob=record.dob,
    )


def add_person_details(
    session: Session, family_id: str, name: str, dob: str = "", relationship: str = "", *,
    sex: str = "unknown", partner_of: str = "", parents: Sequence[str] = (),
    separated: bool = False, index: bool = False,
) -> str:
    """Add a person with their genogram fields; returns the person id."""
    family_id = validation.record_id(family_id, "family id")
    members = _household_members(session, family_id)
    details = _check(members, "", sex, partner_of, parents, separated, index)
    check_ages(members, "", name, dob, details, civil_date(session.clock()))
    return session.families.add_person(family_id, name, dob, relationship,
                                       extra=details.payload())


def update_person(
    session: Session, person_id: str, *, name: str = _UNSET, dob: str = _UNSET,
    relationship: str = _UNSET, sex: str = _UNSET, partner_of: str = _UNSET,
    parents: Sequence[str] = _UNSET, separated: bool = _UNSET, index: bool = _UNSET,
) -> str:
    """Write a new version of a person with the fields given changed; returns its version id."""
    person_id = validation.record_id(person_id, "person id")
    session.require_practitioner()
    versions = session.records.of_record(person_id)
    if not versions or versions[0].kind != "person":
        raise NotFound(f"no person {person_id} that you can read")
    heads = heads_of_record(person_id, versions)
    head = heads.head
    payload = dict(head.payload)
    if name is not _UNSET:
        payload["name"] = validation.name(name, "person's name")
    if dob is not _UNSET:
        payload["dob"] = validation.iso_date(dob, "date of birth") if dob else ""
    if relationship is not _UNSET:
        relationship = relationship.strip()
        if len(relationship) > 100:
            raise InvalidInput("the relationship is too long (at most 100 characters)")
        payload["relationship"] = relationship
    members = _household_members(session, head.family_id)
    details = _check(
        members, person_id,
        payload.get("sex", "unknown") if sex is _UNSET else sex,
        payload.get("partner_of", "") if partner_of is _UNSET else partner_of,
        payload.get("parents", []) if parents is _UNSET else parents,
        payload.get("separated", False) if separated is _UNSET else separated,
        payload.get("index", False) if index is _UNSET else index,
    )
    check_ages(members, person_id, str(payload.get("name", "")), str(payload.get("dob", "")),
               details, civil_date(session.clock()))
    payload.update(details.payload())
    version = session.records.supersede(heads, payload, kind=RecordKind.PERSON,
                                        event="person_edited", ids={"person": person_id})
    session.events.emit("person_edited", family_id=head.family_id, person_id=person_id)
    return version.version_id


def _household_members(session: Session, family_id: str) -> dict[str, RecordVersion]:
    session.require_practitioner()
    if not session.records.can_read(Section.HOUSEHOLD.value):
        raise NotPermitted("household details need the household section's key")
    out: dict[str, RecordVersion] = {}
    for version in session.records.of_family(family_id):
        if version.kind == "person":
            current = out.get(version.record_id)
            if current is None or (version.created_at, version.version_id) > (
                current.created_at, current.version_id
            ):
                out[version.record_id] = version
    return out


def _check(
    members: dict[str, RecordVersion], self_id: str, sex: object, partner_of: object,
    parents: object, separated: object, index: object,
) -> PersonDetails:
    if sex not in SEXES:
        raise InvalidInput(f"sex must be one of {', '.join(SEXES)}")
    partner = str(partner_of or "").strip().lower()
    if partner:
        if partner == self_id:
            raise InvalidInput("a person cannot be their own partner")
        if partner not in members:
            raise InvalidInput("the partner must be a member of the same household")
    if isinstance(parents, str) or not isinstance(parents, (list, tuple)):
        raise InvalidInput("parents must be a list of person ids")
    parent_ids: list[str] = []
    for raw in parents:
        pid = str(raw).strip().lower()
        if pid == self_id:
            raise InvalidInput("a person cannot be their own parent")
        if pid not in members:
            raise InvalidInput("each parent must be a member of the same household")
        if pid not in parent_ids:
            parent_ids.append(pid)
    if len(parent_ids) > 2:
        raise InvalidInput("a person has at most two parents in the genogram")
    if partner and partner in parent_ids:
        raise InvalidInput("a person's partner cannot also be their parent")
    return PersonDetails(str(sex), partner, tuple(parent_ids), bool(separated), bool(index))


MIN_PARENT_AGE = 12  # a parent or partner younger than this is a mistake in the record


def check_ages(members: dict[str, RecordVersion], self_id: str, name: str, dob: str,
               details: PersonDetails, today: date) -> None:
    """Refuse a parent or partner younger than 12 (on the session's day), with the reason:
    the chosen partner and parents, and this person when they are (or become) a partner or a
    parent of someone in the household. Unknown dates of birth are not checked."""
    def too_young(who: str, birth: object, what: str) -> None:
        age = age_on(str(birth or ""), today)
        if age is not None and age < MIN_PARENT_AGE:
            raise InvalidInput(f"{who} is {age}: a {what} must be at least "
                               f"{MIN_PARENT_AGE} years old")

    def member_name(pid: str) -> str:
        return str(members[pid].payload.get("name", "")) or "that person"

    if details.partner_of:
        too_young(member_name(details.partner_of),
                  members[details.partner_of].payload.get("dob"), "partner")
    for parent in details.parents:
        too_young(member_name(parent), members[parent].payload.get("dob"), "parent")
    who = " ".join(name.split()) or "this person"
    if details.partner_of:
        too_young(who, dob, "partner")
    others = [v.payload for pid, v in members.items() if self_id and pid != self_id]
    if any(self_id in (p.get("parents") or []) for p in others):
        too_young(who, dob, "parent")
    if any(p.get("partner_of") == self_id for p in others):
        too_young(who, dob, "partner")


def age_on(dob: str, today: date) -> int | None:
    """Whole years from `dob` (YYYY-MM-DD) to `today`; None when the date is not known."""
    try:
        born = date.fromisoformat(dob.strip())
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
