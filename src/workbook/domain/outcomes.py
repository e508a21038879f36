"""Evaluate and follow up: what changed for a family, in the team's own words.

A family is closed with an outcome (what changed), the reason for saying so and, if the team
wishes, the lessons learned; supervisors then see the outcomes of the families closed each
month. A family's scaling judgements (0-10, one per supervision review) read as a trend. The
rules live here, without the vault, so the command line, the board and the prints agree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbook.domain.display import uk_date
from workbook.domain.records import Review
from workbook.domain.roles import Section
from workbook.domain.workbook import FamilyWorkbook

OUTCOMES: tuple[str, ...] = (
    "improved", "no-change", "worse", "stepped-down", "escalated", "transferred")
# A family closed by a script written before outcomes were recorded (`family close --type`).
NOT_RECORDED = "not-recorded"

OUTCOME_LABELS: dict[str, str] = {
    "improved": "Improved", "no-change": "No change", "worse": "Worse",
    "stepped-down": "Stepped down", "escalated": "Escalated", "transferred": "Transferred",
    NOT_RECORDED: "Not recorded"}

MAX_LESSONS = 20_000


def outcome_choice(text: str) -> str:
    """The outcome `text` names, or ValueError with the one line to show."""
    wanted = text.strip()
    if wanted not in OUTCOMES:
        raise ValueError(f"unknown outcome {wanted[:40]!r}; use one of {', '.join(OUTCOMES)}")
    return wanted


@dataclass(frozen=True)
class Closing:
    """One closed family as the outcomes count it: when (ISO time stamp) and the outcome."""

    family_id: str
    closed_at: str
    outcome: str


@dataclass(frozen=True)
class MonthOutcomes:
    """The families closed in one month ("2026-11"), counted by outcome."""

    month: str
    closed: int
    by_outcome: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"month": self.month, "closed": self.closed, "by_outcome": dict(self.by_outcome)}

    def describe(self) -> str:
        """'2026-11: 3 closed (improved 2, worse 1)': the month as a screen reader reads it."""
        parts = ", ".join(f"{OUTCOME_LABELS.get(k, k).lower()} {n}"
                          for k, n in self.by_outcome.items() if n)
        return f"{self.month}: {self.closed} closed" + (f" ({parts})" if parts else "")


def by_month(closings: Iterable[Closing]) -> list[MonthOutcomes]:
    """Closed families per month, oldest month first; each month names every outcome (a
    family closed without one counts as "not-recorded", listed only when there is one)."""
    months: dict[str, dict[str, int]] = {}
    for closing in closings:
        month = closing.closed_at[:7]
        if len(month) != 7:
            continue
        counts = months.setdefault(month, dict.fromkeys(OUTCOMES, 0))
        outcome = closing.outcome if closing.outcome in OUTCOMES else NOT_RECORDED
        counts[outcome] = counts.get(outcome, 0) + 1
    return [MonthOutcomes(month, sum(counts.values()), counts)
            for month, counts in sorted(months.items())]


@dataclass(frozen=True)
class ScalingPoint:
    """One supervision review's scaling judgement: the review's date (ISO) and the score."""

    date: str
    scaling: int


def scaling_trend_text(points: Sequence[ScalingPoint]) -> str:
    """'4 -> 6 -> 7': the judgements in date order, as a board cell and a screen reader show
    them ("" when the family has none)."""
    return " -> ".join(str(p.scaling) for p in sorted(points, key=lambda p: p.date))


def scaling_trend_description(points: Sequence[ScalingPoint]) -> str:
    """'4 on 01/09/2026, 6 on 01/10/2026': the trend with its dates, for tooltips and the
    chart's accessible description."""
    ordered = sorted(points, key=lambda p: p.date)
    return ", ".join(f"{p.scaling} on {uk_date(p.date)}" for p in ordered)


def scaling_points(workbook: FamilyWorkbook) -> list[ScalingPoint]:
    """The signed-off reviews' scaling judgements in an opened workbook, oldest first (none
    when the supervision section may not be read: it is then not in the workbook)."""
    points = []
    for shown in workbook.section(Section.SUPERVISION.value).entries:
        if shown.record_type is not Review:
            continue
        p = shown.payload
        scaling = p.get("scaling")
        if p.get("status") == "final" and type(scaling) is int and isinstance(p.get("date"), str):
            points.append(ScalingPoint(str(p["date"]), scaling))
    return sorted(points, key=lambda point: point.date)
