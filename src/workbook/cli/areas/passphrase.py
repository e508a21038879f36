"""`workbook passphrase change`: a person replaces their own passphrase (the first time,
the initial one an administrator gave them, and then reads out their key fingerprint)."""

from __future__ import annotations

from workbook.cli import secrets_input
from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar


def add_arguments(grammar: Grammar) -> None:
    pw = grammar.group("passphrase", "your passphrase")
    grammar.sub(pw, "change", "replace your passphrase (new one from WORKBOOK_NEW_PASSPHRASE)")


def cmd_passphrase_change(ctx: CliContext) -> None:
    session = ctx.session()
    current = secrets_input.acting_passphrase(getattr(ctx.args, "passphrase_file", None))
    first = session.must_replace_passphrase
    session.accounts.change_passphrase(current, secrets_input.new_passphrase())
    fingerprint = session.grants.fingerprint()
    human = "Passphrase changed."
    if first:
        human += ("\nYour key fingerprint is shown below. Read it to the colleague who approves "
                  f"your access, and check they see the same:\n\n    {fingerprint}\n")
    ctx.out(human, {"changed": True, "fingerprint": fingerprint})


COMMANDS: dict[str, Handler] = {
    "passphrase change": cmd_passphrase_change,
}
