"""Which public keys are trusted: a chain of certificates rooted in the recovery key.

Anyone signed in can write rows, so a key is believed only if a certificate signed by the
recovery key, or by an already trusted user who compared the fingerprint, vouches for it.
Section epochs are believed only if signed by a trusted creator and by the previous epoch."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.services import signatures
from workbook.vault import accounts, section_store
from workbook.vault.database import Connection

RECOVERY = "recovery"


@dataclass
class Trust:
    """Trusted user keys and verified section epochs, computed once per session."""

    vault_id: str
    recovery: PublicKeys
    user_keys: dict[str, set[bytes]] = field(default_factory=dict)
    epochs: dict[tuple[str, int], PublicKeys] = field(default_factory=dict)
    broken_epochs: list[tuple[str, int]] = field(default_factory=list)

    def is_trusted(self, user_id: str, public_keys: bytes) -> bool:
        return public_keys in self.user_keys.get(user_id, set())

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

    def current_epoch(self, section: str) -> int:
        epochs = [e for (s, e) in self.epochs if s == section]
        return max(epochs) if epochs else 0

    def section_public(self, section: str, epoch: int) -> PublicKeys | None:
        return self.epochs.get((section, epoch))


def load_trust(conn: Connection, vault_id: str, recovery: PublicKeys) -> Trust:
    trust = Trust(vault_id, recovery)
    certs = accounts.all_certs(conn)
    changed = True
    while changed:
        changed = False
        for cert in certs:
            if cert.public_keys in trust.user_keys.get(cert.user_id, set()):
                continue
            message = signatures.user_cert(
                vault_id, cert.user_id, cert.public_keys, cert.signer, cert.signed_at
            )
            if cert.signer != cert.user_id and trust.verify_by(
                cert.signer, cert.signature, message
            ):
                trust.user_keys.setdefault(cert.user_id, set()).add(cert.public_keys)
                changed = True
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
