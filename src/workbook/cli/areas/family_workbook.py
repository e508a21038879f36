"""`workbook show FAMILY`: a family's workbook as the signed-in person may see it."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.top, "show", "a family's workbook as you may see it")
    p.add_argument("family")


def cmd_show(ctx: CliContext) -> None:
    view = ctx.ready_session().workbooks.open(ctx.args.family).to_json()
    if ctx.json:
        ctx.out("", view)
        return
    family = view["family"]
    lines = [f"{family.get('name', '')} ({family.get('reference', '')}) - case owner "
             f"{family.get('case_owner', '')}"]
    for section, content in view["sections"].items():
        lines.append(f"\n== {section}")
        for person in content.get("persons", []):
            lines.append(f"  person  {person.get('name')}  {person.get('dob', '')}  "
                         f"{person.get('relationship', '')}")
        for action in content.get("actions", []):
            lines.append(f"  action  due {action.get('due')}  {action.get('owner')}: "
                         f"{action.get('text')}")
        for entry in content.get("entries", []):
            flag = " [CONFLICT]" if entry.get("conflict") else ""
            if entry.get("unaudited"):  # no write event: added outside Workbook
                flag += " [NOT IN THE AUDIT LOG]"
            lines.append(f"  {entry.get('date', '')}  {entry.get('author')}{flag}: "
                         f"{entry.get('text')}")
    ctx.out("\n".join(lines), view)


COMMANDS: dict[str, Handler] = {
    "show": cmd_show,
}
