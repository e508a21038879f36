"""Who has which role, read from the signed membership log rather than the users table.

Anyone signed in can rewrite the users table, so a role (which decides what a person is offered
and what they keep when a section rotates) is believed only when the owner's creation (signed by
the recovery key) or an account manager's signed event says so. Events whose signer is not
trusted are ignored; account managers are the owner and certified administrators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbook.domain.roles import Role
from workbook.services import signatures
from workbook.services.trust import RECOVERY, Trust
from workbook.vault import accounts, section_store
from workbook.vault.database import Connection

OWNER_EVENT = "owner:"
ROLE_EVENT = "role:"
DISABLE_EVENT = "disable"


@dataclass(frozen=True)
class Membership:
    roles: dict[str, Role]
    disabled: frozenset[str]
    owner: str | None

    def role_of(self, user_id: str) -> Role | None:
        return self.roles.get(user_id)

    def is_active(self, user_id: str) -> bool:
        return user_id in self.roles and user_id not in self.disabled

    def may_manage_accounts(self, user_id: str) -> bool:
        return user_id == self.owner or self.roles.get(user_id) is Role.ADMIN


def load_membership(
    conn: Connection, vault_id: str, trust: Trust, until: str | None = None
) -> Membership:
    """Replay the signed log (up to `until`, to ask what held when something was signed).

    An administrator's events count only while the administrator's key is vouched for by the
    owner or the recovery key: any approved colleague can certify keys, but only the owner may
    decide who administers the team."""
    roles: dict[str, Role] = {}
    disabled: set[str] = set()
    owner: str | None = None
    vouched = _owner_vouched(conn, vault_id, trust)
    for row in section_store.membership(conn):
        if until is not None and row.at > until:
            break
        message = signatures.membership(vault_id, row.at, row.actor, row.event, row.user_id,
                                        row.section, row.epoch)
        if not trust.verify_by(row.actor, row.signature, message):
            continue
        if row.event.startswith(OWNER_EVENT) and row.actor == RECOVERY and owner is None:
            owner = row.user_id
            roles[row.user_id] = _role(row.event[len(OWNER_EVENT):]) or Role.TEAM_MANAGER
            continue
        manager = row.actor == owner or (
            roles.get(row.actor) is Role.ADMIN and row.actor in vouched(owner)
        )
        if not manager or row.actor in disabled:
            continue
        if row.event.startswith(ROLE_EVENT):
            role = _role(row.event[len(ROLE_EVENT):])
            if role is not None and row.user_id != owner:
                roles[row.user_id] = role
            elif role is not None and role is not Role.ADMIN:
                roles[row.user_id] = role
        elif row.event == DISABLE_EVENT and row.user_id != owner:
            disabled.add(row.user_id)
    return Membership(roles, frozenset(disabled), owner)


def _owner_vouched(conn: Connection, vault_id: str, trust: Trust
                   ) -> Callable[[str | None], set[str]]:
    """People whose current key carries a valid certificate by the owner or the recovery key."""
    certs = accounts.all_certs(conn)

    def vouched(owner: str | None) -> set[str]:
        out = set()
        for cert in certs:
            if cert.signer not in (owner, RECOVERY):
                continue
            current = trust.current_key(cert.user_id)
            if current is None or current.raw != cert.public_keys:
                continue
            message = signatures.user_cert(vault_id, cert.user_id, cert.public_keys,
                                           cert.signer, cert.signed_at)
            if trust.verify_by(cert.signer, cert.signature, message):
                out.add(cert.user_id)
        return out

    cache: dict[str | None, set[str]] = {}

    def cached(owner: str | None) -> set[str]:
        if owner not in cache:
            cache[owner] = vouched(owner)
        return cache[owner]

    return cached


def may_administer(conn: Connection, vault_id: str, trust: Trust, membership: Membership,
                   user_id: str) -> bool:
    """The owner, or an administrator whose key the owner (or recovery key) vouched for."""
    if user_id == membership.owner:
        return True
    return membership.role_of(user_id) is Role.ADMIN and user_id in _owner_vouched(
        conn, vault_id, trust)(membership.owner)


def _role(text: str) -> Role | None:
    try:
        return Role(text)
    except ValueError:
        return None
