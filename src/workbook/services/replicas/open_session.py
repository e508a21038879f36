"""What a sync brings to the session it runs in (decision 0009, "People's changes made on one
replica"). The desktop syncs in the signed-in person's own session, every 30 s, so that session
lives on while account changes made on other PCs arrive: it must neither undo them nor go on
as if they had not happened.

- A disable of the signed-in person ends their session: it is locked (every key wiped) and the
  sync is refused with one line. Their own session does not follow the disable (no rekey in
  it: the new database key would pass through the disabled person's memory); the next sync
  run by anyone else on this PC does, and until then the signed membership log refuses their
  sign-in here as everywhere.
- A role change is read again from the signed log at the next act (the session remembers the
  role it read).
- An approval, or a section key rotated elsewhere, is unsealed into the open session, so the
  person reads and writes under it without signing in again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair
from workbook.crypto.secret import Secret
from workbook.services.authority import load_trust, signatures
from workbook.services.errors import NotPermitted, TamperingDetected
from workbook.vault import section_store

if TYPE_CHECKING:
    from workbook.services.session import Session

DISABLED_ELSEWHERE = ("your account was disabled on another PC of the team: you are signed "
                      "out; ask your team manager")


def end_if_disabled(session: Session) -> None:
    """Lock the session and refuse, if the verified membership log now says its person is
    disabled (read before anything here follows the disable)."""
    if session.user_id in session.membership().disabled:
        session.events.emit("signed_out", reason=DISABLED_ELSEWHERE)  # the desktop locks
        session.lock()
        raise NotPermitted(DISABLED_ELSEWHERE)


def catch_up(session: Session) -> None:
    """Take in what the receipt (this sync's, or another session's on this PC) changed for the
    signed-in person."""
    session.signed_logs_changed()
    keypair = session.keypair
    if keypair is not None and not session.must_replace_passphrase:
        _take_new_grants(session, keypair)


def _take_new_grants(session: Session, keypair: KeyPair) -> None:
    """Unseal grants to this person not yet in the session (an approval, a rotation). The
    trust is read again first: the rows may have been received by another session here. A
    grant that does not open is named, as at sign-in, and left out; one whose epoch is not
    (yet) verified waits."""
    held = set(session.keys.held())
    missing = [g for g in section_store.grants(session.conn, session.user_id)
               if (g.section, g.epoch) not in held]
    if not missing:
        return
    session.trust.replace_with(load_trust(session.conn, session.vault_id,
                                          session.trust.recovery))
    for grant in missing:
        if session.trust.section_public(grant.section, grant.epoch) is None:
            continue
        info = signatures.grant_info(session.vault_id, grant.section, grant.epoch, session.user_id)
        try:
            session.keys.add(grant.section, grant.epoch,
                             Secret(keypair.open(grant.sealed, info, "section key")))
        except (AuthenticationFailed, TamperingDetected):
            problem = (f"a section key grant ({grant.section}, epoch {grant.epoch}) received "
                       "from another PC does not open: it was altered; tell your team manager")
            if problem not in session.warnings:
                session.warnings.append(problem)
