"""The joiner's check (decision 0009): the approval says, signed, which vault it is.

The approval is sealed to the joining PC's key, but the request (with that public key) lies in
the folder for anyone who can write there: someone could answer it with an approval of a vault
of their own, and the new PC would then keep its work there. So the approver signs a statement
of the vault (its id, the vault fingerprint, the request and the joining key, who approved and
when) with their certified key; the joining PC verifies it against the signed state of the
checkpoint it received (the trust chain from the vault's recovery keys, whose hash is the vault
id; the approver then the owner or an active team manager) and refuses an approval whose
statement does not verify. What the signature cannot tell is whether this is the vault the
person meant: that is the **vault fingerprint**, shown on both screens (`replica pending` and
`approve` on the approver's, the completing `sync` on the new PC) and compared by voice."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import b64, fields, unb64
from workbook.crypto.keypairs import short_fingerprint
from workbook.crypto.secret import Secret
from workbook.domain.acts import Act, may
from workbook.services.authority import load_membership, load_trust
from workbook.services.errors import TamperingDetected
from workbook.vault.database import connect
from workbook.vault.keyfile import KeyFile

if TYPE_CHECKING:
    from workbook.services.replicas.joining import JoinRequest
    from workbook.services.session import Session


def vault_fingerprint(vault_dir: Path) -> str:
    """The fingerprint of the vault's recovery public keys (the vault id is their hash):
    the same on every replica of one vault, different for any other vault."""
    return short_fingerprint(KeyFile.load(vault_dir).recovery_public.raw)


def message(vault_id: str, fingerprint: str, request_id: str, joining_key: bytes,
            approved_by: str, at: str) -> bytes:
    return fields("workbook replica vault statement v1", vault_id, fingerprint, request_id,
                  joining_key, approved_by, at)


def sign(session: Session, asked: JoinRequest, at: str) -> dict[str, Any]:
    """The statement's fields for the approval payload, signed by the approver."""
    fingerprint = vault_fingerprint(session.vault_dir)
    signature = session.require_certified().sign(message(
        session.vault_id, fingerprint, asked.request_id, asked.public.raw, session.user_id, at))
    return {"vault_fingerprint": fingerprint, "statement": b64(signature)}


def check(vault_dir: Path, vault_key: Secret, payload: dict[str, Any], request_id: str,
          joining_key: bytes) -> str:
    """The vault fingerprint, once the statement verifies against the checkpoint just written
    to `vault_dir`; TamperingDetected (the caller removes what it wrote) if it does not."""
    refused = TamperingDetected("the approval's signed statement of the vault does not "
                                "verify: it was not made by an owner or team manager of this "
                                "vault for this request; nothing was joined")
    try:
        fingerprint, signature = str(payload["vault_fingerprint"]), unb64(payload["statement"])
        approved_by, at = str(payload["approved_by"]), str(payload["at"])
    except (KeyError, ValueError, TypeError):
        raise refused from None
    keyfile = KeyFile.load(vault_dir)
    if fingerprint != vault_fingerprint(vault_dir):
        raise refused
    conn = connect(vault_dir, vault_key)
    try:
        trust = load_trust(conn, keyfile.vault_id, keyfile.recovery_public)
        if not trust.verify_by(approved_by, signature, message(
                keyfile.vault_id, fingerprint, request_id, joining_key, approved_by, at)):
            raise refused
        membership = load_membership(conn, keyfile.vault_id, trust, until=at)
        if not membership.is_active(approved_by) or not (
                approved_by == membership.owner
                or may(membership.role_of(approved_by), Act.MANAGE_REPLICAS)):
            raise refused
    finally:
        conn.close()
    return fingerprint
