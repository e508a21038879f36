"""Argon2id at product strength (issue 2: "Argon2id (at least 64 MiB) combined with a per-device
secret held by keyring").

A vault made without a `kdf=` argument stores at least 64 MiB in the owner's slot, and accounts
added later inherit the vault's parameters. The stored parameters are the ones really used:
recomputing Argon2id independently with them (and only with them) opens the owner's wrap. A
wrong passphrase fails sign-in with the generic message.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from support.memory_keyring import MemoryKeyring
from workbook.crypto.encoding import unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.passphrase_kdf import (
    MINIMUM_PRODUCTION_MEMORY_KIB,
    PRODUCTION_KDF,
    KdfParams,
    derive_kek,
)
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import unwrap
from workbook.services.access.sign_in import GENERIC_FAILURE, sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import SignInFailed
from workbook.vault import device_secret, meta
from workbook.vault.keyfile import KeyFile, KeyFileBody, kek_wrap_ad

pytestmark = pytest.mark.slow  # the production Argon2id (64 MiB) at every sign-in

OWNER, OWNER_PASS = "tm", "correct horse battery staple"
NEWCOMER, NEWCOMER_INITIAL, NEWCOMER_PASS = (
    "pc1", "initial pass phrase one", "my own lovely passphrase")


@dataclass
class DefaultVault:
    path: Path
    vault_id: str
    backend: MemoryKeyring


@pytest.fixture(scope="module")
def default_vault() -> Iterator[DefaultVault]:
    """A vault made with the product's default Argon2id (no kdf= argument), and a second
    account that was added later and has replaced its initial passphrase."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    root = Path(tempfile.mkdtemp(prefix="wb-kdf-"))
    try:
        path = root / "vault"
        created = create_vault(path, team="North Unit", owner_username=OWNER,
                               owner_name="Tess Manager", passphrase=OWNER_PASS)
        with sign_in(path, OWNER, OWNER_PASS) as owner:
            owner.accounts.add(NEWCOMER, "Pat Constable", "police", NEWCOMER_INITIAL)
        yield DefaultVault(path, created.vault_id, backend)
    finally:
        keyring.set_keyring(previous)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _keyring(default_vault: DefaultVault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBOOK_KEYRING", raising=False)
    keyring.set_keyring(default_vault.backend)


def device_secret_of(v: DefaultVault) -> Secret:
    raw = device_secret.load_device_secret(v.vault_id)
    assert raw is not None
    return Secret(raw)


def key_file_body(v: DefaultVault) -> KeyFileBody:
    return KeyFile.load(v.path).open_body(device_secret_of(v))


def test_the_owners_slot_stores_at_least_64_mib(default_vault: DefaultVault) -> None:
    slot = key_file_body(default_vault).accounts[OWNER]
    params = KdfParams.from_json(slot.kdf)
    assert params.memory_kib >= 65536
    assert params.memory_kib >= MINIMUM_PRODUCTION_MEMORY_KIB
    assert params == PRODUCTION_KDF
    assert params.iterations >= 1 and params.lanes >= 1
    assert len(unb64(slot.salt)) >= 16


def test_the_vault_remembers_its_parameters(default_vault: DefaultVault) -> None:
    with sign_in(default_vault.path, OWNER, OWNER_PASS) as owner:
        stored = KdfParams.from_json(json.loads(meta.get_text(owner.conn, "kdf_params")))
    assert stored == PRODUCTION_KDF


def test_accounts_added_later_get_the_same_parameters(default_vault: DefaultVault) -> None:
    body = key_file_body(default_vault)
    owner_params = KdfParams.from_json(body.accounts[OWNER].kdf)
    assert KdfParams.from_json(body.accounts[NEWCOMER].kdf) == owner_params

    # Replacing the initial passphrase keeps them too.
    with sign_in(default_vault.path, NEWCOMER, NEWCOMER_INITIAL) as newcomer:
        newcomer.accounts.change_passphrase(NEWCOMER_INITIAL, NEWCOMER_PASS)
    body = key_file_body(default_vault)
    replaced = KdfParams.from_json(body.accounts[NEWCOMER].kdf)
    assert replaced == owner_params
    assert replaced.memory_kib >= 65536
    assert body.accounts[NEWCOMER].salt != body.accounts[OWNER].salt, "salts are per account"
    with sign_in(default_vault.path, NEWCOMER, NEWCOMER_PASS) as newcomer:
        assert not newcomer.must_replace_passphrase


def _independent_kek(v: DefaultVault, passphrase: str, params: KdfParams, salt: bytes,
                     user_id: str) -> Secret:
    """Argon2id computed here with cryptography directly, not through the app's stretch()."""
    stretched = Argon2id(salt=salt, length=32, iterations=params.iterations,
                         lanes=params.lanes, memory_cost=params.memory_kib)
    return derive_kek(Secret(stretched.derive(passphrase.encode())),
                      device_secret_of(v), v.vault_id, user_id)


def test_the_stored_parameters_are_the_ones_really_used(default_vault: DefaultVault) -> None:
    slot = key_file_body(default_vault).accounts[OWNER]
    params = KdfParams.from_json(slot.kdf)
    salt = unb64(slot.salt)
    ad = kek_wrap_ad(default_vault.vault_id, slot.user_id, slot)

    kek = _independent_kek(default_vault, OWNER_PASS, params, salt, slot.user_id)
    opened = json.loads(unwrap(kek.value, unb64(slot.kek_wrap), ad))
    assert "seed" in opened

    # Less memory (what a weaker build might quietly use) does not open it.
    weaker = KdfParams(params.memory_kib // 2, params.iterations, params.lanes)
    kek = _independent_kek(default_vault, OWNER_PASS, weaker, salt, slot.user_id)
    with pytest.raises(AuthenticationFailed):
        unwrap(kek.value, unb64(slot.kek_wrap), ad)


@pytest.mark.parametrize("wrong", [
    "correct horse battery stapler",
    "Correct horse battery staple",
    "correct horse battery staple ",
    "",
])
def test_a_wrong_passphrase_fails_sign_in(default_vault: DefaultVault, wrong: str) -> None:
    with pytest.raises(SignInFailed) as refused:
        sign_in(default_vault.path, OWNER, wrong)
    assert str(refused.value) == GENERIC_FAILURE
    # The right one still works (and clears the failure count, so the delays stay away).
    with sign_in(default_vault.path, OWNER, OWNER_PASS) as owner:
        assert owner.user.username == OWNER
