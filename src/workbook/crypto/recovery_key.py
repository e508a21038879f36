"""The recovery key R: 32 random bytes shown as checksummed groups on the recovery sheet.

Base32 without padding, 4-character groups; a 3-byte SHA-256 checksum catches typing
mistakes before any slow work is done. R itself is never stored: its key pair is re-derived."""

from __future__ import annotations

import base64
import hashlib
import secrets

from workbook.crypto.keypairs import KeyPair
from workbook.crypto.secret import Secret
from workbook.domain.errors import WorkbookError

KEY_BYTES = 32
CHECK_BYTES = 3
GROUP = 4


class RecoveryKeyInvalid(WorkbookError, ValueError):
    """What was typed or read is not a recovery key, or has a typing mistake."""


def generate() -> Secret:
    return Secret(secrets.token_bytes(KEY_BYTES))


def format_key(key: Secret) -> str:
    raw = bytes(key.value)
    check = hashlib.sha256(b"workbook recovery" + raw).digest()[:CHECK_BYTES]
    text = base64.b32encode(raw + check).decode("ascii").rstrip("=")
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def parse_key(text: str) -> Secret:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")
    expected = len(base64.b32encode(b"\0" * (KEY_BYTES + CHECK_BYTES)).decode().rstrip("="))
    if len(cleaned) != expected:
        raise RecoveryKeyInvalid(
            f"a recovery key has {expected} letters and digits; this has {len(cleaned)}"
        )
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        raw = base64.b32decode(padded)
    except ValueError:
        raise RecoveryKeyInvalid(
            "the recovery key holds characters that cannot appear in one"
        ) from None
    key, check = raw[:KEY_BYTES], raw[KEY_BYTES:]
    if hashlib.sha256(b"workbook recovery" + key).digest()[:CHECK_BYTES] != check:
        raise RecoveryKeyInvalid("the recovery key has a typing mistake (its checksum fails)")
    return Secret(key)


def recovery_keypair(key: Secret) -> KeyPair:
    return KeyPair.derive(key, "recovery")
