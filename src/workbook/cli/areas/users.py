"""`workbook user ...`: accounts, managed by the administrator or the owner."""

from __future__ import annotations

from dataclasses import asdict

from workbook.cli import secrets_input
from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import ROLE_LIST, Grammar


def add_arguments(grammar: Grammar) -> None:
    users = grammar.group("user", "accounts (administrator or owner)")
    p = grammar.sub(users, "add", "create an account with a one-time initial passphrase")
    p.add_argument("username")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, help=ROLE_LIST)
    grammar.sub(users, "list", "list accounts")
    p = grammar.sub(users, "disable", "disable an account (rekeys the vault, rotates its sections)")
    p.add_argument("username")
    p = grammar.sub(users, "unlock", "unlock an account locked by failed sign-ins")
    p.add_argument("username")
    p = grammar.sub(users, "role", "change an account's role")
    p.add_argument("username")
    p.add_argument("role", help=ROLE_LIST)


def cmd_user_add(ctx: CliContext) -> None:
    a = ctx.args
    session = ctx.ready_session()
    initial = secrets_input.new_passphrase("Initial passphrase for the new account")
    user_id = session.accounts.add(a.username, a.name, a.role, initial)
    ctx.out(f"Account {a.username} created; they must replace the initial passphrase at their "
            "first sign-in.", {"username": a.username, "id": user_id, "role": a.role})


def cmd_user_list(ctx: CliContext) -> None:
    users = ctx.ready_session().accounts.all()
    lines = [f"{u.username:<20} {u.role:<22} {u.status:<9}{' owner' if u.is_owner else ''}"
             f"{' LOCKED' if u.locked else ''}  {u.full_name}" for u in users]
    ctx.out("\n".join(lines), [asdict(u) for u in users])


def cmd_user_disable(ctx: CliContext) -> None:
    stranded = ctx.ready_session().accounts.disable(ctx.args.username)
    note = ""
    if stranded:
        note = ("\nThese accounts had not chosen their own passphrase or been approved yet, so "
                "they cannot open the rekeyed vault; give them a new initial passphrase "
                "(workbook recover): " + ", ".join(stranded))
    ctx.out(f"Account {ctx.args.username} disabled; the vault was rekeyed.{note}",
            {"username": ctx.args.username, "disabled": True, "needs_new_initial": stranded})


def cmd_user_unlock(ctx: CliContext) -> None:
    ctx.ready_session().accounts.unlock(ctx.args.username)
    ctx.out(f"Account {ctx.args.username} unlocked.", {"username": ctx.args.username})


def cmd_user_role(ctx: CliContext) -> None:
    ctx.ready_session().accounts.set_role(ctx.args.username, ctx.args.role)
    ctx.out(f"{ctx.args.username} now has the role {ctx.args.role}.",
            {"username": ctx.args.username, "role": ctx.args.role})


COMMANDS: dict[str, Handler] = {
    "user add": cmd_user_add,
    "user list": cmd_user_list,
    "user disable": cmd_user_disable,
    "user unlock": cmd_user_unlock,
    "user role": cmd_user_role,
}
