"""Entry point: parse, run one command, turn every refusal into one line on stderr."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from workbook.cli.areas import areas
from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import WorkbookArgumentParser, new_grammar
from workbook.services.clock import Clock, system_clock
from workbook.services.errors import DatabaseError, WorkbookError


def main(argv: Sequence[str] | None = None, *, clock: Clock = system_clock) -> int:
    """Run one command. `clock` is the time every sign-in and service call of it reads (tests
    pass a fixed one, as the services' own tests do)."""
    parser = build_grammar()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    key = args.command if not getattr(args, "action", None) else f"{args.command} {args.action}"
    handler = all_commands()[key]
    ctx = CliContext(
        args=args,
        vault=args.vault or os.environ.get("WORKBOOK_VAULT", ""),
        username=args.as_user or os.environ.get("WORKBOOK_USER", ""),
        json=bool(args.json),
        clock=clock,
    )
    try:
        handler(ctx)
    except WorkbookError as exc:
        return _fail(str(exc))
    except ValueError as exc:  # e.g. a bad WORKBOOK_KEYRING value
        return _fail(str(exc))
    except DatabaseError:
        return _fail("the vault database is damaged (a page failed its authentication check); "
                     "restore it from a backup - nothing was changed")
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return _fail("interrupted")
    except Exception as exc:  # never a traceback, and never content in the message
        return _fail(f"unexpected internal error ({exc.__class__.__name__}); nothing was changed "
                     "by the failed step")
    finally:
        ctx.close()
    return 0


def build_grammar() -> WorkbookArgumentParser:
    """The whole grammar, from the areas registry only, in its order."""
    parser, grammar = new_grammar()
    for area in areas():
        area.add_arguments(grammar)
    return parser


def all_commands() -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for area in areas():
        merged.update(area.COMMANDS)
    return merged


def _fail(message: str) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"workbook: error: {first_line}", file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
