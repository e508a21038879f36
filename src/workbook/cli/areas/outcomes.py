"""`workbook family owner` (appointing a case owner) and `workbook outcomes` (the families the
team closed, by month and outcome). `family close --outcome` is in the operations area, beside
closing itself."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.groups["family"], "owner",
                    "appoint a family's case owner (team manager, senior social worker, or "
                    "the case owner handing over)")
    p.add_argument("family")
    p.add_argument("--to", required=True, metavar="USERNAME", help="the new case owner")
    p.add_argument("--reason", required=True, help="why this person is appointed")
    grammar.sub(grammar.top, "outcomes",
                "the families closed each month, by outcome (team manager, senior social "
                "worker)")


def cmd_family_owner(ctx: CliContext) -> None:
    a = ctx.args
    done = ctx.ready_session().case_owners.appoint(a.family, a.to, a.reason)
    ctx.out(f"{done.case_owner_name} is now the case owner of family {done.family_id}.",
            done.to_json())


def cmd_outcomes(ctx: CliContext) -> None:
    months = ctx.ready_session().outcomes.by_month()
    lines = [m.describe() for m in months]
    ctx.out("\n".join(lines) if lines else "No family has been closed yet.",
            [m.to_json() for m in months])


COMMANDS: dict[str, Handler] = {
    "family owner": cmd_family_owner,
    "outcomes": cmd_outcomes,
}
