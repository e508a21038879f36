"""The bytes of one replica file in the team's sync folder (docs/replicas-format.md).

A file is `MAGIC | nonce | AES-256-GCM(sync key, padded body, AAD) | Ed25519 signature`.
The AAD names the vault, the writing replica and the file's sequence number, so a file moved
to another name, replica folder or vault does not open; the signature, by the writing
replica's own key over the same names and a hash of everything before it, is checked before a
byte is decrypted, so a holder of the sync key alone (a retired laptop) cannot write as a
replica that is still active. The body is padded to a size bucket, so a reader of the share
learns sizes only to within a power of two. Pure functions over bytes: no files, no SQL."""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.crypto.symmetric import KEY_BYTES, NONCE_BYTES, mac

MAGIC = b"WBR1"
SIGNATURE_BYTES = 64
TAG_BYTES = 16
SMALLEST_BUCKET = 4096
_LEN = struct.Struct(">Q")


NO_KEY = ("it does not open with any sync key this replica holds (written after this replica "
          "was retired, or under a newer key whose file has not arrived yet)")


class ReplicaFileRefused(AuthenticationFailed):
    """The file is not one this vault's replica wrote under this name; the reason says why."""

    def __init__(self, reason: str) -> None:
        Exception.__init__(self, reason)
        self.what = reason


def vault_tag(sync_key: bytes | bytearray, vault_id: str) -> str:
    """The vault's folder name in the share: opaque to a reader without the sync key."""
    return mac(sync_key, fields("workbook replica vault tag v1", vault_id)).hex()[:24]


def replica_tag(sync_key: bytes | bytearray, vault_id: str, replica_id: str) -> str:
    """A replica's folder name in the share; a reader without the sync key cannot link it to
    the replica id kept in the vault."""
    return mac(sync_key, fields("workbook replica tag v1", vault_id, replica_id)).hex()[:24]


def bucket(size: int) -> int:
    """The padded size: the next power of two from 4 KiB."""
    padded = SMALLEST_BUCKET
    while padded < size:
        padded *= 2
    return padded


def _ad(vault_id: str, replica_id: str, seq: int) -> bytes:
    return fields("workbook replica file v1", vault_id, replica_id, seq)


def _signed(vault_id: str, replica_id: str, seq: int, sealed_part: bytes) -> bytes:
    return fields("workbook replica file signature v1", vault_id, replica_id, seq,
                  hashlib.sha512(sealed_part).digest())


def seal(body: bytes, *, sync_key: bytes | bytearray, vault_id: str, replica_id: str, seq: int,
         replica_key: KeyPair) -> bytes:
    """The file's bytes for `body` (the JSON of rows), padded, encrypted and signed."""
    if len(sync_key) != KEY_BYTES:
        raise ValueError("a sync key is 32 bytes")
    framed = _LEN.pack(len(body)) + body
    padded = framed + bytes(bucket(len(framed) + TAG_BYTES) - TAG_BYTES - len(framed))
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed_part = MAGIC + nonce + AESGCM(bytes(sync_key)).encrypt(
        nonce, padded, _ad(vault_id, replica_id, seq))
    return sealed_part + replica_key.sign(_signed(vault_id, replica_id, seq, sealed_part))


def open_file(data: bytes, *, sync_keys: Sequence[bytes | bytearray], vault_id: str,
              replica_id: str, seq: int, replica_public: PublicKeys) -> bytes:
    """The body of a file read as replica `replica_id`'s file number `seq`, or
    ReplicaFileRefused naming what is wrong (never a partial body). `sync_keys` are every
    sync key this replica holds, newest first: a retirement rotates the key (C28), and files
    written before it stay readable under the older one."""
    if not data.startswith(MAGIC):
        raise ReplicaFileRefused("not a replica file")
    if len(data) < len(MAGIC) + NONCE_BYTES + TAG_BYTES + SIGNATURE_BYTES:
        raise ReplicaFileRefused("truncated")
    sealed_part, signature = data[:-SIGNATURE_BYTES], data[-SIGNATURE_BYTES:]
    try:
        replica_public.verify(signature, _signed(vault_id, replica_id, seq, sealed_part))
    except AuthenticationFailed:
        raise ReplicaFileRefused(
            "its signature does not verify: altered, truncated, renamed or not written by "
            "this replica") from None
    nonce, ciphertext = sealed_part[len(MAGIC):len(MAGIC) + NONCE_BYTES], \
        sealed_part[len(MAGIC) + NONCE_BYTES:]
    padded = None
    for sync_key in sync_keys:
        try:
            padded = AESGCM(bytes(sync_key)).decrypt(nonce, ciphertext,
                                                     _ad(vault_id, replica_id, seq))
            break
        except InvalidTag:
            continue
    if padded is None:
        raise ReplicaFileRefused(NO_KEY)
    (length,) = _LEN.unpack_from(padded)
    if length > len(padded) - _LEN.size:
        raise ReplicaFileRefused("its length field is impossible")
    return padded[_LEN.size:_LEN.size + length]


def key_id(sync_key: bytes | bytearray) -> str:
    """A sync key's name: tells which key a grant carries without saying anything of it."""
    return mac(sync_key, fields("workbook replica sync key id v1")).hex()[:32]


def sync_key_info(vault_id: str, key_name: str, recipient: str, made_by: str) -> bytes:
    """HPKE `info` of a rotated sync key sealed to one replica (C28): bound to the vault, the
    key, the replica it is for and the replica that made it."""
    return fields("workbook replica sync key grant v1", vault_id, key_name, recipient, made_by)


def approval_info(request_id: str, replica_public: PublicKeys) -> bytes:
    """HPKE `info` of a join approval: bound to the request and to the joining key."""
    return fields("workbook replica approval v1", request_id, replica_public.raw)


def replica_keypair(secret: bytes | bytearray) -> KeyPair:
    """The replica's key pair, derived from the 32-byte secret it keeps (in the keyring while
    joining, in the vault once joined)."""
    return KeyPair.derive(secret, "replica key")
