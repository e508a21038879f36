"""Key pairs: Ed25519 for signing, hybrid ML-KEM-768 + X25519 HPKE for receiving sealed keys.

Private halves are kept as seeds (Ed25519 32 bytes, ML-KEM 64, X25519 32), so a pair can be
derived deterministically from a secret with HKDF (section and recovery keys) or drawn at
random (users, vault identity). Public halves travel as one byte string with fixed offsets."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ed25519, mlkem, x25519

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import hkdf

SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)

ED_SEED = 32
MLKEM_SEED = 64
X_SEED = 32
SEED_BYTES = ED_SEED + MLKEM_SEED + X_SEED
MLKEM_PUB = 1184
ED_PUB = 32
X_PUB = 32
PUBLIC_BYTES = ED_PUB + MLKEM_PUB + X_PUB


@dataclass(frozen=True)
class PublicKeys:
    """The public half of a key pair: verify its signatures, seal secrets to it."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != PUBLIC_BYTES:
            raise ValueError("public key has the wrong length")

    @property
    def signing(self) -> ed25519.Ed25519PublicKey:
        return ed25519.Ed25519PublicKey.from_public_bytes(self.raw[:ED_PUB])

    def _kem(self) -> hpke.MLKEM768X25519PublicKey:
        ml = mlkem.MLKEM768PublicKey.from_public_bytes(self.raw[ED_PUB : ED_PUB + MLKEM_PUB])
        xk = x25519.X25519PublicKey.from_public_bytes(self.raw[ED_PUB + MLKEM_PUB :])
        return hpke.MLKEM768X25519PublicKey(ml, xk)

    def verify(self, signature: bytes, message: bytes, what: str = "signature") -> None:
        try:
            self.signing.verify(signature, message)
        except InvalidSignature:
            raise AuthenticationFailed(what) from None

    def seal(self, plaintext: bytes | bytearray, info: bytes) -> bytes:
        """HPKE base mode to this key; `info` binds the purpose, vault, slot and recipient."""
        return SUITE.encrypt(bytes(plaintext), self._kem(), info=info)

    def fingerprint(self) -> str:
        return short_fingerprint(self.raw)


class KeyPair:
    """A private key pair held as seeds inside a Secret, so it can be wiped on lock."""

    __slots__ = ("_kem_cache", "_seed", "_signing", "public")

    def __init__(self, seed: Secret) -> None:
        if len(seed) != SEED_BYTES:
            raise ValueError("key pair seed has the wrong length")
        self._seed = seed
        raw = bytes(seed.value)
        self._signing = ed25519.Ed25519PrivateKey.from_private_bytes(raw[:ED_SEED])
        ml = mlkem.MLKEM768PrivateKey.from_seed_bytes(raw[ED_SEED : ED_SEED + MLKEM_SEED])
        xk = x25519.X25519PrivateKey.from_private_bytes(raw[ED_SEED + MLKEM_SEED :])
        self._kem_cache: hpke.MLKEM768X25519PrivateKey | None = hpke.MLKEM768X25519PrivateKey(
            ml, xk
        )
        self.public = PublicKeys(
            self._signing.public_key().public_bytes_raw()
            + ml.public_key().public_bytes_raw()
            + xk.public_key().public_bytes_raw()
        )

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(Secret(secrets.token_bytes(SEED_BYTES)))

    @classmethod
    def derive(cls, secret: Secret | bytes | bytearray, purpose: str) -> KeyPair:
        """A key pair that anyone holding `secret` can re-derive (section and recovery keys)."""
        key = secret.value if isinstance(secret, Secret) else secret
        return cls(Secret(hkdf(key, fields("workbook keypair", purpose), SEED_BYTES)))

    @property
    def seed(self) -> Secret:
        return self._seed

    def sign(self, message: bytes) -> bytes:
        return self._signing.sign(message)

    def open(self, sealed: bytes, info: bytes, what: str = "sealed key") -> bytes:
        if self._kem_cache is None:
            raise ValueError("this key pair was wiped")
        try:
            return SUITE.decrypt(sealed, self._kem_cache, info=info)
        except Exception:  # pyca raises several types; all mean "does not open"
            raise AuthenticationFailed(what) from None

    def wipe(self) -> None:
        self._seed.wipe()
        self._kem_cache = None

    def __repr__(self) -> str:
        return f"KeyPair(public={self.public.fingerprint()})"


def short_fingerprint(public_raw: bytes, groups: int = 5) -> str:
    """Groups of four digits that two people can read to each other: 'xxxx xxxx ...'.

    Twenty decimal digits from SHA-256 give about 66 bits, enough against a planted key that
    must match a fingerprint compared by people, live."""
    digest = hashlib.sha256(fields("workbook fingerprint", public_raw)).digest()
    number = int.from_bytes(digest[:16], "big")
    digits = f"{number % 10 ** (4 * groups):0{4 * groups}d}"
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def normalise_fingerprint(text: str) -> str:
    """What a person types back: white space and hyphens are ignored."""
    return "".join(ch for ch in text if not ch.isspace() and ch != "-")
