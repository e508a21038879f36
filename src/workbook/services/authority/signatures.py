"""The exact bytes each signer signs. One place, so writer and verifier can never disagree."""

from __future__ import annotations

import hashlib

from workbook.crypto.encoding import fields

# The signer name of the recovery key, in the signed bytes and in every list of signers.
RECOVERY = "recovery"


def user_cert(vault_id: str, user_id: str, public_keys: bytes, signer: str, at: str) -> bytes:
    return fields("workbook user cert v1", vault_id, user_id, public_keys, signer, at)


def section_epoch(
    vault_id: str, section: str, epoch: int, public_keys: bytes, created_by: str, at: str
) -> bytes:
    return fields(
        "workbook section epoch v1", vault_id, section, epoch, public_keys, created_by, at
    )


def membership(
    vault_id: str, at: str, actor: str, event: str, user_id: str,
    section: str | None, epoch: int | None,
) -> bytes:
    return fields("workbook membership v1", vault_id, at, actor, event, user_id, section, epoch)


def membership_v2(
    vault_id: str, counter: int, prev: bytes, at: str, actor: str, event: str, user_id: str,
    section: str | None, epoch: int | None, keys_digest: bytes,
) -> bytes:
    """A membership event of the second format (decision 0006): its place in the log
    (`counter`, and `prev`, the digest of the event before it) and, for a grant, the digest of
    the exact public keys the section secret was sealed to are signed with it."""
    return fields("workbook membership event v2", vault_id, counter, prev, at, actor, event,
                  user_id, section, epoch, keys_digest)


def membership_v3(
    vault_id: str, counter: int, prevs: tuple[bytes, ...], at: str, actor: str, event: str,
    user_id: str, section: str | None, epoch: int | None, keys_digest: bytes,
) -> bytes:
    """A membership event of the third format: a `merge` that names the digests of every
    branch tip of a fork (decision 0009, C32), sorted, so the signed bytes say which branches
    it joins and nothing else. Its own label, so no v2 message can be read as one."""
    return fields("workbook membership merge v3", vault_id, counter, len(prevs), *prevs, at,
                  actor, event, user_id, section, epoch, keys_digest)


def keys_digest(public_keys: bytes) -> bytes:
    """Which public keys a grant event names: a holder is kept at a rotation only while their
    certified key is still this one."""
    return hashlib.sha256(fields("workbook holder keys v1", public_keys)).digest()


def event_digest(message: bytes, signature: bytes) -> bytes:
    """One membership event's identity, for the chain and for deduplicating copies."""
    return hashlib.sha256(fields("workbook membership event digest", message, signature)).digest()


def policy(vault_id: str, text: str, author: str, at: str) -> bytes:
    return fields("workbook policy v1", vault_id, text, author, at)


def grant_info(vault_id: str, section: str, epoch: int, holder: str) -> bytes:
    return fields("workbook section grant v1", vault_id, section, epoch, holder)


def key_revocation(vault_id: str, user_id: str, public_keys: bytes, at: str) -> bytes:
    return fields("workbook key revocation v1", vault_id, user_id, public_keys, at)
