"""The family workbook view (issue 3): header, navigator, household and genogram, chronology,
entry editor with drafts and history, plan, risk and resilience assessment, conflicts."""

from workbook.ui.family.view import FamilyWorkbookView

__all__ = ["FamilyWorkbookView"]
