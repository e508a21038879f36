"""Qt item models over service results: `set_rows(...)`, COL_* constants, custom roles; each is
tested without a view (STYLE.md 4)."""

from workbook.ui.family.models.actions_model import PlanActionsModel
from workbook.ui.family.models.chronology_model import ChronologyModel
from workbook.ui.family.models.conflicts_model import ConflictsModel
from workbook.ui.family.models.members_model import MembersModel

__all__ = ["ChronologyModel", "ConflictsModel", "MembersModel", "PlanActionsModel"]
