"""`workbook policy show|set`: the policy of who reads which section."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services.access import policy_admin


def add_arguments(grammar: Grammar) -> None:
    policy = grammar.group("policy", "who reads which section")
    grammar.sub(policy, "show", "print the current policy")
    p = grammar.sub(policy, "set", "replace the policy (administrator)")
    p.add_argument("file")


def cmd_policy_show(ctx: CliContext) -> None:
    text = policy_admin.current_policy_text(ctx.ready_session())
    ctx.out(text, {"policy": text})


def cmd_policy_set(ctx: CliContext) -> None:
    text = policy_admin.read_policy_file(ctx.args.file)
    policy_admin.set_policy(ctx.ready_session(), text)
    ctx.out("Policy changed.", {"changed": True})


COMMANDS: dict[str, Handler] = {
    "policy show": cmd_policy_show,
    "policy set": cmd_policy_set,
}
