"""Creating a vault (KEYS.md, "init"): the owner's act, never the administrator's (P6).

The recovery key R is made here and shown once. R signs the first epoch of every section and
the owner's keys; the device secret goes to the OS keyring; the vault key is wrapped for the
owner and sealed to R."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workbook.crypto import recovery_key
from workbook.crypto.encoding import b64
from workbook.crypto.keypairs import KeyPair
from workbook.crypto.passphrase_kdf import PRODUCTION_KDF, KdfParams, derive_kek, new_salt, stretch
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import wrap
from workbook.domain.acts import Act, may
from workbook.domain.ids import new_id
from workbook.domain.passphrase import PassphraseRejected, check_passphrase
from workbook.domain.policy import default_policy, default_policy_text
from workbook.domain.roles import Role, Section, parse_role
from workbook.services.access import slot_changes
from workbook.services.access.kdf_policy import record_kdf_choice
from workbook.services.authority import RECOVERY, section_keypair, signatures
from workbook.services.clock import Clock, stamp, system_clock
from workbook.services.errors import InvalidInput
from workbook.services.validation import name, username
from workbook.vault import accounts, audit_log, device_secret, meta, policy_store, section_store
from workbook.vault.accounts import CertRow, UserRow
from workbook.vault.database import check_openable, connect, transaction
from workbook.vault.keyfile import (
    NEW_VAULT_PAGE_SIZE,
    KeyFile,
    KeyFileBody,
    Slot,
    device_seal_info,
    kek_wrap_ad,
    vault_id_for,
    vault_key_recovery_info,
    vault_key_user_info,
)
from workbook.vault.migrations import migrate


@dataclass(frozen=True)
class CreatedVault:
    vault_id: str
    team: str
    recovery_key: str
    owner_user_id: str

    def __repr__(self) -> str:
        return f"CreatedVault(vault_id={self.vault_id!r}, team={self.team!r})"


def create_vault(
    vault_dir: Path,
    *,
    team: str,
    owner_username: str,
    owner_name: str,
    passphrase: str,
    owner_role: str = Role.TEAM_MANAGER.value,
    kdf: KdfParams = PRODUCTION_KDF,
    clock: Clock = system_clock,
) -> CreatedVault:
    team = name(team, "team name")
    owner_username = username(owner_username)
    owner_name = name(owner_name, "owner's name")
    try:
        role = parse_role(owner_role)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if not may(role, Act.OWN_VAULT):
        raise InvalidInput("a vault is created by a practitioner, never by the administrator (P6)")
    try:
        check_passphrase(passphrase, username=owner_username, full_name=owner_name)
    except PassphraseRejected as exc:
        raise InvalidInput(str(exc)) from None
    if vault_dir.exists() and any(vault_dir.iterdir()):
        raise InvalidInput(f"{vault_dir} already exists and is not empty; choose a new folder")
    check_openable(vault_dir)
    device_secret.select_backend()
    if not device_secret.keyring_available():
        raise device_secret.KeyringUnavailable()

    at = stamp(clock())
    r_key = recovery_key.generate()
    r_pair = recovery_key.recovery_keypair(r_key)
    vault_id = vault_id_for(r_pair.public)
    d_secret = Secret.random()
    v_key = Secret.random()
    owner_id = new_id()
    owner_pair = KeyPair.generate()
    audit_pair = KeyPair.generate()
    policy = default_policy()

    vault_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    conn = connect(vault_dir, v_key, create=True, page_size=NEW_VAULT_PAGE_SIZE)
    try:
        migrate(conn)
        with transaction(conn):
            meta.put(conn, "vault_id", vault_id)
            meta.put(conn, "team", team)
            meta.put(conn, "created_at", at)
            record_kdf_choice(conn, vault_id, kdf, r_pair.sign)  # R signs the choice
            meta.put(conn, "audit_seed", bytes(audit_pair.seed.value))
            meta.put(conn, "idle_lock_minutes", "5")
            accounts.insert(
                conn,
                UserRow(owner_id, owner_username, owner_name, role.value, "active", True, at,
                        RECOVERY, owner_pair.public.raw),
            )
            accounts.set_public_keys(conn, owner_id, owner_pair.public.raw, at)
            accounts.add_cert(
                conn,
                CertRow(owner_id, owner_pair.public.raw, RECOVERY, at, r_pair.sign(
                    signatures.user_cert(vault_id, owner_id, owner_pair.public.raw, RECOVERY, at)
                )),
            )
            section_store.append_membership(
                conn, at, RECOVERY, f"owner:{role.value}", owner_id, None, None,
                r_pair.sign(signatures.membership(
                    vault_id, at, RECOVERY, f"owner:{role.value}", owner_id, None, None)),
            )
            policy_text = default_policy_text()
            policy_store.append(
                conn, policy_text, RECOVERY, at,
                r_pair.sign(signatures.policy(vault_id, policy_text, RECOVERY, at)))
            for section in Section:
                secret = Secret.random()
                public = section_keypair(secret, vault_id, section.value, 1).public.raw
                section_store.insert_epoch(
                    conn,
                    section_store.EpochRow(
                        section.value, 1, public, RECOVERY, at,
                        r_pair.sign(signatures.section_epoch(
                            vault_id, section.value, 1, public, RECOVERY, at)),
                        None, None,
                    ),
                )
                holders = [(RECOVERY, r_pair.public)]
                if policy.may_read(role, section):
                    holders.append((owner_id, owner_pair.public))
                for holder, public_keys in holders:
                    section_store.insert_grant(
                        conn,
                        section_store.GrantRow(
                            section.value, 1, holder,
                            public_keys.seal(secret.value, signatures.grant_info(
                                vault_id, section.value, 1, holder)),
                            RECOVERY, at,
                        ),
                    )
                secret.wipe()
            audit_log.append(
                conn, at=at, user_id=owner_id, event="vault_created",
                ids={"vault_id": vault_id, "owner": owner_id}, detail=None, signer=owner_id,
                sign=owner_pair.sign,
            )
            head_seq, head_hash = audit_log.head(conn)
    finally:
        conn.close()

    salt = new_salt()
    kek = derive_kek(stretch(passphrase, salt, kdf), d_secret, vault_id, owner_id)
    slot = Slot(owner_id, kdf.to_json(), b64(salt), "active", "")
    slot.kek_wrap = b64(wrap(
        kek.value,
        json.dumps({"seed": b64(owner_pair.seed.value), "audit_seq": head_seq,
                    "audit_hash": head_hash.hex()}).encode(),
        kek_wrap_ad(vault_id, owner_id, slot),
    ))
    slot.vault_key_seal = b64(owner_pair.public.seal(
        v_key.value, vault_key_user_info(vault_id, owner_id, 1)))
    slot_changes.sign(vault_id, slot, owner_id, owner_pair, at)
    keyfile = KeyFile(
        vault_id=vault_id,
        recovery_public=r_pair.public,
        device_seal=r_pair.public.seal(d_secret.value, device_seal_info(vault_id)),
        vault_key_recovery_seal=r_pair.public.seal(
            v_key.value, vault_key_recovery_info(vault_id, 1)
        ),
        vault_key_generation=1,
        body_blob=b"",
        cipher_page_size=NEW_VAULT_PAGE_SIZE,
    )
    keyfile.seal_body(d_secret, KeyFileBody({owner_username: slot}, b64(audit_pair.public.raw)))
    device_secret.store_device_secret(vault_id, bytes(d_secret.value))
    keyfile.save(vault_dir)
    printed = recovery_key.format_key(r_key)
    for secret in (r_key, d_secret, v_key, kek):
        secret.wipe()
    owner_pair.wipe()
    audit_pair.wipe()
    r_pair.wipe()
    return CreatedVault(vault_id, team, printed, owner_id)
