"""Demo content for the front door (issue 15): as of the moment the demo is built, three
referrals wait for their triage decision - one already past its 24 hours, one due within
hours, one from the police sealed to the police section (only police officers read it) - and
one was decided and linked to a family the duplicate search finds.

Written through the real services by the social worker and the police officer; the times
follow from the sessions' clock (a referral cannot arrive in the future), so a demo opened a
day after it was built shows every waiting referral as overdue."""

from __future__ import annotations

from datetime import timedelta

from workbook.services.clock import civil_zone
from workbook.services.session import Session

WAITING = (
    # hours ago, source, referrer, concern, people
    (30, "school", "Designated safeguarding lead",
     "Year 3 pupil arrived hungry three days running and said there is no food at home; "
     "younger sibling not collected from nursery on Friday.",
     ["Leo Marsh|2018-09-14", "Ava Marsh|2021-02-03", "Kerry Marsh|1992-11-20"]),
    (20, "health", "Health visitor",
     "Missed two developmental checks; mother sounded low on the phone and said her partner "
     "does not want visitors.",
     ["Noah Bennett|2025-05-30", "Chloe Bennett|1999-07-08"]),
)
POLICE = (3, "police", "Hub duty sergeant",
          "Domestic incident attended overnight; intelligence held on the partner that cannot "
          "be shared beyond the police section.",
          ["Jayden Cole|2014-01-12", "Marie Cole|1988-03-29"])


def _received(session: Session, hours_ago: int) -> str:
    moment = session.clock().astimezone(civil_zone()) - timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%d %H:%M")


def add_front_door_demo(social: Session, police: Session, family_id: str) -> None:
    """The referrals waiting and one decided (linked to `family_id`, whose first person with a
    date of birth it names, so the decision shows a candidate)."""
    for hours, source, referrer, concern, people in WAITING:
        social.referrals.add(received=_received(social, hours), source=source,
                             referrer=referrer, concern=concern, people=people)
    hours, source, referrer, concern, people = POLICE
    police.referrals.add(received=_received(police, hours), source=source, referrer=referrer,
                         concern=concern, people=people, section="police")
    book = social.workbooks.open(family_id, audit=False).to_json()
    known = [p for p in book["sections"].get("household", {}).get("persons", [])
             if p.get("dob")][:1]
    named = [f"{p['name']}|{p['dob']}" for p in known] or ["Sam Okafor|2016-06-06"]
    decided = social.referrals.add(
        received=_received(social, 72), source="education", referrer="Attendance officer",
        concern="Attendance down to 61% this term; the child says they look after a parent.",
        people=named)
    social.referrals.decide(decided.referral_id, outcome="early-help",
                            reason="Known family with an open plan: young carer support to be "
                                   "added to the plan at the next review.",
                            family_id=family_id)

