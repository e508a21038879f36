"""The time limits a unit keeps, as the signed policy sets them: how long each may run and
when it counts as at risk. Pure: what starts and stops each clock is the services' (the
board's) to find; this module says only how far away the due point is and what state a
running clock is in on a given day.

A policy's `[time-limits]` table names a limit and its length, e.g.

    child-and-family-assessment = "45 working days"
    initial-conference = { within = "15 working days", at-risk = "3 working days" }

A limit the table does not name keeps its default. At risk, unless the policy says otherwise:
two working days or fewer left for a limit counted in working days (or in days), six hours or
fewer for one counted in hours, seven days or fewer for one counted in months."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from workbook.domain.working_days import add_working_days, working_days_between

WORKING_DAYS, DAYS, HOURS, MONTHS = "working days", "days", "hours", "months"
UNITS = (WORKING_DAYS, DAYS, HOURS, MONTHS)
ON_TRACK, AT_RISK, BREACHED = "on_track", "at_risk", "breached"
STATE_TITLES = {ON_TRACK: "on track", AT_RISK: "at risk", BREACHED: "breached"}

REFERRAL = "referral"
URGENT = "urgent-response"
REVIEW = "review"
ASSESSMENT = "child-and-family-assessment"
CONFERENCE = "initial-conference"
CORE_GROUP = "core-group"
VISITS = "child-protection-visits"
CHANNEL_6 = "channel-review-6-months"
CHANNEL_12 = "channel-review-12-months"

# What each limit is, as a person reads it on the board and in the policy.
LIMIT_TITLES: dict[str, str] = {
    REFERRAL: "Referral to the safeguarding team after an assessment",
    URGENT: "Response to an urgent concern",
    REVIEW: "Monthly review at group supervision",
    ASSESSMENT: "Child and family assessment after a referral",
    CONFERENCE: "Initial child protection conference after the strategy discussion",
    CORE_GROUP: "Core group after the conference",
    VISITS: "Child protection visit",
    CHANNEL_6: "Channel review 6 months after exit",
    CHANNEL_12: "Channel review 12 months after exit",
}
# Short names, for the board and the family's Time limits, where the length follows in brackets.
LIMIT_NAMES: dict[str, str] = {
    REFERRAL: "Referral", URGENT: "Urgent concern", REVIEW: "Review",
    ASSESSMENT: "Child and family assessment", CONFERENCE: "Initial child protection conference",
    CORE_GROUP: "Core group", VISITS: "Child protection visit", CHANNEL_6: "Channel review",
    CHANNEL_12: "Channel review",
}
MAX_AMOUNT = {WORKING_DAYS: 260, DAYS: 366, HOURS: 720, MONTHS: 36}
_LENGTH = re.compile(r"^\s*(\d{1,4})\s+(working\s+days?|days?|hours?|months?)\s*$", re.I)


@dataclass(frozen=True)
class LimitRule:
    """How long a limit runs and how close to its due point it counts as at risk."""

    amount: int
    unit: str
    at_risk: int
    at_risk_unit: str

    @property
    def length(self) -> str:
        return _say(self.amount, self.unit)

    @property
    def at_risk_length(self) -> str:
        return _say(self.at_risk, self.at_risk_unit)

    def due(self, start: date, region: str) -> date:
        """The day a clock started on `start` must be met by (not for hours: see `due_at`)."""
        if self.unit == WORKING_DAYS:
            return add_working_days(start, self.amount, region)
        if self.unit == MONTHS:
            return add_months(start, self.amount)
        return start + timedelta(days=self.amount if self.unit == DAYS else 0)

    def due_at(self, start: datetime) -> datetime:
        return start + timedelta(hours=self.amount)

    def state(self, today: date, due: date, region: str) -> str:
        """on_track, at_risk or breached on `today` for a clock still running."""
        if today > due:
            return BREACHED
        if self.at_risk_unit == WORKING_DAYS:
            left = working_days_between(today, due, region)
        else:
            left = (due - today).days
        return AT_RISK if left <= self.at_risk else ON_TRACK

    def state_at(self, now: datetime, due: datetime) -> str:
        if now > due:
            return BREACHED
        return AT_RISK if due - now <= timedelta(hours=self.at_risk) else ON_TRACK


def limit_label(limit: str, rule: LimitRule | None) -> str:
    """A limit as the board names it: "Referral (10 working days)", "Monthly review"."""
    name = LIMIT_NAMES.get(limit, limit)
    if rule is None:
        return name
    if limit == REVIEW and (rule.amount, rule.unit) == (1, MONTHS):
        return "Monthly review"
    if limit in (CHANNEL_6, CHANNEL_12):
        return f"{name} ({rule.length} after exit)"
    if limit == VISITS:
        return f"{name} (every {rule.length})"
    return f"{name} ({rule.length})"


def _rule(amount: int, unit: str) -> LimitRule:
    at_risk = {WORKING_DAYS: (2, WORKING_DAYS), DAYS: (2, DAYS), HOURS: (6, HOURS),
               MONTHS: (7, DAYS)}[unit]
    return LimitRule(amount, unit, *at_risk)


DEFAULT_TIME_LIMITS: dict[str, LimitRule] = {
    REFERRAL: _rule(10, WORKING_DAYS),
    URGENT: _rule(24, HOURS),
    REVIEW: _rule(1, MONTHS),
    ASSESSMENT: _rule(45, WORKING_DAYS),
    CONFERENCE: _rule(15, WORKING_DAYS),
    CORE_GROUP: _rule(10, WORKING_DAYS),
    VISITS: _rule(10, WORKING_DAYS),
    CHANNEL_6: _rule(6, MONTHS),
    CHANNEL_12: _rule(12, MONTHS),
}
LIMITS: tuple[str, ...] = tuple(DEFAULT_TIME_LIMITS)


def add_months(day: date, months: int = 1) -> date:
    """The same day `months` later, or that month's last day (31 January -> 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def parse_time_limits(table: object) -> dict[str, LimitRule]:
    """A policy's [time-limits] table over the defaults; ValueError naming the first problem
    (the policy parser turns it into a PolicyError)."""
    out = dict(DEFAULT_TIME_LIMITS)
    if table is None:
        return out
    if not isinstance(table, dict):
        raise ValueError("[time-limits] must be a table of limit = \"N working days\"")
    for name, value in table.items():
        if name not in DEFAULT_TIME_LIMITS:
            raise ValueError(f"[time-limits] names an unknown limit {name!r}; use one of "
                             f"{', '.join(LIMITS)}")
        out[name] = _parse_one(name, value)
    return out


def _parse_one(name: str, value: object) -> LimitRule:
    if isinstance(value, str):
        amount, unit = _length(name, value)
        _check_unit(name, unit)
        return _rule(amount, unit)
    if not isinstance(value, dict) or "within" not in value or set(value) - {"within",
                                                                           "at-risk"}:
        raise ValueError(f"[time-limits] {name} must be a length such as \"10 working days\" "
                         "or a table { within = ..., at-risk = ... }")
    amount, unit = _length(name, value["within"])
    _check_unit(name, unit)
    rule = _rule(amount, unit)
    if "at-risk" in value:
        risk, risk_unit = _length(f"{name} at-risk", value["at-risk"])
        if risk_unit == MONTHS or (risk_unit == HOURS) != (unit == HOURS):
            allowed = "hours" if unit == HOURS else "working days or days"
            raise ValueError(f"[time-limits] {name} at-risk must be in {allowed}")
        rule = LimitRule(amount, unit, risk, risk_unit)
    return rule


def _length(where: str, value: object) -> tuple[int, str]:
    found = _LENGTH.match(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"[time-limits] {where} must be a length such as \"10 working days\", "
                         "\"24 hours\" or \"6 months\"")
    amount = int(found.group(1))
    unit = " ".join(found.group(2).lower().split())
    unit = unit if unit.endswith("s") else unit + "s"
    if not 1 <= amount <= MAX_AMOUNT[unit]:
        raise ValueError(f"[time-limits] {where} must be from 1 to {MAX_AMOUNT[unit]} {unit}")
    return amount, unit


def _check_unit(name: str, unit: str) -> None:
    # The urgent response is the one clock started at a moment rather than on a day.
    if (name == URGENT) != (unit == HOURS):
        wanted = "hours" if name == URGENT else "working days, days or months"
        raise ValueError(f"[time-limits] {name} must be counted in {wanted}")


def _say(amount: int, unit: str) -> str:
    return f"{amount} {unit[:-1] if amount == 1 else unit}"


def time_limits_toml(rules: dict[str, LimitRule]) -> list[str]:
    """The [time-limits] lines of a policy's canonical text: only the limits that differ from
    the defaults (none: no table, so an older policy's text is unchanged)."""
    changed = {n: r for n, r in rules.items() if r != DEFAULT_TIME_LIMITS[n]}
    if not changed:
        return []
    lines = ["", "[time-limits]"]
    for name, rule in changed.items():
        lines.append(f'{name} = {{ within = "{rule.length}", '
                     f'at-risk = "{rule.at_risk_length}" }}')
    return lines
