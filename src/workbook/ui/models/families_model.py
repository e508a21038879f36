"""Families on the home screen: mine, recently changed, and those with conflicts."""

from __future__ import annotations

from workbook.services.home.overview import ChangedFamily, ConflictFamily, HomeFamily
from workbook.ui.models.base import RowsModel, format_timestamp

STATUS_TEXT = {"open": "Open", "closed": "Closed"}


class FamiliesModel(RowsModel[HomeFamily]):
    """My families: where I am case owner or own a plan action."""

    COL_NAME, COL_REFERENCE, COL_STATUS, COL_MINE = range(4)
    HEADERS = ("Family", "Reference", "Status", "My part")

    def text(self, row: HomeFamily, column: int) -> str:
        if column == self.COL_NAME:
            return row.name
        if column == self.COL_REFERENCE:
            return row.reference
        if column == self.COL_STATUS:
            return STATUS_TEXT.get(row.status, row.status.capitalize())
        return row.mine.capitalize()


class RecentFamiliesModel(RowsModel[ChangedFamily]):
    """Families by their newest change that I can read, newest first."""

    COL_NAME, COL_REFERENCE, COL_CHANGED = range(3)
    HEADERS = ("Family", "Reference", "Changed")

    def text(self, row: ChangedFamily, column: int) -> str:
        if column == self.COL_NAME:
            return row.name
        if column == self.COL_REFERENCE:
            return row.reference
        return format_timestamp(row.changed_at)


class ConflictFamiliesModel(RowsModel[ConflictFamily]):
    """Families where a record has two current versions that someone must merge."""

    COL_NAME, COL_REFERENCE, COL_RECORDS = range(3)
    HEADERS = ("Family", "Reference", "Records in conflict")

    def text(self, row: ConflictFamily, column: int) -> str:
        if column == self.COL_NAME:
            return row.name
        if column == self.COL_REFERENCE:
            return row.reference
        return str(row.records)
