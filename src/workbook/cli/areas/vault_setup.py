"""`workbook init`: create a vault, its owner and the recovery key (and, if asked, the
recovery sheet to print)."""

from __future__ import annotations

import sys
from pathlib import Path

from workbook.cli import secrets_input
from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import ROLE_LIST, Grammar
from workbook.domain.roles import Role
from workbook.services import validation
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import InvalidInput
from workbook.services.files import save_private


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.top, "init",
                    "create a vault (the owner: a practitioner, never the administrator)")
    p.add_argument("--team", required=True)
    p.add_argument("--owner", required=True, help="the owner's username")
    p.add_argument("--owner-name", required=True)
    p.add_argument("--owner-role", default=Role.TEAM_MANAGER.value, help=ROLE_LIST)
    p.add_argument("--recovery-sheet", help="write the one-page recovery sheet PDF here")


def cmd_init(ctx: CliContext) -> None:
    a = ctx.args
    passphrase = secrets_input.acting_passphrase(getattr(a, "passphrase_file", None))
    sheet = Path(a.recovery_sheet).expanduser() if a.recovery_sheet else None
    if sheet is not None:
        if not sheet.parent.is_dir():
            raise InvalidInput(f"cannot write the recovery sheet: {sheet.parent} is not a folder")
        if sheet.exists():
            raise InvalidInput(f"the recovery sheet {sheet} already exists; choose a new file")
    created = create_vault(ctx.vault_dir(), team=a.team, owner_username=a.owner,
                           owner_name=a.owner_name, owner_role=a.owner_role,
                           passphrase=passphrase, clock=ctx.clock)
    sheet_error = ""
    if sheet is not None:
        from workbook.reports.recovery_sheet import render_recovery_sheet

        try:
            save_private(sheet, render_recovery_sheet(
                team=created.team, vault_id=created.vault_id,
                recovery_key=created.recovery_key, owner_name=validation.name(a.owner_name),
                created_at=ctx.clock()))
        except OSError as exc:
            # The vault exists now: never lose the key because the sheet could not be saved.
            sheet_error = f"the recovery sheet could not be written ({exc.strerror})"
            print(f"workbook: warning: {sheet_error}; copy the key below by hand",
                  file=sys.stderr)
    ctx.out(
        f"Vault {created.vault_id} created for {created.team}.\n\n"
        f"RECOVERY KEY (shown once; print the recovery sheet and give it to your data "
        f"controller):\n\n    {created.recovery_key}\n",
        {"vault_id": created.vault_id, "team": created.team,
         "recovery_key": created.recovery_key, "owner": a.owner,
         "recovery_sheet": str(sheet) if sheet and not sheet_error else None},
    )


COMMANDS: dict[str, Handler] = {
    "init": cmd_init,
}
