"""The time limits that matter (DOMAIN.md) and where each family stands against them.

- referral: an assessment leads to a referral to the safeguarding team within 10 working days
  of its completion (working days of the vault's region);
- urgent-response: a concern marked urgent needs a response within 24 hours;
- review: every open family is reviewed at least monthly; unreviewed for more than a month
  (from its last signed-off review, or from when it was opened) it is overdue.

A limit still running is `on_track`, `at_risk` (close to its due point) or `breached` (past
it). A limit that was met is kept, with whether it was met in time, for compliance by month.
The region is a vault setting, changed by the owner, a team manager or the administrator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from workbook.domain.acts import Act
from workbook.domain.working_days import (
    DEFAULT_REGION,
    add_working_days,
    parse_region,
    working_days_between,
)
from workbook.services.errors import InvalidInput
from workbook.vault import meta

if TYPE_CHECKING:
    from workbook.services.session import Session

REGION_KEY = "working_days_region"
REFERRAL = "referral"
URGENT = "urgent-response"
REVIEW = "review"
LIMITS = (REFERRAL, URGENT, REVIEW)
ON_TRACK, AT_RISK, BREACHED = "on_track", "at_risk", "breached"
STATES = (ON_TRACK, AT_RISK, BREACHED)

REFERRAL_WORKING_DAYS = 10
REFERRAL_AT_RISK_WORKING_DAYS = 2   # two working days or fewer left
URGENT_HOURS = 24
URGENT_AT_RISK_HOURS = 6
REVIEW_AT_RISK_DAYS = 7


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


# --- the three limits ---------------------------------------------------------------------
def referral_limit(family_id: str, entry_id: str, completed: date, referred: date | None,
                   today: date, region_name: str) -> TimeLimit:
    due = add_working_days(completed, REFERRAL_WORKING_DAYS, region_name)
    if referred is not None:
        state = ON_TRACK if referred <= due else BREACHED
        return TimeLimit(family_id, REFERRAL, completed.isoformat(), due.isoformat(), state,
                         referred.isoformat(), entry_id)
    if today > due:
        state = BREACHED
    elif working_days_between(today, due, region_name) <= REFERRAL_AT_RISK_WORKING_DAYS:
        state = AT_RISK
    else:
        state = ON_TRACK
    return TimeLimit(family_id, REFERRAL, completed.isoformat(), due.isoformat(), state, "",
                     entry_id)


def urgent_limit(family_id: str, entry_id: str, raised: datetime, responded: datetime | None,
                 now: datetime) -> TimeLimit:
    due = raised + timedelta(hours=URGENT_HOURS)
    if responded is not None:
        state = ON_TRACK if responded <= due else BREACHED
        return TimeLimit(family_id, URGENT, raised.isoformat(), due.isoformat(), state,
                         responded.isoformat(), entry_id)
    if now > due:
        state = BREACHED
    elif due - now <= timedelta(hours=URGENT_AT_RISK_HOURS):
        state = AT_RISK
    else:
        state = ON_TRACK
    return TimeLimit(family_id, URGENT, raised.isoformat(), due.isoformat(), state, "",
                     entry_id)


def add_month(day: date) -> date:
    """The same day next month, or that month's last day (31 January -> 28/29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def review_limits(family_id: str, opened: date, reviews: list[date],
                  today: date) -> list[TimeLimit]:
    """One met limit per signed-off review (in time if within a month of the one before, or of
    the family's opening) and the running one from the last."""
    out = []
    start = opened
    for held in sorted(reviews):
        due = add_month(start)
        out.append(TimeLimit(family_id, REVIEW, start.isoformat(), due.isoformat(),
                             ON_TRACK if held <= due else BREACHED, held.isoformat(), family_id))
        start = held
    due = add_month(start)
    if today > due:
        state = BREACHED
    elif (due - today).days <= REVIEW_AT_RISK_DAYS:
        state = AT_RISK
    else:
        state = ON_TRACK
    out.append(TimeLimit(family_id, REVIEW, start.isoformat(), due.isoformat(), state, "",
                         family_id))
    return out
