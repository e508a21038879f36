"""`workbook vault accept-restore`: the owner accepts a vault older than what a person or this
OS account last saw (a deliberate restore), so sign-ins stop refusing it (docs/admin-guide.md,
"Accepting a restored vault")."""

from __future__ import annotations

import sys

from workbook.cli import secrets_input
from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services.access.log_heads import ACCEPTED_NOTE
from workbook.services.access.sign_in import sign_in
from workbook.services.errors import InvalidInput


def add_arguments(grammar: Grammar) -> None:
    vault = grammar.group("vault", "the vault as a whole")
    grammar.sub(vault, "accept-restore",
                "accept, as the owner, a vault older than this PC last saw (audited)")


def cmd_vault_accept_restore(ctx: CliContext) -> None:
    if not ctx.username:
        raise InvalidInput("no user given: the owner signs in with --as USERNAME")
    passphrase = secrets_input.acting_passphrase(getattr(ctx.args, "passphrase_file", None))
    session = sign_in(ctx.vault_dir(), ctx.username, passphrase, clock=ctx.clock,
                      accept_restore=True)
    try:
        accepted = [n for n in session.announcements if n.startswith(ACCEPTED_NOTE)]
        for warning in session.warnings:
            print(f"workbook: warning: {warning}", file=sys.stderr)
    finally:
        session.lock()
    if accepted:
        ctx.out(f"{accepted[0]}. Everyone can sign in again; redo what was lost after the "
                "restored point (a disable, a role change, a policy change).",
                {"accepted": True, "what": accepted[0]})
    else:
        ctx.out("Nothing to accept: this vault is not older than what you or this PC last saw.",
                {"accepted": False})


COMMANDS: dict[str, Handler] = {
    "vault accept-restore": cmd_vault_accept_restore,
}
