"""The real console script `.venv/bin/workbook`, in separate processes, with the opt-in file
keyring under a temporary XDG_CONFIG_HOME, the full default Argon2id cost, and no terminal.

A few tests only: each process pays Python start-up and a 64 MiB Argon2id derivation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from workbook import __version__
from workbook.crypto.recovery_key import parse_key

SCRIPT = Path(sys.executable).with_name("workbook")
OWNER_PASS = "correct horse battery staple"


@dataclass(frozen=True)
class Real:
    root: Path
    vault: Path
    sheet: Path
    config: Path
    init: subprocess.CompletedProcess[str]
    data: dict[str, Any]


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBOOK_")}
    env.update({"HOME": str(root / "home"), "XDG_CONFIG_HOME": str(root / "config"),
                "WORKBOOK_KEYRING": "file"})
    env.update(extra)
    return env


def workbook(root: Path, *argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *argv], env=_env(root, **extra), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Real:
    if not SCRIPT.exists():
        pytest.skip(f"no console script at {SCRIPT} (install with pip install -e '.[test]')")
    root = tmp_path_factory.mktemp("cli-real")
    (root / "home").mkdir()
    vault, sheet = root / "vault", root / "sheets" / "recovery-sheet.pdf"
    sheet.parent.mkdir()
    init = workbook(root, "init", "--vault", str(vault), "--team", "North Unit", "--owner", "tm",
                    "--owner-name", "Tess Manager", "--recovery-sheet", str(sheet), "--json",
                    WORKBOOK_PASSPHRASE=OWNER_PASS)
    assert init.returncode == 0, init
    return Real(root, vault, sheet, root / "config", init, json.loads(init.stdout))


def test_version() -> None:
    result = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0
    assert result.stdout.strip() == f"workbook {__version__}"


def test_init_json_prints_the_vault_id_and_the_recovery_key(real: Real) -> None:
    assert real.init.stderr == ""
    assert len(real.data["vault_id"]) == 32
    parse_key(real.data["recovery_key"])
    assert (real.vault / "vault.db").is_file() and (real.vault / "keys.json").is_file()
    # The device secret went to the opt-in file keyring, private to this OS account.
    keyring_file = real.config / "workbook" / "keyring.json"
    assert keyring_file.is_file()
    assert (keyring_file.stat().st_mode & 0o777) == 0o600
    assert real.data["vault_id"] in keyring_file.read_text()


def test_init_writes_a_private_one_page_recovery_sheet(real: Real) -> None:
    assert (real.sheet.stat().st_mode & 0o777) == 0o600
    assert real.sheet.read_bytes().startswith(b"%PDF")
    reader = PdfReader(str(real.sheet))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert real.data["recovery_key"] in "".join(text.split())
    assert "North Unit" in text


def test_another_process_signs_in_with_the_full_kdf(real: Real) -> None:
    added = workbook(real.root, "family", "add", "--name", "Smith family", "--vault",
                     str(real.vault), "--as", "tm", "--json", WORKBOOK_PASSPHRASE=OWNER_PASS)
    assert added.returncode == 0, added
    family_id = json.loads(added.stdout)["id"]
    listed = workbook(real.root, "--vault", str(real.vault), "--as", "tm", "--json", "family",
                      "list", WORKBOOK_PASSPHRASE=OWNER_PASS)
    assert listed.returncode == 0, listed
    assert [f["id"] for f in json.loads(listed.stdout)] == [family_id]


def test_no_passphrase_and_no_terminal(real: Real) -> None:
    result = workbook(real.root, "family", "list", "--vault", str(real.vault), "--as", "tm")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("workbook: error: no passphrase given")
    assert len(result.stderr.splitlines()) == 1


def test_wrong_passphrase_is_one_line(real: Real) -> None:
    result = workbook(real.root, "user", "list", "--vault", str(real.vault), "--as", "tm",
                      WORKBOOK_PASSPHRASE="a wrong passphrase for sure")
    assert result.returncode == 1
    assert result.stderr == "workbook: error: wrong username or passphrase\n"


def test_a_corrupted_database_gives_one_line_on_stderr(
    real: Real, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "vault"
    shutil.copytree(real.vault, copy)
    db = copy / "vault.db"
    data = bytearray(db.read_bytes())
    # Damage every page after the first two, so whatever the command reads is damaged.
    data[8192:] = bytes(len(data) - 8192)
    db.write_bytes(bytes(data))
    result = workbook(real.root, "user", "list", "--vault", str(copy), "--as", "tm",
                      WORKBOOK_PASSPHRASE=OWNER_PASS)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("workbook: error:"), result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
