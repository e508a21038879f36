"""`workbook device enrol|request|grant`: enrol another OS account or PC, with the recovery
key or a grant from a signed-in colleague."""

from __future__ import annotations

from pathlib import Path

from workbook.cli import secrets_input
from workbook.cli.context import CliContext, Handler
from workbook.cli.file_args import output_path, read_small_file
from workbook.cli.grammar import Grammar
from workbook.services.access import device, recovery
from workbook.services.errors import InvalidInput
from workbook.services.files import save_private


def add_arguments(grammar: Grammar) -> None:
    device_group = grammar.group("device", "enrol another OS account or PC")
    p = grammar.sub(device_group, "enrol", "enrol this OS account")
    p.add_argument("--recovery-key-file")
    p.add_argument("--grant", help="a grant file from a signed-in colleague")
    p = grammar.sub(device_group, "request", "ask a signed-in colleague to enrol this OS account")
    p.add_argument("--out", required=True)
    p = grammar.sub(device_group, "grant", "enrol a colleague's OS account (you must be signed in)")
    p.add_argument("request")
    p.add_argument("--code", required=True)
    p.add_argument("--out", required=True)


def cmd_device_enrol(ctx: CliContext) -> None:
    a = ctx.args
    if bool(a.recovery_key_file) == bool(a.grant):
        raise InvalidInput("give exactly one of --recovery-key-file or --grant")
    if a.recovery_key_file:
        recovery_text = secrets_input.read_secret_file(a.recovery_key_file, "recovery key")
        vault_id = recovery.enrol_with_recovery_key(ctx.vault_dir(), recovery_text,
                                                    clock=ctx.clock)
    else:
        grant = read_small_file(a.grant, "enrolment grant")
        vault_id = device.complete_enrolment(ctx.vault_dir(), grant)
    ctx.out(f"This OS account is now enrolled for vault {vault_id}.",
            {"vault_id": vault_id, "enrolled": True})


def cmd_device_request(ctx: CliContext) -> None:
    output_path(ctx.args.out)
    request, code = device.request_enrolment(ctx.vault_dir())
    save_private(Path(ctx.args.out).expanduser(), request)
    ctx.out(f"Request written to {ctx.args.out}. Give it to a colleague signed in on an enrolled "
            f"account and read them this code:\n\n    {code}\n", {"code": code,
                                                              "request": ctx.args.out})


def cmd_device_grant(ctx: CliContext) -> None:
    output_path(ctx.args.out)
    request = read_small_file(ctx.args.request, "enrolment request")
    grant = device.grant_enrolment(ctx.ready_session(), request, ctx.args.code)
    save_private(Path(ctx.args.out).expanduser(), grant)
    ctx.out(f"Grant written to {ctx.args.out}; the new account runs "
            f"`workbook device enrol --grant {ctx.args.out}`.", {"grant": ctx.args.out})


COMMANDS: dict[str, Handler] = {
    "device enrol": cmd_device_enrol,
    "device request": cmd_device_request,
    "device grant": cmd_device_grant,
}
