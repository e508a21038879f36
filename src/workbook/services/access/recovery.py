"""Using the recovery key (P6): reset an account, enrol this OS account, approve grants.

Every use is audited, signed by the recovery key itself, and announced to every user at their
next sign-in. R can also open a copy of the vault offline where no audit sees it: the docs say
so plainly, and the recovery sheet says to keep it in a safe."""

from __future__ import annotations

from pathlib import Path

from workbook.crypto import recovery_key
from workbook.crypto.encoding import b64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair
from workbook.crypto.secret import Secret
from workbook.services import validation
from workbook.services.access import slot_changes
from workbook.services.access.accounts import make_slot, passphrase_ok
from workbook.services.access.kdf_policy import new_passphrase_kdf
from workbook.services.authority import RECOVERY, signatures
from workbook.services.clock import Clock, stamp, system_clock
from workbook.services.errors import InvalidInput, NotFound, TamperingDetected
from workbook.vault import accounts, audit_log, device_secret, section_store
from workbook.vault.database import (
    Connection,
    VaultAltered,
    VaultDamaged,
    cipher_pages_ok,
    connect,
    transaction,
)
from workbook.vault.keyfile import (
    KeyFile,
    KeyFileBody,
    device_seal_info,
    vault_key_recovery_info,
)
from workbook.vault.migrations import migrate


def open_recovery(vault_dir: Path, recovery_text: str) -> tuple[KeyFile, KeyPair]:
    keyfile = KeyFile.load(vault_dir)
    try:
        r_key = recovery_key.parse_key(recovery_text)
    except recovery_key.RecoveryKeyInvalid as exc:
        raise InvalidInput(str(exc)) from None
    r_pair = recovery_key.recovery_keypair(r_key)
    r_key.wipe()
    if r_pair.public.raw != keyfile.recovery_public.raw:
        r_pair.wipe()
        raise InvalidInput("that is not this vault's recovery key")
    return keyfile, r_pair


def recovered_secrets(keyfile: KeyFile, r_pair: KeyPair, vault_dir: Path) -> tuple[Secret, Secret]:
    """The device secret and the vault key, opened with the recovery key."""
    try:
        d_secret = Secret(r_pair.open(keyfile.device_seal, device_seal_info(keyfile.vault_id)))
        candidates = [Secret(r_pair.open(
            keyfile.vault_key_recovery_seal,
            vault_key_recovery_info(keyfile.vault_id, keyfile.vault_key_generation),
        ))]
        if keyfile.pending_recovery_seal is not None:
            candidates.append(Secret(r_pair.open(
                keyfile.pending_recovery_seal,
                vault_key_recovery_info(keyfile.vault_id, keyfile.vault_key_generation + 1),
            )))
    except AuthenticationFailed:
        raise TamperingDetected("the key file's recovery seals were altered") from None
    for candidate in candidates:
        try:
            connect(vault_dir, candidate).close()
            return d_secret, candidate
        except VaultAltered:  # the key opened it: say what was altered
            raise
        except VaultDamaged:
            continue
    raise VaultDamaged("the vault database does not open with the recovery key's vault key")


def audit_recovery_use(conn: Connection, r_pair: KeyPair, at: str, purpose: str,
                       ids: dict[str, object]) -> None:
    audit_log.append(conn, at=at, user_id="recovery", event="recovery_key_used",
                     ids={"purpose": purpose, **ids}, detail=None, signer="recovery",
                     sign=r_pair.sign)


def reset_account(
    vault_dir: Path, username: str, recovery_text: str, new_initial_passphrase: str,
    *, clock: Clock = system_clock,
) -> None:
    """Give an account a new initial passphrase. Its old keys are lost with the old passphrase,
    so its grants are removed; after the person chooses their own passphrase, a holder (or R)
    approves them again, comparing the new fingerprint."""
    username = validation.username(username)
    keyfile, r_pair = open_recovery(vault_dir, recovery_text)
    try:
        d_secret, v_key = recovered_secrets(keyfile, r_pair, vault_dir)
        conn = connect(vault_dir, v_key)
        try:
            # Recovery is rare and consequential: refuse a damaged vault before changing it.
            if not cipher_pages_ok(conn):
                raise VaultDamaged("the vault database is damaged (pages fail their "
                                   "authentication check); restore it from a backup first")
            migrate(conn)
            user = accounts.by_username(conn, username)
            if user is None:
                raise NotFound(f"no account called {username!r}")
            from workbook.services.authority import load_membership, load_trust

            # Disabled by the signed membership log, never by the users row (decision 0006).
            signed = load_membership(conn, keyfile.vault_id,
                                     load_trust(conn, keyfile.vault_id, keyfile.recovery_public))
            if user.user_id in signed.disabled:
                raise InvalidInput(f"{username!r} is disabled; it cannot be recovered")
            passphrase_ok(new_initial_passphrase, user.username, user.full_name)
            kdf = new_passphrase_kdf(conn, keyfile.vault_id, keyfile.recovery_public)
            slot = make_slot(keyfile.vault_id, user.user_id, new_initial_passphrase, d_secret, kdf,
                             "initial", {"vault_key": b64(v_key.value)})
            at = stamp(clock())
            slot_changes.sign(keyfile.vault_id, slot, RECOVERY, r_pair, at)
            with transaction(conn):
                accounts.reset_to_initial(conn, user.user_id)
                section_store.delete_grants_of(conn, user.user_id)
                # The old keys went with the old passphrase: withdraw every key this account
                # ever registered, so a fresh approval does not look like a planted second key.
                registered = set(accounts.key_history(conn).get(user.user_id, []))
                certified = {c.public_keys for c in accounts.all_certs(conn)
                             if c.user_id == user.user_id}
                for keys in sorted(registered | certified):
                    accounts.add_revocation(conn, user.user_id, keys, at, r_pair.sign(
                        signatures.key_revocation(keyfile.vault_id, user.user_id, keys, at)))
                audit_recovery_use(conn, r_pair, at, "reset passphrase", {"user": user.user_id})

                def change(_kf: KeyFile, body: KeyFileBody) -> None:
                    body.accounts[user.username] = slot

                KeyFile.update(vault_dir, d_secret, change)
        finally:
            conn.close()
        d_secret.wipe()
        v_key.wipe()
    finally:
        r_pair.wipe()


def enrol_with_recovery_key(vault_dir: Path, recovery_text: str, *,
                            clock: Clock = system_clock) -> str:
    """Put this vault's device secret into this OS account's keyring."""
    keyfile, r_pair = open_recovery(vault_dir, recovery_text)
    try:
        d_secret, v_key = recovered_secrets(keyfile, r_pair, vault_dir)
        device_secret.select_backend()
        if not device_secret.keyring_available():
            raise device_secret.KeyringUnavailable()
        conn = connect(vault_dir, v_key)
        try:
            with transaction(conn):
                audit_recovery_use(conn, r_pair, stamp(clock()), "enrol device", {})
                # Stored inside the transaction: if the keyring refuses, no enrolment is audited.
                device_secret.store_device_secret(keyfile.vault_id, bytes(d_secret.value))
        finally:
            conn.close()
        d_secret.wipe()
        v_key.wipe()
        return keyfile.vault_id
    finally:
        r_pair.wipe()
