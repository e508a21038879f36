"""Which public keys are trusted: a chain of certificates rooted in the recovery key.

Anyone signed in can write rows, so a key is believed only if a certificate vouches for it
from someone allowed to vouch (decision 0006): the recovery key, the owner (whose key the
recovery key certified), or a practitioner who was a signed holder of a section when they
signed, for a colleague with a signed practitioner role. Administrators vouch for no one.
Sealing a section to a key further needs a certifier who holds that section (`sealable`).
Section epochs are believed only if signed by a trusted creator and by the previous epoch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.domain.roles import Role
from workbook.services.authority import epoch_rivals, signatures
from workbook.services.authority.holders import ROTATE_EVENT, SignedHolders, signed_holders
from workbook.services.authority.membership import load_membership, owner_of, verified_log
from workbook.services.authority.signatures import RECOVERY
from workbook.services.authority.verified_versions import VerifiedVersions
from workbook.vault import accounts, section_store
from workbook.vault.database import Connection

_CHECKED_MAX = 4096  # remembered signature checks per Trust (the logs, certificates)


class VouchSource(Protocol):
    """Who vouched for a version written in another vault (services/sharing/vouches.py)."""

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
    # Other believed epochs of a number two replicas made at once (epoch_rivals.py)
    rival_epochs: dict[tuple[str, int], list[PublicKeys]] = field(default_factory=dict)
    verified: VerifiedVersions = field(default_factory=VerifiedVersions)
    vouches: VouchSource | None = None
    owner: str | None = None
    # (user, key) -> [(signer, signed_at)] of every certificate that made the key trusted
    certifiers: dict[tuple[str, bytes], list[tuple[str, str]]] = field(default_factory=dict)
    holders: SignedHolders | None = None
    problems: list[str] = field(default_factory=list)
    # (key, signature, message) -> verified: a pure function of its inputs, so it may be shared
    # by every Trust built from the same rows.
    _checked: dict[tuple[bytes, bytes, bytes], bool] = field(default_factory=dict, repr=False)
    # Readings derived from these keys (the verified membership log), keyed by what they read.
    memo: dict[str, tuple[object, object]] = field(default_factory=dict, repr=False)

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
            probe = (key.raw, signature, message)
            known = self._checked.get(probe)
            if known is None:
                known = _verifies(key, signature, message)
                if len(self._checked) < _CHECKED_MAX:  # bounded: versions pass through here too
                    self._checked[probe] = known
            if known:
                return True
        return False

    def replace_with(self, other: Trust) -> None:
        """Refresh in place: SectionKeys and the session share this object."""
        self.user_keys, self.current, self.conflicted = other.user_keys, other.current, \
            other.conflicted
        self.withdrawn = other.withdrawn
        self.epochs, self.broken_epochs = other.epochs, other.broken_epochs
        self.rival_epochs = other.rival_epochs
        self.owner, self.certifiers, self.holders = other.owner, other.certifiers, other.holders
        self.problems = other.problems
        self._checked = other._checked
        self.memo.clear()  # what was verified under the old keys is read again

    def vouched_by(self, user_id: str, allowed: Callable[[str, str], bool]) -> PublicKeys | None:
        """The current key of `user_id` if a certificate by a signer for whom
        `allowed(signer, signed_at)` holds vouches for it; else None."""
        raw = self.current.get(user_id)
        if raw is None:
            return None
        for signer, at in self.certifiers.get((user_id, raw), []):
            if signer in (RECOVERY, self.owner) or allowed(signer, at):
                return PublicKeys(raw)
        return None

    def sealable(self, user_id: str, section: str) -> PublicKeys | None:
        """The key a secret of `section` may be sealed to: certified by the recovery key, the
        owner, or someone who held `section` when they signed the certificate."""
        holders = self.holders
        return self.vouched_by(user_id, lambda signer, at: holders is not None
                               and holders.held_at(signer, section, at))

    def certified_by_then(self, user_id: str, at: str) -> bytes | None:
        """The current key of `user_id` if some accepted certificate for it is no later than
        `at` (what a first-format grant event, which names no key, is bound to)."""
        raw = self.current.get(user_id)
        if raw is None:
            return None
        return raw if any(t <= at for _s, t in self.certifiers.get((user_id, raw), [])) \
            else None

    def current_epoch(self, section: str) -> int:
        epochs = [e for (s, e) in self.epochs if s == section]
        return max(epochs) if epochs else 0

    def section_public(self, section: str, epoch: int) -> PublicKeys | None:
        return self.epochs.get((section, epoch))

    def rival_publics(self, section: str, epoch: int) -> list[PublicKeys]:
        """The believed epochs of that number that lost to `section_public` (C34)."""
        return self.rival_epochs.get((section, epoch), [])


def load_trust(conn: Connection, vault_id: str, recovery: PublicKeys) -> Trust:
    trust = Trust(vault_id, recovery, _checked={})
    revoked = {
        (user_id, keys)
        for user_id, keys, at, signature in accounts.all_revocations(conn)
        if _verifies(recovery, signature,
                     signatures.key_revocation(vault_id, user_id, keys, at))
    }
    certs = accounts.all_certs(conn)
    checked: dict[tuple[bytes, bytes, bytes], bool] = {}
    owner = owner_of(conn, vault_id, recovery)
    excluded: set[str] = set()
    while True:
        probe = Trust(vault_id, recovery, owner=owner, _checked=checked)
        allowed: set[int] = set()  # practitioner certificates the signed log allows
        while True:
            _accept(probe, certs, allowed, excluded, revoked)
            log = verified_log(conn, vault_id, probe)
            holders = signed_holders(log.events)
            membership = load_membership(conn, vault_id, probe, events=log.events)
            more = {
                i for i, cert in enumerate(certs)
                if i not in allowed and cert.signer not in (RECOVERY, owner)
                and membership.role_of(cert.user_id) not in (None, Role.ADMIN)
                and holders.holds_any_at(cert.signer, cert.signed_at)
            }
            if not more:
                break
            allowed |= more
        live = {u: {k for k in keys if (u, k) not in revoked}
                for u, keys in probe.user_keys.items()}
        conflicted = {u for u, keys in live.items() if len(keys) > 1}
        if conflicted <= excluded:
            break
        excluded |= conflicted
    trust.owner, trust.certifiers, trust.holders = owner, probe.certifiers, holders
    trust.problems = log.problems
    trust._checked = checked
    trust.memo.update(probe.memo)  # the log the final probe verified, with the same keys
    trust.user_keys = probe.user_keys
    trust.current = {u: next(iter(keys)) for u, keys in live.items() if len(keys) == 1}
    trust.conflicted = excluded
    for user_id, keys in revoked:
        trust.withdrawn.setdefault(user_id, set()).add(keys)
    rotations = {(e.actor, e.section, e.epoch, e.at) for e in log.events
                 if e.event == ROTATE_EVENT and e.section is not None and e.epoch is not None
                 and e.actor in holders.of(e.section, e.epoch - 1)}
    believed = epoch_rivals.believe(section_store.epochs_and_rivals(conn), vault_id,
                                    trust.verify_by, rotations)
    trust.epochs, trust.rival_epochs = believed.epochs, believed.rivals
    trust.broken_epochs = believed.broken
    return trust


def _accept(probe: Trust, certs: list[accounts.CertRow], allowed: set[int],
            excluded: set[str], revoked: set[tuple[str, bytes]]) -> None:
    """Grow `probe` with every certificate whose signer may vouch and whose signature
    verifies, until nothing changes; keep `current` in step (membership reads it)."""
    changed = True
    while changed:
        changed = False
        for i, cert in enumerate(certs):
            if cert.user_id in excluded or cert.signer in excluded or \
                    cert.signer == cert.user_id:
                continue
            if cert.signer not in (RECOVERY, probe.owner) and i not in allowed:
                continue
            vouchers = probe.certifiers.setdefault((cert.user_id, cert.public_keys), [])
            if (cert.signer, cert.signed_at) in vouchers:
                continue
            message = signatures.user_cert(probe.vault_id, cert.user_id, cert.public_keys,
                                           cert.signer, cert.signed_at)
            if probe.verify_by(cert.signer, cert.signature, message):
                vouchers.append((cert.signer, cert.signed_at))
                probe.user_keys.setdefault(cert.user_id, set()).add(cert.public_keys)
                changed = True
    for user_id, keys in probe.user_keys.items():
        live = {k for k in keys if (user_id, k) not in revoked}
        if len(live) == 1:
            probe.current[user_id] = next(iter(live))
        else:
            probe.current.pop(user_id, None)


def _verifies(key: PublicKeys, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
        return True
    except AuthenticationFailed:
        return False
