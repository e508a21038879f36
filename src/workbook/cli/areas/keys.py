"""`workbook keys ...`: section keys - a person's fingerprint, and approving a colleague's
pending grants after checking theirs."""

from __future__ import annotations

from dataclasses import asdict

from workbook.cli import secrets_input
from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar


def add_arguments(grammar: Grammar) -> None:
    keys = grammar.group("keys", "section keys: fingerprints and grants")
    grammar.sub(keys, "fingerprint", "your key fingerprint, to read to whoever approves you")
    grammar.sub(keys, "pending", "grants you could approve")
    p = grammar.sub(keys, "approve", "approve a colleague's pending grants")
    p.add_argument("username")
    p.add_argument("--fingerprint", default="")
    p.add_argument("--recovery-key-file")


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


COMMANDS: dict[str, Handler] = {
    "keys fingerprint": cmd_keys_fingerprint,
    "keys pending": cmd_keys_pending,
    "keys approve": cmd_keys_approve,
}
