"""Families, persons, entries and plan actions: the use cases that add to a workbook.

Every write is one transaction with its audit event. Family and person details belong to the
household section and actions to the plan (P2): names are as protected as notes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workbook.domain.entry_types import ENTRY_TYPES
from workbook.domain.history import record_state
from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import CORE_SECTIONS, Section, parse_section
from workbook.domain.visits import visit_fields
from workbook.services import validation
from workbook.services.authority import RecordVersion
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.family_list import FamilyList, FamilySummary
from workbook.services.family.records import group_by_record, heads_of_record
from workbook.vault import accounts, version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

ACTION_STATUSES = ("open", "done", "cancelled")


class Families:
    """Use cases on families and what they hold."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._list: FamilyList | None = None

    # --- families --------------------------------------------------------------------------
    def add(self, name: str, reference: str = "") -> str:
        name = validation.name(name, "family name")
        reference = reference.strip()
        if len(reference) > 64:
            raise InvalidInput("the family reference is too long (at most 64 characters)")
        self._require_household_writer()
        family_id = new_id()
        with self.s.write():
            version = self.s.records.write(
                family_id=family_id, record_id=family_id, kind="family",
                section=Section.HOUSEHOLD.value,
                payload={"name": name, "reference": reference, "status": "open",
                         "case_owner": self.s.user_id},
            )
            self.s.audit("family_added", {"family": family_id, "version": version.version_id})
        self.s.events.emit("family_added", family_id=family_id)
        return family_id

    def all(self) -> list[FamilySummary]:
        """Every family whose household this person can read, by name: kept per person and
        brought up to date from the version log (`family_list`)."""
        self.s.require_practitioner()
        if not self.s.records.can_read(Section.HOUSEHOLD.value):
            return []
        return self._listing().summaries()

    def open_with_owners(self) -> list[tuple[FamilySummary, str]]:
        """The families of `all()` that are not closed, by name, each with its case owner's
        user id: home's first step, which need not even parse the closed ones (issue 19)."""
        self.s.require_practitioner()
        if not self.s.records.can_read(Section.HOUSEHOLD.value):
            return []
        return self._listing().open_families()

    def closed_settled(self) -> set[str]:
        """The families of `all()` closed and not in conflict, found without reading the
        closed ones a first sign-in left unread (see `FamilyList.closed_settled`)."""
        self.s.require_practitioner()
        if not self.s.records.can_read(Section.HOUSEHOLD.value):
            return set()
        return self._listing().closed_settled()

    def read_unread(self) -> bool:
        """A few hundred more of the closed families a first sign-in left unread (see
        `FamilyList.read_unread`); True once `all()` would read none."""
        self.s.require_practitioner()
        if not self.s.records.can_read(Section.HOUSEHOLD.value):
            return True
        return self._listing().read_unread()

    def unread(self) -> int:
        """How many closed families a first sign-in left unread (`FamilyList.unread`): `all()`
        reads them; search leaves them until a person's search asks (home.search)."""
        self.s.require_practitioner()
        if not self.s.records.can_read(Section.HOUSEHOLD.value):
            return 0
        return self._listing().unread()

    def count(self) -> int:
        """About how many families `all()` lists (see `FamilyList.count`)."""
        self.s.require_practitioner()
        if not self.s.records.can_read(Section.HOUSEHOLD.value):
            return 0
        return self._listing().count()

    def case_owners(self) -> dict[str, str]:
        """Family id -> case owner (user id) of the families `all()` lists (home's "mine")."""
        self.s.require_practitioner()
        if not self.s.records.can_read(Section.HOUSEHOLD.value):
            return {}
        return self._listing().case_owners()

    def _listing(self) -> FamilyList:
        if self._list is None:
            self._list = FamilyList(self.s)
        return self._list

    def before_lock(self) -> None:
        """Keep the list of families for the next sign-in (Session.lock asks)."""
        if self._list is not None:
            self._list.before_lock()

    # --- persons ---------------------------------------------------------------------------
    def add_person(
        self, family_id: str, name: str, dob: str = "", relationship: str = "",
        extra: dict[str, Any] | None = None,
    ) -> str:
        family_id = self._existing_family(family_id)
        name = validation.name(name, "person's name")
        if dob:
            dob = validation.iso_date(dob, "date of birth")
        relationship = relationship.strip()
        if len(relationship) > 100:
            raise InvalidInput("the relationship is too long (at most 100 characters)")
        self._require_household_writer()
        person_id = new_id()
        payload: dict[str, Any] = {"name": name, "dob": dob, "relationship": relationship}
        payload.update(extra or {})
        with self.s.write():
            version = self.s.records.write(
                family_id=family_id, record_id=person_id, kind="person",
                section=Section.HOUSEHOLD.value, payload=payload,
            )
            self.s.audit("person_added", {"family": family_id, "person": person_id,
                                          "version": version.version_id})
        self.s.events.emit("person_added", family_id=family_id, person_id=person_id)
        return person_id

    # --- entries ---------------------------------------------------------------------------
    def add_entry(
        self, family_id: str, section: str, text: str, date: str = "", entry_type: str = "note",
        significant: bool = False, *, time: str = "", child_seen: str = "",
        joint_with: str = "", present: str = "",
    ) -> str:
        """Add an entry; a visit may also record its time, who was present, whether the
        child was seen (yes, no, alone) and the agency of a joint visit (`domain/visits`)."""
        family_id = self._existing_family(family_id)
        section_value = self._section(section)
        text = validation.text(text, "entry text")
        date = validation.iso_date(date, "entry date") if date else self.s.now()[:10]
        if entry_type not in ENTRY_TYPES:
            raise InvalidInput(
                f"unknown entry type {entry_type!r}; use one of {', '.join(ENTRY_TYPES)}"
            )
        visit = visit_fields(entry_type, time=time, child_seen=child_seen,
                             joint_with=joint_with, present=present)
        entry_id = new_id()
        with self.s.write():
            version = self.s.records.write(
                family_id=family_id, record_id=entry_id, kind="entry", section=section_value,
                payload={"text": text, "date": date, "type": entry_type,
                         "significant": bool(significant), **visit},
            )
            self.s.audit("entry_added", {"family": family_id, "entry": entry_id,
                                         "version": version.version_id})
        self.s.events.emit("entry_added", family_id=family_id, entry_id=entry_id)
        return entry_id

    def edit_entry(self, entry_id: str, text: str, *, date: str | None = None,
                   entry_type: str | None = None, reason: str = "") -> str:
        """A correction is a new version whose parents are every current head, so editing an
        entry in conflict also resolves the conflict. A wrong date or type can be put right
        too, but only with a reason, kept on the new version ("correction_reason") for the
        history to show why the record changed."""
        text = validation.text(text, "entry text")
        changes: dict[str, Any] = {"text": text}
        if date is not None:
            changes["date"] = validation.iso_date(date, "entry date")
        if entry_type is not None:
            if entry_type not in ENTRY_TYPES:
                raise InvalidInput(f"unknown entry type {entry_type!r}; use one of "
                                   f"{', '.join(ENTRY_TYPES)}")
            changes["type"] = entry_type
        if reason.strip():
            changes["correction_reason"] = validation.text(reason, "reason for the correction")

        def change(payload: dict[str, Any]) -> dict[str, Any]:
            moved = [key for key in ("date", "type") if key in changes
                     and changes[key] != payload.get(key)]
            if moved and "correction_reason" not in changes:
                raise InvalidInput(f"say why the entry's {' and '.join(moved)} changes: a "
                                   "reason for the correction is needed")
            kept = {k: v for k, v in payload.items() if k != "correction_reason"}
            return {**kept, **changes}

        return self._supersede(entry_id, "entry_edited", change)

    def delete_entry(self, entry_id: str, reason: str) -> str:
        """Deletion is a tombstone version: the history stays, the entry leaves the views."""
        reason = validation.text(reason, "reason for deleting")
        return self._supersede(entry_id, "entry_deleted", lambda payload: {
            **payload, "deleted": True, "deleted_reason": reason})

    def entry_history(self, entry_id: str) -> list[RecordVersion]:
        """Every version of a row of the chronology: an entry, or a supervision review
        (listed among the entries, so its history is asked for the same way)."""
        versions = self._entry_versions(entry_id, kinds=("entry", "review"))
        if Section(versions[0].section) not in CORE_SECTIONS:
            with self.s.write():
                self.s.audit("section_read", {"family": versions[0].family_id,
                                              "entry": versions[0].record_id})
        return sorted(versions, key=lambda v: (v.created_at, v.version_id))

    def _entry_versions(self, entry_id: str,
                        kinds: tuple[str, ...] = ("entry",)) -> list[RecordVersion]:
        entry_id = validation.record_id(entry_id, "entry id")
        versions = self.s.records.of_record(entry_id)
        if not versions or versions[0].kind not in kinds:
            raise NotFound(f"no entry {entry_id} that you can read")
        return versions

    def _supersede(self, entry_id: str, event: str,
                   change: Callable[[dict[str, Any]], dict[str, Any]]) -> str:
        """Write a new version of an entry over all its current heads, audited as `event`."""
        versions = self._entry_versions(entry_id)
        heads = heads_of_record(versions[0].record_id, versions)
        head = heads.head
        version = self.s.records.supersede(
            heads, change(dict(head.payload)), kind=RecordKind.ENTRY, event=event,
            ids={"entry": head.record_id})
        self.s.events.emit(event, family_id=head.family_id, entry_id=head.record_id)
        return version.version_id

    # --- plan actions ----------------------------------------------------------------------
    def add_action(self, family_id: str, text: str, owner: str, due: str,
                   review_id: str = "") -> str:
        family_id = self._existing_family(family_id)
        text = validation.text(text, "action text")
        due = validation.iso_date(due, "due date")
        owner_row = accounts.by_username(self.s.conn, owner.strip())
        if owner_row is None or not self.s.membership().is_active(owner_row.user_id):
            raise InvalidInput(f"no active user {owner.strip()[:40]!r} to own the action")
        action_id = new_id()
        with self.s.write():
            version = self.s.records.write(
                family_id=family_id, record_id=action_id, kind="action",
                section=Section.PLAN.value,
                payload={"text": text, "owner": owner_row.user_id, "due": due,
                         "status": "open", "review": review_id},
            )
            self.s.audit("action_added", {"family": family_id, "action": action_id,
                                          "version": version.version_id})
        self.s.events.emit("action_added", family_id=family_id, action_id=action_id)
        return action_id

    # --- helpers ---------------------------------------------------------------------------
    def _existing_family(self, family_id: str) -> str:
        family_id = validation.record_id(family_id, "family id")
        self.s.require_practitioner()
        if not version_store.family_exists(self.s.conn, family_id):
            raise NotFound(f"no family {family_id} in this vault")
        return family_id

    def _section(self, section: str) -> str:
        try:
            return parse_section(section).value
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None

    def _require_household_writer(self) -> None:
        self.s.require_practitioner()
        if not self.s.records.can_read(Section.HOUSEHOLD.value):
            raise NotPermitted("adding families needs the household section's key")


def heads_of(versions: list[RecordVersion]) -> dict[str, list[RecordVersion]]:
    """Record id -> its head versions (more than one means a conflict)."""
    out: dict[str, list[RecordVersion]] = {}
    for record_id, items in group_by_record(versions).items():
        state = record_state(record_id, items)
        by_id = {v.version_id: v for v in items}
        out[record_id] = [by_id[h] for h in state.heads]
    return out
