"""`workbook transfer`: handing a whole family workbook to another organisation
(services/sharing/transfers.py; docs/user-guide.md, "Transferring a family to another
organisation")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workbook.cli.context import CliContext, Handler
from workbook.cli.file_args import output_path
from workbook.cli.grammar import Grammar
from workbook.domain.display import uk_date

if TYPE_CHECKING:
    from workbook.services.sharing.transfers import TransferShown


def add_arguments(grammar: Grammar) -> None:
    transfer = grammar.group("transfer", "transfer a family to another organisation")
    p = grammar.sub(transfer, "start", "start transferring a family to a partner")
    p.add_argument("family", help="the family id")
    p.add_argument("--to", required=True, help="the partner's vault id or team name")
    p.add_argument("--purpose", required=True)
    p.add_argument("--lawful-basis", required=True)
    p = grammar.sub(transfer, "add-section",
                    "seal your section into the transfer (a holder of the section)")
    p.add_argument("id", help="the transfer id")
    p.add_argument("--section", required=True)
    p = grammar.sub(transfer, "decline", "keep your section out of the transfer, with a reason")
    p.add_argument("id", help="the transfer id")
    p.add_argument("--section", required=True)
    p.add_argument("--reason", required=True)
    p = grammar.sub(transfer, "show", "show a transfer and who still has to answer")
    p.add_argument("id", help="the transfer id")
    grammar.sub(transfer, "list", "list the transfers you can see")
    p = grammar.sub(transfer, "finish",
                    "write the bundle and close the family as transferred (all answered)")
    p.add_argument("id", help="the transfer id")
    p.add_argument("--out", required=True, help="the bundle file to write")
    p.add_argument("--type", default="",
                   help="the family type its retention period follows (default: the family's "
                        "own, else the type the policy keeps longest)")


def _describe(shown: TransferShown) -> str:
    data = shown.to_json()
    lines = [f"Transfer {shown.id} of family {shown.family_id} to {data['team']}: "
             f"{shown.state}."]
    for answer in data["answers"]:
        if answer["answer"] is None:
            lines.append(f"  {answer['section']}: waiting for a holder to answer")
        elif answer["answer"] == "added":
            lines.append(f"  {answer['section']}: added by {answer['by']} on {answer['on']} "
                         f"({answer['versions']} version(s) sealed)")
        else:
            lines.append(f"  {answer['section']}: declined by {answer['by']} on "
                         f"{answer['on']}: {answer['reason']}")
    if data["finished_at"]:
        lines.append(f"Finished by {data['finished_by']} on {uk_date(data['finished_at'])}.")
    return "\n".join(lines)


def cmd_transfer_start(ctx: CliContext) -> None:
    a = ctx.args
    shown = ctx.ready_session().transfers.start(a.family, to=a.to, purpose=a.purpose,
                                                lawful_basis=a.lawful_basis)
    ctx.out(_describe(shown), shown.to_json())


def cmd_transfer_add_section(ctx: CliContext) -> None:
    shown = ctx.ready_session().transfers.add_section(ctx.args.id, ctx.args.section)
    ctx.out(_describe(shown), shown.to_json())


def cmd_transfer_decline(ctx: CliContext) -> None:
    shown = ctx.ready_session().transfers.decline(ctx.args.id, ctx.args.section,
                                                  ctx.args.reason)
    ctx.out(_describe(shown), shown.to_json())


def cmd_transfer_show(ctx: CliContext) -> None:
    shown = ctx.ready_session().transfers.show(ctx.args.id)
    ctx.out(_describe(shown), shown.to_json())


def cmd_transfer_list(ctx: CliContext) -> None:
    shown = ctx.ready_session().transfers.all()
    lines = [f"{t.id}  {t.state:<8} {t.family_id}  to {t.record.team}"
             + (f"  waiting for: {', '.join(t.still_to_answer)}" if t.still_to_answer else "")
             for t in shown]
    ctx.out("\n".join(lines) or "No transfers.", [t.to_json() for t in shown])


def cmd_transfer_finish(ctx: CliContext) -> None:
    out = output_path(ctx.args.out)
    result = ctx.ready_session().transfers.finish(ctx.args.id, Path(out), ctx.args.type)
    ctx.out(f"Transfer sent: {result.versions} version(s) to {result.team} in {result.out}. "
            f"Family {result.family_id} is closed here as {result.closed}, read-only.",
            result.to_json())


COMMANDS: dict[str, Handler] = {
    "transfer start": cmd_transfer_start,
    "transfer add-section": cmd_transfer_add_section,
    "transfer decline": cmd_transfer_decline,
    "transfer show": cmd_transfer_show,
    "transfer list": cmd_transfer_list,
    "transfer finish": cmd_transfer_finish,
}
