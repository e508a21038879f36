"""The one way the bundle reader says no: a specific sentence, safe to show, never content."""

from __future__ import annotations

from workbook.domain.errors import WorkbookError


class BundleRefused(WorkbookError):
    """The bundle failed a check; nothing was decrypted after the failing check, nothing stored."""
