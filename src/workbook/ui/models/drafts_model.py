"""My drafts on Home: family, section, when last typed, and the first line."""

from __future__ import annotations

from workbook.services.home.my_drafts import HomeDraft
from workbook.ui.models.base import RowsModel, format_timestamp


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
