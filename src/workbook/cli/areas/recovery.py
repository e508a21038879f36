"""`workbook recover USERNAME`: the recovery key gives an account a new initial passphrase
(audited, and announced to every user)."""

from __future__ import annotations

from workbook.cli import secrets_input
from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services.access import recovery


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.top, "recover", "reset an account's passphrase with the recovery key")
    p.add_argument("username")
    p.add_argument("--recovery-key-file", required=True)


def cmd_recover(ctx: CliContext) -> None:
    a = ctx.args
    recovery_text = secrets_input.read_secret_file(a.recovery_key_file, "recovery key")
    initial = secrets_input.new_passphrase("New initial passphrase")
    recovery.reset_account(ctx.vault_dir(), a.username, recovery_text, initial,
                           clock=ctx.clock)
    ctx.out(f"{a.username} has a new initial passphrase; they must replace it at sign-in and be "
            "approved again. This use of the recovery key is audited and will be announced to "
            "every user.", {"username": a.username, "reset": True})


COMMANDS: dict[str, Handler] = {
    "recover": cmd_recover,
}
