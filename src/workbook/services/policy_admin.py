"""Changing the vault's policy: the administrator's act (P4), signed and audited. Grants that
the new policy allows become pending; sections it takes away move to a new epoch at the next
holder's sign-in."""

from __future__ import annotations

from workbook.domain.policy import PolicyError, parse_policy
from workbook.domain.roles import Role
from workbook.services import signatures
from workbook.services.errors import InvalidInput, NotPermitted
from workbook.services.membership import may_administer
from workbook.services.session import Session


def current_policy_text(session: Session) -> str:
    session.require_keys()
    row = session.conn.execute(
        "SELECT text FROM policy_versions ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return str(row[0])


def set_policy(session: Session, text: str) -> None:
    session.require_keys()
    membership = session.membership()
    # The same standing sign-in demands of a policy's author: anything less would store a
    # policy that every sign-in then refuses as tampering.
    if membership.role_of(session.user_id) is not Role.ADMIN or not may_administer(
        session.conn, session.vault_id, session.trust, membership, session.user_id
    ):
        raise NotPermitted("only the administrator, approved by the vault owner, changes the "
                           "policy")
    keypair = session.require_certified()
    try:
        policy = parse_policy(text)
    except PolicyError as exc:
        raise InvalidInput(f"the policy was not changed: {exc}") from None
    at = session.now()
    with session.write():
        session.conn.execute(
            "INSERT INTO policy_versions (text, author, at, signature) VALUES (?, ?, ?, ?)",
            (text, session.user_id, at,
             keypair.sign(signatures.policy(session.vault_id, text, session.user_id, at))),
        )
        session.audit("policy_changed", {})
    session.policy = policy
