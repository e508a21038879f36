"""Concerns about a person, taken through the six steps of sharing information.

A concern is a record of its own kind, kept in the section it is raised in (usually the
raiser's restricted section, so only that section's readers see it); each step recorded is
the concern's next version (`Records.supersede`), audited. Step 6 is completed only by a share:
an abstraction into a core section (`entry abstract --concern`) or a bundle (`share
--concern`), each of which calls `complete_by_share` inside its own transaction. The rules of
the steps are the domain's (domain/concerns.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.domain import concerns as rules
from workbook.domain.concerns import STEP_TITLES, ConcernRefused
from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.records import Concern
from workbook.domain.roles import CORE_SECTIONS, SECTION_TITLES, Section, parse_section
from workbook.services import validation
from workbook.services.audit.reads import audit_restricted_reads
from workbook.services.authority import RecordVersion
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.records import (
    Heads,
    group_by_record,
    heads_of_record,
    malformed_as_tampering,
)
from workbook.vault import accounts, version_store

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class ConcernShown:
    """A concern at its newest version, with the names a reader is shown."""

    id: str
    family_id: str
    section: str
    record: Concern
    person_name: str
    raised_by: str        # the username
    raised_by_name: str
    raised_at: str
    names: Mapping[str, tuple[str, str]]   # user id -> (username, full name)

    @property
    def state(self) -> str:
        return rules.state(self.record)

    @property
    def next_step(self) -> int | None:
        return None if self.state == "closed" else rules.next_step(self.record)

    def steps(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for step in self.record.steps:
            number = step.get("step")
            by = str(step.get("by", ""))
            username, full_name = self.names.get(by, (by, by))
            item = {"step": number, "title": STEP_TITLES.get(number, "") if isinstance(
                        number, int) else "",
                    "by": username, "by_name": full_name, "at": step.get("at", ""),
                    "note": step.get("note", ""), "skipped": step.get("skipped", "")}
            if step.get("share"):
                item["share"] = step["share"]
            out.append(item)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "family_id": self.family_id, "section": self.section,
                "section_title": SECTION_TITLES[Section(self.section)],
                "person": self.record.person, "person_name": self.person_name,
                "text": self.record.text, "raised_by": self.raised_by,
                "raised_by_name": self.raised_by_name, "raised_at": self.raised_at,
                "steps": self.steps(), "state": self.state, "next_step": self.next_step,
                "closed_reason": self.record.closed_reason}


def versions_of_kind(session: Session, family_id: str, kind: RecordKind) -> list[RecordVersion]:
    """The versions of one kind of a family that this person may read, verified, without
    opening the rest of the family (its clear headers say which rows are of the kind)."""
    ids = [h.version_id for h in version_store.headers_of_family(session.conn, family_id)
           if h.kind == kind.value]
    if not ids:
        return []
    with malformed_as_tampering(family_id):
        rows = version_store.of_family_kind(session.conn, family_id, kind.value, ids)
    return session.records.open_rows(family_id, rows)


def person_of(session: Session, person_id: str) -> tuple[str, str]:
    """(family id, name) of a person of a household this person can read."""
    person_id = validation.record_id(person_id, "person id")
    versions = session.records.of_record(person_id)
    if not versions or versions[0].kind != RecordKind.PERSON.value:
        raise NotFound(f"no person {person_id} that you can read")
    head = heads_of_record(person_id, versions).head
    if head.payload.get("deleted"):
        raise NotFound(f"no person {person_id} that you can read")
    return head.family_id, str(head.payload.get("name", ""))


class Concerns:
    """Raise a concern, record its steps, close it, and read concerns back."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, family_id: str, person_id: str, section: str, text: str) -> str:
        family_id = validation.record_id(family_id, "family id")
        self.s.require_practitioner()
        if not version_store.family_exists(self.s.conn, family_id):
            raise NotFound(f"no family {family_id} in this vault")
        person = person_of(self.s, person_id)
        if person[0] != family_id:
            raise InvalidInput("that person is not in this family's household")
        try:
            section_value = parse_section(section).value
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        if not self.s.records.can_read(section_value):
            raise NotPermitted(f"you can raise a concern only in a section you can read, not "
                               f"{section_value}")
        text = validation.text(text, "concern")
        if len(text) > rules.MAX_NOTE:
            raise InvalidInput(f"the concern is too long (at most {rules.MAX_NOTE} characters)")
        concern_id = new_id()
        with self.s.write():
            version = self.s.records.write(
                family_id=family_id, record_id=concern_id, kind=RecordKind.CONCERN.value,
                section=section_value,
                payload=Concern(person=person_id.strip().lower(), text=text).to_payload())
            self.s.audit("concern_added", {"family": family_id, "concern": concern_id,
                                           "version": version.version_id})
        self.s.events.emit("concern_added", family_id=family_id, concern_id=concern_id)
        return concern_id

    def show(self, concern_id: str) -> ConcernShown:
        """The concern, its read audited when its section is restricted."""
        shown, _heads = self._read(concern_id)
        self._audit_read(shown.family_id, [shown.section])
        return shown

    def of_family(self, family_id: str, *, audit: bool = True) -> list[ConcernShown]:
        """Every concern of the family this person may read, newest raised first. A screen
        refreshing what the person is already looking at passes audit=False."""
        family_id = validation.record_id(family_id, "family id")
        self.s.require_practitioner()
        if not version_store.family_exists(self.s.conn, family_id):
            raise NotFound(f"no family {family_id} in this vault")
        versions = versions_of_kind(self.s, family_id, RecordKind.CONCERN)
        out = [self._shown(items)[0] for items in group_by_record(versions).values()]
        out = [c for c in out if not c.record.extra.get("deleted")]
        out.sort(key=lambda c: (c.raised_at, c.id), reverse=True)
        if audit:
            self._audit_read(family_id, [c.section for c in out])
        return out

    def step(self, concern_id: str, step: int, *, note: str = "", skipped: str = "") -> str:
        shown, heads = self._read(concern_id)
        try:
            rules.check_step(shown.record, step, note=note, skipped=skipped)
        except ConcernRefused as exc:
            raise InvalidInput(str(exc)) from None
        record = rules.step_record(step, by=self.s.user_id, at=self.s.now(), note=note,
                                   skipped=skipped)
        version = self.s.records.supersede(
            heads, rules.with_step(shown.record, record), kind=RecordKind.CONCERN,
            event="concern_step", ids={"concern": shown.id, "step": step})
        self.s.events.emit("concern_changed", family_id=shown.family_id, concern_id=shown.id)
        return version.version_id

    def close(self, concern_id: str, reason: str) -> str:
        shown, heads = self._read(concern_id)
        try:
            payload = rules.closed(shown.record, reason)
        except ConcernRefused as exc:
            raise InvalidInput(str(exc)) from None
        version = self.s.records.supersede(heads, payload, kind=RecordKind.CONCERN,
                                           event="concern_closed", ids={"concern": shown.id})
        self.s.events.emit("concern_changed", family_id=shown.family_id, concern_id=shown.id)
        return version.version_id

    # --- step 6, by a share ------------------------------------------------------------------
    def ready_to_share(self, concern_id: str, families: tuple[str, ...] | None = None
                       ) -> ConcernShown:
        """The concern a share is about to complete step 6 of, or one line why it cannot:
        unknown, not readable, of another family, closed, or steps 1-5 not all recorded."""
        shown, _heads = self._read(concern_id)
        if families is not None and shown.family_id not in families:
            raise InvalidInput("that concern is about a family this share does not include")
        if shown.state != "open":
            raise InvalidInput(f"that concern is {shown.state}: step 6 cannot be recorded")
        if shown.next_step != rules.SHARE_STEP:
            raise InvalidInput(f"record steps 1 to 5 of that concern first (step "
                               f"{shown.next_step} comes next)")
        return shown

    def complete_by_share(self, concern_id: str, share: Mapping[str, Any], note: str) -> None:
        """Record step 6 as done by `share`, inside the caller's transaction (the share's)."""
        shown, heads = self._read(concern_id)
        try:
            rules.check_step(shown.record, rules.SHARE_STEP, note=note, skipped="",
                             by_share=True)
        except ConcernRefused as exc:
            raise InvalidInput(str(exc)) from None
        record = rules.step_record(rules.SHARE_STEP, by=self.s.user_id, at=self.s.now(),
                                   note=note, share=share)
        self.s.records.supersede(heads, rules.with_step(shown.record, record),
                                 kind=RecordKind.CONCERN, event="concern_step",
                                 ids={"concern": shown.id, "step": rules.SHARE_STEP})
        self.s.events.emit("concern_changed", family_id=shown.family_id, concern_id=shown.id)

    # --- reading -----------------------------------------------------------------------------
    def _read(self, concern_id: str) -> tuple[ConcernShown, Heads]:
        concern_id = validation.record_id(concern_id, "concern id")
        versions = self.s.records.of_record(concern_id)
        if not versions or versions[0].kind != RecordKind.CONCERN.value:
            raise NotFound(f"no concern {concern_id} that you can read")
        return self._shown(versions)

    def _shown(self, versions: list[RecordVersion]) -> tuple[ConcernShown, Heads]:
        heads = heads_of_record(versions[0].record_id, versions)
        first = min(versions, key=lambda v: (v.created_at, v.version_id))
        record = Concern.from_payload(heads.head.payload)
        names = self._names()
        raiser = names.get(first.author, (first.author, first.author))
        person_name = self._person_name(record.person)
        return ConcernShown(heads.head.record_id, heads.head.family_id, heads.head.section,
                            record, person_name, raiser[0], raiser[1], first.created_at,
                            names), heads

    def _names(self) -> dict[str, tuple[str, str]]:
        return {u.user_id: (u.username, u.full_name or u.username)
                for u in accounts.all_users(self.s.conn)}

    def _person_name(self, person_id: str) -> str:
        try:
            return person_of(self.s, person_id)[1]
        except (InvalidInput, NotFound):
            return ""

    def _audit_read(self, family_id: str, sections: list[str]) -> None:
        restricted = [s for s in sections if Section(s) not in CORE_SECTIONS]
        if restricted:
            with self.s.write():
                audit_restricted_reads(self.s, family_id, restricted)
