"""Consent records, per person, and the check a share makes against them.

Each decision (given, refused, withdrawn; for a purpose; covering which information; obtained
how) is its own record in the family's "Consent and information sharing" section, by whom and
when its signed version says. The newest decision for a purpose stands (domain/consent.py).

A share checks every person of the families it shares against the records, never against
what the sharer states: "consent given" holds only when each person's newest decision for the
share's purpose is "given". Where a person's consent is missing, refused or withdrawn, the
share needs a reason (and its lawful basis) that overrides, and the check with its override is
written into the sharing-log entry, which travels in the bundle, and into the bundle's
decision - so both vaults keep it. A family with no consent record at all is no exception: its
people have none, and the sharer records it first or overrides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.domain import consent as rules
from workbook.domain.consent import ConsentDecision, ConsentRefused
from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.records import Consent
from workbook.domain.roles import Section
from workbook.services.errors import InvalidInput, NotPermitted
from workbook.services.family.concerns import person_of, versions_of_kind
from workbook.services.family.records import group_by_record, heads_of_record
from workbook.vault import accounts

if TYPE_CHECKING:
    from workbook.services.session import Session

SECTION = Section.SHARING_LOG.value


@dataclass(frozen=True)
class ConsentShown:
    id: str
    family_id: str
    record: Consent
    by: str           # username
    by_name: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "family_id": self.family_id, "person": self.record.person,
                "status": self.record.status, "purpose": self.record.purpose,
                "scope": self.record.scope, "how": self.record.how, "by": self.by,
                "by_name": self.by_name, "at": self.at}


class Consents:
    """Recording consent decisions and reading them back, newest first."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def record(self, person_id: str, status: str, purpose: str, scope: str = "",
               how: str = "") -> str:
        family_id, _name = person_of(self.s, person_id)
        try:
            status, purpose, scope, how = rules.check_fields(status, purpose, scope, how)
        except ConsentRefused as exc:
            raise InvalidInput(str(exc)) from None
        if not self.s.records.can_read(SECTION):
            raise NotPermitted("recording consent needs the consent and information sharing "
                               "section's key")
        consent_id = new_id()
        payload = Consent(person=person_id.strip().lower(), status=status, purpose=purpose,
                          scope=scope, how=how).to_payload()
        with self.s.write():
            version = self.s.records.write(
                family_id=family_id, record_id=consent_id, kind=RecordKind.CONSENT.value,
                section=SECTION, payload=payload)
            self.s.audit("consent_recorded", {"family": family_id, "person": payload["person"],
                                              "consent": consent_id,
                                              "version": version.version_id})
        self.s.events.emit("consent_recorded", family_id=family_id, consent_id=consent_id)
        return consent_id

    def of_person(self, person_id: str) -> list[ConsentShown]:
        """The person's consent decisions, newest first."""
        family_id, _name = person_of(self.s, person_id)
        person = person_id.strip().lower()
        return [c for c in self.of_family(family_id) if c.record.person == person]

    def of_family(self, family_id: str) -> list[ConsentShown]:
        """Every consent decision recorded in the family, newest first."""
        self.s.require_practitioner()
        names = {u.user_id: (u.username, u.full_name or u.username)
                 for u in accounts.all_users(self.s.conn)}
        out: list[ConsentShown] = []
        versions = versions_of_kind(self.s, family_id, RecordKind.CONSENT)
        for record_id, items in group_by_record(versions).items():
            head = heads_of_record(record_id, items).head
            if head.section != SECTION or head.payload.get("deleted"):
                continue
            first = min(items, key=lambda v: (v.created_at, v.version_id))
            by = names.get(first.author, (first.author, first.author))
            out.append(ConsentShown(record_id, family_id, Consent.from_payload(head.payload),
                                    by[0], by[1], first.created_at))
        out.sort(key=lambda c: (c.at, c.id), reverse=True)
        return out

    # --- the check a share makes ---------------------------------------------------------------
    def check_share(self, families: tuple[str, ...], purpose: str, consent: str,
                    reason: str, lawful_basis: str) -> dict[str, Any]:
        """The consent check of a share, as the sharing log keeps it. Refuses (one line) a
        share that claims consent the records do not show, and one without consent that gives
        no reason to override."""
        # Person ids and statuses only: the log entry travels even when the household does
        # not, so a partner learns no name it was not sent.
        people: list[dict[str, str]] = []
        names: dict[str, str] = {}
        for family_id in families:
            for person_id, name, status in self.standing_of(family_id, purpose):
                names[person_id] = name
                people.append({"family": family_id, "person": person_id, "status": status})
        lacking = [p for p in people if p["status"] != "given"]
        if lacking and consent == "given":
            raise InvalidInput(_not_given(lacking, names))
        if lacking and not reason.strip():
            raise InvalidInput("sharing without everyone's consent needs the reason that "
                               "overrides it (--reason) and its lawful basis (--lawful-basis)")
        return {"purpose": purpose, "people": people, "overridden": bool(lacking),
                "reason": reason.strip() if lacking else "",
                "lawful_basis": lawful_basis if lacking else ""}

    def standing_of(self, family_id: str, purpose: str) -> list[tuple[str, str, str]]:
        """(person id, full name, status) for each person of the family: the consent that
        stands for `purpose` ("given", "refused", "withdrawn" or "missing"), for the Share
        dialog to show before anyone shares."""
        found = [ConsentDecision(c.record.person, c.record.status, c.record.purpose, c.at)
                 for c in self.of_family(family_id)]
        return [(person_id, name, rules.standing(found, person_id, purpose))
                for person_id, name in self._people(family_id)]

    def _people(self, family_id: str) -> list[tuple[str, str]]:
        versions = versions_of_kind(self.s, family_id, RecordKind.PERSON)
        out: list[tuple[str, str]] = []
        for record_id, items in group_by_record(versions).items():
            head = heads_of_record(record_id, items).head
            if not head.payload.get("deleted"):
                out.append((record_id, str(head.payload.get("name", ""))))
        return sorted(out, key=lambda p: (p[1].casefold(), p[0]))


def received_check(value: object) -> dict[str, Any]:
    """A consent check as a partner's bundle carries it, kept only when well formed (the
    receiver shows it with the decision): ValueError otherwise."""
    if not isinstance(value, dict) or set(value) != {"purpose", "people", "overridden",
                                                     "reason", "lawful_basis"}:
        raise ValueError("malformed consent check")
    people = value["people"]
    if not isinstance(people, list) or len(people) > 10_000 or not all(
            isinstance(p, dict) and set(p) == {"family", "person", "status"}
            and all(isinstance(x, str) and len(x) <= 64 for x in p.values()) for p in people):
        raise ValueError("malformed consent check")
    if type(value["overridden"]) is not bool or not all(
            isinstance(value[k], str) and len(value[k]) <= rules.MAX_TEXT
            for k in ("purpose", "reason", "lawful_basis")):
        raise ValueError("malformed consent check")
    return dict(value)


def _not_given(lacking: list[dict[str, str]], names: dict[str, str]) -> str:
    """The one line a share claiming consent gets when the records do not show it: who (by
    full name) has none, refused or withdrew it, and the two ways on."""
    words = {rules.MISSING: "none recorded", "refused": "refused", "withdrawn": "withdrawn"}
    shown = [f"{names.get(p['person']) or 'a person of the family'} "
             f"({words.get(p['status'], p['status'])})" for p in lacking[:5]]
    more = f" and {len(lacking) - 5} more" if len(lacking) > 5 else ""
    return f"consent for this purpose is not given by {', '.join(shown)}{more}: {WAYS_ON}"


# How to go on after a refused "consent given", in the command line's words (the Share dialog
# puts its own in their place).
WAYS_ON = ("record it with `workbook consent record PERSON --status given --purpose TEXT`, or "
           "share with --consent refused|not-sought --reason TEXT and the lawful basis that "
           "overrides it")
