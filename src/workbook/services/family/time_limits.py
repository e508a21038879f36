"""The time limits that matter (DOMAIN.md) and where each family stands against them. How
long each runs, and when it is at risk, is the signed policy's (`[time-limits]`, parsed by
domain/time_limit_rules.py, whose defaults are these):

- referral: an assessment leads to a referral to the safeguarding team within 10 working days
  of its completion (working days of the vault's region);
- urgent-response: a concern marked urgent needs a response within 24 hours;
- review: every open family is reviewed at least monthly; unreviewed for more than a month
  (from its last signed-off review, or from when it was opened) it is overdue;
- child-and-family-assessment: within 45 working days of a referral (met by the next
  assessment completed);
- initial-conference: within 15 working days of a strategy discussion (a case note of that
  type; met by the next conference);
- core-group: within 10 working days of a conference (met by the next core group entry);
- child-protection-visits: at least every 10 working days from a conference, each visit
  starting the next clock;
- channel-review-6-months / -12-months: after exit from Channel (met by the first and the
  second Channel review recorded after the exit).

A limit still running is `on_track`, `at_risk` (close to its due point) or `breached` (past
it). A limit that was met is kept, with whether it was met in time, for compliance by month.
The region is a vault setting, changed by the owner, a team manager or the administrator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from workbook.domain.acts import Act
from workbook.domain.entry_types import EntryType
from workbook.domain.roles import Section
from workbook.domain.time_limit_rules import (
    ASSESSMENT,
    AT_RISK,
    BREACHED,
    CHANNEL_6,
    CHANNEL_12,
    CONFERENCE,
    CORE_GROUP,
    DEFAULT_TIME_LIMITS,
    LIMIT_TITLES,
    LIMITS,
    ON_TRACK,
    REFERRAL,
    REVIEW,
    STATE_TITLES,
    URGENT,
    VISITS,
    LimitRule,
    add_months,
)
from workbook.domain.working_days import DEFAULT_REGION, parse_region
from workbook.services.errors import InvalidInput
from workbook.services.family.milestones import (
    ASSESSMENT_COMPLETED,
    CHANNEL_EXIT,
    CHANNEL_REVIEW,
    REFERRED,
)
from workbook.vault import meta

if TYPE_CHECKING:
    from workbook.services.session import Session

REGION_KEY = "working_days_region"
STATES = (ON_TRACK, AT_RISK, BREACHED)


@dataclass(frozen=True)
class TimeLimit:
    family_id: str
    limit: str       # one of LIMITS
    started: str     # ISO date (or timestamp for urgent-response) the clock started
    due: str         # ISO date (or timestamp for urgent-response) it must be met by
    state: str       # on_track | at_risk | breached (for a met limit: on_track if in time)
    met: str = ""    # ISO date/timestamp it was met; "" while running
    record_id: str = ""  # the entry (assessment, concern) or family it is about

    @property
    def running(self) -> bool:
        return not self.met

    @property
    def due_day(self) -> str:
        return self.due[:10]


# --- the region setting -------------------------------------------------------------------
def region(session: Session) -> str:
    raw = meta.get_text(session.conn, REGION_KEY, DEFAULT_REGION)
    try:
        return parse_region(raw)
    except ValueError:
        return DEFAULT_REGION


def set_region(session: Session, value: str) -> str:
    """Change the bank-holiday region (owner, team manager or administrator); audited."""
    try:
        chosen = parse_region(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    session.require_keys()
    membership = session.membership()
    if session.user_id != membership.owner:
        session.require(Act.SET_WORKING_DAYS_REGION)
    session.require_certified()
    with session.write():
        meta.put(session.conn, REGION_KEY, chosen)
        session.audit("setting_changed", {"setting": REGION_KEY, "value": chosen})
    return chosen


def rules(session: Session) -> dict[str, LimitRule]:
    """The time limits of the signed policy the session verified at sign-in."""
    return dict(session.policy.time_limits)


def title(limit: str) -> str:
    return LIMIT_TITLES.get(limit, limit)


def state_title(state: str) -> str:
    """`on track`, `at risk` or `breached`, as a person reads it."""
    return STATE_TITLES.get(state, state)


# --- the limits -----------------------------------------------------------------------------
def _running(family_id: str, limit: str, started: date, record_id: str, today: date,
             region_name: str, rule: LimitRule) -> TimeLimit:
    due = rule.due(started, region_name)
    return TimeLimit(family_id, limit, started.isoformat(), due.isoformat(),
                     rule.state(today, due, region_name), "", record_id)


def _met(family_id: str, limit: str, started: date, met: date, record_id: str,
         region_name: str, rule: LimitRule) -> TimeLimit:
    due = rule.due(started, region_name)
    return TimeLimit(family_id, limit, started.isoformat(), due.isoformat(),
                     ON_TRACK if met <= due else BREACHED, met.isoformat(), record_id)


def referral_limit(family_id: str, entry_id: str, completed: date, referred: date | None,
                   today: date, region_name: str,
                   rule: LimitRule = DEFAULT_TIME_LIMITS[REFERRAL]) -> TimeLimit:
    if referred is not None:
        return _met(family_id, REFERRAL, completed, referred, entry_id, region_name, rule)
    return _running(family_id, REFERRAL, completed, entry_id, today, region_name, rule)


def urgent_limit(family_id: str, entry_id: str, raised: datetime, responded: datetime | None,
                 now: datetime, rule: LimitRule = DEFAULT_TIME_LIMITS[URGENT]) -> TimeLimit:
    due = rule.due_at(raised)
    if responded is not None:
        state = ON_TRACK if responded <= due else BREACHED
        return TimeLimit(family_id, URGENT, raised.isoformat(), due.isoformat(), state,
                         responded.isoformat(), entry_id)
    return TimeLimit(family_id, URGENT, raised.isoformat(), due.isoformat(),
                     rule.state_at(now, due), "", entry_id)


def add_month(day: date) -> date:
    """The same day next month, or that month's last day (31 January -> 28/29 February)."""
    return add_months(day, 1)


def review_limits(family_id: str, opened: date, reviews: list[date], today: date,
                  rule: LimitRule = DEFAULT_TIME_LIMITS[REVIEW],
                  region_name: str = DEFAULT_REGION) -> list[TimeLimit]:
    """One met limit per signed-off review (in time if within a month of the one before, or of
    the family's opening) and the running one from the last."""
    return every_limits(family_id, REVIEW, (opened, family_id),
                        [(held, family_id) for held in reviews], today, region_name, rule)


def every_limits(family_id: str, limit: str, first: tuple[date, str],
                 meetings: list[tuple[date, str]], today: date, region_name: str,
                 rule: LimitRule) -> list[TimeLimit]:
    """A limit kept again and again (a review, a visit): the clock starts at `first`, each of
    `meetings` (day, record) meets the running clock and starts the next."""
    out = []
    start, record = first
    for held, held_record in sorted(meetings):
        out.append(_met(family_id, limit, start, held, record, region_name, rule))
        start, record = held, held_record
    out.append(_running(family_id, limit, start, record, today, region_name, rule))
    return out


def after_limits(family_id: str, limit: str, starts: list[tuple[date, str]],
                 stops: list[date], today: date, region_name: str,
                 rule: LimitRule) -> list[TimeLimit]:
    """A step due within a time of another: each start (day, record) is met by the first stop
    on or after it (a conference after the strategy discussion), else it is still running."""
    ordered = sorted(stops)
    out = []
    for started, record in sorted(starts):
        met = next((d for d in ordered if d >= started), None)
        if met is None:
            out.append(_running(family_id, limit, started, record, today, region_name, rule))
        else:
            out.append(_met(family_id, limit, started, met, record, region_name, rule))
    return out


def channel_limits(family_id: str, exits: list[tuple[date, str]], reviews: list[date],
                   today: date, region_name: str,
                   limits: dict[str, LimitRule]) -> list[TimeLimit]:
    """Reviews 6 and 12 months after each exit from Channel: the first review recorded after
    the exit meets the first, the second the other."""
    out = []
    for exited, record in sorted(exits):
        after = sorted(d for d in reviews if d >= exited)
        for index, limit in enumerate((CHANNEL_6, CHANNEL_12)):
            rule = limits[limit]
            if index < len(after):
                out.append(_met(family_id, limit, exited, after[index], record, region_name,
                                rule))
            else:
                out.append(_running(family_id, limit, exited, record, today, region_name,
                                    rule))
    return out


def step_of(section: str, milestone: str, entry_type: str) -> str:
    """What an entry is for the clocks: a milestone of its section, or a statutory step by its
    type when it is a case note (the core team's record: a police officer's own visit is no
    child protection visit); "" for an entry that starts or stops no clock."""
    if section == Section.REFERRAL_ASSESSMENT.value and milestone in (ASSESSMENT_COMPLETED,
                                                                       REFERRED):
        return milestone
    if section == Section.CHANNEL.value and milestone in (CHANNEL_EXIT, CHANNEL_REVIEW):
        return milestone
    if section != STEPS_SECTION:
        return ""
    return entry_type if entry_type in CLOCK_STEPS else ""


CLOCK_STEPS = frozenset({EntryType.STRATEGY_DISCUSSION.value, EntryType.CONFERENCE.value,
                         EntryType.CORE_GROUP.value, EntryType.VISIT.value})
STEPS_SECTION = Section.CASE_NOTES.value


def limits_from_steps(family_id: str, steps: dict[str, list[tuple[date, str]]], today: date,
                      region_name: str, limits: dict[str, LimitRule]) -> list[TimeLimit]:
    """One family's limits that its entries start, from its steps (`step_of`: day and entry
    by step): referral, assessment, conference, core group, visits and Channel reviews."""
    def of(step: str) -> list[tuple[date, str]]:
        return sorted(steps.get(step, []))

    def days(step: str) -> list[date]:
        return [d for d, _entry in of(step)]

    referred_on = days(REFERRED)
    out = [referral_limit(family_id, entry_id, completed,
                          next((r for r in referred_on if r >= completed), None),
                          today, region_name, limits[REFERRAL])
           for completed, entry_id in of(ASSESSMENT_COMPLETED)]
    out += after_limits(family_id, ASSESSMENT, of(REFERRED), days(ASSESSMENT_COMPLETED),
                        today, region_name, limits[ASSESSMENT])
    out += after_limits(family_id, CONFERENCE, of(EntryType.STRATEGY_DISCUSSION.value),
                        days(EntryType.CONFERENCE.value), today, region_name,
                        limits[CONFERENCE])
    conferences = of(EntryType.CONFERENCE.value)
    out += after_limits(family_id, CORE_GROUP, conferences, days(EntryType.CORE_GROUP.value),
                        today, region_name, limits[CORE_GROUP])
    if conferences:
        first = conferences[0]
        visits = [v for v in of(EntryType.VISIT.value) if v[0] >= first[0]]
        out += every_limits(family_id, VISITS, first, visits, today, region_name,
                            limits[VISITS])
    out += channel_limits(family_id, of(CHANNEL_EXIT), days(CHANNEL_REVIEW), today,
                          region_name, limits)
    return out


__all__ = [
    "ASSESSMENT", "AT_RISK", "BREACHED", "CHANNEL_12", "CHANNEL_6", "CONFERENCE",
    "CORE_GROUP", "LIMITS", "ON_TRACK", "REFERRAL", "REVIEW", "STATES", "URGENT", "VISITS",
    "LimitRule", "TimeLimit", "add_month", "after_limits", "channel_limits", "every_limits",
    "limits_from_steps", "region", "referral_limit", "review_limits", "rules", "set_region",
    "state_title", "step_of", "title", "urgent_limit",
]
