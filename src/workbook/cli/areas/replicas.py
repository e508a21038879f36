"""`workbook sync [setup]` and `workbook replica join|pending|approve|list|retire`: one vault
on every PC of the team, kept in step through a shared folder (decision 0009)."""

from __future__ import annotations

from pathlib import Path

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar, WorkbookArgumentParser
from workbook.domain.display import uk_date
from workbook.services import validation
from workbook.services.clock import stamp
from workbook.services.errors import InvalidInput
from workbook.services.replicas import describe, joining


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.top, "sync", "send and receive this replica's changes through the "
                    "team's sync folder (`sync setup --folder PATH` first)")
    # `workbook sync` alone syncs; `workbook sync setup` is its one sub-command.
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=False,
                               parser_class=WorkbookArgumentParser)
    s = grammar.sub(actions, "setup", "give this PC's path to the team's sync folder (the first "
                    "time: make this vault the team's first replica)")
    s.add_argument("--folder", help="this PC's path to the team's sync folder")
    s.add_argument("--name", default="", help="a name for this PC in the replica list")
    group = grammar.group("replica", "this vault's replicas on the team's PCs")
    s = grammar.sub(group, "join", "ask to make this PC a replica of the team's vault")
    s.add_argument("--folder", required=True, help="this PC's path to the team's sync folder")
    s.add_argument("--name", default="", help="a name for this PC (default: its host name)")
    grammar.sub(group, "pending", "join requests waiting for approval")
    s = grammar.sub(group, "approve", "approve a join request after comparing its fingerprint")
    s.add_argument("request")
    s.add_argument("--fingerprint", required=True)
    grammar.sub(group, "list", "this vault's replicas and when each was last seen")
    grammar.sub(group, "audit", "check the other replicas' audit chains received here")
    s = grammar.sub(group, "resolve-fork", "join the branches of a forked membership log (two "
                    "PCs changed accounts before either synced) with one signed merge")
    s.add_argument("--show", action="store_true",
                   help="show the branches and the conflicting changes; sign nothing")
    s = grammar.sub(group, "retire", "retire a lost or replaced PC's replica")
    s.add_argument("replica")
    s.add_argument("--reason", required=True)


def _folder(text: str | None) -> Path:
    if not text or not text.strip():
        raise InvalidInput("give the sync folder with --folder PATH")
    return validation.folder_path(text, "sync folder")


def cmd_sync(ctx: CliContext) -> None:
    vault_dir = ctx.vault_dir()
    if joining.pending_join(vault_dir):
        joined = joining.complete(vault_dir)
        ctx.out(f"This PC is now a replica ({joined.replica_id}) of vault {joined.vault_id}; "
                "people sign in here with their usual passphrase. Check with the person who "
                "approved it that their screen shows this vault fingerprint:\n\n    "
                f"{joined.vault_fingerprint}",
                {"sent": 0, "received": 0, "conflicts": 0, "refused": [], "replicas": [],
                 "joined": joined.replica_id, "vault_id": joined.vault_id,
                 "vault_fingerprint": joined.vault_fingerprint})
        return
    report = ctx.ready_session().replicas.sync()
    ctx.out(describe(report), report.to_json())


def cmd_sync_setup(ctx: CliContext) -> None:
    where = _folder(ctx.args.folder)
    replica_id = ctx.ready_session().replicas.setup(where, ctx.args.name)
    ctx.out(f"This replica ({replica_id}) syncs through {where}.",
            {"replica": replica_id, "folder": str(where)})


def cmd_replica_join(ctx: CliContext) -> None:
    where = _folder(ctx.args.folder)
    request = joining.request(where, ctx.vault_dir(), stamp(ctx.clock()), ctx.args.name)
    ctx.out(f"Join request {request.request_id} written. Read this fingerprint to the owner or "
            f"a team manager, who approves it on a replica:\n\n    {request.fingerprint}\n\n"
            f"Then run `workbook sync --vault {ctx.vault}` here.",
            {"request": request.request_id, "fingerprint": request.fingerprint})


def cmd_replica_pending(ctx: CliContext) -> None:
    replicas = ctx.ready_session().replicas
    found = replicas.pending()
    vault = replicas.vault_fingerprint()
    lines = [f"{r.request_id}  {r.name}  {r.fingerprint}  asked {uk_date(r.at[:10])}"
             for r in found]
    if lines:
        lines.append(f"Once joined, the new PC shows this vault fingerprint: {vault}")
    ctx.out("\n".join(lines) or "No join requests are waiting.",
            [{**r.to_json(), "vault_fingerprint": vault} for r in found])


def cmd_replica_approve(ctx: CliContext) -> None:
    replicas = ctx.ready_session().replicas
    asked = replicas.approve(ctx.args.request, ctx.args.fingerprint)
    vault = replicas.vault_fingerprint()
    ctx.out(f"Approved {asked.name}; it completes the join with `workbook sync --vault PATH` "
            f"and shows this vault fingerprint, to compare by voice:\n\n    {vault}",
            {"approved": asked.request_id, "name": asked.name, "vault_fingerprint": vault})


def cmd_replica_list(ctx: CliContext) -> None:
    rows = ctx.ready_session().replicas.listing()
    lines = [f"{r['id']}  {r['name']}  {r['status']}"
             + (" (this PC)" if r["this"] else
                f"  last seen {uk_date(str(r['last_seen'])[:10]) if r['last_seen'] else 'never'}")
             for r in rows]
    ctx.out("\n".join(lines), rows)


def cmd_replica_retire(ctx: CliContext) -> None:
    ctx.ready_session().replicas.retire(ctx.args.replica, ctx.args.reason)
    ctx.out(f"Retired replica {ctx.args.replica}: its later files are refused everywhere.",
            {"retired": ctx.args.replica})


def cmd_replica_audit(ctx: CliContext) -> None:
    reports = ctx.ready_session().replicas.verify_audit()
    lines = [f"{r.replica}: {r.events} event(s), " + ("OK" if not r.problem else r.problem)
             for r in reports]
    ctx.out("\n".join(lines) or "No other replica's events have arrived yet.",
            [r.to_json() for r in reports])


def cmd_replica_resolve_fork(ctx: CliContext) -> None:
    replicas = ctx.ready_session().replicas
    shown = replicas.fork() if ctx.args.show else replicas.resolve_fork()
    if shown is None:
        ctx.out("The membership log does not fork: there is nothing to resolve.",
                {"resolved": False, "event": None, "branches": [], "pairs": []})
        return
    lines = [f"The membership log forked at event {shown.event}; the branches count in this "
             "order:"]
    for n, branch in enumerate(shown.branches, 1):
        lines += [f"  branch {n}:"] + [f"    {change}" for change in branch]
    if shown.pairs:
        lines += ["Changes to one person on two branches (they apply in this order):"]
        lines += [f"  {pair}" for pair in shown.pairs]
    lines.append("Nothing signed (--show)." if ctx.args.show else
                 "Signed one merge: the changes of every branch now count, on every PC after "
                 "its next sync.")
    ctx.out("\n".join(lines), {"resolved": not ctx.args.show, **shown.to_json()})


COMMANDS: dict[str, Handler] = {
    "sync": cmd_sync,
    "sync setup": cmd_sync_setup,
    "replica join": cmd_replica_join,
    "replica pending": cmd_replica_pending,
    "replica approve": cmd_replica_approve,
    "replica list": cmd_replica_list,
    "replica retire": cmd_replica_retire,
    "replica audit": cmd_replica_audit,
    "replica resolve-fork": cmd_replica_resolve_fork,
}
