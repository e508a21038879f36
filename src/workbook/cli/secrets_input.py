"""Where the CLI gets passphrases and recovery keys: environment, a file, or a prompt; never
argv, where any user of the PC could read them in the process list."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from workbook.services.errors import InvalidInput

MAX_SECRET_FILE = 64 * 1024


def read_secret_file(path: str, what: str) -> str:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_SECRET_FILE:
            raise InvalidInput(f"the {what} file {path} is too large to be a {what}")
        text = p.read_text("utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"the {what} file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"cannot read the {what} file {path}: {exc.__class__.__name__}"
        ) from None
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
