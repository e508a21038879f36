"""Evaluate and follow up: the outcomes of the families the team closed, month by month, and
each family's scaling trend from its signed-off supervision reviews.

Both are read from the signed, verified heads this person may read (the family record in the
household section, reviews in the supervision section), never from a plain table: the closing
row of the retention table holds no outcome, and anyone signed in could rewrite it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.domain.acts import Act
from workbook.domain.outcomes import Closing, MonthOutcomes, ScalingPoint, by_month
from workbook.domain.roles import Section
from workbook.services import validation
from workbook.services.supervision.board import FINAL, latest_records

if TYPE_CHECKING:
    from workbook.services.session import Session


class Outcomes:
    """The team's outcomes by month (supervisors) and scaling trends (practitioners who may
    read the supervision section)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def by_month(self) -> list[MonthOutcomes]:
        """Closed families per month closed, counted by outcome, oldest month first."""
        self.s.require_practitioner()
        self.s.require(Act.SUPERVISE, refusal="the team's outcomes are for a team manager or "
                                              "a senior social worker")
        household = Section.HOUSEHOLD.value
        if not self.s.records.can_read(household):
            return []
        closings = []
        for rec in latest_records(self.s, "family", {household}).values():
            p = rec.head.payload
            if p.get("status") not in ("closed", "transferred") or p.get("deleted"):
                continue
            closings.append(Closing(rec.head.family_id, str(p.get("closed_at", "")),
                                    str(p.get("outcome", ""))))
        return by_month(closings)

    def scaling_trends(self) -> dict[str, list[ScalingPoint]]:
        """Family id -> its signed-off reviews' scaling judgements, oldest first ({} when I
        may not read the supervision section)."""
        self.s.require_practitioner()
        supervision = Section.SUPERVISION.value
        if not self.s.records.can_read(supervision):
            return {}
        out: dict[str, list[ScalingPoint]] = {}
        for rec in latest_records(self.s, "review", {supervision}).values():
            p = rec.head.payload
            scaling = p.get("scaling")
            if (p.get("status") != FINAL or p.get("deleted") or type(scaling) is not int
                    or not isinstance(p.get("date"), str)):
                continue
            out.setdefault(rec.head.family_id, []).append(
                ScalingPoint(str(p["date"]), scaling))
        for points in out.values():
            points.sort(key=lambda point: point.date)
        return out

    def scaling_trend(self, family_id: str) -> list[ScalingPoint]:
        """One family's scaling judgements, oldest first."""
        family_id = validation.record_id(family_id, "family id")
        return self.scaling_trends().get(family_id, [])


@dataclass(frozen=True)
class FollowUp:
    """What the board adds for evaluation: scaling trends by family, and the outcomes by
    month (None for someone who is not a supervisor)."""

    trends: dict[str, list[ScalingPoint]]
    outcomes: list[MonthOutcomes] | None


def follow_up(session: Session) -> FollowUp:
    """The board's scaling trends and, for supervisors, the team's outcomes by month."""
    if not session.may(Act.CASEWORK):
        return FollowUp({}, None)
    found = session.outcomes
    return FollowUp(found.scaling_trends(),
                    found.by_month() if session.may(Act.SUPERVISE) else None)
