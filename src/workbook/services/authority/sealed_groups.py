"""Sealed groups: sealed envelopes (P3) that share one HPKE seal per family and section
(docs/bundle-format.md, "Sealed groups").

A bundle seals, per family and section, one random group key to the recipient's public key for
that section (the *token*), and encrypts each version of the group with AES-256-GCM under that
key, with the row's clear columns as associated data, exactly as a sealed envelope binds them as
HPKE info. An importer who does not hold the section stores each version with the token beside
it; a holder opens the token once per group (cached for the session) instead of one HPKE
opening per version. Public-key work stays per section-and-family, never per entry."""

from __future__ import annotations

import json
import secrets
import struct
from dataclasses import dataclass

from workbook.crypto import symmetric
from workbook.crypto.encoding import b64, fields, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys

GROUP_MARK = b"WBG1"
_HEAD = struct.Struct(">4sI")
_INDEX = struct.Struct(">I")
_BUNDLE_ID = 32
NONCE = 12


def group_info(recipient: str, bundle_id: str, index: int, epoch: int) -> bytes:
    return fields("workbook bundle group v1", recipient, bundle_id, index, epoch)


@dataclass(frozen=True)
class GroupKey:
    section: str
    family_id: str
    key: bytes

    def __repr__(self) -> str:
        return f"GroupKey({self.section!r}, {self.family_id!r}, <hidden>)"


def make_token(public: PublicKeys, section: str, family_id: str, info: bytes
               ) -> tuple[bytes, bytes]:
    """A fresh group key and its token sealed to the section's public key."""
    key = secrets.token_bytes(32)
    plain = json.dumps({"section": section, "family": family_id, "key": b64(key)}).encode()
    return key, public.seal(plain, info)


def open_token(keypair: KeyPair, token: bytes, info: bytes) -> GroupKey:
    """Raises AuthenticationFailed if the token does not open with this section key."""
    plain = keypair.open(token, info, "sealed group")
    try:
        data = json.loads(plain)
        key = unb64(data["key"])
        section, family_id = data["section"], data["family"]
        if len(key) != 32 or not isinstance(section, str) or not isinstance(family_id, str):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise AuthenticationFailed("sealed group") from None
    return GroupKey(section, family_id, key)


def encrypt(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """nonce || AES-GCM ciphertext+tag: the same bytes as every other wrap."""
    return symmetric.wrap(key, plaintext, ad)


def decrypt(key: bytes, blob: bytes, ad: bytes) -> bytes:
    return symmetric.unwrap(key, blob, ad, "sealed group entry")


def pack_row_body(token: bytes, bundle_id: str, index: int, blob: bytes) -> bytes:
    """The stored body of a version kept sealed: the token travels with it."""
    raw_id = bundle_id.encode("ascii")
    if len(raw_id) != _BUNDLE_ID:
        raise ValueError("bundle id has the wrong length")
    return _HEAD.pack(GROUP_MARK, len(token)) + token + raw_id + _INDEX.pack(index) + blob


@dataclass(frozen=True)
class GroupBody:
    token: bytes
    bundle_id: str
    index: int
    blob: bytes


def unpack_row_body(body: bytes) -> GroupBody | None:
    """None if the body is an ordinary sealed envelope; AuthenticationFailed if malformed."""
    if not body.startswith(GROUP_MARK):
        return None
    try:
        _mark, size = _HEAD.unpack_from(body, 0)
        at = _HEAD.size
        token = body[at:at + size]
        at += size
        bundle_id = body[at:at + _BUNDLE_ID].decode("ascii")
        at += _BUNDLE_ID
        (index,) = _INDEX.unpack_from(body, at)
        at += _INDEX.size
    except (struct.error, UnicodeDecodeError):
        raise AuthenticationFailed("sealed group entry") from None
    if len(token) != size or len(bundle_id) != _BUNDLE_ID:
        raise AuthenticationFailed("sealed group entry")
    return GroupBody(token, bundle_id, index, body[at:])
