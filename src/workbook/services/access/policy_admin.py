"""Changing the vault's policy: the administrator's act (P4), signed and audited. Grants that
the new policy allows become pending; sections it takes away move to a new epoch at the next
holder's sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workbook.domain.acts import REFUSALS, Act, may
from workbook.domain.policy import PolicyError, parse_policy
from workbook.services.authority import may_administer, signatures
from workbook.services.errors import InvalidInput, NotPermitted, TamperingDetected
from workbook.vault import policy_store
from workbook.vault.files import FileRefused, read_bounded

if TYPE_CHECKING:
    from workbook.services.session import Session

# The shipped policy is about 3 KiB; a team listing every role for every section, with comments,
# stays under 20 KiB. 256 KiB is ample headroom and still parses in milliseconds.
MAX_POLICY_FILE = 256 * 1024


def read_policy_file(path: str) -> str:
    """The text of a policy file given on the command line: a regular file of at most
    MAX_POLICY_FILE bytes of UTF-8 (pipes, devices and folders refused, never read whole)."""
    try:
        data = read_bounded(Path(path).expanduser(), MAX_POLICY_FILE, "policy")
        return data.decode("utf-8")
    except FileRefused as exc:
        raise InvalidInput(str(exc)) from None
    except UnicodeDecodeError:
        raise InvalidInput(f"the policy file {path} is not UTF-8 text") from None


def current_policy_text(session: Session) -> str:
    session.require_keys()
    row = policy_store.newest(session.conn)
    if row is None:
        raise TamperingDetected("the vault has no policy")
    return row.text


def set_policy(session: Session, text: str) -> None:
    session.require_keys()
    membership = session.membership()
    # The same standing sign-in demands of a policy's author: anything less would store a
    # policy that every sign-in then refuses as tampering.
    if not may(membership.role_of(session.user_id), Act.CHANGE_POLICY) or not may_administer(
        session.conn, session.vault_id, session.trust, membership, session.user_id
    ):
        raise NotPermitted(REFUSALS[Act.CHANGE_POLICY])
    keypair = session.require_certified()
    if len(text.encode("utf-8", errors="replace")) > MAX_POLICY_FILE:
        raise InvalidInput(f"the policy was not changed: it is larger than {MAX_POLICY_FILE} "
                           "bytes")
    try:
        policy = parse_policy(text)
    except PolicyError as exc:
        raise InvalidInput(f"the policy was not changed: {exc}") from None
    except RecursionError:
        # tomllib recurses once per nested array or table: deep nesting is no honest policy.
        raise InvalidInput("the policy was not changed: it is nested too deeply") from None
    at = session.now()
    with session.write():
        policy_store.append(
            session.conn, text, session.user_id, at,
            keypair.sign(signatures.policy(session.vault_id, text, session.user_id, at)))
        session.audit("policy_changed", {})
    session.policy = policy
