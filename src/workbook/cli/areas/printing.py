"""The printing commands: `workbook print FAMILY --kind home-visit|case-summary --out FILE.pdf
[--leave-out PART,...] [--include-section SECTION ...]` and `workbook sar PERSON --out FILE.pdf
[--redact-third-parties]`.

The PDF is built in memory and written only to --out, atomically and private from its first
byte (services/files.save_private); the save is audited after the file is in place. The output path
is checked before anything is read, so a typo costs nothing."""

from __future__ import annotations

from pathlib import Path

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.services.errors import InvalidInput
from workbook.services.files import save_private
from workbook.services.printing import (
    CASE_SUMMARY,
    HOME_VISIT,
    PARTS,
    PrintedDocument,
    Printing,
    page_count,
    parse_include,
    parse_kind,
    parse_leave_out,
)


def add_arguments(grammar: Grammar) -> None:
    parts = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in PARTS.items())
    p = grammar.sub(grammar.top, "print",
                    "print a family's home-visit summary or case summary to a PDF file")
    p.add_argument("family", help="the family id")
    p.add_argument("--kind", required=True, help=f"{HOME_VISIT} or {CASE_SUMMARY}")
    p.add_argument("--out", required=True, help="the PDF file to write (must not exist yet)")
    p.add_argument("--leave-out", default="", metavar="PART,...",
                   help=f"parts to leave out (minimum necessary) - {parts}")
    p.add_argument("--include-section", action="append", default=[], dest="include",
                   metavar="SECTION",
                   help="a restricted section to carry in a home-visit summary (left out "
                        "unless named; the choice is audited); repeat for each")
    p = grammar.sub(grammar.top, "sar",
                    "export everything held about one person (subject access) to a PDF file")
    p.add_argument("person", help="the person id")
    p.add_argument("--out", required=True, help="the PDF file to write (must not exist yet)")
    p.add_argument("--redact-third-parties", action="store_true",
                   help="replace the names of other people by [third party]")


def output_file(path: str) -> Path:
    """The chosen file, refused with a specific reason before any case content is read."""
    if not path.strip():
        raise InvalidInput("--out needs a file name")
    out = Path(path).expanduser()
    if out.is_dir():
        raise InvalidInput(f"cannot write {path}: it is a folder; give a file name")
    if not out.parent.exists():
        raise InvalidInput(f"cannot write {path}: the folder {out.parent} does not exist")
    if not out.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: {out.parent} is not a folder")
    if out.exists() or out.is_symlink():
        raise InvalidInput(f"{path} already exists; choose a new file (nothing was written)")
    return out


def _save(ctx: CliContext, printing: Printing, document: PrintedDocument, out: Path) -> None:
    try:
        save_private(out, document.pdf)
    except OSError as exc:
        raise InvalidInput(f"cannot write {ctx.args.out}: {exc.strerror or 'write failed'}; "
                           "nothing was saved") from None
    try:
        printing.record(document, "save_pdf")
    except BaseException:
        # An unaudited copy must not be left behind as if the save had worked.
        out.unlink(missing_ok=True)
        raise
    pages = page_count(document.pdf)
    ctx.out(f"{document.title} ({pages} page{'s' if pages != 1 else ''}) saved to "
            f"{ctx.args.out}. It is OFFICIAL-SENSITIVE: keep it safe and delete it when done.",
            {"file": str(out), "kind": document.kind, "family": document.family_id,
             "person": document.person_id or None, "pages": pages,
             "sections": list(document.sections), "left_out": list(document.left_out),
             "redacted": document.redacted})


def cmd_print(ctx: CliContext) -> None:
    a = ctx.args
    kind = parse_kind(a.kind)
    leave_out = parse_leave_out(kind, a.leave_out)
    include = parse_include(a.include)
    out = output_file(a.out)
    printing = ctx.ready_session().printing
    _save(ctx, printing, printing.document(kind, a.family, leave_out, include), out)


def cmd_sar(ctx: CliContext) -> None:
    a = ctx.args
    out = output_file(a.out)
    printing = ctx.ready_session().printing
    document = printing.subject_access(a.person, redact_third_parties=a.redact_third_parties)
    _save(ctx, printing, document, out)


COMMANDS: dict[str, Handler] = {"print": cmd_print, "sar": cmd_sar}
