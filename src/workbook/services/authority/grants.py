"""Access is granted by those who have it (P5), and taken away by moving to a new epoch.

A grant seals the current section secret to a newcomer's public key. It is made by a current
holder who compared the newcomer's fingerprint, or with the recovery key (the fingerprint is
compared then too); either way the newcomer's keys are certified, which is what stops an
administrator planting an account. Who holds a section comes only from the signed grant and
rotate events (services/authority/holders.py, decision 0006): a row of section_grants that no signed
event backs is a stored blob, reported and ignored, never a holder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.crypto import recovery_key
from workbook.crypto.keypairs import KeyPair, PublicKeys, normalise_fingerprint
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import wrap
from workbook.domain.roles import Role, Section
from workbook.services.authority import signatures
from workbook.services.authority.holders import GRANT_EVENT, ROTATE_EVENT, Holding, SignedHolders
from workbook.services.authority.membership import Membership, append_event
from workbook.services.authority.section_keys import (
    previous_wrap_ad,
    previous_wrap_key,
    section_keypair,
)
from workbook.services.authority.trust import RECOVERY, load_trust
from workbook.services.errors import InvalidInput, TamperingDetected
from workbook.vault import accounts, section_store
from workbook.vault.accounts import CertRow, UserRow
from workbook.vault.keyfile import KeyFile

if TYPE_CHECKING:
    from workbook.services.session import Session

IDENTITY = "(identity)"  # a pending certification of someone's keys, with no section


_NEED_FINGERPRINT = ("give the fingerprint shown on their screen (--fingerprint), after reading "
                     "it together")


@dataclass(frozen=True)
class PendingGrant:
    username: str
    full_name: str
    role: str
    section: str


class Grants:
    def __init__(self, session: Session) -> None:
        self.s = session

    def fingerprint(self) -> str:
        return self.s.require_keys().public.fingerprint()

    # --- what is pending -------------------------------------------------------------------
    def all_pending(self) -> list[PendingGrant]:
        """Entitled by policy, with keys, but without the current epoch of the section."""
        holders = self.s.trust.holders or SignedHolders()
        membership = self.s.membership()
        out = []
        for user in accounts.all_users(self.s.conn):
            role = membership.role_of(user.user_id)
            if user.public_keys is None or role is None or not membership.is_active(user.user_id):
                continue
            if not self.s.trust.is_trusted(user.user_id, user.public_keys):
                out.append(PendingGrant(user.username, user.full_name, role.value, IDENTITY))
            if role is Role.ADMIN:
                continue
            for section in self.s.policy.sections_for(role):
                current = self.s.trust.current_epoch(section.value)
                if user.user_id not in holders.of(section.value, current):
                    out.append(PendingGrant(user.username, user.full_name, role.value,
                                            section.value))
        return sorted(out, key=lambda p: (p.username, p.section))

    def pending(self) -> list[PendingGrant]:
        """Grants the signed-in person could approve: those of sections they hold."""
        self.s.require_keys()
        mine = self.s.keys.held_sections() | {IDENTITY}
        return [p for p in self.all_pending() if p.section in mine]

    # --- approve ---------------------------------------------------------------------------
    def approve(self, username: str, fingerprint: str = "", recovery_text: str = "") -> list[str]:
        """Approve every pending grant of `username` that this approver can give.

        With a fingerprint: sections the approver holds. With the recovery key: all of them
        (the fingerprint is still checked if given). Returns the sections granted."""
        approver = self.s.require_keys()
        if not recovery_text:
            approver = self.s.require_certified()
        user = accounts.by_username(self.s.conn, username.strip())
        if user is None:
            raise InvalidInput(f"no account called {username.strip()[:40]!r}")
        if user.status == "initial" or user.public_keys is None:
            raise InvalidInput(
                f"{user.username!r} has not replaced their initial passphrase yet; they must "
                "sign in and choose their own before they can be granted keys"
            )
        if user.user_id in self.s.membership().disabled:
            raise InvalidInput(f"{user.username!r} is disabled")
        theirs = PublicKeys(user.public_keys)
        given = normalise_fingerprint(fingerprint)
        if given and given != normalise_fingerprint(theirs.fingerprint()):
            raise InvalidInput(
                "the fingerprint does not match the one on their screen: do not approve; "
                "tell your team manager"
            )
        pending = [p.section for p in self.all_pending()
                   if p.username == user.username and p.section != IDENTITY]
        at = self.s.now()
        if recovery_text:
            r_key = _parse_recovery(recovery_text)
            r_pair = recovery_key.recovery_keypair(r_key)
            r_key.wipe()
            if r_pair.public.raw != KeyFile.load(self.s.vault_dir).recovery_public.raw:
                r_pair.wipe()
                raise InvalidInput("that is not this vault's recovery key")
            if not given:  # K1: the recovery key does not replace comparing the fingerprint
                r_pair.wipe()
                raise InvalidInput(_NEED_FINGERPRINT + ": the recovery key does not replace it")
            try:
                granted = self._grant_with_recovery(user, theirs, pending, r_pair, at)
            finally:
                r_pair.wipe()
        else:
            if not given:
                raise InvalidInput(_NEED_FINGERPRINT)
            mine = self.s.keys.held_sections()
            holders = self.s.trust.holders or SignedHolders()
            sections = [s for s in pending if s in mine and self.s.user_id in holders.of(
                s, self.s.trust.current_epoch(s))]
            with self.s.write():
                self._certify(user, theirs, self.s.user_id, approver, at)
                for section in sections:
                    epoch = self.s.trust.current_epoch(section)
                    self._seal_grant(section, epoch, self.s.keys.secret(section, epoch), user,
                                     theirs, at, self.s.user_id, approver)
                self.s.audit("keys_approved", {"user": user.user_id, "count": len(sections)})
            granted = sections
        self._reload_trust()
        return granted

    def _grant_with_recovery(
        self, user: UserRow, theirs: PublicKeys, pending: list[str], r_pair: KeyPair, at: str
    ) -> list[str]:
        with self.s.write():
            self._certify(user, theirs, RECOVERY, r_pair, at)
            for section in pending:
                epoch = self.s.trust.current_epoch(section)
                secret = self._recovery_secret(section, epoch, r_pair)
                self._seal_grant(section, epoch, secret, user, theirs, at, RECOVERY, r_pair)
                secret.wipe()
            self.s.audit("keys_approved", {"user": user.user_id, "count": len(pending),
                                           "with": "recovery"})
            self.s.audit("recovery_key_used", {"purpose": "approve keys", "user": user.user_id})
        return pending

    def _recovery_secret(self, section: str, epoch: int, r_pair: KeyPair) -> Secret:
        """The epoch's secret from R's grant; of two grants of one number (a rival epoch's
        kept beside it, C34), the one whose key pair is the signed epoch's."""
        expected = self.s.trust.section_public(section, epoch)
        for grant in section_store.grants(self.s.conn, RECOVERY):
            if (grant.section, grant.epoch) != (section, epoch) or expected is None:
                continue
            secret = Secret(r_pair.open(grant.sealed, signatures.grant_info(
                self.s.vault_id, section, epoch, RECOVERY)))
            pair = section_keypair(secret, self.s.vault_id, section, epoch)
            matches = pair.public.raw == expected.raw
            pair.wipe()
            if matches:
                return secret
            secret.wipe()
        raise TamperingDetected(f"section {section} has no recovery grant")

    def _certify(self, user: UserRow, theirs: PublicKeys, signer: str, signer_pair: KeyPair,
                 at: str) -> None:
        accounts.add_cert(self.s.conn, CertRow(
            user.user_id, theirs.raw, signer, at,
            signer_pair.sign(signatures.user_cert(self.s.vault_id, user.user_id, theirs.raw,
                                                  signer, at)),
        ))

    def _seal_grant(self, section: str, epoch: int, secret: Secret, user: UserRow,
                    theirs: PublicKeys, at: str, actor: str, signer: KeyPair) -> None:
        """Seal to the key just certified by this approver (who holds the section, or R),
        and sign a grant event naming that exact key."""
        section_store.insert_grant(self.s.conn, section_store.GrantRow(
            section, epoch, user.user_id,
            theirs.seal(secret.value, signatures.grant_info(self.s.vault_id, section, epoch,
                                                             user.user_id)),
            actor, at,
        ))
        append_event(self.s.conn, self.s.vault_id, self.s.trust, at, actor, signer.sign,
                     GRANT_EVENT, user.user_id, section, epoch,
                     signatures.keys_digest(theirs.raw))

    def _reload_trust(self) -> None:
        self.s.trust.replace_with(load_trust(self.s.conn, self.s.vault_id,
                                             KeyFile.load(self.s.vault_dir).recovery_public))


def _parse_recovery(text: str) -> Secret:
    try:
        return recovery_key.parse_key(text)
    except recovery_key.RecoveryKeyInvalid as exc:
        raise InvalidInput(str(exc)) from None


def rotate_due_sections(session: Session) -> list[str]:
    """Move to a new epoch every held section that a signed holder at its current epoch may no
    longer hold (disabled, role changed, key reset). Holders come from the signed grant events
    only: a section_grants row without one is reported and ignored, and a missing or altered
    users row changes nothing."""
    for problem in session.trust.problems:  # the membership log's chain, named at sign-in
        if problem not in session.warnings:
            session.warnings.append(problem)
    _keep_rivals_readable(session)
    if session.keypair is None or session.must_replace_passphrase:
        return []
    mine = session.trust.current_key(session.user_id)
    if mine is None or mine.raw != session.keypair.public.raw:
        return []  # a new epoch must be signed by a certified holder to be believed
    membership = session.membership()
    stored = section_store.grant_holders(session.conn)
    rotated = []
    for section in sorted(session.keys.held_sections()):
        epoch = session.trust.current_epoch(section)
        holders = signed_holders_of(session, section, epoch, stored)
        if session.user_id not in holders:
            continue  # only a signed holder may rotate (holders.py)
        keep = {h: k for h, k in ((h, _kept_key(session, membership, holding))
                                  for h, holding in holders.items()) if k is not None}
        if len(keep) < len(holders):
            _rotate(session, section, epoch, keep)
            rotated.append(section)
    return rotated


def _keep_rivals_readable(session: Session) -> None:
    """Two epochs of one number (two replicas rotated at once, C34): a holder of both wraps
    the losing one's secret under the winner's, so people given the winner later, and later
    epochs unwrapping backwards, still read what was written under the loser."""
    if not session.trust.rival_epochs:
        return
    made = {(w.section, w.epoch, w.public_keys, w.under_keys)
            for w in section_store.rival_wraps(session.conn)}
    wraps = session.keys.rival_wraps_to_make(made)
    if wraps:
        with session.write():
            for row in wraps:
                section_store.insert_rival_wrap(session.conn, row)
            session.audit("section_rival_wrapped", {"count": len(wraps)}, detail=None)


def signed_holders_of(session: Session, section: str, epoch: int,
                      stored: list[tuple[str, int, str]] | None = None) -> dict[str, Holding]:
    """The signed holders of (section, epoch); rows of section_grants that no signed event
    backs are named in the session's warnings. `stored`: section_store.grant_holders, if the
    caller already read it."""
    holders = (session.trust.holders or SignedHolders()).of(section, epoch)
    if stored is None:
        stored = section_store.grant_holders(session.conn)
    stray = sorted(h for s, e, h in stored
                   if s == section and e == epoch and h != RECOVERY and h not in holders)
    for holder in stray:
        warning = (f"section_grants has a row for {holder[:40]} in {section} (epoch {epoch}) "
                   "that no signed grant event backs: ignored")
        if warning not in session.warnings:
            session.warnings.append(warning)
    return holders


def _kept_key(session: Session, membership: Membership, holding: Holding
              ) -> PublicKeys | None:
    """The key a holder is kept with at a rotation, from signed state only: an active signed
    practitioner role that reads the section, and a current certified key that is the very
    key the grant event sealed to (so a key planted after a reset never receives a secret),
    vouched for by R, the owner or a holder of the section."""
    user_id = holding.holder
    role = membership.role_of(user_id)
    if not membership.is_active(user_id) or role is None or role is Role.ADMIN or \
            not session.policy.may_read(role, Section(holding.section)):
        return None
    key = session.trust.sealable(user_id, holding.section)
    if key is None:
        return None
    if holding.keys_digest:
        return key if signatures.keys_digest(key.raw) == holding.keys_digest else None
    return key if session.trust.certified_by_then(user_id, holding.at) == key.raw else None


def _rotate(session: Session, section: str, epoch: int, keep: dict[str, PublicKeys]) -> None:
    signer = session.require_keys()
    old_secret = session.keys.secret(section, epoch)
    old_pair = section_keypair(old_secret, session.vault_id, section, epoch)
    new_secret = Secret.random()
    new_epoch = epoch + 1
    new_public = section_keypair(new_secret, session.vault_id, section, new_epoch).public.raw
    at = session.now()
    message = signatures.section_epoch(session.vault_id, section, new_epoch, new_public,
                                       session.user_id, at)
    recovery_public = KeyFile.load(session.vault_dir).recovery_public
    with session.write():
        section_store.insert_epoch(session.conn, section_store.EpochRow(
            section, new_epoch, new_public, session.user_id, at, signer.sign(message),
            old_pair.sign(message),
            wrap(previous_wrap_key(new_secret, session.vault_id, section, new_epoch),
                 old_secret.value, previous_wrap_ad(session.vault_id, section, new_epoch)),
        ))
        append_event(session.conn, session.vault_id, session.trust, at, session.user_id,
                     signer.sign, ROTATE_EVENT, session.user_id, section, new_epoch)
        holders: list[tuple[str, PublicKeys]] = [(RECOVERY, recovery_public),
                                                 *sorted(keep.items())]
        for holder, public in holders:
            section_store.insert_grant(session.conn, section_store.GrantRow(
                section, new_epoch, holder,
                public.seal(new_secret.value, signatures.grant_info(
                    session.vault_id, section, new_epoch, holder)),
                session.user_id, at,
            ))
            if holder != RECOVERY:
                append_event(session.conn, session.vault_id, session.trust, at,
                             session.user_id, signer.sign, GRANT_EVENT, holder, section,
                             new_epoch, signatures.keys_digest(public.raw))
        removed = {g.holder for g in section_store.grants(session.conn)
                   if g.section == section and g.epoch == epoch} - {h for h, _ in holders}
        for holder in removed:
            section_store.delete_grants_of(session.conn, holder, section)
        session.audit("section_rotated", {"epoch": new_epoch}, detail=None)
    session.trust.replace_with(load_trust(session.conn, session.vault_id, recovery_public))
    session.keys.add(section, new_epoch, new_secret)
