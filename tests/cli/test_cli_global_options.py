"""Global options, where the passphrase comes from, and the initial-passphrase restriction.

Issue 2: `--vault`, `--as` and `--json` are accepted after the subcommand as well as before it;
the acting user's passphrase comes from WORKBOOK_PASSPHRASE or `--passphrase-file`, else a
prompt, never from argv; an account on its initial passphrase may only replace it."""

from __future__ import annotations

import pytest
from cli_harness import Cli, assert_clean_failure

from workbook import __version__


def test_global_options_before_and_after_the_subcommand(cli: Cli) -> None:
    vault = str(cli.vault)
    before = cli.ok("--vault", vault, "--as", "tm", "--json", "family", "list", user=None,
                    passphrase=cli.passphrases["tm"], vault=False)
    after = cli.ok("family", "list", "--vault", vault, "--as", "tm", "--json", user=None,
                   passphrase=cli.passphrases["tm"], vault=False)
    between = cli.ok("family", "--vault", vault, "list", "--as", "tm", "--json", user=None,
                     passphrase=cli.passphrases["tm"], vault=False)
    assert before.out == after.out == between.out
    assert {f["name"] for f in before.json()} == {"Smith family", "Jones family"}
    # The same for a command with its own arguments, options mixed in.
    added = cli.ok("--json", "family", "add", "--vault", vault, "--name", "Mixed family",
                   "--as", "tm", user=None, passphrase=cli.passphrases["tm"], vault=False)
    assert set(added.json()) == {"id"}
    shown = cli.ok("show", "--as", "pc1", added.json()["id"], "--vault", vault, "--json",
                   user=None, passphrase=cli.passphrases["pc1"], vault=False)
    assert shown.json()["family"]["name"] == "Mixed family"


def test_environment_gives_the_defaults_and_options_override_it(cli: Cli) -> None:
    from_env = cli.ok("family", "list", "--json")  # WORKBOOK_VAULT and WORKBOOK_USER
    assert len(from_env.json()) == 2
    # --vault beats a wrong WORKBOOK_VAULT; --as beats WORKBOOK_USER (sw1 has no channel).
    overridden = cli.ok("show", cli.t.family_id, "--json", "--vault", str(cli.vault), "--as",
                        "sw1", user="tm", passphrase=cli.passphrases["sw1"],
                        vault=cli.tmp / "no-such-vault")
    assert "channel" not in overridden.json()["sections"]


def test_missing_vault_or_user_is_a_clear_error(cli: Cli) -> None:
    no_vault = cli.fails("family", "list", vault=False)
    assert "--vault" in no_vault.err and "WORKBOOK_VAULT" in no_vault.err
    no_user = cli.fails("family", "list", user=None, passphrase=cli.passphrases["tm"])
    assert "--as" in no_user.err and "WORKBOOK_USER" in no_user.err


def test_passphrase_file(cli: Cli) -> None:
    secret = cli.write("pass.txt", cli.passphrases["pc1"] + "\n")
    secret.chmod(0o600)
    result = cli.ok("family", "list", "--json", "--as", "pc1", "--passphrase-file", str(secret),
                    user=None)
    assert len(result.json()) == 2
    wrong = cli.write("wrong.txt", "not the passphrase of pc1\n")
    failed = cli.fails("family", "list", "--as", "pc1", "--passphrase-file", str(wrong),
                       user=None)
    assert "wrong username or passphrase" in failed.err
    missing = cli.fails("family", "list", "--as", "pc1", "--passphrase-file",
                        str(cli.tmp / "absent.txt"), user=None)
    assert "does not exist" in missing.err


SECRET_IN_ARGV = "hunter2 correct horse battery"


@pytest.mark.parametrize("argv", [
    ("family", "list", "--passphrase", SECRET_IN_ARGV),
    ("--passphrase", SECRET_IN_ARGV, "family", "list"),
    ("family", "list", f"--passphrase={SECRET_IN_ARGV}"),
    ("family", "list", "--pass", SECRET_IN_ARGV),
], ids=["after", "before", "equals", "abbreviated"])
def test_there_is_no_passphrase_option(cli: Cli, argv: tuple[str, ...]) -> None:
    """A passphrase in argv is visible to every user of the PC: argparse must refuse it as an
    unknown option (exit 2), and the secret must not be echoed anywhere."""
    result = cli.run(*argv, user="tm", passphrase="")
    assert result.code == 2, result
    assert_clean_failure(result)
    assert SECRET_IN_ARGV not in result.err + result.out


def test_the_only_passphrase_options_are_file_based() -> None:
    from workbook.cli.main import build_grammar

    options = {o for a in build_grammar()._actions for o in a.option_strings}
    assert not any(o.startswith("--passphrase") and o != "--passphrase-file" for o in options)


def test_no_passphrase_and_no_terminal_is_a_clear_error(cli: Cli) -> None:
    # pytest's stdin is not a terminal, so the prompt is refused rather than hanging.
    for argv in (("family", "list"), ("show", cli.t.family_id, "--json"),
                 ("passphrase", "change")):
        result = cli.fails(*argv, user="tm", passphrase="")
        assert "no passphrase given" in result.err
        assert "WORKBOOK_PASSPHRASE" in result.err and "--passphrase-file" in result.err
    no_new = cli.fails("user", "add", "zed", "--name", "Zed Zee", "--role", "health")
    assert "no passphrase given" in no_new.err and "WORKBOOK_NEW_PASSPHRASE" in no_new.err
    no_new_own = cli.fails("passphrase", "change", user="sw1")
    assert "WORKBOOK_NEW_PASSPHRASE" in no_new_own.err
    no_init = cli.fails("init", "--vault", str(cli.tmp / "fresh"), "--team", "T Unit",
                        "--owner", "olu", "--owner-name", "Olu Owner", user=None, vault=False)
    assert "no passphrase given" in no_init.err
    assert not (cli.tmp / "fresh").exists()


COMMANDS_FOR_NEWCOMER = [
    ("family", "list"),
    ("family", "add", "--name", "Sneaky family"),
    ("show", "{family}"),
    ("person", "add", "{family}", "--name", "Some One"),
    ("entry", "add", "{family}", "--section", "case-notes", "--text", "hello"),
    ("entry", "edit", "{entry}", "--text", "changed"),
    ("entry", "history", "{entry}"),
    ("action", "add", "{family}", "--text", "do it", "--owner", "tm", "--due", "2026-05-01"),
    ("keys", "fingerprint"),
    ("keys", "pending"),
    ("keys", "approve", "sw1", "--fingerprint", "0000 0000 0000 0000 0000"),
    ("user", "list"),
    ("audit", "verify"),
    ("audit", "list"),
    ("policy", "show"),
    ("device", "grant", "{request}", "--code", "0000", "--out", "{out}"),
]


@pytest.mark.parametrize("argv", COMMANDS_FOR_NEWCOMER, ids=lambda a: " ".join(a[:2]))
def test_initial_passphrase_allows_only_passphrase_change(cli: Cli, argv: tuple[str, ...]) -> None:
    request = cli.write("request.json", '{"format": "workbook-enrolment-request"}')
    values = {"family": cli.t.family_id, "entry": cli.t.entry_id, "request": str(request),
              "out": str(cli.tmp / "grant.json")}
    before = cli.state()
    result = cli.fails(*(a.format(**values) for a in argv), user="new1")
    assert "replace your initial passphrase first" in result.err
    assert "workbook passphrase change" in result.err
    assert cli.state() == before
    assert not (cli.tmp / "grant.json").exists()


def test_initial_passphrase_then_change_unlocks_the_account(cli: Cli) -> None:
    own = "newcomer now has her own words"
    changed = cli.ok("passphrase", "change", user="new1", new=own)
    assert "fingerprint" in changed.out
    cli.passphrases["new1"] = own
    # Active, but no keys granted yet: she sees no families until a holder approves her.
    assert cli.ok("family", "list", "--json", user="new1").json() == []
    fingerprint = cli.ok("keys", "fingerprint", user="new1").line
    cli.ok("keys", "approve", "new1", "--fingerprint", fingerprint)
    assert len(cli.ok("family", "list", "--json", user="new1").json()) == 2


def test_version(cli: Cli) -> None:
    result = cli.run("--version", user=None)
    assert result.code == 0
    assert result.out.strip() == f"workbook {__version__}"


def test_no_command_prints_help_and_fails(cli: Cli) -> None:
    result = cli.run(user=None)
    assert result.code == 2
    assert "usage:" in result.err and "Traceback" not in result.err
