"""What a printed document shows, as plain data: the services fill these in from what the printing
person may read, and the report modules lay them out. Keeping the two apart means a report cannot
reach for more than it was given, and it can be tested (and benchmarked) without a vault."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbook.domain.genogram import GenogramPerson

__all__ = [
    "ActionLine",
    "AssessmentContent",
    "CaseSummaryContent",
    "EntryLine",
    "FactorLine",
    "FamilyHeading",
    "HomeVisitContent",
    "PersonLine",
    "SubjectAccessContent",
]


@dataclass(frozen=True)
class FamilyHeading:
    """Who the document is about. `case_owner` is the lead professional's full name."""

    name: str
    reference: str
    case_owner: str
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonLine:
    """A household member; `age` is worked out on the day of printing ("" if no date of birth)."""

    name: str
    dob: str
    age: str
    relationship: str
    address: str = ""
    language: str = ""


@dataclass(frozen=True)
class ActionLine:
    """A plan action; `mine` marks the printing person's own, which are listed first."""

    text: str
    owner: str
    due: str
    status: str
    mine: bool = False
    overdue: bool = False


@dataclass(frozen=True)
class EntryLine:
    """One entry as a printout shows it: `section` is the section's title, not its id."""

    date: str
    section: str
    type: str
    author: str
    text: str
    significant: bool = False
    conflict: bool = False


@dataclass(frozen=True)
class FactorLine:
    domain: str     # "Risk/threat" or "Resilience"
    factor: str
    rating: str
    rationale: str


@dataclass(frozen=True)
class AssessmentContent:
    """The latest structured risk and resilience assessment."""

    date: str
    author: str
    factors: tuple[FactorLine, ...]
    formulation: str


@dataclass(frozen=True)
class HomeVisitContent:
    """A home-visit summary. A part the worker left out is None (or an empty tuple with its
    flag in `left_out`), and the report then prints no heading for it at all."""

    family: FamilyHeading
    safety_flags: tuple[EntryLine, ...] | None
    household: tuple[PersonLine, ...] | None
    actions: tuple[ActionLine, ...] | None
    recent: tuple[EntryLine, ...] | None
    contacts: tuple[tuple[str, str], ...] | None  # (role, who / how to reach)
    show_address: bool = True
    left_out: tuple[str, ...] = ()
    # Titles of restricted sections the printing person chose to include in this print.
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseSummaryContent:
    """A case summary; None means the part was left out, an empty tuple that nothing is held
    (or nothing the printing person may read)."""

    family: FamilyHeading
    household: tuple[PersonLine, ...] | None
    genogram: tuple[GenogramPerson, ...] | None
    assessment_entries: tuple[EntryLine, ...] | None
    risk: AssessmentContent | None
    risk_entries: tuple[EntryLine, ...] | None
    actions: tuple[ActionLine, ...] | None
    chronology: tuple[EntryLine, ...] | None
    left_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubjectAccessContent:
    """Everything held about one person that the exporting person may read."""

    subject: PersonLine
    family: FamilyHeading
    details: tuple[tuple[str, str], ...]          # (field, value) of the person's own record
    others: tuple[PersonLine, ...]                # other household members (third parties)
    actions: tuple[ActionLine, ...]
    entries: tuple[EntryLine, ...]
    sections: tuple[str, ...] = field(default_factory=tuple)  # section titles searched
    redacted: bool = False
    # What was withheld, for the reviewer: (category, how many, why).
    withheld: tuple[tuple[str, int, str], ...] = ()
