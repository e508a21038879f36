"""Chunked AES-256-GCM in the manner of age's STREAM: a counter and a final flag in each nonce.

A reordered, dropped, truncated or extended stream fails to open, and a stream of any length is
read and written one chunk at a time (docs/bundle-format.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from workbook.crypto.aead import ExplicitNonceAead
from workbook.crypto.errors import AuthenticationFailed

CHUNK_SIZE = 64 * 1024
TAG_BYTES = 16
_MAX_COUNTER = 2**88 - 1


def _nonce(counter: int, final: bool) -> bytes:
    if counter > _MAX_COUNTER:  # pragma: no cover - 2**88 chunks of 64 KiB
        raise ValueError("stream too long")
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class StreamWriter:
    """Buffers plaintext and writes full chunks; `close()` writes the final chunk."""

    def __init__(self, key: bytes, ad: bytes, out: BinaryIO, chunk_size: int = CHUNK_SIZE
                 ) -> None:
        self._aead = ExplicitNonceAead(key)
        self._ad = ad
        self._out = out
        self._chunk = chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False

    def write(self, data: bytes) -> None:
        self._buffer += data
        # Keep at least one byte back so the last chunk is always written by close() as final.
        while len(self._buffer) > self._chunk:
            piece = bytes(self._buffer[: self._chunk])
            del self._buffer[: self._chunk]
            self._emit(piece, final=False)

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True

    def _emit(self, piece: bytes, final: bool) -> None:
        self._out.write(self._aead.seal(_nonce(self._counter, final), piece, self._ad))
        self._counter += 1


def open_stream(key: bytes, ad: bytes, chunks: Iterator[tuple[bytes, bool]]) -> Iterator[bytes]:
    """Plaintext chunks from (ciphertext chunk, is-last-in-file) pairs; raises
    AuthenticationFailed at the first chunk that does not open in its place."""
    aead = ExplicitNonceAead(key)
    counter = 0
    seen_final = False
    for sealed, last in chunks:
        if seen_final:
            raise AuthenticationFailed("bundle stream")
        plain = aead.open(_nonce(counter, last), sealed, ad, "bundle stream")
        counter += 1
        seen_final = last
        yield plain
    if not seen_final:
        raise AuthenticationFailed("bundle stream")


def split_chunks(source: BinaryIO, remaining: int, chunk_size: int = CHUNK_SIZE
                 ) -> Iterator[tuple[bytes, bool]]:
    """Read `remaining` bytes as sealed chunks, marking the one that ends the body."""
    sealed_size = chunk_size + TAG_BYTES
    if remaining < TAG_BYTES:
        raise AuthenticationFailed("bundle stream")
    while remaining > 0:
        size = min(sealed_size, remaining)
        piece = source.read(size)
        if len(piece) != size:
            raise AuthenticationFailed("bundle stream")
        remaining -= size
        yield piece, remaining == 0
