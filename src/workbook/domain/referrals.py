"""The front door's rules: a referral (contact) is received at a date and time, and a triage
decision is due within 24 hours of it (DOMAIN.md, "The front door and the end").

Times are read and shown in the caller's zone (the UK's civil time: the session passes it in),
and stored as ISO date-times with their UTC offset, so the 24 hours are elapsed hours across a
change of the clocks. No clock is read here: `now` is always passed in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from workbook.domain.display import uk_date, uk_date_time
from workbook.domain.errors import WorkbookError
from workbook.domain.records import Referral

# The triage outcomes, as typed and signed, and as a person reads them.
OUTCOMES: dict[str, str] = {
    "nfa": "No further action",
    "early-help": "Early help",
    "child-in-need": "Child in need (section 17)",
    "strategy-discussion": "Strategy discussion (section 47)",
    "channel": "Channel referral",
}
RESPONSE_TIME = timedelta(hours=24)
OPEN, DECIDED = "open", "decided"

_RECEIVED = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})")


class ReferralError(WorkbookError):
    """A referral's time, outcome or person given in a form the front door cannot take."""


def parse_received(text: str, zone: tzinfo, now: datetime) -> datetime:
    """'2026-12-01 09:30', read in `zone`; refused if malformed or later than `now`."""
    shown = text.strip()[:40]
    match = _RECEIVED.fullmatch(text.strip())
    if match is None:
        raise ReferralError(f"the received time {shown!r} is not a date and time in the form "
                            "YYYY-MM-DD HH:MM")
    year, month, day, hour, minute = (int(g) for g in match.groups())
    try:
        received = datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        raise ReferralError(f"the received time {shown!r} is not a real date and time of "
                            "day") from None
    if not 1900 <= year <= 2200:
        raise ReferralError(f"the received time {shown!r} is out of range")
    if received > now:
        raise ReferralError(f"the received time {uk_date_time(received)} is in the future: "
                            "a referral is recorded once it has arrived")
    return received


def respond_by(received: datetime) -> datetime:
    """When the triage decision is due: 24 elapsed hours after the referral arrived."""
    return (received + RESPONSE_TIME).astimezone(received.tzinfo)


def stamp_minutes(moment: datetime) -> str:
    """How a referral's times are stored and printed in JSON: '2026-12-01T09:30:00+00:00'."""
    return moment.isoformat(timespec="seconds")


def moment(value: str, zone: tzinfo) -> datetime | None:
    """A stored time back in `zone`; None if it is not one (a damaged or foreign payload)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(zone)


def shown_time(value: str, zone: tzinfo) -> str:
    """'01/12/2026 09:30' in `zone`, or the stored text as it is if it is no time."""
    parsed = moment(value, zone)
    return value if parsed is None else uk_date_time(parsed)


def state_of(referral: Referral) -> str:
    return DECIDED if referral.decision is not None else OPEN


def is_overdue(referral: Referral, now: datetime) -> bool:
    """Undecided and past its respond-by time. A respond-by that is no time is not overdue
    (as a malformed due date is not, domain/timescales)."""
    if referral.decision is not None:
        return False
    due = moment(referral.respond_by, now.tzinfo or UTC)
    return due is not None and now > due


def time_left(referral: Referral, now: datetime) -> str:
    """What the front door and the board say beside the limit, in words, never colour alone:
    'Decided', '5 h 20 min left', 'Overdue by 3 h'."""
    if referral.decision is not None:
        return "Decided"
    due = moment(referral.respond_by, now.tzinfo or UTC)
    if due is None:
        return "No time limit recorded"
    left = due - now
    if left.total_seconds() > 0:
        return f"{_span(left)} left"
    return f"Overdue by {_span(-left)}"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"{days} days {hours} h" if hours else f"{days} days"
    if hours:
        return f"{hours} h {minutes} min" if minutes and hours < 10 else f"{hours} h"
    return f"{max(minutes, 1)} min"


def parse_outcome(text: str) -> str:
    value = text.strip()
    if value not in OUTCOMES:
        raise ReferralError(f"unknown outcome {value[:40]!r}; use one of "
                            f"{', '.join(OUTCOMES)}")
    return value


def split_person(text: str) -> tuple[str, str]:
    """'NAME|DOB' (the date of birth may be left out: 'NAME' or 'NAME|') -> (name, dob)."""
    if text.count("|") > 1:
        raise ReferralError("a person is given as NAME|DOB (one '|' at most), for example "
                            "'Zoe Smith|2015-03-02'")
    name, _bar, dob = text.partition("|")
    return name, dob.strip()


def people_text(people: tuple[dict[str, Any], ...] | tuple[Any, ...]) -> str:
    """'Zoe Smith (born 02/03/2015), Anna Smith': the people named, as a line of text."""
    return ", ".join(
        f"{p.get('name', '')} (born {uk_date(str(p['dob']))})" if p.get("dob")
        else str(p.get("name", "")) for p in people)


def decision_note(referral: Referral, zone: tzinfo, *, outcome: str, reason: str,
                  decided_by: str) -> str:
    """The entry a family's workbook gets for the referral that brought it in (or came to
    it): where it came from and what was decided, so the workbook tells its own start."""
    source = referral.source + (f" ({referral.referrer})" if referral.referrer else "")
    return (f"Referral received {shown_time(referral.received, zone)} from {source}: "
            f"{referral.concern}\nPeople named: {people_text(referral.people) or 'none'}\n"
            f"Triage decision: {OUTCOMES.get(outcome, outcome)}, by {decided_by}. "
            f"Reason: {reason}")
