"""Qt item models over service results (STYLE.md 4): `set_rows(...)`, COL_* constants and
custom roles; each is tested without a view."""

from workbook.ui.models.actions_model import ActionsModel
from workbook.ui.models.approvals_model import PendingApprovalsModel, PendingPerson
from workbook.ui.models.base import (
    FAMILY_ID_ROLE,
    ROW_ROLE,
    RowsModel,
    format_date,
    format_timestamp,
)
from workbook.ui.models.families_model import (
    ConflictFamiliesModel,
    FamiliesModel,
    RecentFamiliesModel,
)
from workbook.ui.models.search_results_model import SearchResultsModel

__all__ = [
    "FAMILY_ID_ROLE",
    "ROW_ROLE",
    "ActionsModel",
    "ConflictFamiliesModel",
    "FamiliesModel",
    "PendingApprovalsModel",
    "PendingPerson",
    "RecentFamiliesModel",
    "RowsModel",
    "SearchResultsModel",
    "format_date",
    "format_timestamp",
]
