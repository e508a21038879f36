"""`workbook demo`: a demo vault of synthetic families, for training and trying things out."""

from __future__ import annotations

import sys

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services.errors import InvalidInput


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.top, "demo", "create a demo vault with synthetic families")
    p.add_argument("--families", type=int, default=200)


def cmd_demo(ctx: CliContext) -> None:
    from workbook.demo import build_demo

    if ctx.args.families < 1 or ctx.args.families > 5000:
        raise InvalidInput("--families must be between 1 and 5000")
    result = build_demo(ctx.vault_dir(), families=ctx.args.families,
                        progress=None if ctx.json else lambda m: print(m, file=sys.stderr),
                        today=ctx.clock().astimezone().date())
    users = [{"username": u.username, "role": u.role, "passphrase": u.passphrase}
             for u in result.users]
    lines = [f"Demo vault {result.vault_id} (synthetic data only).", "",
             f"{'username':<16} {'role':<22} passphrase"]
    lines += [f"{u['username']:<16} {u['role']:<22} {u['passphrase']}" for u in users]
    lines += ["", f"Recovery key (demo only): {result.recovery_key}"]
    ctx.out("\n".join(lines), {"vault_id": result.vault_id, "users": users,
                               "recovery_key": result.recovery_key})


COMMANDS: dict[str, Handler] = {
    "demo": cmd_demo,
}
