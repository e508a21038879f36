"""The records a family workbook holds, as types: one frozen class per `RecordKind`, read from
and written back to the payload a version carries.

A payload is signed as it was written, by this vault or a partner's, by this release or an
older one, so a type never drops or rewrites what it does not know: a key it does not name, or
a named key whose value is not of the named shape, is kept aside in `extra`, and `present`
remembers which named keys the payload held. `to_payload(from_payload(p)) == p` for every
payload, so the JSON of a family stays byte-identical. A named field reads its default when the
payload lacked it, the same default every reader used to spell out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from workbook.domain.record_kind import RecordKind


@dataclass(frozen=True, slots=True)
class _Shape:
    """How a named payload key is held: which values it accepts, and how it goes both ways."""

    accepts: Callable[[Any], bool]
    load: Callable[[Any], Any] = lambda value: value
    dump: Callable[[Any], Any] = lambda value: value


_STR = _Shape(lambda v: type(v) is str)
_BOOL = _Shape(lambda v: type(v) is bool)
_INT = _Shape(lambda v: type(v) is int)
_MAP = _Shape(lambda v: type(v) is dict)
_STRS = _Shape(lambda v: type(v) is list and all(type(x) is str for x in v), tuple, list)
_MAPS = _Shape(lambda v: type(v) is list and all(type(x) is dict for x in v), tuple, list)

R = TypeVar("R", bound="Family | Person | Entry | Action | Review")


def _from_payload(cls: type[R], payload: Mapping[str, Any]) -> R:
    named: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    shapes: Mapping[str, _Shape] = cls.SHAPES
    for key, value in payload.items():
        shape = shapes.get(key)
        if shape is not None and shape.accepts(value):
            named[key] = shape.load(value)
        else:
            extra[key] = value
    return cls(**named, present=frozenset(named), extra=extra)


def _to_payload(record: Family | Person | Entry | Action | Review) -> dict[str, Any]:
    out = {key: shape.dump(getattr(record, key)) for key, shape in record.SHAPES.items()
           if key in record.present}
    out.update(record.extra)
    return out


@dataclass(frozen=True, slots=True)
class Family:
    """The family record: what the workbook's header shows. `case_owner` is a user id."""

    KIND: ClassVar[RecordKind] = RecordKind.FAMILY
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "name": _STR, "reference": _STR, "status": _STR, "case_owner": _STR}

    name: str = ""
    reference: str = ""
    status: str = "open"
    case_owner: str = ""
    present: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Family:
        return _from_payload(cls, payload)

    def to_payload(self) -> dict[str, Any]:
        return _to_payload(self)


@dataclass(frozen=True, slots=True)
class Person:
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
    present: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Person:
        return _from_payload(cls, payload)

    def to_payload(self) -> dict[str, Any]:
        return _to_payload(self)


@dataclass(frozen=True, slots=True)
class Entry:
    """Something written in a section: a note, a visit, a milestone, a structured assessment
    (`assessment`), a line of the sharing log. `date` is an ISO date or ""."""

    KIND: ClassVar[RecordKind] = RecordKind.ENTRY
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "text": _STR, "date": _STR, "type": _STR, "significant": _BOOL, "milestone": _STR,
        "assessment": _MAP}

    text: str = ""
    date: str = ""
    type: str = "note"
    significant: bool = False
    milestone: str = ""
    assessment: Mapping[str, Any] = field(default_factory=dict)
    present: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Entry:
        return _from_payload(cls, payload)

    def to_payload(self) -> dict[str, Any]:
        return _to_payload(self)


@dataclass(frozen=True, slots=True)
class Action:
    """A plan action. `owner` is a user id as written; in an opened workbook, a username."""

    KIND: ClassVar[RecordKind] = RecordKind.ACTION
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "text": _STR, "owner": _STR, "due": _STR, "status": _STR, "review": _STR,
        "closed_on": _STR}

    text: str = ""
    owner: str = ""
    due: str = ""
    status: str = "open"
    review: str = ""
    closed_on: str = ""
    present: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Action:
        return _from_payload(cls, payload)

    def to_payload(self) -> dict[str, Any]:
        return _to_payload(self)


@dataclass(frozen=True, slots=True)
class Review:
    """A family's review in a supervision session; listed among the section's entries, so it
    reads as one (`text`, `date`, `type`, `significant`). `actions` are the review's actions
    as its form holds them (id, text, owner, due)."""

    KIND: ClassVar[RecordKind] = RecordKind.REVIEW
    SHAPES: ClassVar[Mapping[str, _Shape]] = {
        "text": _STR, "date": _STR, "type": _STR, "significant": _BOOL, "session": _STR,
        "status": _STR, "summary": _STR, "working_well": _STR, "worried": _STR,
        "decisions": _STR, "scaling": _INT, "next_review": _STR, "actions": _MAPS}

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
    present: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Review:
        return _from_payload(cls, payload)

    def to_payload(self) -> dict[str, Any]:
        return _to_payload(self)


Record = Family | Person | Entry | Action | Review

RECORD_TYPES: dict[RecordKind, type[Record]] = {
    t.KIND: t for t in (Family, Person, Entry, Action, Review)}


def record_of(kind: str, payload: Mapping[str, Any]) -> Record:
    """The typed record of a version of `kind` (a `RecordKind` value)."""
    return RECORD_TYPES[RecordKind(kind)].from_payload(payload)
