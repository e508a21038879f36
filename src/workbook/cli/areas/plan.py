"""`workbook action ...`: actions of a family's plan - add one, and finish it (done, cancelled
with a reason), give it to someone else or move its due date. `action status` (the
supervision area's) stays as it was."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services.access.people import People
from workbook.services.family import plan_actions


def add_arguments(grammar: Grammar) -> None:
    action = grammar.group("action", "plan actions")
    p = grammar.sub(action, "add", "add an action to a family's plan")
    p.add_argument("family")
    p.add_argument("--text", required=True)
    p.add_argument("--owner", required=True)
    p.add_argument("--due", required=True)
    p = grammar.sub(action, "done", "mark a plan action done (today)")
    p.add_argument("action_id")
    p = grammar.sub(action, "cancel", "cancel a plan action, saying why")
    p.add_argument("action_id")
    p.add_argument("--reason", required=True)
    p = grammar.sub(action, "reassign", "give a plan action to another colleague")
    p.add_argument("action_id")
    p.add_argument("--owner", required=True, help="the new owner's username or full name")
    p = grammar.sub(action, "redate", "move a plan action's due date")
    p.add_argument("action_id")
    p.add_argument("--due", required=True, help="the new due date, YYYY-MM-DD")


def cmd_action_add(ctx: CliContext) -> None:
    a = ctx.args
    action_id = ctx.ready_session().families.add_action(a.family, a.text, a.owner, a.due)
    ctx.out(action_id, {"id": action_id})


def cmd_action_done(ctx: CliContext) -> None:
    version = plan_actions.mark_done(ctx.ready_session(), ctx.args.action_id)
    ctx.out("Action done.", {"id": ctx.args.action_id, "version": version})


def cmd_action_cancel(ctx: CliContext) -> None:
    version = plan_actions.cancel(ctx.ready_session(), ctx.args.action_id, ctx.args.reason)
    ctx.out("Action cancelled.", {"id": ctx.args.action_id, "version": version})


def cmd_action_reassign(ctx: CliContext) -> None:
    session = ctx.ready_session()
    version = plan_actions.reassign(session, ctx.args.action_id, ctx.args.owner)
    owner = People(session).find_owner(ctx.args.owner)
    ctx.out(f"Action given to {owner.full_name}.",
            {"id": ctx.args.action_id, "version": version, "owner": owner.username,
             "owner_name": owner.full_name})


def cmd_action_redate(ctx: CliContext) -> None:
    version = plan_actions.redate(ctx.ready_session(), ctx.args.action_id, ctx.args.due)
    ctx.out("Action re-dated.", {"id": ctx.args.action_id, "version": version})


COMMANDS: dict[str, Handler] = {
    "action add": cmd_action_add,
    "action done": cmd_action_done,
    "action cancel": cmd_action_cancel,
    "action reassign": cmd_action_reassign,
    "action redate": cmd_action_redate,
}
