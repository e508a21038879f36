"""Which public keys are trusted: a chain of certificates rooted in the recovery key.

Anyone signed in can write rows, so a key is believed only if a certificate signed by the
recovery key, or by an already trusted user who compared the fingerprint, vouches for it.
Section epochs are believed only if signed by a trusted creator and by the previous epoch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.services import signatures
from workbook.services.verified_versions import VerifiedVersions
from workbook.vault import accounts, section_store
from workbook.vault.database import Connection

RECOVERY = "recovery"


class VouchSource(Protocol):
    """Who vouched for a version written in another vault (services/vouches.py)."""

    def origin(self, version_id: str, family_id: str, author: str) -> str | None: ...


@dataclass
class Trust:
    """Trusted user keys and verified section epochs, computed once per session.

    `user_keys` are every certified key of a user, for verifying what they signed (a key
    withdrawn at an account reset still verifies its past signatures). `current` is the one
    key new secrets may be sealed to. A user with two certified keys that were not withdrawn is
    in `conflicted`: someone vouched for a second key behind their back, so none of that
    user's keys is trusted until the recovery key settles it."""

    vault_id: str
    recovery: PublicKeys
    user_keys: dict[str, set[bytes]] = field(default_factory=dict)
    current: dict[str, bytes] = field(default_factory=dict)
    conflicted: set[str] = field(default_factory=set)
    withdrawn: dict[str, set[bytes]] = field(default_factory=dict)
    epochs: dict[tuple[str, int], PublicKeys] = field(default_factory=dict)
    broken_epochs: list[tuple[str, int]] = field(default_factory=list)
    verified: VerifiedVersions = field(default_factory=VerifiedVersions)
    vouches: VouchSource | None = None

    def origin_of(self, version_id: str, family_id: str, author: str) -> str | None:
        """The partner vault that vouched for a version by an author who is not ours; never
        for a local author, whose own certified key must verify (docs/bundle-format.md)."""
        if self.vouches is None or author == RECOVERY or author in self.user_keys:
            return None
        return self.vouches.origin(version_id, family_id, author)

    def is_trusted(self, user_id: str, public_keys: bytes) -> bool:
        return public_keys in self.user_keys.get(user_id, set())

    def current_key(self, user_id: str) -> PublicKeys | None:
        raw = self.current.get(user_id)
        return None if raw is None else PublicKeys(raw)

    def keys_of(self, user_id: str) -> list[PublicKeys]:
        return [PublicKeys(k) for k in sorted(self.user_keys.get(user_id, set()))]

    def verify_by(self, signer: str, signature: bytes, message: bytes) -> bool:
        """True if `signer` (a user id or 'recovery') signed `message` with a trusted key."""
        candidates = [self.recovery] if signer == RECOVERY else self.keys_of(signer)
        for key in candidates:
            try:
                key.verify(signature, message)
                return True
            except AuthenticationFailed:
                continue
        return False

    def replace_with(self, other: Trust) -> None:
        """Refresh in place: SectionKeys and the session share this object."""
        self.user_keys, self.current, self.conflicted = other.user_keys, other.current, \
            other.conflicted
        self.withdrawn = other.withdrawn
        self.epochs, self.broken_epochs = other.epochs, other.broken_epochs

    def current_epoch(self, section: str) -> int:
        epochs = [e for (s, e) in self.epochs if s == section]
        return max(epochs) if epochs else 0

    def section_public(self, section: str, epoch: int) -> PublicKeys | None:
        return self.epochs.get((section, epoch))


def load_trust(conn: Connection, vault_id: str, recovery: PublicKeys) -> Trust:
    trust = Trust(vault_id, recovery)
    revoked = {
        (user_id, keys)
        for user_id, keys, at, signature in accounts.all_revocations(conn)
        if _verifies(recovery, signature,
                     signatures.key_revocation(vault_id, user_id, keys, at))
    }
    certs = accounts.all_certs(conn)
    excluded: set[str] = set()
    while True:
        trusted: dict[str, set[bytes]] = {}
        probe = Trust(vault_id, recovery, trusted)
        changed = True
        while changed:
            changed = False
            for cert in certs:
                if cert.user_id in excluded or cert.signer in excluded:
                    continue
                if cert.public_keys in trusted.get(cert.user_id, set()):
                    continue
                message = signatures.user_cert(
                    vault_id, cert.user_id, cert.public_keys, cert.signer, cert.signed_at
                )
                if cert.signer != cert.user_id and probe.verify_by(
                    cert.signer, cert.signature, message
                ):
                    trusted.setdefault(cert.user_id, set()).add(cert.public_keys)
                    changed = True
        live = {u: {k for k in keys if (u, k) not in revoked} for u, keys in trusted.items()}
        conflicted = {u for u, keys in live.items() if len(keys) > 1}
        if conflicted <= excluded:
            break
        excluded |= conflicted
    trust.user_keys = trusted
    trust.current = {u: next(iter(keys)) for u, keys in live.items() if len(keys) == 1}
    trust.conflicted = excluded
    for user_id, keys in revoked:
        trust.withdrawn.setdefault(user_id, set()).add(keys)
    for row in section_store.all_epochs(conn):
        message = signatures.section_epoch(
            vault_id, row.section, row.epoch, row.public_keys, row.created_by, row.created_at
        )
        ok = trust.verify_by(row.created_by, row.signature, message)
        if ok and row.epoch > 1:
            previous = trust.epochs.get((row.section, row.epoch - 1))
            ok = previous is not None and row.prev_signature is not None
            if ok and previous is not None and row.prev_signature is not None:
                try:
                    previous.verify(row.prev_signature, message)
                except AuthenticationFailed:
                    ok = False
        if ok:
            try:
                trust.epochs[(row.section, row.epoch)] = PublicKeys(row.public_keys)
            except ValueError:
                ok = False
        if not ok:
            trust.broken_epochs.append((row.section, row.epoch))
    return trust


def _verifies(key: PublicKeys, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
        return True
    except AuthenticationFailed:
        return False
