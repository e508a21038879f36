"""`workbook audit verify|list`: check the audit chain, and who did what and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar, positive_int
from workbook.services.errors import InvalidInput

if TYPE_CHECKING:
    from workbook.services.audit.trail import AuditReport


def add_arguments(grammar: Grammar) -> None:
    audit = grammar.group("audit", "the audit log")
    grammar.sub(audit, "verify", "check the whole chain; names the first broken link")
    p = grammar.sub(audit, "list", "who did what and when (administrator and team managers)")
    p.add_argument("--limit", type=positive_int)


def cmd_audit_verify(ctx: CliContext) -> None:
    from workbook.services.audit.trail import schema_status

    report = ctx.ready_session().audit_trail.verify()
    data = {**report.to_json(), "schema": schema_status(ctx.ready_session())}
    if not report.ok:
        if ctx.json:
            ctx.out("", data)
        raise InvalidInput(_verify_failure(report))
    if data["schema"]["differences"]:
        if ctx.json:
            ctx.out("", data)
        raise InvalidInput("this vault's structure was altered: "
                           + "; ".join(data["schema"]["differences"]))
    human = f"Audit chain verified: {report.events} events, every link and signature holds."
    if report.unapproved_signers:
        human += (f" ({report.unapproved_signers} events are signed by people whose keys no "
                  "holder has approved yet.)")
    ctx.out(human, data)


def _verify_failure(report: AuditReport) -> str:
    """The one line `audit verify` fails with: the first broken event of the chain, else the
    first version without its write event (the rest are in `--json`'s unaudited_versions)."""
    if report.first_broken is not None:
        return f"audit chain broken at event {report.first_broken}: {report.problem}"
    return report.problem


def cmd_audit_list(ctx: CliContext) -> None:
    events = ctx.ready_session().audit_trail.events(ctx.args.limit)
    lines = [f"{e['seq']:>6}  {e['time'][:19]}  {e['user']:<16} {e['event']:<22} "
             + " ".join(f"{k}={v}" for k, v in sorted(e["ids"].items()))
             + (f" section={e['section']}" if "section" in e else "") for e in events]
    ctx.out("\n".join(lines), events)


COMMANDS: dict[str, Handler] = {
    "audit verify": cmd_audit_verify,
    "audit list": cmd_audit_list,
}
