"""`workbook family add|list`: the families a person can see (closing, milestones and
the rest of the `family` group come from their own areas)."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar


def add_arguments(grammar: Grammar) -> None:
    fam = grammar.group("family", "families")
    p = grammar.sub(fam, "add", "add a family")
    p.add_argument("--name", required=True)
    p.add_argument("--ref", default="")
    grammar.sub(fam, "list", "list the families you can see")


def cmd_family_add(ctx: CliContext) -> None:
    family_id = ctx.ready_session().families.add(ctx.args.name, ctx.args.ref)
    ctx.out(family_id, {"id": family_id})


def cmd_family_list(ctx: CliContext) -> None:
    families = ctx.ready_session().families.all()
    lines = [f"{f.family_id}  {f.reference:<12} {f.status:<8} {f.name}"
             f"{'  [conflict]' if f.conflict else ''}" for f in families]
    ctx.out("\n".join(lines), [
        {"id": f.family_id, "name": f.name, "reference": f.reference, "status": f.status,
         "conflict": f.conflict} for f in families])


COMMANDS: dict[str, Handler] = {
    "family add": cmd_family_add,
    "family list": cmd_family_list,
}
