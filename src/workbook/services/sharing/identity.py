"""The vault's sharing identity (docs/bundle-format.md, "Identities, cards and partners").

One key pair per vault: Ed25519 signs bundles and cards, hybrid ML-KEM-768 + X25519 receives
them. Its seed is sealed to the recovery key and to each certified practitioner, never kept
under the database key alone (KEYS.md). Creating it is the owner's or a team manager's
decision; any practitioner who holds it may share and receive, and passes it on to certified
colleagues who lack it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.crypto.secret import Secret
from workbook.domain.acts import REFUSALS, Act, may
from workbook.domain.roles import Section
from workbook.services.authority import RECOVERY
from workbook.services.errors import InvalidInput, NotFound, NotPermitted, TamperingDetected
from workbook.sync.card import Card, make_card
from workbook.vault import meta, sharing_store
from workbook.vault.files import write_private

if TYPE_CHECKING:
    from workbook.services.session import Session


def seal_info(vault_id: str, holder: str) -> bytes:
    return fields("workbook vault identity v1", vault_id, holder)


def identity_statement(vault_id: str, public_keys: bytes, created_by: str, created_at: str
                       ) -> bytes:
    return fields("workbook sharing identity statement v1", vault_id, public_keys, created_by,
                  created_at)


def is_sharing_manager(session: Session, user_id: str) -> bool:
    """The owner or a team manager, by the signed membership log."""
    membership = session.membership()
    if not membership.is_active(user_id):
        return False
    return user_id == membership.owner or may(membership.role_of(user_id), Act.MANAGE_SHARING)


def require_sharing_manager(session: Session) -> None:
    session.require_practitioner()
    session.require_certified()
    if not is_sharing_manager(session, session.user_id):
        raise NotPermitted(REFUSALS[Act.MANAGE_SHARING])


class Identity:
    def __init__(self, session: Session) -> None:
        self.s = session
        self._keypair: KeyPair | None = None

    # --- the public half, believed only with its creator's signature ----------------------
    def public(self) -> PublicKeys | None:
        row = sharing_store.identity(self.s.conn)
        if row is None:
            return None
        message = identity_statement(self.s.vault_id, row.public_keys, row.created_by,
                                     row.created_at)
        if not self.s.trust.verify_by(row.created_by, row.signature, message) or not \
                is_sharing_manager(self.s, row.created_by):
            raise TamperingDetected(
                "the vault's sharing identity is not signed by the owner or a team manager: "
                "it was altered outside Workbook; sharing is refused")
        try:
            return PublicKeys(row.public_keys)
        except ValueError:
            raise TamperingDetected("the vault's sharing identity is malformed") from None

    def ensure(self) -> PublicKeys:
        """The identity, created now if the vault has none and the person may create it."""
        existing = self.public()
        if existing is not None:
            return existing
        require_sharing_manager(self.s)
        signer = self.s.require_certified()
        pair = KeyPair.generate()
        at = self.s.now()
        with self.s.write():
            signature = signer.sign(identity_statement(self.s.vault_id, pair.public.raw,
                                                       self.s.user_id, at))
            sharing_store.put_identity(self.s.conn, sharing_store.IdentityRow(
                pair.public.raw, self.s.user_id, at, signature))
            sharing_store.put_identity_seal(
                self.s.conn, RECOVERY,
                self.s.trust.recovery.seal(pair.seed.value, seal_info(self.s.vault_id,
                                                                      RECOVERY)))
            self._keypair = pair
            self._pass_on(pair)
            self.s.audit("sharing_identity_created", {"fingerprint": pair.public.fingerprint()})
        return pair.public

    def require(self) -> PublicKeys:
        public = self.public()
        if public is None:
            raise NotFound(
                "this vault has no sharing identity yet: the owner or a team manager creates it "
                "(workbook identity show)")
        return public

    # --- the private half ------------------------------------------------------------------
    def keypair(self) -> KeyPair:
        """Open this person's sealed copy. Writes nothing: passing the identity on happens in
        `pass_on`, inside the transaction of an act that succeeds."""
        if self._keypair is not None:
            return self._keypair
        self.s.require_practitioner()
        opener = self.s.require_certified()
        public = self.require()
        sealed = sharing_store.identity_seal(self.s.conn, self.s.user_id)
        if sealed is None:
            raise NotPermitted(
                "you do not hold the vault's sharing identity yet: it is passed to you when the "
                "owner, a team manager or a colleague who holds it next signs in and shares, "
                "receives or shows the identity")
        try:
            seed = Secret(opener.open(sealed, seal_info(self.s.vault_id, self.s.user_id),
                                      "sharing identity"))
            pair = KeyPair(seed)
        except (AuthenticationFailed, ValueError):
            raise TamperingDetected(
                "your copy of the sharing identity does not open: it was altered") from None
        if pair.public.raw != public.raw:
            raise TamperingDetected(
                "your copy of the sharing identity does not match the vault's signed identity")
        self._keypair = pair
        return pair

    def pass_on(self) -> None:
        """Seal the identity to certified colleagues who lack it (callers hold the
        transaction, or this opens one)."""
        pair = self.keypair()
        with self.s.write():
            self._pass_on(pair)

    def _pass_on(self, pair: KeyPair) -> None:
        """Seal the identity to each certified, active practitioner who lacks it, whose key
        the recovery key, the owner or a certified sharing manager vouched for (decision
        0006): a key that only a colleague outside that circle vouched for gets nothing."""
        membership = self.s.membership()
        holders = sharing_store.identity_holders(self.s.conn)
        managers = {u for u in self.s.trust.current if is_sharing_manager(self.s, u)}
        for user_id in sorted(self.s.trust.current):
            if user_id in holders or not membership.is_active(user_id):
                continue
            if not may(membership.role_of(user_id), Act.CASEWORK):
                continue
            public = self.s.trust.vouched_by(user_id, lambda signer, _at: signer in managers)
            if public is None:
                continue
            sealed = public.seal(pair.seed.value, seal_info(self.s.vault_id, user_id))
            sharing_store.put_identity_seal(self.s.conn, user_id, sealed)
            self.s.audit("sharing_identity_passed_on", {"to": user_id})

    # --- the card ----------------------------------------------------------------------------
    def card(self) -> Card:
        pair = self.keypair()
        sections: dict[str, tuple[int, PublicKeys]] = {}
        for section in Section:
            epoch = self.s.trust.current_epoch(section.value)
            public = self.s.trust.section_public(section.value, epoch)
            if public is not None:
                sections[section.value] = (epoch, public)
        return make_card(pair, vault_id=self.s.vault_id, team=self.team(), sections=sections,
                         issued_at=self.s.now())

    def team(self) -> str:
        return meta.get_text(self.s.conn, "team", "") or self.s.vault_id

    def show(self) -> dict[str, str]:
        self.s.require_practitioner()
        public = self.public()
        if public is None:
            public = self.ensure()
        if sharing_store.identity_seal(self.s.conn, self.s.user_id) is not None:
            self.pass_on()
        return {"vault_id": self.s.vault_id, "team": self.team(),
                "fingerprint": public.fingerprint()}

    def export(self, out: Path) -> Card:
        self.s.require_practitioner()
        if out.exists():
            raise InvalidInput(f"{out} already exists; choose a new file")
        if not out.parent.is_dir():
            raise InvalidInput(f"cannot write {out}: {out.parent} is not a folder")
        if self.public() is None:
            self.ensure()
        card = self.card()
        write_private(out, card.to_file())
        with self.s.write():
            self._pass_on(self.keypair())
            self.s.audit("identity_exported", {"fingerprint": card.fingerprint})
        return card
