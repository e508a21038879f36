"""The operations commands end to end through `workbook.cli.main`, bad input included."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from cli_harness import (
    Cli,
    MemoryKeyring,
    Template,
    build_template,
    folder_bytes,
    vault_state,
)

from workbook.services import clock


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield build_template(tmp_path_factory.mktemp("ops-cli-template"))
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def cli(template: Template, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    vault = tmp_path / "vault"
    shutil.copytree(template.path, vault)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    backend.store.update(template.store)
    keyring.set_keyring(backend)
    work = tmp_path / "files"
    work.mkdir()
    try:
        yield Cli(capsys, monkeypatch, vault, work, template, backend)
    finally:
        keyring.set_keyring(previous)


def _years_later(monkeypatch: pytest.MonkeyPatch, years: int = 7) -> None:
    """Every session the CLI opens from now on lives `years` later (the clock `main` hands to
    every sign-in of a command)."""
    from workbook.cli.main import main

    shift = timedelta(days=366 * years)
    defaults = main.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "clock", lambda: clock.system_clock() + shift)


def test_backup_and_restore_commands(cli: Cli) -> None:
    out = cli.tmp / "team.wbk"
    made = cli.ok("--json", "backup", "--out", str(out), "--remind-days", "5").json()
    assert made["file"] == str(out) and made["remind_days"] == 5
    assert set(made) >= {"backup_id", "vault_id", "created_at", "parts"}
    target = cli.tmp / "restored"
    done = cli.ok("--json", "restore", str(out), "--to", str(target)).json()
    assert done["audit_verified"] and done["families"] == 2
    assert not done["enrolled_with_recovery_key"]
    assert vault_state(target, cli.passphrases)["tm"] == vault_state(cli.vault,
                                                                   cli.passphrases)["tm"]
    cli.ok("audit", "verify", vault=target)


def test_restore_on_a_new_device_with_the_recovery_key(cli: Cli) -> None:
    out = cli.tmp / "team.wbk"
    cli.ok("backup", "--out", str(out), user="admin")
    cli.keyring.store.clear()
    target = cli.tmp / "new-pc"
    refused = cli.fails("restore", str(out), "--to", str(target))
    assert "recovery key" in refused.err and not target.exists()
    done = cli.ok("--json", "restore", str(out), "--to", str(target),
                  "--recovery-key-file", str(cli.recovery_file())).json()
    assert done["enrolled_with_recovery_key"]
    cli.ok("show", cli.t.family_id, vault=target)


@pytest.mark.parametrize("argv,message", [
    (("backup",), "give --out"),
    (("backup", "--out", "{tmp}/missing/x.wbk"), "is not a folder"),
    (("backup", "--out", "{tmp}"), "is a folder"),
    (("backup", "--out", "{tmp}/x.wbk", "--remind-days", "0"), "between 1 and 365"),
    (("restore", "{tmp}/nothing.wbk", "--to", "{tmp}/r"), "does not exist"),
    (("restore", "{tmp}/plain.txt", "--to", "{tmp}/r"), "not a Workbook backup"),
    (("restore", "{tmp}/plain.txt", "--to", "{tmp}"), "not an empty folder"),
    (("family", "close", "{family}", "--type", "forever"), "unknown family type"),
    (("family", "close", "0" * 32, "--type", "early-help"), "no family"),
    (("family", "close", "bad id!", "--type", "early-help"), "family id"),
    (("disposal", "propose", "{family}"), "not closed"),
    (("disposal", "confirm", "{family}", "--certificate", "{tmp}/c.pdf"), "administrator"),
    (("disposal", "confirm", "{family}", "--certificate", "{tmp}/missing/c.pdf"),
     "is not a folder"),
    (("disposal", "withdraw", "{family}"), "no disposal"),
    (("family", "reopen", "{family}"), "not closed"),
    (("disposal", "certificate", "{family}", "--out", "{tmp}/c.pdf"), "has not been disposed"),
    (("restore", "{tmp}/plain.txt", "--to", "{tmp}/r", "--recovery-key-file",
      "{tmp}/no-key.txt"), "does not exist"),
    (("backup", "--out", "{tmp}/x.wbk", "--remind-days", "many"), "invalid int"),
])
def test_bad_input_is_refused_and_changes_nothing(cli: Cli, argv: tuple[str, ...],
                                                  message: str) -> None:
    (cli.tmp / "plain.txt").write_text("hello")
    before = vault_state(cli.vault, cli.passphrases)
    files_before = folder_bytes(cli.tmp)
    args = [a.format(tmp=cli.tmp, family=cli.t.family_id) for a in argv]
    result = cli.fails(*args)
    assert message in result.err, result
    assert vault_state(cli.vault, cli.passphrases) == before
    assert folder_bytes(cli.tmp) == files_before


def test_social_worker_may_not_back_up(cli: Cli) -> None:
    result = cli.fails("backup", "--out", str(cli.tmp / "x.wbk"), user="sw1")
    assert "owner or an administrator" in result.err
    assert not (cli.tmp / "x.wbk").exists()


def test_close_review_propose_confirm_with_certificate(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = cli.ok("--json", "family", "close", cli.t.family_id, "--type", "early-help").json()
    assert closed["family_type"] == "early-help"
    assert cli.ok("--json", "retention", "review").json() == []
    assert len(cli.ok("--json", "retention", "review", "--all").json()) == 1
    _years_later(monkeypatch)
    (item,) = cli.ok("--json", "retention", "review", user="admin").json()
    assert item["due"] and item["family_id"] == cli.t.family_id
    cli.ok("disposal", "propose", cli.t.family_id)
    refused = cli.fails("disposal", "confirm", cli.t.family_id, "--certificate",
                        str(cli.tmp / "c.pdf"))
    assert "administrator" in refused.err and not (cli.tmp / "c.pdf").exists()
    certificate = cli.tmp / "c.pdf"
    done = cli.ok("--json", "disposal", "confirm", cli.t.family_id, "--certificate",
                  str(certificate), user="admin").json()
    assert done["certificate"] == str(certificate) and done["versions_removed"] > 0
    assert certificate.read_bytes().startswith(b"%PDF")
    assert certificate.stat().st_mode & 0o077 == 0
    listed: list[dict[str, Any]] = cli.ok("--json", "disposal", "list", user="admin").json()
    assert [d["id"] for d in listed] == [cli.t.family_id]
    families = cli.ok("--json", "family", "list").json()
    assert cli.t.family_id not in {f["id"] for f in families}
    cli.ok("audit", "verify")
    again = cli.fails("disposal", "confirm", cli.t.family_id, "--certificate",
                      str(cli.tmp / "c2.pdf"), user="admin")
    assert "already disposed" in again.err
    reprint = cli.tmp / "c3.pdf"
    cli.ok("disposal", "certificate", cli.t.family_id, "--out", str(reprint), user="admin")
    assert reprint.read_bytes().startswith(b"%PDF")
    refused = cli.fails("disposal", "certificate", cli.t.family_id, "--out", str(reprint),
                        user="admin")
    assert "already exists" in refused.err


def test_reopen_command(cli: Cli) -> None:
    cli.ok("family", "close", cli.t.family_id, "--type", "looked-after")
    reopened = cli.ok("--json", "family", "reopen", cli.t.family_id).json()
    assert reopened["status"] == "open"
    assert cli.ok("--json", "retention", "review", "--all").json() == []
    assert "not closed" in cli.fails("family", "reopen", cli.t.family_id).err
