"""`workbook entry add|edit|delete|history`: workbook entries, their corrections and
their history (an entry's urgent concern and response come from the supervision area)."""

from __future__ import annotations

import sys

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import SECTION_LIST, Grammar
from workbook.services import validation


def add_arguments(grammar: Grammar) -> None:
    entry = grammar.group("entry", "workbook entries")
    p = grammar.sub(entry, "add", "add an entry to a section (sealed if you cannot read it)")
    p.add_argument("family")
    p.add_argument("--section", required=True, help=SECTION_LIST)
    p.add_argument("--text", required=True)
    p.add_argument("--date", default=None)
    p.add_argument("--type", default="note", dest="entry_type")
    p.add_argument("--significant", action="store_true")
    p.add_argument("--time", default="", help="a visit's time, HH:MM (24-hour clock)")
    p.add_argument("--child-seen", default="", dest="child_seen",
                   help="for a visit: yes, no or alone (seen alone)")
    p.add_argument("--with", default="", dest="joint_with", metavar="AGENCY",
                   help="for a joint visit: the other agency")
    p.add_argument("--present", default="", help="for a visit: who was present")
    p = grammar.sub(entry, "edit", "correct an entry (a new version; history is kept)")
    p.add_argument("entry")
    p.add_argument("--text", required=True)
    p.add_argument("--date", default=None, help="a corrected date, YYYY-MM-DD (needs --reason)")
    p.add_argument("--type", default=None, dest="entry_type",
                   help="a corrected entry type (needs --reason)")
    p.add_argument("--reason", default="", help="why the entry is corrected")
    p = grammar.sub(entry, "delete", "delete an entry (a tombstone version; history is kept)")
    p.add_argument("entry")
    p.add_argument("--reason", required=True)
    p = grammar.sub(entry, "history", "every version of an entry")
    p.add_argument("entry")


def cmd_entry_add(ctx: CliContext) -> None:
    a = ctx.args
    if a.date is not None and not a.date.strip():
        validation.iso_date(a.date, "entry date")  # refuses the empty value, clearly
    session = ctx.ready_session()
    entry_id = session.families.add_entry(a.family, a.section, a.text, a.date or "", a.entry_type,
                                          a.significant, time=a.time, child_seen=a.child_seen,
                                          joint_with=a.joint_with, present=a.present)
    if not session.records.can_read(a.section) and not ctx.json:
        print(f"Added as a sealed entry: you cannot read the {a.section} section, so you will "
              "not be able to read this entry back.", file=sys.stderr)
    ctx.out(entry_id, {"id": entry_id})


def cmd_entry_edit(ctx: CliContext) -> None:
    a = ctx.args
    version = ctx.ready_session().families.edit_entry(a.entry, a.text, date=a.date,
                                                      entry_type=a.entry_type, reason=a.reason)
    ctx.out(version, {"id": ctx.args.entry, "version": version})


def cmd_entry_delete(ctx: CliContext) -> None:
    version = ctx.ready_session().families.delete_entry(ctx.args.entry, ctx.args.reason)
    ctx.out(version, {"id": ctx.args.entry, "version": version, "deleted": True})


def cmd_entry_history(ctx: CliContext) -> None:
    session = ctx.ready_session()
    versions = session.families.entry_history(ctx.args.entry)
    data = [{"version": v.version_id, "parents": list(v.parents),
             "text": v.payload.get("text", ""), "author": session.workbooks.username(v.author),
             "time": v.created_at, "date": v.payload.get("date", ""),
             "deleted": bool(v.payload.get("deleted"))} for v in versions]
    lines = [f"{d['time']}  {d['author']:<16} {d['version']}\n    {d['text']}" for d in data]
    ctx.out("\n".join(lines), data)


COMMANDS: dict[str, Handler] = {
    "entry add": cmd_entry_add,
    "entry edit": cmd_entry_edit,
    "entry delete": cmd_entry_delete,
    "entry history": cmd_entry_history,
}
