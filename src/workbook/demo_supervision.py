"""Demo content for the supervisor's board (issue 4): a finished group supervision with signed
off reviews for some families (so some are due this month and some not), assessments whose
referral is on track, at risk, done or overdue, and urgent concerns awaiting a response. Written
through the real services, as the team manager who chairs supervision."""

from __future__ import annotations

import random
from datetime import date, timedelta

from workbook.services import milestones, supervision
from workbook.services.session import Session

SUMMARIES = (
    "Engagement has improved since the last review; attendance is up.",
    "Mother is working with the drug and alcohol service; some missed appointments.",
    "Home conditions variable; the children present as well cared for at school.",
    "Father has moved back in; the network needs to know the new arrangements.",
)
WORRIES = ("Missed health appointments", "Rent arrears and a possible eviction",
           "Contact with an ex-partner who poses a risk", "Low school attendance")
DECISIONS = ("Continue the plan; review in a month", "Convene a core group within two weeks",
             "Step down to child in need at the next review if progress holds")
ACTIONS = ("Update the chronology", "Chase the GP for the health report",
           "Arrange a joint visit with the school nurse", "Check the housing application")


def add_supervision_demo(chair: Session, family_ids: list[str], seed: int,
                         action_owners: list[str]) -> None:
    rng = random.Random(seed + 4)
    today = date.fromisoformat(chair.now()[:10])
    if not family_ids:
        return
    held = today - timedelta(days=rng.randint(18, 26))
    reviewed = family_ids[1::3][:30]
    session_id = supervision.start_session(chair, held.isoformat(), action_owners[:4],
                                           reviewed)
    for index, family_id in enumerate(reviewed):
        next_review = held + timedelta(days=rng.choice((21, 28, 35, 42, 56)))
        actions = tuple(
            supervision.ActionForm(rng.choice(ACTIONS), rng.choice(action_owners),
                                   (held + timedelta(days=rng.randint(3, 30))).isoformat())
            for _ in range(rng.randint(1, 2)))
        supervision.record_review(chair, session_id, family_id, supervision.ReviewForm(
            rng.choice(SUMMARIES), "The family network is supportive", rng.choice(WORRIES),
            rng.choice(DECISIONS), rng.randint(2 + index % 3, 8), next_review.isoformat(),
            actions))
    supervision.finish(chair, session_id)
    for index, family_id in enumerate(family_ids[::4][:40]):
        completed = today - timedelta(days=rng.randint(1, 20))
        milestones.record_assessment_completed(chair, family_id, completed.isoformat())
        if index % 3 == 0:
            milestones.record_referral(chair, family_id, min(
                today, completed + timedelta(days=rng.randint(2, 9))).isoformat())
    for index, family_id in enumerate(family_ids[2::9][:12]):
        entry = chair.families.add_entry(
            family_id, "case-notes", "School reports a disclosure by the child this morning; "
            "a same-day response is needed.", today.isoformat(), "call", significant=True)
        milestones.mark_urgent(chair, entry)
        if index % 3 == 0:
            milestones.record_response(chair, entry, "Strategy discussion held with police "
                                       "and the school; the child is safe at home tonight.")
