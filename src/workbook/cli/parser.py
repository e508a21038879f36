"""The argument grammar. Global options are accepted before and after the subcommand."""

from __future__ import annotations

import argparse
import re

from workbook import __version__
from workbook.domain.roles import Role, Section

ROLE_LIST = ", ".join(r.value for r in Role)
SECTION_LIST = ", ".join(s.value for s in Section)


class WorkbookArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2, never a page of help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # Never echo what was typed: a passphrase pasted into argv must not reach the screen.
        if message.startswith("unrecognized arguments"):
            message = ("unrecognised arguments (not shown, in case they hold a secret); "
                       "passphrases are never taken from the command line")
        message = re.sub(r"invalid choice: '.*?' \(", "invalid choice (", message, flags=re.S)
        command = " ".join(["workbook", self._sub_name()]).strip()
        self.exit(2, f"workbook: error: {message} (see `{command} --help`)\n")

    def _sub_name(self) -> str:
        parts = self.prog.split()
        return " ".join(parts[1:]) if len(parts) > 1 else ""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _globals(parser: argparse.ArgumentParser, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("global options")
    group.add_argument("--vault", default=default, help="vault folder (or WORKBOOK_VAULT)")
    group.add_argument("--as", dest="as_user", default=default,
                       help="acting username (or WORKBOOK_USER)")
    group.add_argument("--json", action="store_true", default=False if top else argparse.SUPPRESS,
                       help="machine-readable output")
    group.add_argument("--passphrase-file", default=default,
                       help="read the acting user's passphrase from this file")


def build_parser() -> WorkbookArgumentParser:
    parser = WorkbookArgumentParser(prog="workbook", allow_abbrev=False, description=(
        "Workbook: the encrypted family workbook for multi-agency safeguarding teams."))
    parser.add_argument("--version", action="version", version=f"workbook {__version__}")
    _globals(parser, top=True)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND",
                                 parser_class=WorkbookArgumentParser)

    def sub(
        parent: argparse._SubParsersAction, name: str, help_text: str
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(
            name, help=help_text, description=help_text, allow_abbrev=False)
        _globals(p, top=False)
        return p

    def group(name: str, help_text: str) -> argparse._SubParsersAction:
        p = sub(subs, name, help_text)
        return p.add_subparsers(dest="action", metavar="ACTION", required=True,
                                parser_class=WorkbookArgumentParser)

    p = sub(subs, "init", "create a vault (the owner: a practitioner, never the administrator)")
    p.add_argument("--team", required=True)
    p.add_argument("--owner", required=True, help="the owner's username")
    p.add_argument("--owner-name", required=True)
    p.add_argument("--owner-role", default=Role.TEAM_MANAGER.value, help=ROLE_LIST)
    p.add_argument("--recovery-sheet", help="write the one-page recovery sheet PDF here")

    users = group("user", "accounts (administrator or owner)")
    p = sub(users, "add", "create an account with a one-time initial passphrase")
    p.add_argument("username")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, help=ROLE_LIST)
    sub(users, "list", "list accounts")
    p = sub(users, "disable", "disable an account (rekeys the vault, rotates its sections)")
    p.add_argument("username")
    p = sub(users, "unlock", "unlock an account locked by failed sign-ins")
    p.add_argument("username")
    p = sub(users, "role", "change an account's role")
    p.add_argument("username")
    p.add_argument("role", help=ROLE_LIST)

    pw = group("passphrase", "your passphrase")
    sub(pw, "change", "replace your passphrase (new one from WORKBOOK_NEW_PASSPHRASE)")

    keys = group("keys", "section keys: fingerprints and grants")
    sub(keys, "fingerprint", "your key fingerprint, to read to whoever approves you")
    sub(keys, "pending", "grants you could approve")
    p = sub(keys, "approve", "approve a colleague's pending grants")
    p.add_argument("username")
    p.add_argument("--fingerprint", default="")
    p.add_argument("--recovery-key-file")

    fam = group("family", "families")
    p = sub(fam, "add", "add a family")
    p.add_argument("--name", required=True)
    p.add_argument("--ref", default="")
    sub(fam, "list", "list the families you can see")

    person = group("person", "people in a household")
    p = sub(person, "add", "add a person to a family's household")
    p.add_argument("family")
    p.add_argument("--name", required=True)
    p.add_argument("--dob", default=None)
    p.add_argument("--relationship", default="")

    entry = group("entry", "workbook entries")
    p = sub(entry, "add", "add an entry to a section (sealed if you cannot read it)")
    p.add_argument("family")
    p.add_argument("--section", required=True, help=SECTION_LIST)
    p.add_argument("--text", required=True)
    p.add_argument("--date", default=None)
    p.add_argument("--type", default="note", dest="entry_type")
    p.add_argument("--significant", action="store_true")
    p = sub(entry, "edit", "correct an entry (a new version; history is kept)")
    p.add_argument("entry")
    p.add_argument("--text", required=True)
    p = sub(entry, "delete", "delete an entry (a tombstone version; history is kept)")
    p.add_argument("entry")
    p.add_argument("--reason", required=True)
    p = sub(entry, "history", "every version of an entry")
    p.add_argument("entry")

    action = group("action", "plan actions")
    p = sub(action, "add", "add an action to a family's plan")
    p.add_argument("family")
    p.add_argument("--text", required=True)
    p.add_argument("--owner", required=True)
    p.add_argument("--due", required=True)

    p = sub(subs, "show", "a family's workbook as you may see it")
    p.add_argument("family")

    audit = group("audit", "the audit log")
    sub(audit, "verify", "check the whole chain; names the first broken link")
    p = sub(audit, "list", "who did what and when (administrator and team managers)")
    p.add_argument("--limit", type=_positive_int)

    p = sub(subs, "demo", "create a demo vault with synthetic families")
    p.add_argument("--families", type=int, default=200)

    p = sub(subs, "recover", "reset an account's passphrase with the recovery key")
    p.add_argument("username")
    p.add_argument("--recovery-key-file", required=True)

    device = group("device", "enrol another OS account or PC")
    p = sub(device, "enrol", "enrol this OS account")
    p.add_argument("--recovery-key-file")
    p.add_argument("--grant", help="a grant file from a signed-in colleague")
    p = sub(device, "request", "ask a signed-in colleague to enrol this OS account")
    p.add_argument("--out", required=True)
    p = sub(device, "grant", "enrol a colleague's OS account (you must be signed in)")
    p.add_argument("request")
    p.add_argument("--code", required=True)
    p.add_argument("--out", required=True)

    policy = group("policy", "who reads which section")
    sub(policy, "show", "print the current policy")
    p = sub(policy, "set", "replace the policy (administrator)")
    p.add_argument("file")

    from workbook.cli.areas import Grammar, areas

    grammar = Grammar(top=subs, groups={"user": users, "passphrase": pw, "keys": keys,
                                        "family": fam, "person": person, "entry": entry,
                                        "action": action, "audit": audit, "device": device,
                                        "policy": policy}, sub=sub, group=group)
    for area in areas():
        area.add_arguments(grammar)
    return parser
