"""Structured recording in the demo: a visit's details (time, who was present, the child seen or
seen alone, a joint visit) and risk and resilience assessments in both frameworks.

Every choice comes from its own random source, derived from the demo's seed, so the rest of the
demo (households, wording, dates) is exactly what the same seed gave before these existed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from workbook.services.family.assessments import Rating, save_assessment

if TYPE_CHECKING:
    from workbook.services.session import Session


def visit_source(seed: int) -> random.Random:
    return random.Random(f"{seed}-visits")


def _between(text: str, before: str, after: str) -> str:
    head, found, rest = text.partition(before)
    return rest.partition(after)[0] if found and after in rest else ""


def visit_details(rng: random.Random, text: str) -> tuple[str, dict[str, str]]:
    """A home visit's note and its details. The demo's note reads "... home visit. {adult} let
    me in. ... I saw {child} alone: ..."; when the child was seen with the adult, or not seen,
    the note is changed to say so."""
    adult = _between(text, "home visit. ", " let me in.") or "the parent"
    child = _between(text, "I saw ", " alone:") or "the child"
    if adult == child:  # a parent and child of one first name: say which is which
        adult = f"{adult} (parent)"
    minutes = rng.randrange(9 * 4, 18 * 4) * 15
    details = {"time": f"{minutes // 60:02d}:{minutes % 60:02d}",
               "present": f"{adult}, {child}"}
    roll = rng.random()
    if roll < 0.6:
        details["child_seen"] = "alone"
    elif roll < 0.9:
        details["child_seen"] = "yes"
        text = text.replace(f"I saw {child} alone:", f"I saw {child} with {adult} there:")
    else:
        details["child_seen"] = "no"
        details["present"] = adult
        text = text.replace(f"I saw {child} alone:",
                            f"{child} was at a friend's, so not seen today; {adult} said:")
    if rng.random() < 0.15:
        details["joint_with"] = rng.choice(("police", "health visitor", "school nurse"))
    return text, details


FAMILY_SAFEGUARDING: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("health", ("none", "low", "medium"), ("Immunisations up to date.",
                                           "Two missed dental appointments.")),
    ("education", ("low", "medium", "high"), ("Attendance 84% this term.",
                                              "Late most mornings; school concerned.")),
    ("emotional", ("low", "medium"), ("Withdrawn at school after incidents at home.",)),
    ("basic-care", ("limited", "adequate", "good"), ("Home warm and food in the cupboards.",
                                                     "Little food seen at the last visit.")),
    ("safety", ("poor", "limited", "adequate"), ("Does not always recognise risk from the "
                                                 "partner.",)),
    ("warmth", ("adequate", "good"), ("Warm, affectionate interaction observed.",)),
    ("domestic-abuse", ("medium", "high"), ("Police called to the address twice this year.",
                                            "Ex-partner's contact is monitored by probation.")),
    ("mental-health", ("low", "medium", "high"), ("Low mood; waiting for talking therapy.",)),
    ("substance-misuse", ("none", "low", "medium"), ("Alcohol use at weekends, reducing.",)),
)
RADICALISATION: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("convictions", ("low", "medium"), ("Shares extremist material online.",)),
    ("violence", ("none", "low"), ("No violence known; no interest in weapons.",)),
    ("networks", ("medium", "high"), ("Online group of older men; one local contact.",)),
    ("psychological", ("low", "medium"), ("Isolated since moving school.",)),
    ("family", ("medium", "high"), ("Parents engaged and worried; grandmother close.",)),
    ("education_work", ("low", "medium"), ("Attends college three days a week.",)),
    ("individual", ("medium", "high"), ("Talks openly with the mentor.",)),
)
CHANNEL = (("engagement", ("low", "medium")), ("intent", ("none", "low")),
           ("capability", ("none", "low")))
FORMULATIONS = {
    "family-safeguarding": (
        "Domestic abuse and low mood together reduce the parent's capacity to keep the "
        "children safe; the warmth of the relationship and the school's support are the "
        "strengths to build on. The plan addresses safety first.",
        "Needs are being met most of the time; the risk comes from alcohol use at weekends and "
        "the ex-partner's contact. Continue the plan with the specialist workers."),
    "radicalisation": (
        "Isolation after the school move and an online network explain the interest in "
        "extremist material; the family's engagement and the mentor are strong protective "
        "factors. No readiness to use violence.",),
}


def add_assessments(session: Session, family_ids: Sequence[str], seed: int,
                    today: date) -> int:
    """Assessments for some families: the first in family safeguarding, then alternately; one
    radicalisation assessment is a Channel case with the vulnerability dimensions rated."""
    rng = random.Random(f"{seed}-assessments")
    written = 0
    for index, family_id in enumerate(family_ids[: max(2, len(family_ids) // 4)]):
        framework = "family-safeguarding" if index % 2 == 0 else "radicalisation"
        table = FAMILY_SAFEGUARDING if framework == "family-safeguarding" else RADICALISATION
        factors = {key: Rating(rng.choice(levels), rng.choice(reasons))
                   for key, levels, reasons in table if rng.random() < 0.85}
        if index == 1:
            factors.update({key: Rating(rng.choice(levels), "Channel panel review.")
                            for key, levels in CHANNEL})
        day = today - timedelta(days=rng.randint(5, 120))
        save_assessment(session, family_id, factors, rng.choice(FORMULATIONS[framework]),
                        date=day.isoformat(), framework=framework,
                        significant=rng.random() < 0.3)
        written += 1
    return written
