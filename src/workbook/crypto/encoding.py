"""Unambiguous byte encodings for everything we sign, bind as associated data or feed to
HKDF: each field is length-prefixed, so ("ab", "c") and ("a", "bc") never collide."""

from __future__ import annotations

import base64
import binascii
import struct

Field = bytes | bytearray | str | int | None


def fields(*parts: Field) -> bytes:
    """Length-prefixed concatenation; None and "" differ, ints are 8-byte big-endian."""
    out: list[bytes] = []
    append = out.append
    for part in parts:
        kind = type(part)
        if kind is str:
            raw = part.encode("utf-8")  # type: ignore[union-attr]
        elif kind is bytes:
            raw = part
        elif part is None:
            append(_NONE)
            continue
        elif isinstance(part, int):  # bool too, as before
            raw = _INT.pack(part)
        elif isinstance(part, str):
            raw = part.encode("utf-8")
        else:
            raw = bytes(part)
        append(_LEN.pack(len(raw)))
        append(raw)
    return b"".join(out)


_NONE = b"\xff\xff\xff\xff"
_LEN = struct.Struct(">I")
_INT = struct.Struct(">q")
_URLSAFE = bytes.maketrans(b"-_", b"+/")


def field(text: str) -> bytes:
    """`fields(text)` for one string, for encoders that assemble a message from pieces (some
    of them precomputed) on a hot path; the bytes are exactly those of `fields`."""
    raw = text.encode("utf-8")
    return _LEN.pack(len(raw)) + raw


def b64(data: bytes | bytearray) -> str:
    return base64.urlsafe_b64encode(bytes(data)).decode("ascii")


def unb64(text: str) -> bytes:
    # What base64.urlsafe_b64decode does (non-strict), without its layers of wrappers.
    try:
        return binascii.a2b_base64(text.encode("ascii").translate(_URLSAFE))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError("malformed base64 field") from exc
