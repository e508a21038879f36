"""The `--json` output of the command line, byte for byte, against golden files.

Every read-only command that has JSON output runs, as several kinds of user, on a fresh copy of
the small vault in tests/data/cli-json/ (made by tests/data/make_cli_json_vault.py), and so do a
few writing commands whose JSON is deterministic. The clock is fixed (`main(argv, clock=...)`),
so "today", overdue actions, time limits and audit times do not move. A refactor that changes no
behaviour leaves every file identical.

A mismatch fails with a unified diff. To regenerate the golden files, deliberately, after a
change of output that is meant (or a new vault), run from the repository root:

    WORKBOOK_UPDATE_GOLDEN=1 .venv/bin/pytest -p no:cacheprovider -q tests/cli/test_json_outputs.py

and review `git diff tests/data/cli-json/golden` before committing it.
"""

from __future__ import annotations

import base64
import difflib
import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from cli_harness import ENV_VARS, MemoryKeyring

from workbook.cli import main
from workbook.services.session import device_id
from workbook.vault import device_secret
from workbook.vault.keyfile import KeyFile

DATA = Path(__file__).resolve().parents[1] / "data" / "cli-json"
GOLDEN = DATA / "golden"
UPDATE = os.environ.get("WORKBOOK_UPDATE_GOLDEN") == "1"
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # a Monday; the vault was written before it
MADE: dict[str, Any] = json.loads((DATA / "ids.json").read_text(encoding="utf-8"))

# The only things normalised: what depends on the machine that runs the test, not on the code.
PLACEHOLDERS = (
    # Output files are written into this test's temporary folder, whose name pytest chooses.
    ("tmp", "<TMP>"),
    # The label of this OS account on this PC (services/session.device_id: a hash of the host
    # name and the OS user), stored on the versions a command writes.
    ("device", "<DEVICE>"),
)

READ_ONLY: list[tuple[str, str, tuple[str, ...]]] = [
    ("user-list", "tm", ("user", "list")),
    ("user-list-admin", "admin", ("user", "list")),
    ("keys-fingerprint", "tm", ("keys", "fingerprint")),
    ("keys-pending", "tm", ("keys", "pending")),
    ("keys-pending-sw1", "sw1", ("keys", "pending")),
    ("family-list", "tm", ("family", "list")),
    ("family-list-pc1", "pc1", ("family", "list")),
    ("show-smith", "tm", ("show", "{smith}")),
    ("show-smith-pc1", "pc1", ("show", "{smith}")),
    ("show-smith-sw1", "sw1", ("show", "{smith}")),
    ("show-jones", "tm", ("show", "{jones}")),
    ("show-brown", "tm", ("show", "{brown}")),
    ("entry-history-edited", "tm", ("entry", "history", "{edited}")),
    ("entry-history-conflict", "tm", ("entry", "history", "{conflict}")),
    ("entry-history-deleted", "tm", ("entry", "history", "{deleted}")),
    ("entry-history-urgent", "tm", ("entry", "history", "{urgent}")),
    ("entry-history-police", "pc1", ("entry", "history", "{police}")),
    ("audit-verify", "tm", ("audit", "verify")),
    ("audit-verify-admin", "admin", ("audit", "verify")),
    ("audit-list", "tm", ("audit", "list")),
    ("audit-list-limit", "admin", ("audit", "list", "--limit", "5")),
    ("policy-show", "admin", ("policy", "show")),
    ("supervision-board", "tm", ("supervision", "board")),
    ("supervision-region", "tm", ("supervision", "region")),
    ("supervision-list", "tm", ("supervision", "list")),
    ("supervision-show-finished", "tm", ("supervision", "show", "{finished_session}")),
    ("supervision-show-open", "tm", ("supervision", "show", "{open_session}")),
    ("retention-review", "tm", ("retention", "review")),
    ("retention-review-all", "tm", ("retention", "review", "--all")),
    ("disposal-list", "tm", ("disposal", "list")),
    ("identity-show", "tm", ("identity", "show")),
    ("partner-list", "tm", ("partner", "list")),
    ("vault-accept-restore", "tm", ("vault", "accept-restore")),
]
WRITING: list[tuple[str, str, tuple[str, ...]]] = [
    ("user-unlock", "admin", ("user", "unlock", "sw1")),
    ("user-role", "admin", ("user", "role", "sw1", "senior-social-worker")),
    ("supervision-region-set", "tm", ("supervision", "region", "scotland")),
    ("supervision-order", "tm", ("supervision", "order", "{open_session}", "{jones}",
                                 "{smith}")),
    ("supervision-finish", "tm", ("supervision", "finish", "{open_session}")),
    ("family-close", "tm", ("family", "close", "{jones}", "--type", "early-help")),
    ("backup-remind", "tm", ("backup", "--remind-days", "30")),
    ("print-case-summary", "tm", ("print", "{smith}", "--kind", "case-summary", "--out",
                                  "{tmp}/summary.pdf")),
    ("print-home-visit", "sw1", ("print", "{smith}", "--kind", "home-visit", "--out",
                                 "{tmp}/visit.pdf")),
    ("sar", "tm", ("sar", "{zoe}", "--out", "{tmp}/sar.pdf", "--redact-third-parties")),
    ("identity-export", "tm", ("identity", "export", "--out", "{tmp}/card.json")),
]
CASES = READ_ONLY + WRITING


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh copy of the vault (every sign-in appends to its audit log), and an in-memory
    keyring holding only its device secret."""
    copy = tmp_path / "vault"
    shutil.copytree(DATA / "vault", copy)
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    secret = base64.urlsafe_b64decode((DATA / "device-secret.txt").read_text().strip())
    device_secret.store_device_secret(KeyFile.load(copy).vault_id, secret)
    try:
        yield copy
    finally:
        keyring.set_keyring(previous)


def _normalise(text: str, tmp: Path) -> str:
    values = {"tmp": str(tmp), "device": device_id()}
    for name, placeholder in PLACEHOLDERS:
        text = text.replace(values[name], placeholder)
    return text


def _check(name: str, actual: str) -> None:
    golden = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    assert golden.is_file(), f"no golden file {golden.name}: run with WORKBOOK_UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                            actual.splitlines(keepends=True),
                                            f"golden/{golden.name}", "now"))
        pytest.fail(f"`{name}` --json output changed:\n{diff}", pytrace=False)


@pytest.mark.parametrize(("name", "user", "argv"), CASES, ids=[c[0] for c in CASES])
def test_json_output_is_unchanged(name: str, user: str, argv: tuple[str, ...], vault: Path,
                                  tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_VAULT", str(vault))
    monkeypatch.setenv("WORKBOOK_USER", user)
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", MADE["passphrases"][user])
    words = [word.format(tmp=tmp_path, **MADE["ids"]) for word in argv]
    capsys.readouterr()
    code = main([*words, "--json"], clock=lambda: NOW)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    _check(name, _normalise(captured.out, tmp_path))


def test_every_golden_file_has_its_command() -> None:
    names = {name for name, _, _ in CASES}
    assert len(names) == len(CASES)
    stale = sorted(p.stem for p in GOLDEN.glob("*.json") if p.stem not in names)
    assert not stale, f"golden files without a command: {stale}"
