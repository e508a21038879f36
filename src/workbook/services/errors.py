"""Errors a person can act on. Every message is one specific sentence, safe to show: no
secrets, no case content."""

from __future__ import annotations

from workbook.domain.errors import WorkbookError
from workbook.vault.database import DatabaseError

# DatabaseError is the database engine's own: a page failed its check. Its text is not for
# people, so it is no WorkbookError; the edges name it here rather than import the vault.
__all__ = ["DatabaseError", "InvalidInput", "NotFound", "NotPermitted",
           "PassphraseMustBeReplaced", "SignInFailed", "TamperingDetected", "WorkbookError"]


class NotPermitted(WorkbookError):
    """The signed-in person's role or keys do not allow this."""


class NotFound(WorkbookError):
    """No such family, person, entry, action or user (or not one this person may see)."""


class InvalidInput(WorkbookError):
    """A value given by the user is malformed; nothing was changed."""


class SignInFailed(WorkbookError):
    """Wrong username or passphrase, locked account, or a delay still running."""


class TamperingDetected(WorkbookError):
    """Stored data failed a signature or authentication check: never shown as good data."""


class PassphraseMustBeReplaced(WorkbookError):
    """An account with an initial passphrase may do nothing else until it is replaced."""
