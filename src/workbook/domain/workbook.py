"""A family's workbook as one person may see it: typed records, each with the version it is
shown at, per section the person may read. Plain data, no Qt, no SQL; the services fill it in
(`Workbooks.open`), pages and printouts read it, and `to_json()` is the JSON that
`workbook family show --json` prints - the one place its keys are spelled."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from workbook.domain.ids import FamilyId, RecordId, VersionId
from workbook.domain.record_kind import BUCKETS, RecordKind
from workbook.domain.records import Action, Entry, Family, Person, Review

R = TypeVar("R", bound=Person | Action | Entry | Review)


@dataclass(frozen=True)
class Head(Generic[R]):
    """One head of a record in conflict: a version no other version supersedes."""

    record_type: type[R]
    payload: Mapping[str, Any]   # as the version holds it: read `record`
    version: VersionId
    author: str          # the username, as the workbook shows it
    created_at: str
    unaudited: bool = False

    @property
    def record(self) -> R:
        return _typed(self)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"version": self.version, **self.payload,
                               "author": self.author, "created_at": self.created_at}
        if self.unaudited:
            out["unaudited"] = True
        return out


@dataclass(frozen=True, init=False)
class Shown(Generic[R]):
    """A record at its latest version, as the workbook shows it. `origin` is the partner team
    that vouched for a version received from another vault (None for this vault's own);
    `heads` are the versions in conflict, empty unless `conflict`; `unaudited` says a version
    of it is named by no write event (`audit verify` names it).

    `payload` is what the version holds (an action's owner by username) and only the JSON
    edge reads it; `record` is the typed record, made from it when first read - a family of
    thousands of entries is opened for its JSON without typing each one."""

    record_type: type[R]
    payload: Mapping[str, Any]
    id: RecordId
    version: VersionId
    author: str          # the username
    created_at: str
    sealed: bool
    origin: str | None = None
    conflict: bool = False
    heads: tuple[Head[R], ...] = ()
    unaudited: bool = False

    def __init__(self, record_type: type[R], payload: Mapping[str, Any],  # noqa: PLR0913
                 id: RecordId, version: VersionId, author: str,  # noqa: A002
                 created_at: str, sealed: bool, origin: str | None = None,
                 conflict: bool = False, heads: tuple[Head[R], ...] = (),
                 unaudited: bool = False) -> None:
        # One is made per record of an opened family: one __dict__ given whole is three times
        # faster than the frozen __init__ that sets each field through object.__setattr__.
        object.__setattr__(self, "__dict__", {
            "record_type": record_type, "payload": payload, "id": id, "version": version,
            "author": author, "created_at": created_at, "sealed": sealed, "origin": origin,
            "conflict": conflict, "heads": heads, "unaudited": unaudited})

    @property
    def record(self) -> R:
        return _typed(self)

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.id, "version": self.version}
        item.update(self.payload)
        item["author"] = self.author
        item["created_at"] = self.created_at
        item["sealed"] = self.sealed
        if self.origin is not None:
            item["from"] = self.origin
        item["conflict"] = self.conflict
        if self.conflict:
            item["heads"] = [h.to_json() for h in self.heads]
        if self.unaudited:
            item["unaudited"] = True
        return item


def _typed(shown: Head[R] | Shown[R]) -> R:
    """The typed record of a head or a shown record, made once (`cached_property` takes a
    lock on every first read in Python 3.11: too slow for thousands of entries)."""
    made = shown.__dict__.get("_record")
    if made is None:
        made = shown.__dict__["_record"] = shown.record_type.from_payload(shown.payload)
    return cast("R", made)


@dataclass(frozen=True, slots=True)
class FamilyShown:
    """The family record as the header shows it; `record` is None when no family record is
    readable, and then only the id is known. `case_owner` is the owner's username,
    `case_owner_name` their full name (as screens and paper show people)."""

    id: FamilyId
    record: Family | None = None
    case_owner: str = ""
    conflict: bool = False
    unaudited: bool = False
    case_owner_name: str = ""

    @property
    def name(self) -> str:
        return self.record.name if self.record is not None else ""

    @property
    def reference(self) -> str:
        return self.record.reference if self.record is not None else ""

    @property
    def status(self) -> str:
        return self.record.status if self.record is not None else "open"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.record is None:
            return out
        payload = self.record.to_payload()
        out.update({
            "name": payload.get("name", ""),
            "reference": payload.get("reference", ""),
            "status": payload.get("status", "open"),
            "case_owner": self.case_owner,
            "case_owner_name": self.case_owner_name,
            "conflict": self.conflict,
        })
        if self.unaudited:
            out["unaudited"] = True
        return out


@dataclass(frozen=True, slots=True)
class SectionContent:
    """What one readable section holds: people, actions and entries (reviews among them), in
    the order the workbook lists them."""

    persons: tuple[Shown[Person], ...] = ()
    actions: tuple[Shown[Action], ...] = ()
    entries: tuple[Shown[Entry | Review], ...] = ()

    @classmethod
    def listing(cls, shown: Iterable[Shown[Any]]) -> SectionContent:
        """The section's records in the workbook's order: entries by date, when written and
        id; people by name; actions by due date (each as the payload holds it)."""
        persons: list[Shown[Person]] = []
        actions: list[Shown[Action]] = []
        entries: list[Shown[Entry | Review]] = []
        for item in shown:
            if item.record_type is Person:
                persons.append(item)
            elif item.record_type is Action:
                actions.append(item)
            elif item.record_type.KIND in BUCKETS:
                entries.append(item)
            # A kind with no bucket (a concern, a consent) is not one of the section's listings.
        entries.sort(key=lambda e: (e.payload.get("date", ""), e.created_at, e.id))
        persons.sort(key=lambda p: (p.payload.get("name", "").casefold(), p.id))
        actions.sort(key=lambda a: (a.payload.get("due", ""), a.id))
        return cls(tuple(persons), tuple(actions), tuple(entries))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {BUCKETS[RecordKind.ENTRY]: [e.to_json() for e in self.entries]}
        if self.persons:
            out[BUCKETS[RecordKind.PERSON]] = [p.to_json() for p in self.persons]
        if self.actions:
            out[BUCKETS[RecordKind.ACTION]] = [a.to_json() for a in self.actions]
        return out


@dataclass(frozen=True, slots=True)
class FamilyWorkbook:
    """A family as one person may see it. `sections` holds only the sections the person may
    read, keyed by section value, in the order they were opened."""

    family: FamilyShown
    sections: dict[str, SectionContent]

    @property
    def family_id(self) -> FamilyId:
        return self.family.id

    def section(self, section: str) -> SectionContent:
        """The section's content; empty when it holds nothing or may not be read."""
        return self.sections.get(section) or SectionContent()

    def entries(self) -> Iterator[tuple[str, Shown[Entry | Review]]]:
        """Every entry with its section, section by section."""
        for section, content in self.sections.items():
            for entry in content.entries:
                yield section, entry

    def to_json(self) -> dict[str, Any]:
        return {"family": self.family.to_json(),
                "sections": {s: c.to_json() for s, c in self.sections.items()}}
