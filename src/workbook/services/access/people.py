"""People by name: who a username or user id is, as screens and paper show them, and the
person a typed name means.

Screens and prints name people by their full name (and role where useful), never by a
username or an id (issue 14). The full name is the users table's, which is display only: no
decision is made from it. Roles come from the signed membership log, and only people it holds
as active practitioners are offered to own an action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.domain.acts import Act, may
from workbook.domain.display import role_label
from workbook.services.errors import InvalidInput
from workbook.vault import accounts

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class PersonName:
    """One account as people see it: `username` stays the key (the CLI's contract)."""

    user_id: str
    username: str
    full_name: str
    role: str          # the signed role's value, "" when the log gives none
    active: bool       # an active practitioner: may own an action

    @property
    def label(self) -> str:
        """'Sam Patel (Social worker)': a name with its role, for pickers and lists."""
        return f"{self.full_name} ({role_label(self.role)})" if self.role else self.full_name


class People:
    """The vault's accounts by username and by id; made afresh for each use."""

    def __init__(self, session: Session) -> None:
        membership = session.membership()
        self._all: list[PersonName] = []
        for user in accounts.all_users(session.conn):
            role = membership.role_of(user.user_id)
            active = membership.is_active(user.user_id) and may(role, Act.CASEWORK)
            self._all.append(PersonName(user.user_id, user.username,
                                        user.full_name or "a colleague",
                                        role.value if role else "", active))
        self._by_key = {p.username: p for p in self._all}
        self._by_key.update({p.user_id: p for p in self._all})

    def get(self, key: str) -> PersonName | None:
        """The person a username or a user id names, if the vault knows them."""
        return self._by_key.get(key)

    def name(self, key: str) -> str:
        """A username or user id as a full name; "" for none, "a former colleague" for one
        this vault does not know (an id is never shown)."""
        if not key:
            return ""
        found = self._by_key.get(key)
        return found.full_name if found else "a former colleague"

    def everyone(self) -> list[PersonName]:
        return list(self._all)

    def owners(self) -> list[PersonName]:
        """Who may own a plan action: active practitioners, by full name."""
        return sorted((p for p in self._all if p.active), key=lambda p: p.full_name.lower())

    def find_owner(self, text: str) -> PersonName:
        """The active practitioner `text` names: a username, or a full name (any case, any
        spacing) that only one of them has."""
        wanted = " ".join(text.split())
        if not wanted:
            raise InvalidInput("name the new owner (a colleague's full name or username)")
        owners = self.owners()
        exact = [p for p in owners if p.username == wanted]
        if not exact:
            exact = [p for p in owners if p.full_name.lower() == wanted.lower()]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise InvalidInput(f"more than one colleague is called {wanted[:60]!r}: "
                               "give the username")
        raise InvalidInput(f"no active colleague {wanted[:60]!r} to own the action")
