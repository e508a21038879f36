"""What a visit records beyond its date (DOMAIN.md): the time, who was present, whether the
child was seen and seen alone, and, for a joint visit, the other agency. The rules live here so
that the command line, the form and the service refuse the same things with the same reason;
the reading form (`visit_summary`) is what the chronology shows before the text."""

from __future__ import annotations

import re

from workbook.domain.entry_types import EntryType
from workbook.domain.errors import WorkbookError

CHILD_SEEN: dict[str, str] = {"yes": "child seen", "no": "child not seen",
                              "alone": "child seen alone"}
MAX_AGENCY = 100
MAX_PRESENT = 500
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class VisitError(WorkbookError, ValueError):
    """A visit field that cannot be recorded; the message says why."""


def time_of_day(value: str) -> str:
    """"HH:MM" on the 24-hour clock ("9:05" is taken as "09:05"); "" stays "" (not recorded)."""
    value = value.strip()
    if not value:
        return ""
    match = _TIME.match(value)
    if match is None:
        raise VisitError(f"the visit time {value[:20]!r} is not in the form HH:MM "
                         "(24-hour clock, e.g. 14:30)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23:
        raise VisitError(f"the visit time {value} is not a time of day: hours run from 00 "
                         "to 23")
    if minutes > 59:
        raise VisitError(f"the visit time {value} is not a time of day: minutes run from 00 "
                         "to 59")
    return f"{hours:02d}:{minutes:02d}"


def visit_fields(entry_type: str, *, time: str = "", child_seen: str = "", joint_with: str = "",
                 present: str = "") -> dict[str, str]:
    """The payload keys a visit adds, checked; only those given (an entry without them stays
    as it always was). They belong to a visit only."""
    out: dict[str, str] = {}
    time = time_of_day(time)
    if time:
        out["time"] = time
    child_seen = child_seen.strip().lower()
    if child_seen:
        if child_seen not in CHILD_SEEN:
            raise VisitError(f"whether the child was seen must be yes, no or alone, not "
                             f"{child_seen[:20]!r}")
        out["child_seen"] = child_seen
    for key, given, what, limit in (("present", present, "who was present", MAX_PRESENT),
                                    ("with", joint_with, "the joint visit's agency",
                                     MAX_AGENCY)):
        value = " ".join(given.split())
        if len(value) > limit:
            raise VisitError(f"{what} is too long (at most {limit} characters)")
        if "\x00" in value:
            raise VisitError(f"{what} contains a NUL character")
        if value:
            out[key] = value
    if out and entry_type != EntryType.VISIT:
        raise VisitError("the time, who was present, whether the child was seen and a joint "
                         "visit are recorded for a visit only (type visit)")
    return out


def visit_summary(time: str, child_seen: str, joint_with: str, present: str) -> str:
    """"14:30, child seen alone, joint visit with police, present: mother, Kai" ("" if none)."""
    parts = [time] if time else []
    if child_seen:
        parts.append(CHILD_SEEN.get(child_seen, f"child seen: {child_seen}"))
    if joint_with:
        parts.append(f"joint visit with {joint_with}")
    if present:
        parts.append(f"present: {present}")
    return ", ".join(parts)
