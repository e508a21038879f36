"""The demo's evaluation and follow-up (issue 15): families closed over the last months, each
with its outcome, the reason and the lessons learned, so that `workbook outcomes` and the
board's chart have months to show; and a case owner handed over twice, so that a family's
owner history can be read. Written through the real services, on their own dates."""

from __future__ import annotations

from datetime import date, timedelta

from workbook.demo_supervision import clock_at
from workbook.services.session import Session

# (months ago, family type, outcome, reason, lessons learned)
CLOSINGS: tuple[tuple[int, str, str, str, str], ...] = (
    (1, "early-help", "improved", "School attendance above 95% for a whole term",
     "Meeting the school in the first fortnight made the difference"),
    (1, "child-in-need", "stepped-down", "Needs now met by universal services and the GP",
     "Agree the step-down plan with the school nurse before the last review"),
    (2, "early-help", "improved", "Rent arrears cleared; the family kept their tenancy",
     "Refer to the housing officer at the first sign of arrears"),
    (3, "child-in-need", "no-change", "The family withdrew their consent to the plan",
     "Explain at the start what the plan asks of the family, in their language"),
    (4, "child-protection", "escalated", "Concerns met the threshold for care proceedings",
     "A strategy discussion earlier would have shortened the drift"),
    (5, "early-help", "worse", "Moved out of the area; the new authority has the case",
     "Send the chronology with the transfer, not after it"),
)

# (days ago, new case owner, reason): two handovers of one family.
HANDOVERS: tuple[tuple[int, str, str], ...] = (
    (120, "senior", "A Channel referral: the senior social worker liaises with Channel"),
    (45, "social", "Channel support ended; back to the social worker who knows the family"),
)


def close_with_outcomes(manager: Session, family_ids: list[str], referred: list[str],
                        today: date) -> None:
    """Close each family on its day (after it came to the unit, never after today)."""
    for (months, kind, outcome, reason, lessons), family_id, came in zip(
            CLOSINGS, family_ids, referred, strict=False):
        day = min(today, max(date.fromisoformat(came) + timedelta(days=30),
                             today - timedelta(days=30 * months)))
        with clock_at(manager, day):
            manager.retention.close(family_id, kind, outcome=outcome, reason=reason,
                                    lessons=lessons)


def hand_over(manager: Session, family_id: str, today: date) -> None:
    """The team manager appoints the family's case owner twice, months apart."""
    for days, username, reason in HANDOVERS:
        current = manager.case_owners.heads(family_id).head.payload.get("case_owner")
        candidate = manager.case_owners.candidate(username)
        if candidate.user_id == current:
            continue
        with clock_at(manager, today - timedelta(days=days)):
            manager.case_owners.appoint(family_id, username, reason)
