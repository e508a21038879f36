"""Files named on the command line that are not secrets: an output that must be a new file in
an existing folder, and a small input (an enrolment request or grant) read with a bound."""

from __future__ import annotations

from pathlib import Path

from workbook.services import validation
from workbook.services.errors import InvalidInput
from workbook.services.files import FileRefused, read_bounded


def output_path(path: str) -> Path:
    out = validation.folder_path(path, "file to write")
    if not out.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: {out.parent} is not a folder")
    if out.is_dir():
        raise InvalidInput(f"cannot write {path}: it is a folder")
    return out


def read_small_file(path: str, what: str) -> bytes:
    """At most 1 MiB of a regular file (enrolment requests and grants): pipes, devices and
    folders are refused and nothing is read whole (vault/files.read_bounded)."""
    try:
        return read_bounded(validation.folder_path(path, f"{what} file"), 1024 * 1024, what)
    except FileRefused as exc:
        raise InvalidInput(str(exc)) from None
