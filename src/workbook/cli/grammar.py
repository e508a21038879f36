"""The argument grammar's frame: the top-level parser, the global options every command takes
(before and after the subcommand), and the `Grammar` each area adds its commands to."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

from workbook import __version__
from workbook.domain.roles import Role, Section

ROLE_LIST = ", ".join(r.value for r in Role)
SECTION_LIST = ", ".join(s.value for s in Section)

SubParsers = argparse._SubParsersAction


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


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_global_options(parser: argparse.ArgumentParser, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("global options")
    group.add_argument("--vault", default=default, help="vault folder (or WORKBOOK_VAULT)")
    group.add_argument("--as", dest="as_user", default=default,
                       help="acting username (or WORKBOOK_USER)")
    group.add_argument("--json", action="store_true", default=False if top else argparse.SUPPRESS,
                       help="machine-readable output")
    group.add_argument("--passphrase-file", default=default,
                       help="read the acting user's passphrase from this file")


@dataclass(frozen=True)
class Grammar:
    """What an area needs to add commands: the top level, the groups made so far (an area may
    add commands to another area's group, e.g. `family close`), and the helpers that give every
    command the global options and the one-line usage errors."""

    top: SubParsers
    groups: dict[str, SubParsers] = field(default_factory=dict)  # "family" -> its subparsers

    def sub(self, parent: SubParsers, name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(
            name, help=help_text, description=help_text, allow_abbrev=False)
        add_global_options(p, top=False)
        return p

    def group(self, name: str, help_text: str) -> SubParsers:
        p = self.sub(self.top, name, help_text)
        actions: SubParsers = p.add_subparsers(dest="action", metavar="ACTION", required=True,
                                               parser_class=WorkbookArgumentParser)
        self.groups[name] = actions
        return actions


def new_grammar() -> tuple[WorkbookArgumentParser, Grammar]:
    """The top-level parser with no command yet, and the Grammar the areas fill it through."""
    parser = WorkbookArgumentParser(prog="workbook", allow_abbrev=False, description=(
        "Workbook: the encrypted family workbook for multi-agency safeguarding teams."))
    parser.add_argument("--version", action="version", version=f"workbook {__version__}")
    add_global_options(parser, top=True)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND",
                                 parser_class=WorkbookArgumentParser)
    return parser, Grammar(top=subs)
