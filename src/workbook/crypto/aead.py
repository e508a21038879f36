"""AES-256-GCM with a nonce the caller chooses: for constructions whose nonce carries meaning.

`symmetric.wrap` draws a random nonce and stores it in front of the ciphertext. Some formats
instead derive the nonce from their own structure (the bundle stream puts a chunk counter and a
final flag in it, docs/bundle-format.md) and must not store it; they use this class, so the
`cryptography` package is still imported only inside workbook.crypto."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workbook.crypto.errors import AuthenticationFailed

NONCE_BYTES = 12
TAG_BYTES = 16


class ExplicitNonceAead:
    """AES-GCM under one key; `seal` returns ciphertext+tag only (no nonce in front)."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes | bytearray) -> None:
        self._aead = AESGCM(bytes(key))

    def seal(self, nonce: bytes, plaintext: bytes, ad: bytes) -> bytes:
        return self._aead.encrypt(nonce, plaintext, ad)

    def open(self, nonce: bytes, sealed: bytes, ad: bytes, what: str = "data") -> bytes:
        """Raises AuthenticationFailed(what) if the bytes, nonce or associated data differ."""
        try:
            return self._aead.decrypt(nonce, sealed, ad)
        except InvalidTag:
            raise AuthenticationFailed(what) from None

    def __repr__(self) -> str:
        return "ExplicitNonceAead(<hidden>)"
