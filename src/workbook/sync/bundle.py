"""Writing and verifying bundle files (docs/bundle-format.md, "Layout").

The reader checks the header and the signature over it before touching the body, then hashes
the body and compares it with the signed digest before decrypting a byte; the second pass that
decrypts hashes again so a file changed between the passes is refused too."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import stat
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from workbook.crypto import bounded_json
from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.sync import frames
from workbook.sync.errors import BundleRefused
from workbook.sync.stream import CHUNK_SIZE, StreamWriter, open_stream, split_chunks

MAGIC = b"WBBUNDLE"
FORMAT = 1
# The writer's header is 1 KiB; 16 KiB leaves room for later formats' fields. The header is
# flat JSON (depth 1): anything nested is refused before the json module sees it.
MAX_HEADER = 16 * 1024
MAX_HEADER_DEPTH = 2
SIGNATURE_BYTES = 64
HEADER_BYTES = 1024  # the writer pads its header to this, so it can be written last
_PREAMBLE = struct.Struct(">8sHI")
_KLEN = struct.Struct(">I")
_MAX_SEALED_KEY = 4096
_HEX_ID = re.compile(r"[0-9a-f]{32}")
_VAULT_ID = re.compile(r"[0-9a-zA-Z_-]{8,128}")
_HASH_BLOCK = 1024 * 1024
HEADER_FIELDS = ("body_bytes", "bundle_id", "chunk_size", "created_at", "digest", "format",
                 "recipient", "sender", "sequence")


@dataclass(frozen=True)
class Header:
    sender: str
    recipient: str
    bundle_id: str
    sequence: int
    created_at: str
    chunk_size: int
    body_bytes: int
    digest: str

    def encode(self) -> bytes:
        data = {"format": FORMAT, "sender": self.sender, "recipient": self.recipient,
                "bundle_id": self.bundle_id, "sequence": self.sequence,
                "created_at": self.created_at, "chunk_size": self.chunk_size,
                "body_bytes": self.body_bytes, "digest": self.digest}
        raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        if len(raw) > HEADER_BYTES:
            raise ValueError("bundle header too long")
        return raw + b" " * (HEADER_BYTES - len(raw))


def _signed_message(preamble: bytes, header: bytes) -> bytes:
    return fields("workbook bundle v1", preamble, header)


def stream_ad(header: bytes) -> bytes:
    return hashlib.sha256(header).digest()


def key_info(sender: str, recipient: str, bundle_id: str) -> bytes:
    return fields("workbook bundle key v1", sender, recipient, bundle_id)


class _HashingWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hash = hashlib.sha512()
        self.count = 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.hash.update(data)
        self.count += len(data)
        return len(data)


def write_bundle(
    out: BinaryIO, *, identity: KeyPair, sender: str, recipient: str,
    recipient_identity: PublicKeys, sequence: int, created_at: str,
    payload: Iterator[dict[str, Any]], bundle_id: str | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Header:
    """Write a whole bundle to a seekable file; frames come from `payload` one at a time."""
    bundle_id = bundle_id or secrets.token_hex(16)
    placeholder = Header(sender, recipient, bundle_id, sequence, created_at, chunk_size, 0,
                         "0" * 128)
    start = out.tell()
    preamble = _PREAMBLE.pack(MAGIC, FORMAT, HEADER_BYTES)
    out.write(preamble + placeholder.encode() + b"\0" * SIGNATURE_BYTES)
    body = _HashingWriter(out)
    stream_key = secrets.token_bytes(32)
    sealed = recipient_identity.seal(stream_key, key_info(sender, recipient, bundle_id))
    body.write(_KLEN.pack(len(sealed)) + sealed)
    # The stream's associated data is the header without its digest and length, which are
    # known only at the end; the signature binds those.
    writer = StreamWriter(stream_key, stream_ad(placeholder.encode()), body, chunk_size)  # type: ignore[arg-type]
    for frame in payload:
        writer.write(frames.encode(frame))
    writer.close()
    header = Header(sender, recipient, bundle_id, sequence, created_at, chunk_size,
                    body.count, body.hash.hexdigest())
    encoded = header.encode()
    signature = identity.sign(_signed_message(preamble, encoded))
    end = out.tell()
    out.seek(start + len(preamble))
    out.write(encoded + signature)
    out.seek(end)
    return header


@dataclass(frozen=True)
class CheckedBundle:
    """A bundle whose header, signature and body digest verified; not yet decrypted."""

    path: Path
    header: Header
    body_offset: int
    ad_header: bytes
    opener: Callable[[], BinaryIO] | None = field(default=None, compare=False)

    def _open(self) -> BinaryIO:
        return self.opener() if self.opener is not None else open_regular(self.path)

    def frames(self, identity: KeyPair, progress: Callable[[int, int], None] | None = None
               ) -> Iterator[dict[str, Any]]:
        """Decrypt and parse; re-hashes the body and refuses at the end if it changed.
        `progress(bytes read, body bytes)` is called about once per megabyte."""
        try:
            with self._open() as f:
                f.seek(self.body_offset)
                hashing = _HashingReader(f, progress, self.header.body_bytes)
                klen_raw = hashing.read(_KLEN.size)
                if len(klen_raw) != _KLEN.size:
                    raise BundleRefused("the bundle is truncated")
                (klen,) = _KLEN.unpack(klen_raw)
                if klen > _MAX_SEALED_KEY or klen > self.header.body_bytes - _KLEN.size:
                    raise BundleRefused("the bundle's key block is malformed")
                sealed = hashing.read(klen)
                h = self.header
                try:
                    key = identity.open(sealed, key_info(h.sender, h.recipient, h.bundle_id),
                                        "bundle key")
                except AuthenticationFailed:
                    raise BundleRefused(
                        "the bundle's key does not open with this vault's identity") from None
                remaining = h.body_bytes - _KLEN.size - klen
                chunks = split_chunks(hashing, remaining, h.chunk_size)  # type: ignore[arg-type]
                plain = open_stream(key, self.ad_header, chunks)
                yield from frames.decode(plain)
                if hashing.read(1):
                    raise BundleRefused("the bundle was extended after it was signed")
                if hashing.hash.hexdigest() != h.digest:
                    raise BundleRefused("the bundle changed while it was being read")
        except AuthenticationFailed:
            raise BundleRefused(
                "the bundle's content failed authentication: it was altered, reordered or "
                "truncated") from None
        except OSError as exc:
            raise BundleRefused(f"the bundle could not be read: {exc.strerror}") from None


class _HashingReader:
    def __init__(self, f: BinaryIO, progress: Callable[[int, int], None] | None = None,
                 total: int = 0) -> None:
        self.f = f
        self.hash = hashlib.sha512()
        self.progress = progress
        self.total = total
        self.count = 0
        self._reported = 0

    def read(self, n: int) -> bytes:
        data = self.f.read(n)
        self.hash.update(data)
        self.count += len(data)
        if self.progress is not None and (self.count - self._reported >= 1 << 20
                                          or self.count == self.total):
            self._reported = self.count
            self.progress(self.count, self.total)
        return data


def read_header(f: BinaryIO) -> tuple[bytes, bytes, Header, bytes]:
    """Preamble, raw header, parsed header and signature; refuses anything malformed."""
    preamble = f.read(_PREAMBLE.size)
    if len(preamble) != _PREAMBLE.size:
        raise BundleRefused("this is not a Workbook bundle (the file is too short)")
    magic, version, hlen = _PREAMBLE.unpack(preamble)
    if magic != MAGIC:
        raise BundleRefused("this is not a Workbook bundle")
    if version != FORMAT:
        raise BundleRefused(
            f"the bundle has format version {version}, which this Workbook does not know "
            f"(it reads version {FORMAT}); update Workbook or ask the sender for version "
            f"{FORMAT}")
    if hlen > MAX_HEADER or hlen < 2:
        raise BundleRefused("the bundle's header is malformed")
    raw = f.read(hlen)
    signature = f.read(SIGNATURE_BYTES)
    if len(raw) != hlen or len(signature) != SIGNATURE_BYTES:
        raise BundleRefused("the bundle is truncated")
    return preamble, raw, parse_header(raw), signature


def parse_header(raw: bytes) -> Header:
    try:
        data = bounded_json.loads(raw, max_bytes=MAX_HEADER, max_depth=MAX_HEADER_DEPTH)
    except bounded_json.JsonRefused as exc:
        raise BundleRefused(f"the bundle's header is malformed ({exc})") from None
    if not isinstance(data, dict) or sorted(data) != sorted(HEADER_FIELDS):
        raise BundleRefused("the bundle's header is malformed")
    ok = (
        data["format"] == FORMAT and type(data["format"]) is int
        and isinstance(data["sender"], str) and bool(_VAULT_ID.fullmatch(data["sender"]))
        and isinstance(data["recipient"], str) and bool(_VAULT_ID.fullmatch(data["recipient"]))
        and isinstance(data["bundle_id"], str) and bool(_HEX_ID.fullmatch(data["bundle_id"]))
        and type(data["sequence"]) is int and 1 <= data["sequence"] < 2**62
        and isinstance(data["created_at"], str) and 0 < len(data["created_at"]) <= 40
        and type(data["chunk_size"]) is int and 1024 <= data["chunk_size"] <= 1024 * 1024
        and type(data["body_bytes"]) is int and 0 < data["body_bytes"] < 2**62
        and isinstance(data["digest"], str) and bool(re.fullmatch(r"[0-9a-f]{128}",
                                                                  data["digest"]))
    )
    if not ok:
        raise BundleRefused("the bundle's header is malformed")
    return Header(data["sender"], data["recipient"], data["bundle_id"], data["sequence"],
                  data["created_at"], data["chunk_size"], data["body_bytes"], data["digest"])


SenderKey = Callable[[str], PublicKeys]


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


def open_regular(path: Path) -> BinaryIO:
    """Open a bundle file for reading, refusing anything but a regular file: opened with
    O_NONBLOCK so a FIFO cannot block the open, then checked with fstat."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise BundleRefused(f"the bundle file {path} is not a regular file (a device, pipe "
                                "or socket is never read)")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def check_bundle(path: Path, *, this_vault: str, sender_key: SenderKey,
                 opener: Callable[[], BinaryIO] | None = None,
                 max_body_bytes: int | None = None) -> CheckedBundle:
    """Every check that needs no decryption: version, header, recipient, pinned sender,
    signature, body length and digest. `sender_key` raises BundleRefused for a sender who is
    not a pinned partner. `opener` reads from elsewhere than `path` (tests, in memory).
    `max_body_bytes` is the receiver's cap, checked on the signed header before the body is
    hashed, so an oversized bundle costs nothing to refuse."""
    try:
        with (opener() if opener is not None else open_regular(path)) as f:
            preamble, raw, header, signature = read_header(f)
            if header.recipient != this_vault:
                raise BundleRefused(
                    "this bundle is addressed to another vault, not to this one")
            key = sender_key(header.sender)
            try:
                key.verify(signature, _signed_message(preamble, raw), "bundle signature")
            except AuthenticationFailed:
                raise BundleRefused(
                    "the bundle's signature does not verify against the partner's pinned "
                    "identity: it was altered, or it is not from that partner") from None
            if max_body_bytes is not None and header.body_bytes > max_body_bytes:
                raise BundleRefused(
                    f"the bundle holds {_size(header.body_bytes)}, over this vault's cap of "
                    f"{_size(max_body_bytes)} per bundle: ask the partner to share fewer "
                    "families at a time")
            body_offset = f.tell()
            digest = hashlib.sha512()
            count = 0
            while True:
                block = f.read(_HASH_BLOCK)
                if not block:
                    break
                count += len(block)
                if count > header.body_bytes:
                    raise BundleRefused("the bundle was extended after it was signed")
                digest.update(block)
            if count < header.body_bytes:
                raise BundleRefused("the bundle is truncated")
            if digest.hexdigest() != header.digest:
                raise BundleRefused("the bundle was altered after it was signed")
    except FileNotFoundError:
        raise BundleRefused(f"the bundle file {path} does not exist") from None
    except IsADirectoryError:
        raise BundleRefused(f"the bundle file {path} is a folder") from None
    except OSError as exc:
        raise BundleRefused(f"the bundle file {path} cannot be read: {exc.strerror}") from None
    placeholder = Header(header.sender, header.recipient, header.bundle_id, header.sequence,
                         header.created_at, header.chunk_size, 0, "0" * 128)
    return CheckedBundle(path, header, body_offset, stream_ad(placeholder.encode()), opener)
