"""`workbook action add`: actions of a family's plan (an action's status comes from the
supervision area)."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar


def add_arguments(grammar: Grammar) -> None:
    action = grammar.group("action", "plan actions")
    p = grammar.sub(action, "add", "add an action to a family's plan")
    p.add_argument("family")
    p.add_argument("--text", required=True)
    p.add_argument("--owner", required=True)
    p.add_argument("--due", required=True)


def cmd_action_add(ctx: CliContext) -> None:
    a = ctx.args
    action_id = ctx.ready_session().families.add_action(a.family, a.text, a.owner, a.due)
    ctx.out(action_id, {"id": action_id})


COMMANDS: dict[str, Handler] = {
    "action add": cmd_action_add,
}
