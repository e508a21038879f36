"""`workbook show FAMILY`: a family's workbook as the signed-in person may see it."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services.family.abstraction import abstraction_line


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.top, "show", "a family's workbook as you may see it")
    p.add_argument("family")


def cmd_show(ctx: CliContext) -> None:
    workbook = ctx.ready_session().workbooks.open(ctx.args.family)
    if ctx.json:
        ctx.out("", workbook.to_json())
        return
    family = workbook.family
    received = family.record is not None and family.record.extra.get("received_from")
    owner = family.case_owner_name or ("awaiting a case owner" if received else "")
    lines = [f"{family.name} ({family.reference}) - case owner {owner}"]
    for section, content in workbook.sections.items():
        lines.append(f"\n== {section}")
        for person in content.persons:
            p = person.record
            lines.append(f"  person  {p.name}  {p.dob}  {p.relationship}")
        for action in content.actions:
            a = action.record
            lines.append(f"  action  due {a.due}  {a.owner}: {a.text}")
        for entry in content.entries:
            flag = " [CONFLICT]" if entry.conflict else ""
            if entry.unaudited:  # no write event: added outside Workbook
                flag += " [NOT IN THE AUDIT LOG]"
            lines.append(f"  {entry.record.date}  {entry.author}{flag}: {entry.record.text}")
            abstracted = entry.payload.get("abstracted")
            if isinstance(abstracted, dict) and abstraction_line(abstracted):
                lines.append(f"      ({abstraction_line(abstracted)})")
    ctx.out("\n".join(lines), workbook.to_json())


COMMANDS: dict[str, Handler] = {
    "show": cmd_show,
}
