"""Frames of the decrypted stream: a 4-byte length and canonical JSON, at most MAX_FRAME bytes,
so a hostile length can never make the reader allocate more than that."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import Any

from workbook.crypto import bounded_json
from workbook.sync.errors import BundleRefused

# The format's own limit (docs/bundle-format.md): one version body of at most 6 MiB, in base64.
MAX_FRAME = 8 * 1024 * 1024
# A frame nests at most three levels (a version's parents list); anything deeper is hostile.
MAX_FRAME_DEPTH = 8
_LEN = struct.Struct(">I")


def encode(frame: dict[str, Any]) -> bytes:
    raw = json.dumps(frame, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if len(raw) > MAX_FRAME:
        raise ValueError("a bundle frame is too large")
    return _LEN.pack(len(raw)) + raw


def decode(chunks: Iterator[bytes]) -> Iterator[dict[str, Any]]:
    buffer = bytearray()
    offset = 0
    for chunk in chunks:
        buffer += chunk
        while True:
            if len(buffer) - offset < _LEN.size:
                break
            (size,) = _LEN.unpack_from(buffer, offset)
            if size > MAX_FRAME:
                raise BundleRefused("the bundle holds an oversized record")
            if len(buffer) - offset - _LEN.size < size:
                break
            raw = bytes(buffer[offset + _LEN.size: offset + _LEN.size + size])
            offset += _LEN.size + size
            yield _parse(raw)
        if offset:
            del buffer[:offset]
            offset = 0
    if buffer:
        raise BundleRefused("the bundle's content ends in the middle of a record")


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        frame = bounded_json.loads(raw, max_bytes=MAX_FRAME, max_depth=MAX_FRAME_DEPTH)
    except bounded_json.JsonRefused as exc:
        raise BundleRefused(f"the bundle holds a malformed record ({exc})") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("t"), str):
        raise BundleRefused("the bundle holds a malformed record")
    return frame
