"""`workbook family owner` (appointing a case owner) and `workbook outcomes` (the families the
team closed, by month and outcome). `family close --outcome` is in the operations area, beside
closing itself."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.domain.display import uk_date
from workbook.services.errors import InvalidInput


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.groups["family"], "owner",
                    "appoint a family's case owner (team manager, senior social worker, or "
                    "the case owner handing over)")
    p.add_argument("family")
    p.add_argument("--to", default=None, metavar="USERNAME", help="the new case owner")
    p.add_argument("--reason", default=None, help="why this person is appointed")
    p.add_argument("--history", action="store_true",
                   help="show the case owner history instead (a read: no --to or --reason)")
    grammar.sub(grammar.top, "outcomes",
                "the families closed each month, by outcome (team manager, senior social "
                "worker)")


def cmd_family_owner(ctx: CliContext) -> None:
    a = ctx.args
    if a.history:
        if a.to is not None or a.reason is not None:
            raise InvalidInput("--history only reads the case owner history: leave out --to "
                               "and --reason (or leave out --history to appoint)")
        _owner_history(ctx)
        return
    if a.to is None or a.reason is None:
        raise InvalidInput("appointing a case owner needs --to USERNAME and --reason TEXT "
                           "(or --history to read who owned the case)")
    done = ctx.ready_session().case_owners.appoint(a.family, a.to, a.reason)
    ctx.out(f"{done.case_owner_name} is now the case owner of family {done.family_id}.",
            done.to_json())


def _owner_history(ctx: CliContext) -> None:
    """The appointments, oldest first, by full name (and username in --json)."""
    changes = ctx.ready_session().case_owners.history(ctx.args.family)
    lines = [f"{uk_date(c.at)}  {c.from_name} to {c.to_name}, appointed by {c.by_name}: "
             f"{c.reason}" for c in changes]
    ctx.out("\n".join(lines) or "No case owner has been appointed for this family yet.",
            [c.to_json() for c in changes])


def cmd_outcomes(ctx: CliContext) -> None:
    months = ctx.ready_session().outcomes.by_month()
    lines = [m.describe() for m in months]
    ctx.out("\n".join(lines) if lines else "No family has been closed yet.",
            [m.to_json() for m in months])


COMMANDS: dict[str, Handler] = {
    "family owner": cmd_family_owner,
    "outcomes": cmd_outcomes,
}
