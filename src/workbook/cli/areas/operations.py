"""The operations commands: backup and restore, closing families, retention and disposal."""

from __future__ import annotations

import sys
from pathlib import Path

from workbook.cli import secrets_input
from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.domain.outcomes import OUTCOMES
from workbook.services.errors import InvalidInput
from workbook.services.upkeep import backup
from workbook.services.upkeep.retention import write_certificate


def add_arguments(grammar: Grammar) -> None:
    p = grammar.sub(grammar.top, "backup",
                    "write an encrypted backup of the vault (owner or administrator)")
    p.add_argument("--out", help="the new backup file to write")
    p.add_argument("--remind-days", type=int, default=None,
                   help="remind the owner and administrators after this many days without a "
                        "backup")
    p = grammar.sub(grammar.top, "restore",
                    "restore a backup into a new vault folder, signing in with --as")
    p.add_argument("file", help="the backup file")
    p.add_argument("--to", required=True, help="a new (or empty) folder for the vault")
    p.add_argument("--recovery-key-file",
                   help="the vault's recovery key, to enrol this OS account on a new device")

    p = grammar.sub(grammar.groups["family"], "close",
                    "close a family; its retention period starts now")
    p.add_argument("family")
    p.add_argument("--type", required=True, dest="family_type",
                   help="the family type the policy keeps a retention period for")
    p.add_argument("--outcome", default="", metavar="OUTCOME",
                   help="what changed: " + ", ".join(OUTCOMES) + " (needs --reason)")
    p.add_argument("--reason", default="", help="why this outcome")
    p.add_argument("--lessons", default="", help="lessons learned")

    p = grammar.sub(grammar.groups["family"], "reopen",
                    "reopen a closed family; its retention period ends")
    p.add_argument("family")

    retention = grammar.group("retention", "retention of closed families")
    p = grammar.sub(retention, "review", "families past retention (team manager, administrator)")
    p.add_argument("--all", action="store_true", help="every closed family, due or not")

    disposal = grammar.group("disposal", "two-person disposal of families past retention")
    p = grammar.sub(disposal, "propose", "propose disposing of a family (team manager)")
    p.add_argument("family")
    p = grammar.sub(disposal, "confirm",
                    "confirm a proposed disposal and print its certificate (administrator)")
    p.add_argument("family")
    p.add_argument("--certificate", required=True, help="where to write the certificate PDF")
    p = grammar.sub(disposal, "withdraw", "withdraw a proposed disposal")
    p.add_argument("family")
    grammar.sub(disposal, "list", "families disposed of (content-free)")
    grammar.sub(disposal, "compact",
                "rebuild the database file now, if a disposal found the vault too busy")
    p = grammar.sub(disposal, "certificate", "print a past disposal's certificate again")
    p.add_argument("family")
    p.add_argument("--out", required=True, help="where to write the certificate PDF")


def _new_file(path: str, what: str) -> Path:
    out = Path(path).expanduser()
    if out.is_dir():
        raise InvalidInput(f"cannot write the {what} to {path}: it is a folder")
    if not out.parent.is_dir():
        raise InvalidInput(f"cannot write the {what} to {path}: {out.parent} is not a folder")
    if out.exists():
        raise InvalidInput(f"{path} already exists; choose a new file for the {what}")
    return out


def cmd_backup(ctx: CliContext) -> None:
    a = ctx.args
    if not a.out and a.remind_days is None:
        raise InvalidInput("give --out FILE to make a backup (and/or --remind-days N)")
    if a.out:
        backup.check_output_path(Path(a.out), ctx.vault_dir())
    session = ctx.ready_session()
    data: dict[str, object] = {}
    lines = []
    if a.remind_days is not None:
        backup.set_reminder_days(session, a.remind_days)
        data["remind_days"] = a.remind_days
        lines.append(f"Backup reminder set to every {a.remind_days} days.")
    if a.out:
        info = backup.make_backup(session, Path(a.out))
        data.update(info.to_json())
        data["file"] = a.out
        lines.append(f"Backup {info.backup_id} written to {a.out}. It holds only ciphertext "
                     "and opens with the vault's accounts; keep it somewhere safe and separate.")
    ctx.out("\n".join(lines), data)


def cmd_restore(ctx: CliContext) -> None:
    a = ctx.args
    if not ctx.username:
        raise InvalidInput("no user given: sign in to the backup with --as USERNAME")
    target = backup.check_target(Path(a.to))
    recovery_text = ""
    if a.recovery_key_file:
        recovery_text = secrets_input.read_secret_file(a.recovery_key_file, "recovery key")
    passphrase = secrets_input.acting_passphrase(getattr(a, "passphrase_file", None))
    restored = backup.restore_backup(Path(a.file), target, ctx.username, passphrase,
                                     recovery_text)
    note = (" This OS account was enrolled with the recovery key (audited)."
            if restored.enrolled_with_recovery_key else "")
    ctx.out(f"Backup {restored.info.backup_id} of {restored.info.created_at[:19]} restored to "
            f"{target}: {restored.families} families, {restored.audit_events} audit events, "
            f"audit chain verified.{note}",
            {"vault": str(target), "backup": restored.info.to_json(),
             "families": restored.families, "audit_events": restored.audit_events,
             "audit_verified": True,
             "enrolled_with_recovery_key": restored.enrolled_with_recovery_key})


def cmd_family_close(ctx: CliContext) -> None:
    a = ctx.args
    row = ctx.ready_session().retention.close(a.family, a.family_type, outcome=a.outcome,
                                              reason=a.reason, lessons=a.lessons)
    data = {"id": row.family_id, "family_type": row.family_type, "closed_at": row.closed_at,
            "dispose_after": row.dispose_after}
    if a.outcome:  # only then: the output of `family close --type` is unchanged
        data["outcome"] = a.outcome.strip()
    ctx.out(f"Family {row.family_id} closed as {row.family_type}"
            + (f" (outcome: {a.outcome.strip()})" if a.outcome else "")
            + f"; it comes up for disposal review on {row.dispose_after}.", data)


def cmd_family_reopen(ctx: CliContext) -> None:
    version = ctx.ready_session().retention.reopen(ctx.args.family)
    ctx.out(f"Family {ctx.args.family} reopened; its retention period has ended.",
            {"id": ctx.args.family, "version": version, "status": "open"})


def cmd_retention_review(ctx: CliContext) -> None:
    items = ctx.ready_session().retention.review(include_not_due=ctx.args.all)
    lines = [f"{i.family_id}  {i.family_type:<17} closed {i.closed_at[:10]}  kept until "
             f"{i.dispose_after}  {'DUE' if i.due else '   '}"
             + (f"  proposed by {i.proposed_by}" if i.proposed_by else "") for i in items]
    ctx.out("\n".join(lines) if lines else "No family is past its retention period.",
            [i.to_json() for i in items])


def cmd_disposal_propose(ctx: CliContext) -> None:
    row = ctx.ready_session().retention.propose(ctx.args.family)
    ctx.out(f"Disposal of family {row.family_id} proposed; an administrator confirms it.",
            {"id": row.family_id, "proposed_at": row.proposed_at})


def cmd_disposal_confirm(ctx: CliContext) -> None:
    out = _new_file(ctx.args.certificate, "certificate")
    session = ctx.ready_session()
    disposal = session.retention.confirm(ctx.args.family)
    try:
        write_certificate(session, disposal, out)
        written = str(out)
    except OSError as exc:
        written = ""
        print(f"workbook: warning: the certificate could not be written ({exc.strerror}); "
              "the disposal is done and recorded", file=sys.stderr)
    if not disposal.file_rebuilt:
        print("workbook: warning: the vault was too busy to rebuild its database file now; the "
              "content is deleted - run `workbook disposal compact` when nobody else is using "
              "the vault", file=sys.stderr)
    ctx.out(f"Family {disposal.family_id} disposed of: {disposal.versions_removed} record "
            f"versions removed. Certificate written to {written}." if written else
            f"Family {disposal.family_id} disposed of.",
            {**disposal.to_json(), "certificate": written or None})


def cmd_disposal_compact(ctx: CliContext) -> None:
    done = ctx.ready_session().retention.compact()
    if not done:
        raise InvalidInput("the vault is in use (a change is being saved or read): try "
                           "`workbook disposal compact` again when nobody else is using it")
    ctx.out("The vault's database file was rebuilt and its log emptied.", {"compacted": True})


def cmd_disposal_certificate(ctx: CliContext) -> None:
    out = _new_file(ctx.args.out, "certificate")
    session = ctx.ready_session()
    disposal = session.retention.disposal(ctx.args.family)
    write_certificate(session, disposal, out)
    ctx.out(f"Certificate of the disposal of family {disposal.family_id} written to {out}.",
            {**disposal.to_json(), "certificate": str(out)})


def cmd_disposal_withdraw(ctx: CliContext) -> None:
    ctx.ready_session().retention.withdraw(ctx.args.family)
    ctx.out(f"Proposed disposal of family {ctx.args.family} withdrawn.",
            {"id": ctx.args.family, "withdrawn": True})


def cmd_disposal_list(ctx: CliContext) -> None:
    rows = ctx.ready_session().retention.disposals()
    data = [{"id": r.family_id, "family_type": r.family_type, "closed_at": r.closed_at,
             "disposed_at": r.disposed_at, "versions": r.version_count} for r in rows]
    lines = [f"{d['id']}  {d['family_type']:<17} disposed {str(d['disposed_at'])[:10]}  "
             f"{d['versions']} versions" for d in data]
    ctx.out("\n".join(lines) if lines else "No family has been disposed of.", data)


COMMANDS: dict[str, Handler] = {
    "backup": cmd_backup,
    "restore": cmd_restore,
    "family close": cmd_family_close,
    "family reopen": cmd_family_reopen,
    "retention review": cmd_retention_review,
    "disposal propose": cmd_disposal_propose,
    "disposal confirm": cmd_disposal_confirm,
    "disposal withdraw": cmd_disposal_withdraw,
    "disposal list": cmd_disposal_list,
    "disposal certificate": cmd_disposal_certificate,
    "disposal compact": cmd_disposal_compact,
}
