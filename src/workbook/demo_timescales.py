"""Demo content for the statutory time limits (issue 16): so that every limit a unit keeps is
running somewhere in the demo, in each of its states, on the board, on Home and in the
family's Time limits.

As of the demo's today, counted in the vault region's working days:
- three strategy discussions, so an initial child protection conference is due in one family,
  at risk (a working day left) in another and breached in a third;
- a child protection conference four working days ago (in time after its strategy discussion),
  so the core group and the child protection visits are running, one visit already made;
- a referral to the safeguarding team twenty working days ago, so its 45-working-day child
  and family assessment is running, and an assessment completed three working days ago whose
  referral (10 working days) is running;
- an urgent concern raised today, still awaiting its response;
- an exit from Channel almost six months ago, so the 6-month review is at risk and the
  12-month one on track.

Everything is written through the real services by the senior social worker (the unit's
Channel liaison lead), each on its own day with the session's clock set to it. The wording is
fixed and the days follow from today alone, so a seed and a day still give the same vault."""

from __future__ import annotations

from datetime import date, timedelta

from workbook.demo_supervision import clock_at
from workbook.domain.time_limit_rules import add_months
from workbook.domain.working_days import is_working_day
from workbook.services.family import milestones, time_limits
from workbook.services.session import Session

CASE_NOTES = "case-notes"
# Working days before today of each strategy discussion still waiting for its conference
# (15 working days by default, at risk with two or fewer left): on track, at risk, breached.
STRATEGY_DISCUSSIONS = (8, 14, 18)
STRATEGY_TEXT = ("Strategy discussion with police and health after the school's referral: "
                 "threshold for a section 47 enquiry met; an initial child protection "
                 "conference to be convened.")
CONFERENCE_TEXT = ("Initial child protection conference: the children made subject to child "
                   "protection plans under the category of neglect; core group members named.")
URGENT_TEXT = ("Health visitor rang: bruising seen on the baby's arm this morning; a same-day "
               "response is needed.")
VISIT_TEXT = ("Child protection visit: home warm and stocked; the children seen in their "
              "bedrooms and Jamie seen alone, who said things are calmer at home.")


def add_timescales_demo(worker: Session, family_ids: list[str], today: date) -> None:
    """Start the statutory clocks in `family_ids` (open families; the first is the big
    family). With fewer than four families, several situations share a family, chosen so
    that no step meets another family's clock."""
    if not family_ids:
        return
    region = time_limits.region(worker)

    def family(index: int) -> str:
        return family_ids[index % len(family_ids)]

    def before(count: int) -> date:
        return working_days_before(today, count, region)

    # The conference first, in the first family, so that a later strategy discussion of a
    # shared family (a tiny demo) is never met by it.
    _note(worker, family(0), before(17), STRATEGY_TEXT, "strategy-discussion")
    _note(worker, family(0), before(4), CONFERENCE_TEXT, "conference")
    _note(worker, family(0), before(2), VISIT_TEXT, "visit", time="16:00", child_seen="alone",
          present="Mother, Jamie and his sister")
    for index, days in enumerate(STRATEGY_DISCUSSIONS, start=1):
        if len(family_ids) > 1 and family(index) == family(0):
            continue
        _note(worker, family(index), before(days), STRATEGY_TEXT, "strategy-discussion")
    referred = before(20)
    with clock_at(worker, referred):
        milestones.record_referral(worker, family(2), referred.isoformat(),
                                   "Referred by the school after a disclosure.")
    completed = before(3)
    with clock_at(worker, completed):
        milestones.record_assessment_completed(worker, family(1), completed.isoformat(),
                                               "Assessment signed off by the team manager.")
    concern = worker.families.add_entry(family(3), CASE_NOTES, URGENT_TEXT, today.isoformat(),
                                        "call", True)
    milestones.mark_urgent(worker, concern)
    exited = add_months(today + timedelta(days=4), -6)
    with clock_at(worker, exited):
        milestones.record_channel_exit(worker, family(3), exited.isoformat(),
                                       "Left Channel after the panel agreed the risk is managed.")


def working_days_before(day: date, count: int, region: str) -> date:
    """The working day `count` working days before `day` (the inverse of add_working_days)."""
    found = day
    while count:
        found -= timedelta(days=1)
        if is_working_day(found, region):
            count -= 1
    return found


def _note(worker: Session, family_id: str, day: date, text: str, entry_type: str,
          **visit: str) -> None:
    with clock_at(worker, day):
        worker.families.add_entry(family_id, CASE_NOTES, text, day.isoformat(), entry_type,
                                  True, **visit)
