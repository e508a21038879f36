"""When a plan action is overdue: the one rule the home screen, the supervisor's board, the
family's plan and the printed summaries all show.

Overdue is counted in calendar days against the UK civil date, which the caller passes in
(`services.clock.civil_date` of the session's clock): the rule reads no clock, so a test and a
screen agree on what "today" is."""

from __future__ import annotations

from datetime import date


def days_overdue(due: str | date, today: date) -> int:
    """Calendar days `due` has passed by on `today`; 0 when it has not, or is not a date."""
    if isinstance(due, str):
        try:
            due = date.fromisoformat(due)
        except ValueError:
            return 0
    return max((today - due).days, 0)


def is_overdue(due: str | date, today: date) -> bool:
    """Whether `due` (a YYYY-MM-DD date) has passed on `today`. Whether the action is still
    open (neither done nor cancelled) is the caller's to ask first."""
    return days_overdue(due, today) > 0
