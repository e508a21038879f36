"""The moments that start and stop statutory clocks, recorded as versions in the workbook.

- An assessment's completion starts the 10-working-day clock for a referral to the
  safeguarding team; the referral stops it. Both are entries of the referral-and-assessment
  section, marked with a `milestone` so that they read like any entry in the chronology.
- Any entry a person can read can be marked as an urgent concern: that starts a 24-hour clock,
  stopped by recording the response. Both are new versions of the same entry (history kept), so
  the concern, its urgency and its response stay one record in whichever section it belongs to.
- A referral also starts the 45-working-day child and family assessment, met by the next
  assessment completed.
- Exit from Channel starts the reviews due 6 and 12 months later; each Channel review recorded
  after it meets the next. Both are entries of the Channel section, read only by its readers.

Every write goes through Records (the one permission path) and is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import CORE_SECTIONS, Section
from workbook.services import validation
from workbook.services.audit.reads import audit_restricted_reads
from workbook.services.authority import RecordVersion
from workbook.services.clock import civil_date
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.records import Heads, heads_of_record
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

SECTION = Section.REFERRAL_ASSESSMENT.value
ASSESSMENT_COMPLETED = "assessment-completed"
REFERRED = "referred"
CHANNEL_EXIT = "channel-exit"
CHANNEL_REVIEW = "channel-review"
MILESTONES = (ASSESSMENT_COMPLETED, REFERRED, CHANNEL_EXIT, CHANNEL_REVIEW)
CHANNEL = Section.CHANNEL.value
MAX_FUTURE_DAYS = 0  # a completion or a referral is recorded after it happened


def record_assessment_completed(session: Session, family_id: str, completed: str,
                                note: str = "") -> str:
    """The family's assessment was completed on `completed`; returns the entry id."""
    return _milestone(session, family_id, ASSESSMENT_COMPLETED, completed, note,
                      "Assessment completed", "assessment completion date")


def record_referral(session: Session, family_id: str, on: str, note: str = "") -> str:
    """The family was referred to the safeguarding team on `on`; returns the entry id."""
    return _milestone(session, family_id, REFERRED, on, note,
                      "Referred to the safeguarding team", "referral date")


def record_channel_exit(session: Session, family_id: str, on: str, note: str = "") -> str:
    """The person left Channel on `on` (reviews fall due 6 and 12 months later)."""
    return _milestone(session, family_id, CHANNEL_EXIT, on, note, "Exit from Channel",
                      "Channel exit date", CHANNEL)


def record_channel_review(session: Session, family_id: str, on: str, note: str = "") -> str:
    """A review after exit from Channel was held on `on`."""
    return _milestone(session, family_id, CHANNEL_REVIEW, on, note, "Channel review held",
                      "Channel review date", CHANNEL)


def _milestone(session: Session, family_id: str, milestone: str, when: str, note: str,
               title: str, what: str, section: str = SECTION) -> str:
    family_id = validation.record_id(family_id, "family id")
    day = validation.iso_date(when, what)
    if date.fromisoformat(day) > civil_date(session.clock()):  # UK date, not UTC's
        raise InvalidInput(f"the {what} {day} is in the future")
    note = note.strip()
    if len(note) > validation.MAX_TEXT or "\x00" in note:
        raise InvalidInput("the note is too long or contains a NUL character")
    session.require_practitioner()
    if not session.records.can_read(section):
        if section == CHANNEL:
            raise NotPermitted("recording a Channel exit or review needs the Channel "
                               "section's key")
        raise NotPermitted("recording an assessment or referral needs the referral and "
                           "assessment section's key")
    if not version_store.family_exists(session.conn, family_id):
        raise NotFound(f"no family {family_id} in this vault")
    entry_id = new_id()
    text = title + (f": {note}" if note else ".")
    with session.write():
        version = session.records.write(
            family_id=family_id, record_id=entry_id, kind="entry", section=section,
            payload={"text": text, "date": day, "type": "other", "significant": True,
                     "milestone": milestone},
        )
        session.audit("entry_added", {"family": family_id, "entry": entry_id,
                                      "version": version.version_id})
    session.events.emit("entry_added", family_id=family_id, entry_id=entry_id)
    return entry_id


# --- urgent concerns ---------------------------------------------------------------------
def mark_urgent(session: Session, entry_id: str) -> str:
    """Mark an entry as an urgent concern from now on: a response is due within 24 hours.
    Returns the new version id. Marking one already urgent is refused rather than restarting
    its clock."""
    heads = _entry_heads(session, entry_id)
    head = heads.head
    if head.payload.get("urgent"):
        raise InvalidInput("that entry is already an urgent concern")
    if head.payload.get("deleted"):
        raise InvalidInput("a deleted entry cannot be marked urgent")
    payload = {**head.payload, "urgent": True, "urgent_at": session.now(),
               "urgent_by": session.user_id}
    return _supersede(session, heads, payload, "concern_marked_urgent")


def record_response(session: Session, entry_id: str, text: str) -> str:
    """Record the response to an urgent concern (what was done), which stops its clock."""
    text = validation.text(text, "response")
    heads = _entry_heads(session, entry_id)
    head = heads.head
    if not head.payload.get("urgent"):
        raise InvalidInput("that entry is not an urgent concern; mark it urgent first")
    if head.payload.get("response"):
        raise InvalidInput("a response to that concern is already recorded")
    payload = {**head.payload, "response": {"text": text, "at": session.now(),
                                            "by": session.user_id}}
    return _supersede(session, heads, payload, "concern_responded")


def _entry_heads(session: Session, entry_id: str) -> Heads:
    entry_id = validation.record_id(entry_id, "entry id")
    versions = session.records.of_record(entry_id)
    if not versions or versions[0].kind != "entry":
        raise NotFound(f"no entry {entry_id} that you can read")
    if Section(versions[0].section) not in CORE_SECTIONS:
        with session.write():
            session.audit("section_read", {"family": versions[0].family_id,
                                           "entry": versions[0].record_id})
    return heads_of_record(entry_id, versions)


def _supersede(session: Session, heads: Heads, payload: dict[str, Any], event: str) -> str:
    head = heads.head
    version = session.records.supersede(heads, payload, kind=RecordKind.ENTRY, event=event,
                                        ids={"entry": head.record_id})
    session.events.emit("entry_edited", family_id=head.family_id, entry_id=head.record_id)
    return version.version_id


@dataclass(frozen=True)
class Concern:
    """An entry, as the family's time-limits view lists it."""

    entry_id: str
    section: str
    date: str
    text: str
    urgent: bool
    urgent_at: str
    response: str
    responded_at: str


def concerns(session: Session, family_id: str) -> list[Concern]:
    """The family's entries in every section this person may read (newest first) with their
    urgency, so that one can be marked urgent or its response recorded - a concern is as
    likely to sit in the police or mental-health section as in the case notes. Reading a
    restricted section here is audited as opening the family is."""
    family_id = validation.record_id(family_id, "family id")
    session.require_practitioner()
    out = []
    by_record: dict[str, list[RecordVersion]] = {}
    for version in session.records.of_family(family_id):
        if version.kind == "entry":
            by_record.setdefault(version.record_id, []).append(version)
    restricted = {v[0].section for v in by_record.values()} - {s.value for s in CORE_SECTIONS}
    if restricted:
        with session.write():
            audit_restricted_reads(session, family_id, restricted)
    for record_id, versions in by_record.items():
        head = heads_of_record(record_id, versions).head
        p = head.payload
        if p.get("deleted") or p.get("milestone"):
            continue
        raw = p.get("response")
        response: dict[str, Any] = raw if isinstance(raw, dict) else {}
        out.append(Concern(record_id, head.section, str(p.get("date", "")),
                           str(p.get("text", "")), bool(p.get("urgent")),
                           str(p.get("urgent_at", "")), str(response.get("text", "")),
                           str(response.get("at", ""))))
    out.sort(key=lambda c: (c.date, c.entry_id), reverse=True)
    return out
