"""Windows-only keyring logic, run here (issue 17): where the opt-in file keyring lives under a
Windows profile, and that what Workbook keeps in the keyring fits Windows Credential Manager.

On Windows, keyring's WinVaultKeyring stores each password as a generic credential: its blob is
the password in UTF-16, at most CRED_MAX_CREDENTIAL_BLOB_SIZE (2,560 bytes), under a target
name and user name of bounded length. Those rules are enforced below by a keyring backend that
refuses what Credential Manager would refuse, and the real code (a vault made, signed in to,
restored into another folder) writes its device secret and seen records through it."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import keyring
import platformdirs.windows
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError

from support.vaults import FAST_KDF
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.upkeep import backup
from workbook.vault import device_secret
from workbook.vault.file_keyring import FILE_NAME, default_path

CRED_MAX_CREDENTIAL_BLOB_SIZE = 5 * 512
CRED_MAX_GENERIC_TARGET_NAME_LENGTH = 32767
CRED_MAX_USERNAME_LENGTH = 513
PROFILE = "C:\\Users\\Zoë Łukasz-Żółć"


def test_the_file_keyring_lives_in_local_appdata_never_the_roaming_profile(
        monkeypatch: pytest.MonkeyPatch) -> None:
    local, roaming = PROFILE + "\\AppData\\Local", PROFILE + "\\AppData\\Roaming"
    for name, value in (("LOCALAPPDATA", local), ("APPDATA", roaming),
                        ("WIN_PD_OVERRIDE_LOCAL_APPDATA", local),
                        ("WIN_PD_OVERRIDE_APPDATA", roaming)):
        monkeypatch.setenv(name, value)
    where = PureWindowsPath(str(default_path(platformdirs.windows.Windows)))
    assert where == PureWindowsPath(local) / "workbook" / "workbook" / FILE_NAME
    assert not str(where).startswith(roaming)


def test_the_file_keyring_follows_xdg_here(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert default_path() == tmp_path / "config" / "workbook" / FILE_NAME


class CredentialManagerRules(KeyringBackend):
    """Keeps passwords in memory and refuses, as Credential Manager does, a blob over 2,560
    bytes (UTF-16) or a target or user name over its limit. Records the longest it saw."""

    priority = 5  # type: ignore[assignment]  # as WinVaultKeyring's on Windows

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.largest_blob = 0

    def set_password(self, service: str, username: str, password: str) -> None:
        blob = len(password.encode("utf-16-le"))
        target = f"{username}@{service}"  # keyring's compound target for a second account
        if blob > CRED_MAX_CREDENTIAL_BLOB_SIZE:
            raise PasswordSetError(f"blob of {blob} bytes for {username}")
        if len(target) > CRED_MAX_GENERIC_TARGET_NAME_LENGTH:
            raise PasswordSetError("target name too long")
        if len(username) > CRED_MAX_USERNAME_LENGTH:
            raise PasswordSetError("user name too long")
        self.largest_blob = max(self.largest_blob, blob)
        self.store[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


def test_what_workbook_keeps_fits_credential_manager(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBOOK_KEYRING", raising=False)
    previous = keyring.get_keyring()
    rules = CredentialManagerRules()
    keyring.set_keyring(rules)
    try:
        assert device_secret.keyring_available()
        vault = tmp_path / ("Zoë's vaults " * 8) / "vault"
        create_vault(vault, team="North Unit", owner_username="tm", owner_name="Tess Manager",
                     passphrase="correct horse battery staple", kdf=FAST_KDF)
        with sign_in(vault, "tm", "correct horse battery staple") as owner:
            owner.accounts.add("sw1", "Sam Worker", "social-worker", "initial pass phrase one")
            family = owner.families.add("Smith family", "REF-1")
            owner.families.add_entry(family, "case-notes", "First visit")
            backup.make_backup(owner, tmp_path / "team.wbk")
        backup.restore_backup(tmp_path / "team.wbk", tmp_path / "restored", "tm",
                              "correct horse battery staple")
        with sign_in(tmp_path / "restored", "tm", "correct horse battery staple"):
            pass
        accounts = {username for service, username in rules.store if service == "workbook"}
        seen = [a for a in accounts if device_secret.SEEN_MARK in a]
        assert len(accounts) >= 3 and len(seen) >= 2  # D, and a seen record per folder
        # The seen record (the heads of two logs, a generation and a tag) is the largest, of a
        # fixed size: 872 bytes as UTF-16 when measured. Half the limit leaves room to grow.
        assert 0 < rules.largest_blob <= CRED_MAX_CREDENTIAL_BLOB_SIZE // 2
    finally:
        keyring.set_keyring(previous)


def test_the_rules_refuse_what_credential_manager_refuses() -> None:
    rules = CredentialManagerRules()
    with pytest.raises(PasswordSetError, match="blob of 2562 bytes"):
        rules.set_password("workbook", "a", "x" * 1281)
    rules.set_password("workbook", "a", "x" * 1280)
    assert rules.get_password("workbook", "a") == "x" * 1280
