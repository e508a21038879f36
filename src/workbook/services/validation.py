"""Checks on values people type, with messages that say exactly what is wrong."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path, PureWindowsPath

from workbook.domain import folders
from workbook.services.errors import InvalidInput

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MAX_NAME = 200
MAX_TEXT = 100_000


def username(value: str) -> str:
    value = value.strip()
    if not USERNAME.match(value):
        raise InvalidInput(
            f"username {value[:40]!r} is not valid: use 2-32 lowercase letters, digits, dots, "
            "hyphens or underscores, starting with a letter or digit"
        )
    return value


def name(value: str, what: str = "name") -> str:
    value = " ".join(value.split())
    if not value:
        raise InvalidInput(f"the {what} must not be empty")
    if len(value) > MAX_NAME:
        raise InvalidInput(f"the {what} is too long ({len(value)} characters; at most {MAX_NAME})")
    if any(ord(ch) < 32 for ch in value):
        raise InvalidInput(f"the {what} contains control characters")
    return value


def text(value: str, what: str = "text") -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidInput(f"the {what} must not be empty")
    if len(stripped) > MAX_TEXT:
        raise InvalidInput(
            f"the {what} is too long ({len(stripped)} characters; at most {MAX_TEXT})"
        )
    if "\x00" in stripped:
        raise InvalidInput(f"the {what} contains a NUL character")
    return stripped


def iso_date(value: str, what: str = "date") -> str:
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"the {what} {value[:40]!r} is not a date in the form YYYY-MM-DD"
        ) from None
    if not 1900 <= parsed.year <= 2200:
        raise InvalidInput(f"the {what} {value!r} is out of range")
    return parsed.isoformat()


def record_id(value: str, what: str = "id") -> str:
    value = value.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32}", value):
        raise InvalidInput(f"{value[:40]!r} is not a valid {what} (32 hexadecimal characters)")
    return value


def folder_path(value: str, what: str = "folder") -> Path:
    """A folder (or a file in one) named by a person, for this system: `~` expanded; on Windows
    drive letters and UNC shares (`\\\\server\\share\\team`) accepted, and a long path given
    the prefix every Win32 call accepts (domain/folders.py). Text that cannot name one is
    refused with one line. On other systems the path is otherwise taken as it was typed."""
    why = folders.refusal(value, windows=os.name == "nt")
    if why is not None:
        raise InvalidInput(f"the {what}: {why}")
    path = Path(value).expanduser()
    if os.name == "nt":  # pragma: no cover - the rule itself is tested with PureWindowsPath
        path = Path(folders.for_windows_api(PureWindowsPath(os.path.abspath(path))))
    return path
