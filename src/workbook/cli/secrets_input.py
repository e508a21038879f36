"""Where the CLI gets passphrases and recovery keys: environment, a file, or a prompt; never
argv, where any user of the PC could read them in the process list."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from workbook.services.errors import InvalidInput
from workbook.services.files import FileRefused, read_bounded

# A passphrase is a line of words and a recovery key 60-odd characters: 4 KiB is ten times the
# longest passphrase anyone types, and small enough that reading it can never hurt.
MAX_SECRET_FILE = 4 * 1024


def read_secret_file(path: str, what: str) -> str:
    """The secret in a small regular file; pipes, devices, folders and big files are refused
    (reading /dev/zero or a FIFO must not hang the command or exhaust memory)."""
    try:
        text = read_bounded(Path(path), MAX_SECRET_FILE, what).decode("utf-8")
    except FileRefused as exc:
        raise InvalidInput(str(exc)) from None
    except UnicodeDecodeError:
        raise InvalidInput(f"cannot read the {what} file {path}: it is not UTF-8 text") from None
    value = text.strip("\r\n")
    if not value.strip():
        raise InvalidInput(f"the {what} file {path} is empty")
    return value


def acting_passphrase(passphrase_file: str | None) -> str:
    if passphrase_file:
        return read_secret_file(passphrase_file, "passphrase")
    value = os.environ.get("WORKBOOK_PASSPHRASE")
    if value:
        return value
    return prompt("Passphrase: ", "WORKBOOK_PASSPHRASE or --passphrase-file")


def new_passphrase(label: str = "New passphrase") -> str:
    value = os.environ.get("WORKBOOK_NEW_PASSPHRASE")
    if value:
        return value
    first = prompt(f"{label}: ", "WORKBOOK_NEW_PASSPHRASE")
    second = prompt(f"{label} again: ", "WORKBOOK_NEW_PASSPHRASE")
    if first != second:
        raise InvalidInput("the two passphrases you typed differ")
    return first


def prompt(text: str, alternative: str) -> str:
    if not sys.stdin or not sys.stdin.isatty():
        raise InvalidInput(f"no passphrase given: set {alternative}, or run in a terminal")
    return getpass.getpass(text)
