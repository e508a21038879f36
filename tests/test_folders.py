"""Folders as people on Windows type them (issue 17): drive letters, UNC shares, long paths and
names in any script, with one clear line for text that cannot name a folder.

The Windows forms cannot be opened here, so their rules (domain/folders.py) are tested with
PureWindowsPath; what can run here does: a vault made, backed up and restored in a folder whose
path is longer than Windows' 260 characters and whose names are not ASCII, and the CLI's
refusal of a blank --vault with nothing written."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import keyring
import pytest

from support.vaults import FAST_KDF, use_memory_keyring
from workbook.cli import main
from workbook.domain import folders
from workbook.services import validation
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import InvalidInput
from workbook.services.upkeep import backup
from workbook.vault.database import VaultPathTooLong

OWNER, PASSPHRASE = "tm", "correct horse battery staple"
NON_ASCII = "Zoë Łukasz-Żółć 名前 ابتسام"


@pytest.mark.parametrize("text", [
    "\\\\server\\share\\team",
    "//server/share/team",
    "\\\\council.local\\Social Care$\\Team 3\\Vault",
    "Z:\\Teams\\Vault",
    "Z:/Teams/Vault",
    "C:\\Users\\" + NON_ASCII + "\\AppData\\Local\\Workbook",
    "\\\\?\\C:\\" + "long folder\\" * 30,
    "\\\\?\\UNC\\server\\share\\team",
    "vault",
    "..\\vaults\\team",
])
def test_windows_forms_of_a_folder_are_accepted(text: str) -> None:
    assert folders.refusal(text, windows=True) is None


@pytest.mark.parametrize(("text", "why"), [
    ("C:vault", "relative to the current folder of drive C:; write C:\\vault"),
    ("\\\\server", "names a computer, not a shared folder"),
    ("//server", "names a computer, not a shared folder"),
    ("C:\\Teams\\a<b", "contains <, which Windows does not allow"),
    ("C:\\Teams\\what?", "contains ?"),
    ("C:\\Teams\\a:b", "contains :"),
    ("", "no folder was given"),
    ("   ", "no folder was given"),
    ("C:\\Teams\\a\0b", "NUL character"),
])
def test_text_that_cannot_name_a_windows_folder_is_refused_in_one_line(text: str,
                                                                      why: str) -> None:
    refusal = folders.refusal(text, windows=True)
    assert refusal is not None and why in refusal and "\n" not in refusal


@pytest.mark.parametrize("text", ["/srv/workbook/vault", "~/vault", "relative/vault",
                                  "/home/" + NON_ASCII + "/vault", "a:b?<c>"])
def test_posix_folders_are_taken_as_typed(text: str) -> None:
    assert folders.refusal(text, windows=False) is None
    assert folders.refusal("/srv/a\0b", windows=False) is not None


def test_a_short_windows_path_is_left_as_it_is() -> None:
    for text in ("Z:\\Teams\\Vault", "\\\\server\\share\\team", "vault"):
        assert folders.for_windows_api(PureWindowsPath(text)) == PureWindowsPath(text)


def test_a_long_drive_path_gets_the_long_path_prefix() -> None:
    text = "C:\\Users\\" + NON_ASCII + "\\" + "\\".join(["Case work folder"] * 20)
    assert len(text) > 260
    long = folders.for_windows_api(PureWindowsPath(text))
    assert str(long) == "\\\\?\\" + text
    assert long.parts[1:] == PureWindowsPath(text).parts[1:]
    assert folders.shown(long) == text
    assert folders.for_windows_api(long) == long  # never prefixed twice


def test_a_long_unc_path_gets_the_unc_long_path_prefix() -> None:
    text = "\\\\server\\share\\" + "\\".join(["Team " + NON_ASCII] * 12)
    long = folders.for_windows_api(PureWindowsPath(text))
    assert str(long).startswith("\\\\?\\UNC\\server\\share\\Team ")
    assert folders.shown(long) == text


def test_a_relative_long_path_is_not_prefixed() -> None:
    text = "\\".join(["folder"] * 60)
    assert folders.for_windows_api(PureWindowsPath(text)) == PureWindowsPath(text)


def test_the_services_refuse_a_blank_folder_with_what_it_was_for() -> None:
    with pytest.raises(InvalidInput, match="^the folder to restore into: no folder was given$"):
        validation.folder_path("  ", "folder to restore into")
    assert validation.folder_path("~/vault", "vault folder") == Path.home() / "vault"


@pytest.fixture
def deep_folder(tmp_path: Path) -> Path:
    """A folder more than 260 characters deep (Windows' MAX_PATH), named in four scripts, and
    short enough in UTF-8 bytes for SQLite here (domain/folders.SQLITE_PATH_BYTES)."""
    folder = tmp_path.joinpath(*(["Zoë Łukasz 名前 case folder"] * 9))
    folder.mkdir(parents=True)
    assert len(str(folder)) > 260
    return folder


def test_a_vault_lives_backs_up_and_restores_in_a_long_non_ascii_folder(
        deep_folder: Path) -> None:
    previous = keyring.get_keyring()
    use_memory_keyring()
    try:
        vault = validation.folder_path(str(deep_folder / "vault"), "vault folder")
        create_vault(vault, team="North Unit", owner_username=OWNER, owner_name="Tess Manager",
                     passphrase=PASSPHRASE, kdf=FAST_KDF)
        with sign_in(vault, OWNER, PASSPHRASE) as owner:
            family = owner.families.add("Nowak family", "REF-ŁÓDŹ")
            owner.families.add_entry(family, "case-notes", "Visit by " + NON_ASCII)
            backup.make_backup(owner, deep_folder / "team backup ż.wbk")
        restored = deep_folder / "restored"
        backup.restore_backup(deep_folder / "team backup ż.wbk", restored, OWNER, PASSPHRASE)
        with sign_in(restored, OWNER, PASSPHRASE) as again:
            view = again.workbooks.open(family).to_json()
            texts = [e["text"] for e in view["sections"]["case-notes"]["entries"]]
            assert texts == ["Visit by " + NON_ASCII]
            assert again.audit_trail.verify().ok
    finally:
        keyring.set_keyring(previous)


def test_a_blank_vault_folder_on_the_command_line_is_one_line_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", PASSPHRASE)
    code = main(["--vault", "   ", "init", "--team", "North Unit", "--owner", OWNER,
                 "--owner-name", "Tess Manager"])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert err.endswith("the vault folder: no folder was given")
    assert len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("windows", [False, True])
def test_a_database_path_longer_than_sqlite_opens_is_refused_in_one_line(windows: bool) -> None:
    limit = folders.SQLITE_PATH_BYTES[windows]
    fits = "/" + "a" * (limit - len("/-journal") - 1)
    assert folders.database_refusal(fits, windows=windows) is None
    why = folders.database_refusal(fits + "ż", windows=windows)
    assert why is not None and "too long" in why and f"the most is {limit - 1}" in why


def test_a_vault_folder_too_deep_for_sqlite_is_refused_before_anything_is_written(
        tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    use_memory_keyring()
    try:
        deep = tmp_path.joinpath(*([NON_ASCII] * 14))
        assert len(str(deep / "vault" / "vault.db-journal").encode()) > 512
        with pytest.raises(VaultPathTooLong, match="too long for the database file"):
            create_vault(deep / "vault", team="North Unit", owner_username=OWNER,
                         owner_name="Tess Manager", passphrase=PASSPHRASE, kdf=FAST_KDF)
        assert list(tmp_path.iterdir()) == []
    finally:
        keyring.set_keyring(previous)
