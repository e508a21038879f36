"""KEK_u = HKDF(Argon2id(passphrase, salt) || device secret, info = vault || user).

Argon2id makes a copied file expensive to attack; the device secret from the OS keyring makes
the passphrase alone useless off this device. Parameters are stored per user, with the wrap,
so they can be raised later and tests can use cheaper ones."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from workbook.crypto.encoding import fields
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import hkdf

SALT_BYTES = 16


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. memory_kib is KiB; the product default is 64 MiB, 3 passes, 4 lanes."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> KdfParams:
        if not isinstance(data, dict):
            raise ValueError("KDF parameters are malformed")
        params = cls(int(data["memory_kib"]), int(data["iterations"]), int(data["lanes"]))
        if params.memory_kib < 8 * params.lanes or params.iterations < 1 or params.lanes < 1:
            raise ValueError("KDF parameters are out of range")
        return params


PRODUCTION_KDF = KdfParams()

# The floor for any new passphrase in a real vault, fixed in code: `meta.kdf_params` is a row
# anyone signed in can rewrite, so it may raise the cost but never lower it below this
# (services/access/kdf_policy.py). Only a vault created with cheaper parameters on purpose (tests,
# the demo), whose choice the recovery key signed at creation, goes below it.
MINIMUM_PRODUCTION_MEMORY_KIB = 64 * 1024
MINIMUM_PRODUCTION_ITERATIONS = 3
# A ceiling too, so a planted row cannot make every new passphrase exhaust the machine.
MAXIMUM_MEMORY_KIB = 1024 * 1024
MAXIMUM_ITERATIONS = 16
MAXIMUM_LANES = 16


def meets_production_floor(params: KdfParams) -> bool:
    return (params.memory_kib >= MINIMUM_PRODUCTION_MEMORY_KIB
            and params.iterations >= MINIMUM_PRODUCTION_ITERATIONS)


def within_ceiling(params: KdfParams) -> bool:
    return (params.memory_kib <= MAXIMUM_MEMORY_KIB and params.iterations <= MAXIMUM_ITERATIONS
            and params.lanes <= MAXIMUM_LANES)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def stretch(passphrase: str, salt: bytes, params: KdfParams) -> Secret:
    """The slow part, reported separately by the benchmarks."""
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    encoded = bytearray(passphrase.encode("utf-8"))
    try:
        return Secret(kdf.derive(bytes(encoded)))
    finally:
        for i in range(len(encoded)):
            encoded[i] = 0


def derive_kek(stretched: Secret, device_secret: Secret, vault_id: str, user_id: str) -> Secret:
    material = bytes(stretched.value) + bytes(device_secret.value)
    return Secret(hkdf(material, fields("workbook kek v1", vault_id, user_id)))
