"""Accounts (P4, P5): the administrator or the owner creates accounts with a one-time initial
passphrase; the person replaces it before anything else, and only then can be granted keys.
Disabling rekeys the database and moves the person's sections to a new epoch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.crypto.encoding import b64, unb64
from workbook.crypto.keypairs import KeyPair
from workbook.crypto.passphrase_kdf import KdfParams, derive_kek, new_salt, stretch
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import wrap
from workbook.domain.acts import REFUSALS, Act, may
from workbook.domain.ids import new_id
from workbook.domain.passphrase import PassphraseRejected, check_passphrase
from workbook.domain.roles import parse_role
from workbook.services import validation
from workbook.services.access import slot_changes
from workbook.services.authority import append_event
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.vault import accounts, audit_log
from workbook.vault.accounts import UserRow
from workbook.vault.database import rekey
from workbook.vault.keyfile import (
    KeyFile,
    KeyFileBody,
    Slot,
    kek_wrap_ad,
    vault_key_recovery_info,
    vault_key_user_info,
)

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class UserSummary:
    username: str
    full_name: str
    role: str
    status: str
    is_owner: bool
    locked: bool
    has_keys: bool


def passphrase_ok(passphrase: str, username: str, full_name: str) -> None:
    try:
        check_passphrase(passphrase, username=username, full_name=full_name)
    except PassphraseRejected as exc:
        raise InvalidInput(str(exc)) from None


def make_slot(
    vault_id: str, user_id: str, passphrase: str, d_secret: Secret, kdf: KdfParams,
    state: str, content: dict[str, object],
) -> Slot:
    salt = new_salt()
    kek = derive_kek(stretch(passphrase, salt, kdf), d_secret, vault_id, user_id)
    slot = Slot(user_id, kdf.to_json(), b64(salt), state, "")
    slot.kek_wrap = b64(wrap(kek.value, json.dumps(content).encode(),
                             kek_wrap_ad(vault_id, user_id, slot)))
    kek.wipe()
    return slot


class Accounts:
    def __init__(self, session: Session) -> None:
        self.s = session

    def vault_kdf(self) -> KdfParams:
        from workbook.services.access.kdf_policy import new_passphrase_kdf

        return new_passphrase_kdf(self.s.conn, self.s.vault_id, self.s.trust.recovery)

    # --- create, list ----------------------------------------------------------------------
    def add(self, username: str, full_name: str, role: str, initial_passphrase: str) -> str:
        self.s.require_account_manager()
        username = validation.username(username)
        full_name = validation.name(full_name, "full name")
        try:
            role_value = parse_role(role)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        passphrase_ok(initial_passphrase, username, full_name)
        if accounts.by_username(self.s.conn, username) is not None:
            raise InvalidInput(f"there is already an account called {username!r}")
        user_id = new_id()
        slot = make_slot(
            self.s.vault_id, user_id, initial_passphrase, self.s.device_secret, self.vault_kdf(),
            "initial", {"vault_key": b64(self.s.vault_key.value)},
        )
        if self.s.keypair is not None:  # an account manager is certified (require_...)
            slot_changes.sign(self.s.vault_id, slot, self.s.user_id, self.s.keypair,
                              self.s.now())
        with self.s.write():
            accounts.insert(self.s.conn, UserRow(
                user_id, username, full_name, role_value.value, "initial", False, self.s.now(),
                self.s.user_id, None,
            ))
            self._sign_membership(f"role:{role_value.value}", user_id)
            self.s.audit("user_added", {"user": user_id, "role": role_value.value})

            def change(_kf: KeyFile, body: KeyFileBody) -> None:
                if username in body.accounts:
                    raise InvalidInput(f"there is already an account called {username!r}")
                body.accounts[username] = slot

            KeyFile.update(self.s.vault_dir, self.s.device_secret, change)
        return user_id

    def all(self) -> list[UserSummary]:
        self.s.require_keys()
        body = KeyFile.load(self.s.vault_dir).open_body(self.s.device_secret)
        membership = self.s.membership()
        out = []
        for user in accounts.all_users(self.s.conn):
            slot = body.accounts.get(user.username)
            # Role and status shown from the signed log; the users table is only a cache.
            role = membership.role_of(user.user_id)
            status = "disabled" if user.user_id in membership.disabled else \
                ("initial" if slot is not None and slot.state == "initial" else "active")
            out.append(UserSummary(
                user.username, user.full_name, role.value if role else user.role, status,
                user.user_id == membership.owner,
                bool(slot and slot.locked), user.public_keys is not None,
            ))
        return out

    def get(self, username: str) -> UserRow:
        user = accounts.by_username(self.s.conn, username.strip())
        if user is None:
            raise NotFound(f"no account called {username.strip()[:40]!r}")
        return user

    # --- passphrase ------------------------------------------------------------------------
    def change_passphrase(self, current: str, new: str) -> None:
        """Replacing the initial passphrase also makes the person's key pairs (KEYS.md,
        "First sign-in"); grants for their role's sections then become pending."""
        user = self.s.user
        if new == current:
            raise InvalidInput("the new passphrase must differ from the current one")
        passphrase_ok(new, user.username, user.full_name)
        body = KeyFile.load(self.s.vault_dir).open_body(self.s.device_secret)
        username, slot = body.slot_for_user_id(user.user_id)
        kdf = KdfParams.from_json(slot.kdf)
        probe = derive_kek(stretch(current, unb64(slot.salt), kdf), self.s.device_secret,
                           self.s.vault_id, user.user_id)
        if probe != self.s.kek:
            probe.wipe()
            if not slot_changes.kek_opens(self.s.kek, self.s.vault_id, user.user_id, slot):
                raise InvalidInput("your passphrase was changed on another PC since you signed "
                                   "in: sign out, then sign in with the new one")
            raise InvalidInput("the current passphrase is not correct")
        probe.wipe()
        first_time = self.s.keypair is None
        keypair = self.s.keypair or KeyPair.generate()
        seq, digest = audit_log.head(self.s.conn)
        new_slot = make_slot(
            self.s.vault_id, user.user_id, new, self.s.device_secret, self.vault_kdf(), "active",
            {"seed": b64(keypair.seed.value), "audit_seq": seq, "audit_hash": digest.hex()},
        )
        generation = KeyFile.load(self.s.vault_dir).vault_key_generation
        new_slot.vault_key_generation = generation
        new_slot.vault_key_seal = b64(keypair.public.seal(
            self.s.vault_key.value, vault_key_user_info(self.s.vault_id, user.user_id, generation)
        ))
        slot_changes.sign(self.s.vault_id, new_slot, user.user_id, keypair, self.s.now())
        with self.s.write():
            if first_time:
                accounts.set_public_keys(
                    self.s.conn, user.user_id, keypair.public.raw, self.s.now()
                )
                accounts.set_status(self.s.conn, user.user_id, "active")
            self.s.keypair = keypair
            self.s.audit("passphrase_changed", {"user": user.user_id, "first": first_time})

            def change(_kf: KeyFile, body: KeyFileBody) -> None:
                body.accounts[username] = new_slot

            KeyFile.update(self.s.vault_dir, self.s.device_secret, change)
        self.s.kek.wipe()
        self.s.kek = derive_kek(
            stretch(new, unb64(new_slot.salt), KdfParams.from_json(new_slot.kdf)),
            self.s.device_secret, self.s.vault_id, user.user_id,
        )
        refreshed = accounts.by_id(self.s.conn, user.user_id)
        if refreshed is not None:
            self.s.user = refreshed

    # --- unlock, role, disable -------------------------------------------------------------
    def unlock(self, username: str) -> None:
        self.s.require_account_manager()
        user = self.get(username)

        def change(_kf: KeyFile, body: KeyFileBody) -> None:
            slot = body.accounts.get(user.username)
            if slot is None:
                raise NotFound(f"{user.username!r} has no sign-in slot on this vault")
            slot.failed, slot.locked, slot.last_failed = 0, False, None

        with self.s.write():
            self.s.audit("user_unlocked", {"user": user.user_id})
            KeyFile.update(self.s.vault_dir, self.s.device_secret, change)

    def set_role(self, username: str, role: str) -> None:
        """A role change: new sections become pending grants; sections the new role may not
        read move to a new epoch at the next holder's sign-in (or now, if this is a holder)."""
        self.s.require_account_manager()
        user = self.get(username)
        try:
            new_role = parse_role(role)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        membership = self.s.membership()
        if user.user_id in membership.disabled:
            raise InvalidInput(f"{user.username!r} is disabled")
        if user.user_id == membership.owner and not may(new_role, Act.OWN_VAULT):
            raise NotPermitted(REFUSALS[Act.OWN_VAULT])
        if new_role is membership.role_of(user.user_id):
            return
        with self.s.write():
            accounts.set_role(self.s.conn, user.user_id, new_role.value)
            self._sign_membership(f"role:{new_role.value}", user.user_id)
            self.s.audit("role_changed", {"user": user.user_id, "role": new_role.value})
        from workbook.services.authority import rotate_due_sections

        rotate_due_sections(self.s)

    def disable(self, username: str) -> list[str]:
        """Disable an account, rekey the database, and rotate the sections it held.
        Returns usernames whose initial passphrase must be issued again (they held only the
        old database key, wrapped under a passphrase nobody else knows)."""
        self.s.require_account_manager()
        user = self.get(username)
        if user.user_id == self.s.user_id:
            raise InvalidInput("you cannot disable your own account")
        membership = self.s.membership()
        if user.user_id == membership.owner:
            raise NotPermitted("the vault owner's account cannot be disabled")
        if user.user_id in membership.disabled:
            raise InvalidInput(f"{user.username!r} is already disabled")
        with self.s.write():
            accounts.set_status(self.s.conn, user.user_id, "disabled")
            self._sign_membership("disable", user.user_id)
            self.s.audit("user_disabled", {"user": user.user_id})
        stranded = self._rekey(removed=[user.username])
        from workbook.services.authority import rotate_due_sections

        rotate_due_sections(self.s)
        return stranded

    def rekey_without(self, usernames: list[str]) -> list[str]:
        """A disable made on another replica, followed here (services/replicas/disables.py):
        the same removal of the people's slots and the same rekey as a disable made here; the
        caller has read the disable from the signed membership log."""
        return self._rekey(removed=usernames)

    def _rekey(self, removed: list[str]) -> list[str]:
        """New vault key, crash-safe: the new seals are written to the key file first, beside
        the old ones; then the database is rekeyed; then the new seals replace the old. A crash
        at any point leaves a key file with a seal that opens the database."""
        new_key = Secret.random()
        users = {u.username: u for u in accounts.all_users(self.s.conn)}
        current = {u.username: self.s.trust.current_key(u.user_id) for u in users.values()}
        stranded: list[str] = []
        generation = KeyFile.load(self.s.vault_dir).vault_key_generation + 1

        def prepare(kf: KeyFile, body: KeyFileBody) -> None:
            for username in removed:
                body.accounts.pop(username, None)
            for username, slot in list(body.accounts.items()):
                user = users.get(username)
                key = current.get(username)
                # Only a certified key: a key written into the users table is never believed.
                if user is None or key is None or slot.state != "active":
                    if username not in stranded:
                        stranded.append(username)
                    continue
                slot.pending_vault_key_seal = b64(key.seal(
                    new_key.value, vault_key_user_info(kf.vault_id, user.user_id, generation)))
            kf.pending_recovery_seal = kf.recovery_public.seal(
                new_key.value, vault_key_recovery_info(kf.vault_id, generation))

        def promote(kf: KeyFile, body: KeyFileBody) -> None:
            for slot in body.accounts.values():
                if slot.pending_vault_key_seal is not None:
                    slot.vault_key_seal = slot.pending_vault_key_seal
                    slot.vault_key_generation = generation
                    slot.pending_vault_key_seal = None
            if kf.pending_recovery_seal is not None:
                kf.vault_key_recovery_seal = kf.pending_recovery_seal
                kf.pending_recovery_seal = None
            kf.vault_key_generation = generation

        KeyFile.update(self.s.vault_dir, self.s.device_secret, prepare)
        rekey(self.s.conn, new_key)
        KeyFile.update(self.s.vault_dir, self.s.device_secret, promote)
        self.s.vault_key.wipe()
        self.s.vault_key = new_key
        with self.s.write():
            self.s.audit("vault_rekeyed", {"generation": generation})
        return sorted(stranded)

    def _sign_membership(self, event: str, user_id: str) -> None:
        """A chained membership event (decision 0006), signed by this account manager."""
        keypair = self.s.require_keys()
        append_event(self.s.conn, self.s.vault_id, self.s.trust, self.s.now(), self.s.user_id,
                     keypair.sign, event, user_id)
