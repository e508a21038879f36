"""Demo content for the supervisor's board (issue 4): a year of group supervision, so that the
board and its charts show a unit with a history rather than one that never met.

Every four weeks (a Wednesday, so that no family goes more than a month between reviews) the
team manager chairs a session whose agenda is the families due before the next one - never
reviewed, or next review on or before the day before the next session - and reviews most of
them (a few are not reached, so their monthly time limit is missed); each review sets the next
review date and adds actions to the family's plan, most of which are done in the following
weeks, some late, and some never: those are cancelled at a later review or are still open.
Then, as of today: assessments whose referral is on track, at risk, done or overdue, and urgent
concerns, some still awaiting a response. All written through the real services as the chair,
with the session's clock set to the day each thing happened."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from workbook.services.family import milestones, plan_actions
from workbook.services.session import Session
from workbook.services.supervision import meetings as supervision

SESSIONS = 13            # a year of sessions, four weeks apart
CADENCE = timedelta(days=28)
NOT_REACHED = 0.08      # share of the agenda a session does not get to
NEVER_DONE = 0.12       # share of review actions not done: cancelled later, or still open
LATE = 0.25             # share of done actions finished after their due date
DONE, CANCELLED = "done", "cancelled"

SUMMARIES = (
    "Engagement has improved since the last review; attendance is up.",
    "Mother is working with the drug and alcohol service; some missed appointments.",
    "Home conditions variable; the children present as well cared for at school.",
    "Father has moved back in; the network needs to know the new arrangements.",
    "A mixed month: a new incident reported by police, but the plan is holding.",
)
WORKING_WELL = ("The family network is supportive", "School engagement",
                "The adults attend every meeting", "Support from the wider family")
WORRIES = ("Missed health appointments", "Rent arrears and a possible eviction",
           "Contact with an ex-partner who poses a risk", "Low school attendance",
           "Home conditions")
DECISIONS = ("Continue the plan; review in a month", "Convene a core group within two weeks",
             "Step down to child in need at the next review if progress holds")
ACTIONS = ("Update the chronology", "Chase the GP for the health report",
           "Arrange a joint visit with the school nurse", "Check the housing application",
           "Book the next core group meeting", "Refer to the family hub for parenting support")


def add_supervision_demo(chair: Session, family_ids: list[str], seed: int,
                         action_owners: list[str], opened: dict[str, date] | None = None) -> None:
    """`opened`: when each family came to the unit (no review before it); by default all
    families are taken to have been open for the whole year."""
    rng = random.Random(seed + 4)
    today = date.fromisoformat(chair.now()[:10])
    if not family_ids:
        return
    opened = opened or {}
    owners = action_owners or [chair.user.username]
    next_due: dict[str, date] = {}
    to_close: list[tuple[date, str, str]] = []
    for held in session_days(today, SESSIONS):
        _close_due_actions(chair, to_close, held)
        before_next = held + CADENCE - timedelta(days=1)
        agenda = [fid for fid in family_ids
                  if opened.get(fid, date.min) < held
                  and next_due.get(fid, date.min) <= before_next]
        if not agenda:
            continue
        with clock_at(chair, held):
            session_id = supervision.start_session(chair, held.isoformat(), owners[:4],
                                                   agenda[:supervision.MAX_AGENDA])
            reviewed = 0
            for family_id in agenda[:supervision.MAX_AGENDA]:
                if rng.random() < NOT_REACHED:
                    continue
                next_review = held + timedelta(days=rng.choice((21, 28, 28, 28)))
                actions = tuple(
                    supervision.ActionForm(rng.choice(ACTIONS), rng.choice(owners),
                                           (held + timedelta(days=rng.randint(5, 30))).isoformat())
                    for _ in range(rng.randint(0, 2)))
                supervision.record_review(chair, session_id, family_id, supervision.ReviewForm(
                    rng.choice(SUMMARIES), rng.choice(WORKING_WELL), rng.choice(WORRIES),
                    rng.choice(DECISIONS), rng.randint(2, 8), next_review.isoformat(), actions))
                next_due[family_id] = next_review
                reviewed += 1
            if not reviewed:
                continue
            supervision.finish(chair, session_id)
            for review in supervision.meeting(chair, session_id).reviews.values():
                for action in review.form.actions:
                    due = date.fromisoformat(action.due)
                    if rng.random() < NEVER_DONE:
                        closed = (due + timedelta(days=rng.randint(30, 60)), CANCELLED)
                    elif rng.random() < LATE:
                        closed = (due + timedelta(days=rng.randint(1, 20)), DONE)
                    else:
                        closed = (due - timedelta(days=rng.randint(0, 4)), DONE)
                    to_close.append((max(closed[0], held + timedelta(days=1)), closed[1],
                                     action.action_id))
    _close_due_actions(chair, to_close, today)
    _time_limits_today(chair, family_ids, rng, today)


def session_days(today: date, count: int) -> list[date]:
    """`count` Wednesdays four weeks apart, oldest first, the last at least a week ago (so the
    next one is still to come)."""
    last = today - timedelta(days=7)
    last -= timedelta(days=(last.weekday() - 2) % 7)
    return [last - CADENCE * back for back in range(count - 1, -1, -1)]


@contextmanager
def clock_at(session: Session, day: date) -> Iterator[None]:
    real: Callable[[], datetime] = session.clock
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    session.clock = lambda: moment
    try:
        yield
    finally:
        session.clock = real


def _close_due_actions(chair: Session, to_close: list[tuple[date, str, str]],
                       before: date) -> None:
    """Close every planned action whose day has come (done or cancelled), each on its day."""
    to_close.sort()
    while to_close and to_close[0][0] <= before:
        day, status, action_id = to_close.pop(0)
        with clock_at(chair, min(day, before)):
            plan_actions.set_action_status(chair, action_id, status)


def _time_limits_today(chair: Session, family_ids: list[str], rng: random.Random,
                       today: date) -> None:
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
