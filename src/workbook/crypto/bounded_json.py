"""JSON from outside, parsed within explicit limits of size and nesting depth.

Every parser of outside input (journal lines, bundle headers and frames, identity cards) goes
through `loads`, so hostile input ends in one `JsonRefused` instead of a RecursionError deep in
the json module or a parse of gigabytes. It lives beside `encoding` because vault, sync and
services all parse outside JSON and crypto is the one package all of them may import; it uses
no cryptography."""

from __future__ import annotations

import json
import re
from typing import Any

from workbook.domain.errors import WorkbookError

# Far beyond anything Workbook writes (its deepest honest document, a bundle frame, nests 3
# levels), far below the ~1000 frames at which the json module raises RecursionError.
MAX_DEPTH = 32

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class JsonRefused(WorkbookError, ValueError):
    """The input is too large, nested too deeply, not UTF-8 or not JSON; the message says
    which, in words safe to show."""


def depth_of(data: bytes, stop_above: int = MAX_DEPTH) -> int:
    """The deepest nesting of [ and { outside strings, counting at most to `stop_above` + 1
    (the scan stops there, so a megabyte of brackets costs no more than a few)."""
    outside = _STRING.sub(b'""', data)
    depth = deepest = 0
    for match in _BRACKET.finditer(outside):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    return deepest
        else:
            depth -= 1
    return deepest


def loads(data: bytes, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """Parse `data` as UTF-8 JSON, refusing more than `max_bytes` or deeper than `max_depth`."""
    if len(data) > max_bytes:
        raise JsonRefused(f"it is larger than {max_bytes} bytes")
    if depth_of(data, max_depth) > max_depth:
        raise JsonRefused(f"it is nested more than {max_depth} levels deep")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise JsonRefused("it is not UTF-8 text") from None
    except (ValueError, RecursionError):
        raise JsonRefused("it is not valid JSON") from None
