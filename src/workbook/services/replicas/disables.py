"""A disable made on another replica, followed here (decision 0009).

Each replica's database key V is its own (a rekey is `PRAGMA rekey` on one file), so the new
key of the replica where the disable was made means nothing here and does not travel. What a
disabled person could still use here is this replica's key file: their slot, whose KEK wrap
their passphrase opens and whose seal gives this replica's V. So once the signed membership
log here says they are disabled, this replica removes their slot and rekeys its own database
exactly as a disable made here does (`Accounts.rekey_without`): the V they may have taken
before no longer opens this file, and no seal here gives them the new one. The log is signed,
so nobody can trigger this (or stop it) by writing rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.vault.keyfile import KeyFile

if TYPE_CHECKING:
    from workbook.services.session import Session


def disabled_slots(session: Session) -> list[str]:
    """Usernames whose slot is still in this replica's key file though the verified
    membership log says the person is disabled."""
    disabled = session.membership().disabled
    body = KeyFile.load(session.vault_dir).open_body(session.device_secret)
    return sorted(u for u, slot in body.accounts.items() if slot.user_id in disabled)


def follow(session: Session) -> list[str]:
    """Remove disabled people's slots and rekey this replica's database; the usernames
    removed (none, the common case: one look at the key file)."""
    gone = disabled_slots(session)
    if not gone:
        return []
    stranded = session.accounts.rekey_without(gone)
    with session.write():
        session.audit("replica_disable_followed", {"slots": len(gone),
                                                   "stranded": len(stranded)})
    return gone
