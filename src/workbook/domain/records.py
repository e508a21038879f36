"""The records a family workbook holds, as types: one frozen class per `RecordKind`, read from
and written back to the payload a version carries.

A payload is signed as it was written, by this vault or a partner's, by this release or an
older one, so a type never drops or rewrites what it does not know: a key it does not name, or
a named key whose value is not of the named shape, is kept aside in `extra`, and `present`
remembers which named keys the payload held (None, for a record made in code: all of them).
`to_payload(from_payload(p)) == p` for every payload, so the JSON of a family stays
byte-identical. A named field reads its default when the
payload lacked it, the same default every reader used to spell out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Self, cast

from workbook.domain.record_kind import RecordKind

# How a named payload key is held: the exact type its value must have (bool is not an int
# here, nor an int a bool), and for a list the exact type of its items (it is held as a tuple).
_Shape = tuple[type, type | None]
_STR: _Shape = (str, None)
_BOOL: _Shape = (bool, None)
_INT: _Shape = (int, None)
_MAP: _Shape = (dict, None)
_STRS: _Shape = (list, str)
_MAPS: _Shape = (list, dict)

_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class PayloadRecord:
    """What every record type shares: the payload's keys it does not name (`extra`), and
    which named keys the payload held (`present`; None, for a record made in code: all)."""

    KIND: ClassVar[RecordKind]
    SHAPES: ClassVar[Mapping[str, _Shape]]
    # A payload key that is no Python name (`with`), and the attribute that holds it.
    ATTRS: ClassVar[Mapping[str, str]] = MappingProxyType({})

    present: frozenset[str] | None = field(default=None, kw_only=True)
    extra: Mapping[str, Any] = field(default_factory=dict, kw_only=True)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        # Opening a family reads every record through here. The instance is given its
        # __dict__ whole (the class holds the defaults), five times faster than a frozen
        # __init__, and a payload of named keys with plain values only (nearly every one) is
        # taken as it is.
        record = object.__new__(cls)
        plain = _PLAIN[cls]
        for key, value in payload.items():
            if type(value) is not plain.get(key):
                break
        else:
            fields = dict(payload)
            fields["present"] = frozenset(payload)
            fields["extra"] = _NO_EXTRA
            object.__setattr__(record, "__dict__", fields)
            return record
        shapes: Mapping[str, _Shape] = cls.SHAPES
        attrs = cls.ATTRS
        named: dict[str, Any] = {}
        present: set[str] = set()
        extra: dict[str, Any] = {}
        for key, value in payload.items():
            shape = shapes.get(key)
            if shape is None or type(value) is not shape[0]:
                extra[key] = value
                continue
            if shape[1] is None:
                named[attrs.get(key, key)] = value
            elif all(type(item) is shape[1] for item in cast("list[Any]", value)):
                named[attrs.get(key, key)] = tuple(cast("list[Any]", value))
            else:
                extra[key] = value
                continue
            present.add(key)
        named["present"] = frozenset(present)
        named["extra"] = extra
        object.__setattr__(record, "__dict__", named)
        return record

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        attrs = self.ATTRS
        for key in self.SHAPES if self.present is None else self.present:
            value = getattr(self, attrs.get(key, key))
            out[key] = list(value) if type(value) is tuple else value
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class Family(PayloadRecord):
    """The family record: what the workbook's header shows. `case_owner` is a user id;
    `owner_history` the appointments, oldest first ({from, to, by, at, reason}, user ids).
    A closed family's closing version also holds its `outcome`, the `outcome_reason` and
    the `lessons` learned (domain/outcomes.py)."""

    KIND: ClassVar[RecordKind] = RecordKind.FAMILY
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "name": _STR, "reference": _STR, "status": _STR, "case_owner": _STR,
        "owner_history": _MAPS, "closed_at": _STR, "outcome": _STR, "outcome_reason": _STR,
        "lessons": _STR}

    name: str = ""
    reference: str = ""
    status: str = "open"
    case_owner: str = ""
    owner_history: tuple[Mapping[str, Any], ...] = ()
    closed_at: str = ""
    outcome: str = ""
    outcome_reason: str = ""
    lessons: str = ""


@dataclass(frozen=True)
class Person(PayloadRecord):
    """A household member, with the genogram's fields. `dob` is an ISO date or ""."""

    KIND: ClassVar[RecordKind] = RecordKind.PERSON
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "name": _STR, "dob": _STR, "relationship": _STR, "sex": _STR, "partner_of": _STR,
        "parents": _STRS, "separated": _BOOL, "index": _BOOL, "address": _STR,
        "language": _STR, "phone": _STR}

    name: str = ""
    dob: str = ""
    relationship: str = ""
    sex: str = "unknown"
    partner_of: str = ""
    parents: tuple[str, ...] = ()
    separated: bool = False
    index: bool = False
    address: str = ""
    language: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Entry(PayloadRecord):
    """Something written in a section: a note, a visit, a milestone, a structured assessment
    (`assessment`), a line of the sharing log. `date` is an ISO date or "". A visit may also
    record its `time` ("HH:MM"), who was present (`people_present`, the payload's "present"),
    whether the child was seen (`child_seen`: "yes", "no" or "alone"; "" when not recorded)
    and the agency of a joint visit (`joint_with`, the payload's "with"); an entry without
    them has none of these keys."""

    KIND: ClassVar[RecordKind] = RecordKind.ENTRY
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "text": _STR, "date": _STR, "type": _STR, "significant": _BOOL, "milestone": _STR,
        "assessment": _MAP, "time": _STR, "present": _STR, "child_seen": _STR, "with": _STR}
    ATTRS: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"with": "joint_with", "present": "people_present"})

    text: str = ""
    date: str = ""
    type: str = "note"
    significant: bool = False
    milestone: str = ""
    assessment: Mapping[str, Any] | None = None   # None: a plain entry
    time: str = ""
    people_present: str = ""
    child_seen: str = ""
    joint_with: str = ""


@dataclass(frozen=True)
class Action(PayloadRecord):
    """A plan action. `owner` is a user id as written; in an opened workbook, a username."""

    KIND: ClassVar[RecordKind] = RecordKind.ACTION
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "text": _STR, "owner": _STR, "due": _STR, "status": _STR, "review": _STR,
        "closed_on": _STR, "cancel_reason": _STR}

    text: str = ""
    owner: str = ""
    due: str = ""
    status: str = "open"
    review: str = ""
    closed_on: str = ""
    cancel_reason: str = ""


@dataclass(frozen=True)
class Review(PayloadRecord):
    """A family's review in a supervision session; listed among the section's entries, so it
    reads as one (`text`, `date`, `type`, `significant`). `actions` are the review's actions
    as its form holds them (id, text, owner, due)."""

    KIND: ClassVar[RecordKind] = RecordKind.REVIEW
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "text": _STR, "date": _STR, "type": _STR, "significant": _BOOL, "session": _STR,
        "status": _STR, "summary": _STR, "working_well": _STR, "worried": _STR,
        "decisions": _STR, "scaling": _INT, "next_review": _STR, "actions": _MAPS,
        "new_case_owner": _STR}

    text: str = ""
    date: str = ""
    type: str = "note"
    significant: bool = False
    session: str = ""
    status: str = ""
    summary: str = ""
    working_well: str = ""
    worried: str = ""
    decisions: str = ""
    scaling: int = 0
    next_review: str = ""
    actions: tuple[Mapping[str, Any], ...] = ()
    new_case_owner: str = ""   # a username: the case owner the review appoints


@dataclass(frozen=True)
class Referral(PayloadRecord):
    """A contact at the front door, before any workbook (domain/referrals.py has its rules).
    `received` and `respond_by` are ISO date-times with their UTC offset; `people` are the
    children and adults named ({"name", "dob"}, dob an ISO date or ""); `decision` is the
    triage decision ({"outcome", "reason", "by", "at", "family_id"}), None while open."""

    KIND: ClassVar[RecordKind] = RecordKind.REFERRAL
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "received": _STR, "source": _STR, "referrer": _STR, "concern": _STR,
        "people": _MAPS, "respond_by": _STR, "decision": _MAP}

    received: str = ""
    source: str = ""
    referrer: str = ""
    concern: str = ""
    people: tuple[Mapping[str, Any], ...] = ()
    respond_by: str = ""
    decision: Mapping[str, Any] | None = None   # None: not decided yet


@dataclass(frozen=True)
class Concern(PayloadRecord):
    """A concern about a person (`person`, a person id) and how it went through the six steps
    of sharing information (domain/concerns.py): each of `steps` is {step, by (a user id),
    at, note, skipped} and, for step 6, the share that completed it. `status` is "open" or
    "closed" (with `closed_reason`); whether it was shared is read from its steps."""

    KIND: ClassVar[RecordKind] = RecordKind.CONCERN
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "person": _STR, "text": _STR, "steps": _MAPS, "status": _STR, "closed_reason": _STR}

    person: str = ""
    text: str = ""
    steps: tuple[Mapping[str, Any], ...] = ()
    status: str = "open"
    closed_reason: str = ""


@dataclass(frozen=True)
class Consent(PayloadRecord):
    """One consent decision of a person (`person`, a person id): `status` given, refused or
    withdrawn, for `purpose`, covering `scope` (which information), obtained `how`. Who
    recorded it and when are the version's author and time."""

    KIND: ClassVar[RecordKind] = RecordKind.CONSENT
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "person": _STR, "status": _STR, "purpose": _STR, "scope": _STR, "how": _STR}

    person: str = ""
    status: str = ""
    purpose: str = ""
    scope: str = ""
    how: str = ""


@dataclass(frozen=True)
class Transfer(PayloadRecord):
    """A transfer of the whole workbook to a partner (services/sharing/transfers.py): who
    started it, the restricted sections that must answer, and each section's answer (`added`
    with its part sealed to the partner, or `declined` with the reason)."""

    KIND: ClassVar[RecordKind] = RecordKind.TRANSFER
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "partner": _STR, "team": _STR, "purpose": _STR, "lawful_basis": _STR, "bundle": _STR,
        "state": _STR, "started_by": _STR, "started_at": _STR, "waiting_for": _STRS,
        "answers": _MAPS, "finished_by": _STR, "finished_at": _STR}

    partner: str = ""
    team: str = ""
    purpose: str = ""
    lawful_basis: str = ""
    bundle: str = ""
    state: str = "waiting"
    started_by: str = ""
    started_at: str = ""
    waiting_for: tuple[str, ...] = ()
    answers: tuple[Mapping[str, Any], ...] = ()
    finished_by: str = ""
    finished_at: str = ""

    def answer(self, section: str) -> Mapping[str, Any] | None:
        """The section's answer, if it has given one."""
        return next((a for a in self.answers if a.get("section") == section), None)

    def added(self) -> list[str]:
        """The sections whose part goes into the bundle, in the order they must answer."""
        return [x for x in self.waiting_for
                if (self.answer(x) or {}).get("answer") == "added"]


Record = Family | Person | Entry | Action | Review | Referral | Concern | Consent | Transfer

# Keyed by kind: a RecordKind, or the kind's value as a version carries it (a StrEnum key).
RECORD_TYPES: dict[str, type[Record]] = {
    t.KIND: t for t in (Family, Person, Entry, Action, Review, Referral, Concern, Consent,
                        Transfer)}

# Per type, the named keys whose values are held as they are, and the exact type of each.
# A key held under another name (ATTRS) is not plain: it goes the slow way, which renames it.
_PLAIN: dict[type, dict[str, type]] = {
    t: {key: shape[0] for key, shape in t.SHAPES.items()
        if shape[1] is None and key not in t.ATTRS}
    for t in RECORD_TYPES.values()}


def record_of(kind: str, payload: Mapping[str, Any]) -> Record:
    """The typed record of a version of `kind` (a `RecordKind` value)."""
    return RECORD_TYPES[kind].from_payload(payload)
