"""Referrals and their triage: the use cases of the front door (issue 15).

A referral is a record of its own (RecordKind.REFERRAL) whose family id is its own id: it
exists before any workbook, and nothing that lists families reads its kind. It is written in
the referral-and-assessment section (readable by the core team) or sealed to the restricted
section it is about, through the one write path, and its triage decision is its next version.
Deciding links it to a family, or opens a new one with the people it names, and writes the
family an entry saying where it came from and what was decided."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import Act
from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.records import Referral
from workbook.domain.referrals import (
    OUTCOMES,
    decision_note,
    is_overdue,
    moment,
    parse_outcome,
    parse_received,
    respond_by,
    shown_time,
    split_person,
    stamp_minutes,
    state_of,
    time_left,
)
from workbook.domain.roles import CORE_SECTIONS, Section, parse_section
from workbook.services import validation
from workbook.services.access.people import People
from workbook.services.audit.reads import pad_detail, sealed_note
from workbook.services.authority import RecordVersion
from workbook.services.clock import civil_zone
from workbook.services.errors import InvalidInput, NotFound
from workbook.services.family.duplicates import DuplicateMatch, possible_duplicates
from workbook.services.family.records import group_by_record, heads_of_record
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

MAX_SOURCE = 100
MAX_PEOPLE = 30


@dataclass(frozen=True)
class ReferralAdded:
    referral_id: str
    respond_by: str


@dataclass(frozen=True)
class ReferralShown:
    """A referral as the front door shows it, at the moment it was read (`now`)."""

    referral_id: str
    record: Referral
    section: str
    recorded_by: str       # full name
    decided_by: str        # full name, "" while open
    state: str
    overdue: bool
    time_left: str
    conflict: bool

    def to_json(self) -> dict[str, Any]:
        r = self.record
        decision = dict(r.decision) if r.decision is not None else {}
        return {
            "id": self.referral_id, "received": r.received, "respond_by": r.respond_by,
            "state": self.state, "overdue": self.overdue, "time_left": self.time_left,
            "source": r.source, "referrer": r.referrer, "concern": r.concern,
            "people": [{"name": str(p.get("name", "")), "dob": str(p.get("dob", ""))}
                       for p in r.people],
            "section": self.section, "recorded_by": self.recorded_by,
            "outcome": str(decision.get("outcome", "")),
            "reason": str(decision.get("reason", "")),
            "decided_by": self.decided_by, "decided_at": str(decision.get("at", "")),
            "family_id": str(decision.get("family_id", "")),
        }


class Referrals:
    """The front door's use cases for one session (`session.referrals`)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- adding ---------------------------------------------------------------------------
    def add(self, *, received: str, source: str, concern: str, people: list[str],
            referrer: str = "", section: str = "") -> ReferralAdded:
        """Record a referral as it arrived; `people` as 'NAME|DOB' (the dob may be left out).
        Anyone who may write case records may; the triage decision is for fewer."""
        self.s.require_practitioner()
        zone = civil_zone()
        arrived = parse_received(received, zone, self.s.clock().astimezone(zone))
        payload: dict[str, Any] = {
            "received": stamp_minutes(arrived),
            "source": _short(source, "referral's source agency"),
            "referrer": _short(referrer, "referrer") if referrer.strip() else "",
            "concern": validation.text(concern, "concern"),
            "people": _people(people),
            "respond_by": stamp_minutes(respond_by(arrived)),
        }
        where = _section(section)
        referral_id = new_id()
        with self.s.write():
            version = self.s.records.write(
                family_id=referral_id, record_id=referral_id, kind=RecordKind.REFERRAL.value,
                section=where, payload=payload)
            self.s.audit("referral_added", {"family": referral_id, "referral": referral_id,
                                            "version": version.version_id})
        self.s.events.emit("referral_added", referral_id=referral_id)
        return ReferralAdded(referral_id, payload["respond_by"])

    # --- reading --------------------------------------------------------------------------
    def all(self) -> list[ReferralShown]:
        """Every referral this person may read, oldest arrival first; a referral sealed to a
        restricted section that is listed is a read of it, audited as `section_read`."""
        self.s.require_practitioner()
        self.s.trust.verified.load_kind(self.s.conn, RecordKind.REFERRAL.value)
        rows = version_store.of_kind(self.s.conn, RecordKind.REFERRAL.value)
        grouped = group_by_record(self.s.records.open_many(rows))
        shown = self._shown(grouped)
        self._audit_restricted(shown)
        return sorted(shown, key=lambda r: (r.record.received, r.referral_id))

    def waiting(self) -> list[ReferralShown]:
        """The referrals still waiting for their triage decision, the most urgent first."""
        return sorted((r for r in self.all() if r.state == "open"),
                      key=lambda r: (r.record.respond_by, r.referral_id))

    def for_board(self) -> list[dict[str, Any]]:
        """The waiting referrals as `supervision board --json` lists them, most urgent first:
        none for the administrator, who reads no case records (the board is empty for them)."""
        if not self.s.may(Act.CASEWORK):
            return []
        return [{"id": r.referral_id, "received": r.record.received,
                 "respond_by": r.record.respond_by, "overdue": r.overdue,
                 "source": r.record.source} for r in self.waiting()]

    def show(self, referral_id: str) -> ReferralShown:
        found = self._one(referral_id)
        self._audit_restricted([found])
        return found

    def candidates(self, referral: ReferralShown) -> list[DuplicateMatch]:
        """Families that may already know the people named (same name and date of birth),
        from the duplicate search: what the decision may link the referral to."""
        seen: set[tuple[str, str]] = set()
        out: list[DuplicateMatch] = []
        for person in referral.record.people:
            for match in possible_duplicates(self.s, str(person.get("name", "")),
                                             str(person.get("dob", ""))):
                if (match.family_id, match.person_id) not in seen:
                    seen.add((match.family_id, match.person_id))
                    out.append(match)
        return out

    # --- deciding -------------------------------------------------------------------------
    def decide(self, referral_id: str, *, outcome: str, reason: str, family_id: str = "",
               new_family_name: str | None = None) -> str:
        """The triage decision: link to `family_id`, or open a new family named
        `new_family_name` with the people named. Returns the family's id."""
        self.s.require_practitioner()
        self.s.require(Act.DECIDE_REFERRAL)
        outcome = parse_outcome(outcome)
        reason = validation.text(reason, "reason for the decision")
        if bool(family_id.strip()) == (new_family_name is not None):
            raise InvalidInput("give either the family to link the referral to (--family) or "
                               "a new family's name (--new-family --name), not both or neither")
        shown = self._one(referral_id)
        made = shown.record.decision
        if made is not None:
            outcome_text = OUTCOMES.get(str(made.get("outcome", "")), "decided")
            when = shown_time(str(made.get("at", "")), civil_zone())
            raise InvalidInput(f"referral {shown.referral_id} was already decided "
                               f"({outcome_text}, by {shown.decided_by} on {when}): a "
                               "decision is made once")
        if new_family_name is None:
            family_id = self._linkable(family_id)
        else:
            new_family_name = validation.name(new_family_name, "new family's name")
        versions = self.s.records.of_record(shown.referral_id)
        heads = heads_of_record(shown.referral_id, versions)
        with self.s.write():
            if new_family_name is not None:
                family_id = self._open_family(new_family_name, shown.record)
            note = decision_note(shown.record, civil_zone(), outcome=outcome, reason=reason,
                                 decided_by=People(self.s).name(self.s.user_id))
            self.s.families.add_entry(family_id, _entry_section(shown.section), note,
                                      self._received_date(shown.record), "note",
                                      significant=True)
            decision = {"outcome": outcome, "reason": reason, "by": self.s.user_id,
                        "at": self.s.now(), "family_id": family_id}
            self.s.records.supersede(
                heads, {**dict(heads.head.payload), "decision": decision},
                kind=RecordKind.REFERRAL, event="referral_decided",
                ids={"referral": shown.referral_id, "linked_family": family_id})
        self.s.events.emit("referral_decided", referral_id=shown.referral_id,
                           family_id=family_id)
        return family_id

    # --- helpers --------------------------------------------------------------------------
    def _one(self, referral_id: str) -> ReferralShown:
        rid = validation.record_id(referral_id, "referral id")
        self.s.require_practitioner()
        versions = [v for v in self.s.records.of_record(rid)
                    if v.kind == RecordKind.REFERRAL.value]
        if not versions:
            raise NotFound(f"no referral {rid} that you can read")
        return self._shown({rid: versions})[0]

    def _shown(self, grouped: dict[str, list[RecordVersion]]) -> list[ReferralShown]:
        people = People(self.s)
        now = self.s.clock().astimezone(civil_zone())
        out = []
        for record_id, versions in grouped.items():
            heads = heads_of_record(record_id, versions)
            head = heads.head
            record = Referral.from_payload(head.payload)
            decided_by = "" if record.decision is None else people.name(
                str(record.decision.get("by", "")))
            out.append(ReferralShown(
                record_id, record, head.section, people.name(_first(versions).author),
                decided_by, state_of(record), is_overdue(record, now), time_left(record, now),
                len(heads.ids) > 1))
        return out

    def _audit_restricted(self, shown: list[ReferralShown]) -> None:
        restricted = [r for r in shown if Section(r.section) not in CORE_SECTIONS]
        if not restricted:
            return
        with self.s.write():
            for r in restricted:
                note = sealed_note(self.s, r.section, {"section": r.section})
                detail = None if note is None else pad_detail(
                    "section_read", json.dumps(note).encode())
                self.s.audit("section_read", {"family": r.referral_id,
                                              "referral": r.referral_id}, detail)

    def _linkable(self, family_id: str) -> str:
        fid = validation.record_id(family_id, "family id")
        if fid not in {f.family_id for f in self.s.families.all()}:
            raise NotFound(f"no family {fid} that you can read to link the referral to")
        return fid

    def _open_family(self, name: str, record: Referral) -> str:
        family_id = self.s.families.add(name)
        for person in record.people:
            self.s.families.add_person(family_id, str(person.get("name", "")),
                                       str(person.get("dob", "")))
        return family_id

    def _received_date(self, record: Referral) -> str:
        arrived = moment(record.received, civil_zone())
        return "" if arrived is None else arrived.date().isoformat()


def _entry_section(referral_section: str) -> str:
    """A referral sealed to a restricted section is recorded in that section of the family,
    so linking it tells the core team nothing the section keeps to itself."""
    if Section(referral_section) in CORE_SECTIONS:
        return Section.REFERRAL_ASSESSMENT.value
    return referral_section


def _section(text: str) -> str:
    if not text.strip():
        return Section.REFERRAL_ASSESSMENT.value
    try:
        section = parse_section(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if section in CORE_SECTIONS and section is not Section.REFERRAL_ASSESSMENT:
        raise InvalidInput(f"a referral is kept in referral-assessment, or sealed to a "
                           f"restricted section; {section.value} is neither")
    return section.value


def _short(value: str, what: str) -> str:
    value = validation.name(value, what)
    if len(value) > MAX_SOURCE:
        raise InvalidInput(f"the {what} is too long (at most {MAX_SOURCE} characters)")
    return value


def _people(given: list[str]) -> list[dict[str, str]]:
    if not given:
        raise InvalidInput("name at least one child or adult (--person \"NAME|DOB\")")
    if len(given) > MAX_PEOPLE:
        raise InvalidInput(f"at most {MAX_PEOPLE} people on one referral")
    out = []
    for text in given:
        name, dob = split_person(text)
        name = validation.name(name, "person's name")
        out.append({"name": name, "dob": validation.iso_date(dob, "date of birth")
                    if dob else ""})
    return out


def _first(versions: list[RecordVersion]) -> RecordVersion:
    return min(versions, key=lambda v: (v.created_at, v.version_id))
