"""AES-256-GCM wraps and HKDF derivations: the symmetric half of every construction.

A wrap is nonce (12 random bytes) || ciphertext+tag, and always carries associated data that
names what it is, so a blob moved to another row, user or slot fails to open."""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workbook.crypto.errors import AuthenticationFailed

NONCE_BYTES = 12
KEY_BYTES = 32

KeyBytes = bytes | bytearray


def hkdf(key: KeyBytes, info: bytes, length: int = KEY_BYTES, salt: bytes | None = None) -> bytes:
    """HKDF-SHA256; `info` must come from encoding.fields so that contexts never collide."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(bytes(key))


def mac(key: KeyBytes, data: bytes) -> bytes:
    """HMAC-SHA256, used for section tags that hide which section a row belongs to."""
    h = hmac.HMAC(bytes(key), hashes.SHA256())
    h.update(data)
    return h.finalize()


class KeyedMac:
    """HMAC-SHA256 under one key, for many short messages: the keyed state is set up once and
    copied per message (the same tags as `mac`, a quarter of the cost)."""

    __slots__ = ("_base",)

    def __init__(self, key: KeyBytes) -> None:
        self._base = hmac.HMAC(bytes(key), hashes.SHA256())

    def tag(self, data: bytes) -> bytes:
        h = self._base.copy()
        h.update(data)
        return h.finalize()

    def __repr__(self) -> str:
        return "KeyedMac(<hidden>)"


def wrap(key: KeyBytes, plaintext: bytes | bytearray, ad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(bytes(key)).encrypt(nonce, bytes(plaintext), ad)


def unwrap(key: KeyBytes, blob: bytes, ad: bytes, what: str = "data") -> bytes:
    if len(blob) < NONCE_BYTES + 16:
        raise AuthenticationFailed(what)
    try:
        return AESGCM(bytes(key)).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], ad)
    except InvalidTag:
        raise AuthenticationFailed(what) from None


class ContentCipher:
    """AES-GCM bound to one content key, reused across a bulk decrypt of one family-section."""

    __slots__ = ("_aead",)

    def __init__(self, key: KeyBytes) -> None:
        self._aead = AESGCM(bytes(key))

    def encrypt(self, plaintext: bytes, ad: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, ad)

    def decrypt(self, blob: bytes, ad: bytes, what: str = "record") -> bytes:
        if len(blob) < NONCE_BYTES + 16:
            raise AuthenticationFailed(what)
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], ad)
        except InvalidTag:
            raise AuthenticationFailed(what) from None

    def __repr__(self) -> str:
        return "ContentCipher(<hidden>)"
