"""One error for every authentication failure, as pyca's Fernet does: callers never learn
which check failed, and cannot forget to handle one of several."""

from __future__ import annotations


class AuthenticationFailed(Exception):
    """A wrap, seal or signature did not verify: wrong key, or the bytes were altered.

    Not a WorkbookError: it is a signal for the caller, who says what it means for the person
    (SignInFailed, TamperingDetected, VaultDamaged); its text names internal objects."""

    def __init__(self, what: str = "data") -> None:
        super().__init__(f"{what} failed authentication: wrong key, or it was altered")
        self.what = what
