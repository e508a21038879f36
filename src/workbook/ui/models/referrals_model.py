"""The front door's referrals as a table: when each arrived, from whom, who is named, and its
24-hour limit in words ("Overdue by 3 h"), red as well when breached, never colour alone."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush, QPalette

from workbook.domain.referrals import OUTCOMES, people_text, shown_time
from workbook.services.clock import civil_zone
from workbook.services.front_door.referrals import ReferralShown
from workbook.ui.models.actions_model import OVERDUE_COLOUR
from workbook.ui.models.base import RowsModel


class ReferralsModel(RowsModel[ReferralShown]):
    COL_RECEIVED, COL_SOURCE, COL_PEOPLE, COL_DUE, COL_STATE = range(5)
    HEADERS = ("Received", "From", "People named", "Decide by", "Time left")

    def text(self, row: ReferralShown, column: int) -> str:
        record = row.record
        if column == self.COL_RECEIVED:
            return shown_time(record.received, civil_zone())
        if column == self.COL_SOURCE:
            return record.source + (f" ({record.referrer})" if record.referrer else "")
        if column == self.COL_PEOPLE:
            return people_text(record.people)
        if column == self.COL_DUE:
            return shown_time(record.respond_by, civil_zone())
        if row.state == "decided":
            outcome = row.to_json()["outcome"]
            return f"Decided: {OUTCOMES.get(outcome, outcome)}"
        return row.time_left

    def family_id(self, row: ReferralShown) -> str:
        """A decided referral opens the family it was linked to; an open one opens nothing."""
        return str(row.to_json()["family_id"])

    def foreground(self, row: ReferralShown, column: int) -> Any:
        if column == self.COL_STATE and row.overdue:
            if QPalette().color(QPalette.ColorRole.Window).lightness() < 128:
                return None
            return QBrush(OVERDUE_COLOUR)
        return None
