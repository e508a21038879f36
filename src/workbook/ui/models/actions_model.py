"""My overdue plan actions, most overdue first; the overdue column stands out."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush, QColor, QPalette

from workbook.services.home.overview import HomeAction
from workbook.ui.models.base import RowsModel, format_date

OVERDUE_COLOUR = QColor(160, 30, 30)


def overdue_text(days: int) -> str:
    if days <= 0:
        return ""
    return "1 day" if days == 1 else f"{days} days"


class ActionsModel(RowsModel[HomeAction]):
    COL_DUE, COL_ACTION, COL_FAMILY, COL_OVERDUE = range(4)
    HEADERS = ("Due", "Action", "Family", "Overdue by")

    def text(self, row: HomeAction, column: int) -> str:
        if column == self.COL_DUE:
            return format_date(row.due)
        if column == self.COL_ACTION:
            return row.text
        if column == self.COL_FAMILY:
            return row.family_name
        return overdue_text(row.days_overdue)

    def foreground(self, row: HomeAction, column: int) -> Any:
        if column in (self.COL_DUE, self.COL_OVERDUE) and row.days_overdue > 0:
            # The theme's own text colour in high contrast; a calm dark red otherwise.
            if QPalette().color(QPalette.ColorRole.Window).lightness() < 128:
                return None
            return QBrush(OVERDUE_COLOUR)
        return None
