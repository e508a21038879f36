"""Home's lists of what waits for me: my drafts (family, section, when last typed, the
first line) and sealed entries passed on to a section I hold."""

from __future__ import annotations

from workbook.services.home.for_me import HomeDraft, SealedForMe
from workbook.ui.models.base import RowsModel, format_date, format_timestamp


class DraftsModel(RowsModel[HomeDraft]):
    COL_FAMILY, COL_SECTION, COL_TYPED, COL_TEXT = range(4)
    HEADERS = ("Family", "Section", "Last typed", "Draft")

    def text(self, row: HomeDraft, column: int) -> str:
        if column == self.COL_FAMILY:
            return row.family_name
        if column == self.COL_SECTION:
            return row.section + (" (correction)" if row.correction else "")
        if column == self.COL_TYPED:
            return format_timestamp(row.updated_at)
        return row.preview


class SealedModel(RowsModel[SealedForMe]):
    """Sealed entries passed on to a section I hold: family, section, date, from whom."""

    COL_FAMILY, COL_SECTION, COL_DATE, COL_FROM, COL_TEXT = range(5)
    HEADERS = ("Family", "Section", "Date", "From", "Entry")

    def text(self, row: SealedForMe, column: int) -> str:
        return (row.family_name, row.section, format_date(row.date), row.author,
                row.preview)[column]
