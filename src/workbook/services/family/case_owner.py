"""The case owner: the one recognisable point of contact the team appoints for a family.

Appointing is a new version of the family record: `case_owner` becomes the new owner's user
id and an item {from, to, by, at, reason} is appended to `owner_history`, audited as
`case_owner_appointed`. Who may appoint is decided here from signed state only: the signed
role (a team manager or a senior social worker, `Act.APPOINT_CASE_OWNER`) or the current case
owner by the family's verified head (handing over). The new owner must be an active
practitioner whose role the policy lets read every core section, so they can see the whole
workbook they answer for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import REFUSALS, Act
from workbook.domain.display import uk_date
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import CORE_SECTIONS, Role, Section
from workbook.services import validation
from workbook.services.access.people import People, PersonName
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.records import Heads, heads_of_record
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class Appointment:
    """A case owner appointed: the family, the new owner's username and full name."""

    family_id: str
    case_owner: str        # username (the CLI's contract)
    case_owner_name: str   # full name, as screens and paper show people
    version_id: str

    def to_json(self) -> dict[str, Any]:
        return {"family_id": self.family_id, "case_owner": self.case_owner,
                "case_owner_name": self.case_owner_name, "version": self.version_id}


@dataclass(frozen=True)
class OwnerChange:
    """One item of a family's case-owner history, by full name; `at` an ISO time stamp."""

    from_name: str
    to_name: str
    by_name: str
    at: str
    reason: str
    # Usernames (the CLI's key), "" for none or an account this vault does not know: never
    # an id. `first` when the family had no case owner before.
    from_user: str = ""
    to_user: str = ""
    by_user: str = ""
    first: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"from": self.from_user, "from_name": "" if self.first else self.from_name,
                "to": self.to_user, "to_name": self.to_name, "by": self.by_user,
                "by_name": self.by_name, "at": self.at, "reason": self.reason}


class CaseOwners:
    """Appointing a family's case owner, and its history."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def appoint(self, family_id: str, to: str, reason: str) -> Appointment:
        """Appoint `to` (a username) case owner of the family, for `reason`."""
        family_id = validation.record_id(family_id, "family id")
        self.s.require_practitioner()
        heads = self.heads(family_id)
        current = str(heads.head.payload.get("case_owner", ""))
        if not self.s.may(Act.APPOINT_CASE_OWNER) and current != self.s.user_id:
            raise NotPermitted(REFUSALS[Act.APPOINT_CASE_OWNER])
        reason = validation.text(reason, "reason for the appointment")
        people = People(self.s)
        new = self._candidate(people, to)
        if new.user_id == current:
            raise InvalidInput(f"{new.full_name} is already the case owner of this family")
        version = self.write(heads, new.user_id, reason)
        self.s.events.emit("case_owner_appointed", family_id=family_id)
        return Appointment(family_id, new.username, new.full_name, version)

    def write(self, heads: Heads, owner_id: str, reason: str) -> str:
        """The family's next version with `owner_id` as case owner and the history item, in
        the caller's transaction (or one of its own); checks are the caller's."""
        payload = dict(heads.head.payload)
        history = payload.get("owner_history")
        items = list(history) if isinstance(history, list) else []
        items.append({"from": str(payload.get("case_owner", "")), "to": owner_id,
                      "by": self.s.user_id, "at": self.s.now(), "reason": reason})
        payload.update({"case_owner": owner_id, "owner_history": items})
        version = self.s.records.supersede(
            heads, payload, kind=RecordKind.FAMILY, event="case_owner_appointed",
            ids={"to": owner_id}, section=Section.HOUSEHOLD.value)
        return version.version_id

    def appoint_at_review(self, family_id: str, owner_id: str, held_on: str) -> None:
        """The case owner a signed-off supervision review appointed (unless they already
        are), in the sign-off's transaction, with the session as the reason."""
        heads = self.heads(family_id)
        if heads.head.payload.get("case_owner") != owner_id:
            self.write(heads, owner_id, f"appointed at group supervision on {uk_date(held_on)}")

    def may_appoint(self, family_id: str) -> bool:
        """Whether I may appoint this family's case owner (for what a screen offers)."""
        if self.s.may(Act.APPOINT_CASE_OWNER):
            return True
        try:
            heads = self.heads(family_id)
        except (NotFound, NotPermitted):
            return False
        return str(heads.head.payload.get("case_owner", "")) == self.s.user_id

    def candidates(self) -> list[PersonName]:
        """Who may be appointed: active practitioners who may read every core section."""
        self.s.require_practitioner()
        return [p for p in People(self.s).owners() if self._reads_core(p.role)]

    def history(self, family_id: str) -> list[OwnerChange]:
        """The family's appointments, oldest first, by full name."""
        self.s.require_practitioner()
        heads = self.heads(validation.record_id(family_id, "family id"))
        return self.changes(heads.head.payload.get("owner_history"))

    def changes(self, raw: object) -> list[OwnerChange]:
        """An `owner_history` as the family record holds it (read and verified by the
        caller), by full name; anything not of its shape is left out."""
        if not raw:
            return []
        people = People(self.s)

        def username(key: str) -> str:
            found = people.get(key) if key else None
            return found.username if found else ""

        out: list[OwnerChange] = []
        for i in (raw if isinstance(raw, (list, tuple)) else []):
            if not isinstance(i, dict):
                continue
            was, to, by = (str(i.get(k, "")) for k in ("from", "to", "by"))
            out.append(OwnerChange(people.name(was) or "nobody", people.name(to),
                                   people.name(by), str(i.get("at", "")),
                                   str(i.get("reason", "")), username(was), username(to),
                                   username(by), not was))
        return out

    # --- checks -------------------------------------------------------------------------------
    def candidate(self, to: str) -> PersonName:
        """The person `to` (a username, or a full name only one person has) names, if they
        may be appointed; else one line."""
        return self._candidate(People(self.s), to)

    def _candidate(self, people: People, to: str) -> PersonName:
        wanted = to.strip()
        if not wanted:
            raise InvalidInput("name the new case owner: choose a colleague by their name")
        found = people.get(wanted)
        if found is None or found.username != wanted:
            # A full name as a picker shows it, when only one person has it.
            named = [p for p in people.everyone()
                     if " ".join(p.full_name.split()).lower() == " ".join(wanted.split()).lower()]
            if len(named) != 1:
                raise InvalidInput(f"no user {wanted[:40]!r} in this vault")
            found = named[0]
        if not found.active:
            raise InvalidInput(f"{found.full_name} is not an active practitioner and cannot "
                               "be case owner")
        if not self._reads_core(found.role):
            raise InvalidInput(f"{found.full_name} may not read every core section of the "
                               "workbook, so cannot be case owner")
        return found

    def _reads_core(self, role: str) -> bool:
        try:
            signed = Role(role)
        except ValueError:
            return False
        return all(self.s.policy.may_read(signed, s) for s in CORE_SECTIONS)

    def heads(self, family_id: str) -> Heads:
        """The family record's heads, or why it cannot be read."""
        versions = [v for v in self.s.records.of_record(family_id) if v.kind == "family"]
        if not versions:
            if version_store.family_exists(self.s.conn, family_id):
                raise NotPermitted("appointing a case owner needs the household section's key")
            raise NotFound(f"no family {family_id} in this vault")
        return heads_of_record(family_id, versions)
