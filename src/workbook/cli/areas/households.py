"""`workbook person add`: the people of a family's household."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services import validation


def add_arguments(grammar: Grammar) -> None:
    person = grammar.group("person", "people in a household")
    p = grammar.sub(person, "add", "add a person to a family's household")
    p.add_argument("family")
    p.add_argument("--name", required=True)
    p.add_argument("--dob", default=None)
    p.add_argument("--relationship", default="")


def cmd_person_add(ctx: CliContext) -> None:
    a = ctx.args
    if a.dob is not None and not a.dob.strip():
        validation.iso_date(a.dob, "date of birth")  # refuses the empty value, clearly
    person_id = ctx.ready_session().families.add_person(a.family, a.name, a.dob or "",
                                                        a.relationship)
    ctx.out(person_id, {"id": person_id})


COMMANDS: dict[str, Handler] = {
    "person add": cmd_person_add,
}
