"""A sign-in slot carries who made it and when, signed, so that replicas choose between two
versions of one person's slot by signed state alone (decision 0009, "Sign-in slots travel").

A slot is made by the person changing their passphrase (signed with their own key), by an
account manager adding the account (their key), or by the recovery key resetting it. Anyone
signed in holds the database key and the device secret, and with the sync key in the database
can write a replica file carrying any slot with any claimed time; so the later of two slots is
the one whose *signed* time is later. A slot whose signature does not verify (one made before
slots were signed, or planted) counts as made at the beginning of time: it loses to every
signed one, so an old slot sent again, or one whose replica marks were altered by SQL, cannot
bring back an old passphrase.

A person's first passphrase makes their key pair, which nobody has certified yet: until it is
approved, their own signature is checked against the key their account row names (a display
cache a holder of the database key could change). That gives such a person's slot no more
protection than it has on a single PC, where the same holder can rewrite the key file."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from workbook.crypto.encoding import b64, fields, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import unwrap
from workbook.services.authority import RECOVERY, load_membership, may_administer
from workbook.vault import accounts
from workbook.vault.keyfile import Slot, kek_wrap_ad

if TYPE_CHECKING:
    from workbook.services.authority import Trust
    from workbook.vault.database import Connection

UNSIGNED = ""  # the signed time of a slot whose signature does not verify: sorts first


def statement(vault_id: str, slot: Slot) -> bytes:
    """What is signed: the slot's identity (salt, state, KDF parameters), not its KEK wrap,
    which each lock rewrites with that replica's log heads."""
    return fields("workbook sign-in slot v1", vault_id, slot.user_id, slot.state,
                  json.dumps(slot.kdf, sort_keys=True), slot.salt, slot.changed_at or "",
                  slot.changed_by or "")


def sign(vault_id: str, slot: Slot, signer: str, keypair: KeyPair, at: str) -> Slot:
    """Stamp `slot` as made by `signer` (a user id, or RECOVERY) at `at`, signed by `keypair`."""
    slot.changed_at, slot.changed_by = at, signer
    slot.change_signature = b64(keypair.sign(statement(vault_id, slot)))
    return slot


def signed_time(conn: Connection, vault_id: str, trust: Trust, slot: Slot) -> str:
    """When the slot was made, if its signature verifies by a signer who may make it;
    UNSIGNED otherwise."""
    at, signer, signature = slot.changed_at, slot.changed_by, slot.change_signature
    if not at or not signer or not signature:
        return UNSIGNED
    try:
        raw = unb64(signature)
    except ValueError:
        return UNSIGNED
    message = statement(vault_id, slot)
    if signer in (RECOVERY, slot.user_id):
        if trust.verify_by(signer, raw, message) or _own_uncertified(conn, trust, slot, raw,
                                                                     message):
            return at
        return UNSIGNED
    if not trust.verify_by(signer, raw, message):
        return UNSIGNED
    membership = load_membership(conn, vault_id, trust, until=at)
    return at if may_administer(conn, vault_id, trust, membership, signer) else UNSIGNED


def _own_uncertified(conn: Connection, trust: Trust, slot: Slot, signature: bytes,
                     message: bytes) -> bool:
    """The person's first passphrase, signed with the key pair it made, before approval."""
    if slot.changed_by != slot.user_id or trust.current_key(slot.user_id) is not None:
        return False
    row = accounts.by_id(conn, slot.user_id)
    if row is None or row.public_keys is None:
        return False
    try:
        PublicKeys(row.public_keys).verify(signature, message)
    except (AuthenticationFailed, ValueError):
        return False
    return True


def kek_opens(kek: Secret, vault_id: str, user_id: str, slot: Slot) -> bool:
    """Whether a session's KEK still opens the person's slot. A passphrase changed on another
    replica arrives as a new slot (new salt, new wrap) while a session opened with the old one
    goes on here; wrapping its log heads under the old KEK into that slot would lock the person
    out of this PC with either passphrase (decision 0009, 8)."""
    try:
        unwrap(kek.value, unb64(slot.kek_wrap), kek_wrap_ad(vault_id, user_id, slot), "sign-in")
    except AuthenticationFailed:
        return False
    return True
