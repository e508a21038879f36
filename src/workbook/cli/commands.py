"""One function per command; each calls the services and prints. No rules live here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.cli import secrets_input
from workbook.services import device, policy_admin, recovery, validation
from workbook.services.errors import InvalidInput
from workbook.services.session import Session
from workbook.services.sign_in import sign_in
from workbook.services.vault_setup import create_vault
from workbook.vault.files import FileRefused, read_bounded, write_private

if TYPE_CHECKING:
    from workbook.services.audit import AuditReport


@dataclass
class CliContext:
    args: Any
    vault: str
    username: str
    json: bool
    _session: Session | None = field(default=None, repr=False)

    def vault_dir(self) -> Path:
        if not self.vault:
            raise InvalidInput("no vault given: use --vault PATH or set WORKBOOK_VAULT")
        return Path(self.vault).expanduser()

    def session(self) -> Session:
        if self._session is None:
            if not self.username:
                raise InvalidInput("no user given: use --as USERNAME or set WORKBOOK_USER")
            passphrase = secrets_input.acting_passphrase(
                getattr(self.args, "passphrase_file", None))
            self._session = sign_in(self.vault_dir(), self.username, passphrase)
            for warning in self._session.warnings:
                print(f"workbook: warning: {warning}", file=sys.stderr)
            for note in self._session.announcements:
                print(f"workbook: notice: {note}", file=sys.stderr)
        return self._session

    def ready_session(self) -> Session:
        session = self.session()
        session.require_ready()
        return session

    def close(self) -> None:
        if self._session is not None:
            self._session.lock()
            self._session = None

    def out(self, human: str, data: Any) -> None:
        if self.json:
            print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
        elif human:
            print(human)


Handler = Callable[[CliContext], None]


def cmd_init(ctx: CliContext) -> None:
    a = ctx.args
    passphrase = secrets_input.acting_passphrase(getattr(a, "passphrase_file", None))
    sheet = Path(a.recovery_sheet).expanduser() if a.recovery_sheet else None
    if sheet is not None:
        if not sheet.parent.is_dir():
            raise InvalidInput(f"cannot write the recovery sheet: {sheet.parent} is not a folder")
        if sheet.exists():
            raise InvalidInput(f"the recovery sheet {sheet} already exists; choose a new file")
    created = create_vault(ctx.vault_dir(), team=a.team, owner_username=a.owner,
                           owner_name=a.owner_name, owner_role=a.owner_role,
                           passphrase=passphrase)
    sheet_error = ""
    if sheet is not None:
        from workbook.reports.recovery_sheet import render_recovery_sheet

        try:
            write_private(sheet, render_recovery_sheet(
                team=created.team, vault_id=created.vault_id,
                recovery_key=created.recovery_key, owner_name=validation.name(a.owner_name),
                created_at=datetime.now(UTC)))
        except OSError as exc:
            # The vault exists now: never lose the key because the sheet could not be saved.
            sheet_error = f"the recovery sheet could not be written ({exc.strerror})"
            print(f"workbook: warning: {sheet_error}; copy the key below by hand",
                  file=sys.stderr)
    ctx.out(
        f"Vault {created.vault_id} created for {created.team}.\n\n"
        f"RECOVERY KEY (shown once; print the recovery sheet and give it to your data "
        f"controller):\n\n    {created.recovery_key}\n",
        {"vault_id": created.vault_id, "team": created.team,
         "recovery_key": created.recovery_key, "owner": a.owner,
         "recovery_sheet": str(sheet) if sheet and not sheet_error else None},
    )


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


def cmd_passphrase_change(ctx: CliContext) -> None:
    session = ctx.session()
    current = secrets_input.acting_passphrase(getattr(ctx.args, "passphrase_file", None))
    first = session.must_replace_passphrase
    session.accounts.change_passphrase(current, secrets_input.new_passphrase())
    fingerprint = session.grants.fingerprint()
    human = "Passphrase changed."
    if first:
        human += ("\nYour key fingerprint is shown below. Read it to the colleague who approves "
                  f"your access, and check they see the same:\n\n    {fingerprint}\n")
    ctx.out(human, {"changed": True, "fingerprint": fingerprint})


def cmd_keys_fingerprint(ctx: CliContext) -> None:
    fingerprint = ctx.ready_session().grants.fingerprint()
    ctx.out(fingerprint, {"fingerprint": fingerprint})


def cmd_keys_pending(ctx: CliContext) -> None:
    pending = ctx.ready_session().grants.pending()
    lines = [f"{p.username:<20} {p.role:<22} {p.section}" for p in pending]
    ctx.out("\n".join(lines) if lines else "No grants are waiting for you.",
            [asdict(p) for p in pending])


def cmd_keys_approve(ctx: CliContext) -> None:
    a = ctx.args
    recovery_text = ""
    if a.recovery_key_file:
        recovery_text = secrets_input.read_secret_file(a.recovery_key_file, "recovery key")
    granted = ctx.ready_session().grants.approve(a.username, a.fingerprint, recovery_text)
    ctx.out(f"Approved {a.username} for: {', '.join(granted) if granted else 'nothing pending'}",
            {"username": a.username, "sections": granted})


def cmd_family_add(ctx: CliContext) -> None:
    family_id = ctx.ready_session().families.add(ctx.args.name, ctx.args.ref)
    ctx.out(family_id, {"id": family_id})


def cmd_family_list(ctx: CliContext) -> None:
    families = ctx.ready_session().families.all()
    lines = [f"{f.family_id}  {f.reference:<12} {f.status:<8} {f.name}"
             f"{'  [conflict]' if f.conflict else ''}" for f in families]
    ctx.out("\n".join(lines), [
        {"id": f.family_id, "name": f.name, "reference": f.reference, "status": f.status,
         "conflict": f.conflict} for f in families])


def cmd_person_add(ctx: CliContext) -> None:
    a = ctx.args
    if a.dob is not None and not a.dob.strip():
        validation.iso_date(a.dob, "date of birth")  # refuses the empty value, clearly
    person_id = ctx.ready_session().families.add_person(a.family, a.name, a.dob or "",
                                                        a.relationship)
    ctx.out(person_id, {"id": person_id})


def cmd_entry_add(ctx: CliContext) -> None:
    a = ctx.args
    if a.date is not None and not a.date.strip():
        validation.iso_date(a.date, "entry date")  # refuses the empty value, clearly
    session = ctx.ready_session()
    entry_id = session.families.add_entry(a.family, a.section, a.text, a.date or "", a.entry_type,
                                          a.significant)
    if not session.records.can_read(a.section) and not ctx.json:
        print(f"Added as a sealed entry: you cannot read the {a.section} section, so you will "
              "not be able to read this entry back.", file=sys.stderr)
    ctx.out(entry_id, {"id": entry_id})


def cmd_entry_edit(ctx: CliContext) -> None:
    version = ctx.ready_session().families.edit_entry(ctx.args.entry, ctx.args.text)
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


def cmd_action_add(ctx: CliContext) -> None:
    a = ctx.args
    action_id = ctx.ready_session().families.add_action(a.family, a.text, a.owner, a.due)
    ctx.out(action_id, {"id": action_id})


def cmd_show(ctx: CliContext) -> None:
    workbook = ctx.ready_session().workbooks.open(ctx.args.family)
    if ctx.json:
        ctx.out("", workbook.to_json())
        return
    family = workbook.family
    lines = [f"{family.name} ({family.reference}) - case owner {family.case_owner}"]
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
    ctx.out("\n".join(lines), workbook.to_json())


def cmd_audit_verify(ctx: CliContext) -> None:
    from workbook.services.audit import schema_status

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


def cmd_demo(ctx: CliContext) -> None:
    from workbook.demo import build_demo

    if ctx.args.families < 1 or ctx.args.families > 5000:
        raise InvalidInput("--families must be between 1 and 5000")
    result = build_demo(ctx.vault_dir(), families=ctx.args.families,
                        progress=None if ctx.json else lambda m: print(m, file=sys.stderr))
    users = [{"username": u.username, "role": u.role, "passphrase": u.passphrase}
             for u in result.users]
    lines = [f"Demo vault {result.vault_id} (synthetic data only).", "",
             f"{'username':<16} {'role':<22} passphrase"]
    lines += [f"{u['username']:<16} {u['role']:<22} {u['passphrase']}" for u in users]
    lines += ["", f"Recovery key (demo only): {result.recovery_key}"]
    ctx.out("\n".join(lines), {"vault_id": result.vault_id, "users": users,
                               "recovery_key": result.recovery_key})


def cmd_recover(ctx: CliContext) -> None:
    a = ctx.args
    recovery_text = secrets_input.read_secret_file(a.recovery_key_file, "recovery key")
    initial = secrets_input.new_passphrase("New initial passphrase")
    recovery.reset_account(ctx.vault_dir(), a.username, recovery_text, initial)
    ctx.out(f"{a.username} has a new initial passphrase; they must replace it at sign-in and be "
            "approved again. This use of the recovery key is audited and will be announced to "
            "every user.", {"username": a.username, "reset": True})


def cmd_device_enrol(ctx: CliContext) -> None:
    a = ctx.args
    if bool(a.recovery_key_file) == bool(a.grant):
        raise InvalidInput("give exactly one of --recovery-key-file or --grant")
    if a.recovery_key_file:
        recovery_text = secrets_input.read_secret_file(a.recovery_key_file, "recovery key")
        vault_id = recovery.enrol_with_recovery_key(ctx.vault_dir(), recovery_text)
    else:
        grant = _read_small_file(a.grant, "enrolment grant")
        vault_id = device.complete_enrolment(ctx.vault_dir(), grant)
    ctx.out(f"This OS account is now enrolled for vault {vault_id}.",
            {"vault_id": vault_id, "enrolled": True})


def _output_path(path: str) -> Path:
    out = Path(path).expanduser()
    if not out.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: {out.parent} is not a folder")
    if out.is_dir():
        raise InvalidInput(f"cannot write {path}: it is a folder")
    return out


def cmd_device_request(ctx: CliContext) -> None:
    _output_path(ctx.args.out)
    request, code = device.request_enrolment(ctx.vault_dir())
    write_private(Path(ctx.args.out).expanduser(), request)
    ctx.out(f"Request written to {ctx.args.out}. Give it to a colleague signed in on an enrolled "
            f"account and read them this code:\n\n    {code}\n", {"code": code,
                                                              "request": ctx.args.out})


def cmd_device_grant(ctx: CliContext) -> None:
    _output_path(ctx.args.out)
    request = _read_small_file(ctx.args.request, "enrolment request")
    grant = device.grant_enrolment(ctx.ready_session(), request, ctx.args.code)
    write_private(Path(ctx.args.out).expanduser(), grant)
    ctx.out(f"Grant written to {ctx.args.out}; the new account runs "
            f"`workbook device enrol --grant {ctx.args.out}`.", {"grant": ctx.args.out})


def cmd_policy_show(ctx: CliContext) -> None:
    text = policy_admin.current_policy_text(ctx.ready_session())
    ctx.out(text, {"policy": text})


def cmd_policy_set(ctx: CliContext) -> None:
    text = policy_admin.read_policy_file(ctx.args.file)
    policy_admin.set_policy(ctx.ready_session(), text)
    ctx.out("Policy changed.", {"changed": True})


def _read_small_file(path: str, what: str) -> bytes:
    """At most 1 MiB of a regular file (enrolment requests and grants): pipes, devices and
    folders are refused and nothing is read whole (vault/files.read_bounded)."""
    try:
        return read_bounded(Path(path).expanduser(), 1024 * 1024, what)
    except FileRefused as exc:
        raise InvalidInput(str(exc)) from None


COMMANDS: dict[str, Handler] = {
    "init": cmd_init,
    "user add": cmd_user_add,
    "user list": cmd_user_list,
    "user disable": cmd_user_disable,
    "user unlock": cmd_user_unlock,
    "user role": cmd_user_role,
    "passphrase change": cmd_passphrase_change,
    "keys fingerprint": cmd_keys_fingerprint,
    "keys pending": cmd_keys_pending,
    "keys approve": cmd_keys_approve,
    "family add": cmd_family_add,
    "family list": cmd_family_list,
    "person add": cmd_person_add,
    "entry add": cmd_entry_add,
    "entry edit": cmd_entry_edit,
    "entry delete": cmd_entry_delete,
    "entry history": cmd_entry_history,
    "action add": cmd_action_add,
    "show": cmd_show,
    "audit verify": cmd_audit_verify,
    "audit list": cmd_audit_list,
    "demo": cmd_demo,
    "recover": cmd_recover,
    "device enrol": cmd_device_enrol,
    "device request": cmd_device_request,
    "device grant": cmd_device_grant,
    "policy show": cmd_policy_show,
    "policy set": cmd_policy_set,
}
