"""Home's deadlines: families due for review this month, and time limits at risk or breached."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush, QPalette

from workbook.services.family.time_limits import (
    ASSESSMENT,
    BREACHED,
    CHANNEL_6,
    CHANNEL_12,
    CONFERENCE,
    CORE_GROUP,
    REFERRAL,
    REVIEW,
    URGENT,
    VISITS,
)
from workbook.services.supervision.board import DueFamily, LimitRow
from workbook.ui.models.actions_model import OVERDUE_COLOUR
from workbook.ui.models.base import RowsModel, format_date

LIMIT_TEXT = {REFERRAL: "Referral after assessment", URGENT: "Urgent concern: response",
              REVIEW: "Monthly review", ASSESSMENT: "Child and family assessment",
              CONFERENCE: "Initial child protection conference", CORE_GROUP: "Core group",
              VISITS: "Child protection visit", CHANNEL_6: "Channel review (6 months)",
              CHANNEL_12: "Channel review (12 months)"}
STATE_TEXT = {BREACHED: "Breached", "at_risk": "At risk", "on_track": "On track"}


class DueReviewsModel(RowsModel[DueFamily]):
    COL_NAME, COL_OWNER, COL_NEXT = range(3)
    HEADERS = ("Family", "Case owner", "Review due")
    people: dict[str, str] = {}  # username -> full name, set with the rows

    def text(self, row: DueFamily, column: int) -> str:
        if column == self.COL_NAME:
            return row.name
        if column == self.COL_OWNER:
            owner = row.case_owner
            return self.people.get(owner, "a former colleague") if owner else "not set"
        return format_date(row.next_review) if row.next_review else "Never reviewed"


class TimeLimitsModel(RowsModel[LimitRow]):
    COL_FAMILY, COL_LIMIT, COL_DUE, COL_STATE = range(4)
    HEADERS = ("Family", "Time limit", "Due", "State")

    def text(self, row: LimitRow, column: int) -> str:
        if column == self.COL_FAMILY:
            return row.family_name
        if column == self.COL_LIMIT:
            return LIMIT_TEXT.get(row.limit, row.limit)
        if column == self.COL_DUE:
            return format_date(row.due[:10])
        return STATE_TEXT.get(row.state, row.state)

    def foreground(self, row: LimitRow, column: int) -> Any:
        if column == self.COL_STATE and row.state == BREACHED:
            if QPalette().color(QPalette.ColorRole.Window).lightness() < 128:
                return None
            return QBrush(OVERDUE_COLOUR)
        return None
