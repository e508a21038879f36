"""Unambiguous byte encodings for everything we sign, bind as associated data or feed to
HKDF: each field is length-prefixed, so ("ab", "c") and ("a", "bc") never collide."""

from __future__ import annotations

import base64
import struct

Field = bytes | bytearray | str | int | None


def fields(*parts: Field) -> bytes:
    """Length-prefixed concatenation; None and "" differ, ints are 8-byte big-endian."""
    out: list[bytes] = []
    for part in parts:
        if isinstance(part, str):
            raw = part.encode("utf-8")
        elif part is None:
            out.append(_NONE)
            continue
        elif isinstance(part, int):
            raw = _INT.pack(part)
        else:
            raw = bytes(part)
        out.append(_LEN.pack(len(raw)))
        out.append(raw)
    return b"".join(out)


_NONE = b"\xff\xff\xff\xff"
_LEN = struct.Struct(">I")
_INT = struct.Struct(">q")


def b64(data: bytes | bytearray) -> str:
    return base64.urlsafe_b64encode(bytes(data)).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError("malformed base64 field") from exc
