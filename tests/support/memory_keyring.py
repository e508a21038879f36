"""An in-memory keyring for tests, so no test touches the developer's real OS keyring."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Passwords in a dict. Install with `keyring.set_keyring(MemoryKeyring())`."""

    priority = 1

    # keyring registers every subclass for its automatic detection; a throwaway in-memory store
    # must never be picked up that way by a later test that expects the real default.
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.store[(service, username)]
        except KeyError:
            raise PasswordDeleteError("password not found") from None
