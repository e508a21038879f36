"""The demo's concerns, abstraction and consent (issue 15), so that each can be tried: a mental
health worker's concern about a parent half-way through the six steps (steps 1 to 3 recorded,
step 2 skipped with the reason), one of her entries abstracted into the case notes for the
whole team, and consent decisions given, refused and withdrawn in the sharing log."""

from __future__ import annotations

from datetime import date, timedelta

from workbook.demo_supervision import clock_at
from workbook.domain.roles import Section
from workbook.services.session import Session

CONCERN_TEXT = ("He has started talking about a group online that says violence is the only "
                "answer; his mood has dropped since he lost his job.")
SOURCE_TEXT = ("Seen at the clinic. Low mood, not sleeping; talks of 'making them pay'. "
               "Agreed weekly appointments; he engaged and asked for help with sleep.")
ABSTRACT_TEXT = ("Known to adult mental health services; engaging with weekly appointments. "
                 "Speak to Ruth Evans before any visit that may be stressful for him.")


def add_concerns_demo(health: Session, social: Session, family_id: str, today: date) -> None:
    """Write as the mental health worker (`health`) and a social worker (`social`)."""
    persons = health.workbooks.open(family_id, audit=False).section(
        Section.HOUSEHOLD.value).persons
    if not persons:
        return
    adults = [p for p in persons if p.record.relationship in ("father", "mother")] or persons
    person = str(adults[0].id)
    with clock_at(health, today - timedelta(days=20)):
        source = health.families.add_entry(family_id, Section.MENTAL_HEALTH.value, SOURCE_TEXT,
                                           (today - timedelta(days=20)).isoformat(), "visit")
        concern = health.concerns.add(family_id, person, Section.MENTAL_HEALTH.value,
                                      CONCERN_TEXT)
    steps = (
        (18, 1, "Checked the clinic notes and the GP letter: the change is recent and real.", ""),
        (15, 2, "", "Speaking with him about it now would raise the risk: he has said he would "
                    "stop coming if we 'report' him."),
        (9, 3, "Consulted the clinical psychologist: shares the worry; advises a specialist "
               "view before anything is shared outside the unit.", ""),
    )
    for days_ago, step, note, skipped in steps:
        with clock_at(health, today - timedelta(days=days_ago)):
            health.concerns.step(concern, step, note=note, skipped=skipped)
    with clock_at(health, today - timedelta(days=8)):
        health.abstractions.abstract(source, Section.CASE_NOTES.value, ABSTRACT_TEXT)
    decisions = (
        (40, persons[0], "given", "Early help with the school", "school attendance and reports",
         "in person, written"),
        (30, persons[-1], "refused", "Sharing with the housing team", "", "by phone"),
        (25, persons[0], "withdrawn", "Early help with the school",
         "school attendance and reports", "in person, at a home visit"),
    )
    for days_ago, who, status, purpose, scope, how in decisions:
        with clock_at(social, today - timedelta(days=days_ago)):
            social.consents.record(str(who.id), status, purpose, scope, how)
