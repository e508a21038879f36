"""What a chair picks a session's agenda from: every open family, with those due for review
this month marked (and offered ticked), due ones first, then by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.domain.display import uk_date
from workbook.domain.records import Review
from workbook.domain.roles import Section
from workbook.domain.time_limit_rules import limit_label
from workbook.domain.timescales import is_overdue
from workbook.services.access.people import People
from workbook.services.clock import civil_date
from workbook.services.supervision.board import board
from workbook.services.supervision.meetings import require_supervisor

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class AgendaChoice:
    family_id: str
    name: str
    reference: str
    due: bool


def agenda_choices(session: Session) -> list[AgendaChoice]:
    """Open families to choose from; `due` when the board has them due for review."""
    require_supervisor(session)
    due = {f.family_id for f in board(session).due_families}
    choices = [AgendaChoice(f.family_id, f.name, f.reference, f.family_id in due)
               for f in session.families.all() if f.status == "open"]
    choices.sort(key=lambda c: (not c.due, c.name.casefold(), c.reference))
    return choices


@dataclass(frozen=True)
class FamilyContext:
    """What the meeting looks at beside a family's review form, as lines to show: the open
    plan actions (owner by name, overdue said in words), the last signed-off review, the
    home-visit safety flags and the time limits still running."""

    plan: list[str]
    last_review: str
    flags: list[str]
    time_limits: list[str]


def family_context(session: Session, family_id: str) -> FamilyContext:
    """Read once per family chosen in a session; the opening is audited as any other."""
    require_supervisor(session)
    workbook = session.workbooks.open(family_id)
    people = People(session)
    today = civil_date(session.clock())
    plan = []
    for shown in workbook.section(Section.PLAN.value).actions:
        action = shown.record
        if action.status != "open":
            continue
        late = " - OVERDUE" if is_overdue(action.due, today) else ""
        plan.append(f"{action.text} ({people.name(action.owner)}, due "
                    f"{uk_date(action.due)}{late})")
    flags = [shown.record.text for shown
             in workbook.section(Section.HOME_VISIT_SAFETY.value).entries]
    result = board(session, family_id=family_id)
    last = next((f for f in result.due_families if f.family_id == family_id), None)
    reviews = [r.record for r in workbook.section(Section.SUPERVISION.value).entries
               if isinstance(r.record, Review) and r.record.status == "final"]
    reviews.sort(key=lambda r: r.date)
    if reviews:
        newest = reviews[-1]
        last_review = (f"{uk_date(newest.date)}: scaling {newest.scaling}/10. "
                       f"{newest.decisions or newest.summary}")
    elif last is not None and last.last_reviewed:
        last_review = uk_date(last.last_reviewed)
    else:
        last_review = "Never reviewed"
    limits = [f"{LIMIT_WORDS.get(t.limit) or limit_label(t.limit, None)}: due {uk_date(t.due)} - "
              f"{STATE_WORDS.get(t.state, t.state)}"
              for t in result.time_limits if t.family_id == family_id]
    return FamilyContext(plan, last_review, flags, limits)


LIMIT_WORDS = {"referral": "Referral (10 working days)",
               "urgent-response": "Urgent concern (24 hours)", "review": "Monthly review"}
STATE_WORDS = {"breached": "breached", "at_risk": "at risk", "on_track": "on track"}
