"""Consent, per person: what was decided, and what a share must do about it.

A person gives, refuses or withdraws consent for a purpose; each decision is its own record,
and the newest for a purpose stands. A share whose purpose some person of the shared
families has not consented to (no record, refused, withdrawn) goes ahead only with a reason
and the lawful basis that overrides, and the override is kept in both vaults' sharing logs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbook.domain.errors import WorkbookError

STATUSES = ("given", "refused", "withdrawn")
MISSING = "missing"
MAX_TEXT = 4000


class ConsentRefused(WorkbookError):
    """A consent record (or a share without consent) that the rules refuse."""


@dataclass(frozen=True)
class ConsentDecision:
    """One recorded decision, as the checks read it."""

    person: str
    status: str
    purpose: str
    at: str


def same_purpose(a: str, b: str) -> bool:
    """Purposes are typed by people: case and spacing do not make a different purpose."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def standing(decisions: Iterable[ConsentDecision], person: str, purpose: str) -> str:
    """The status that stands for `person` and `purpose`: that of the newest decision for the
    purpose, or "missing" when none was recorded."""
    newest: ConsentDecision | None = None
    for d in decisions:
        if d.person == person and same_purpose(d.purpose, purpose) and \
                (newest is None or d.at >= newest.at):
            newest = d
    return MISSING if newest is None else newest.status


def check_fields(status: str, purpose: str, scope: str, how: str) -> tuple[str, str, str, str]:
    """The fields of a new consent record, cleaned, or one sentence saying what is wrong."""
    if status not in STATUSES:
        raise ConsentRefused(f"consent status must be one of {', '.join(STATUSES)}, not "
                             f"{status[:20]!r}")
    purpose = " ".join(purpose.split())
    if not purpose:
        raise ConsentRefused("give the purpose the consent is for (--purpose)")
    for value, what in ((purpose, "purpose"), (scope, "scope"), (how, "how it was obtained")):
        if len(value) > MAX_TEXT:
            raise ConsentRefused(f"the {what} is too long (at most {MAX_TEXT} characters)")
        if "\x00" in value:
            raise ConsentRefused(f"the {what} contains a NUL character")
    return status, purpose, scope.strip(), how.strip()
