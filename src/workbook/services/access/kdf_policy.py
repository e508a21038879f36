"""Which Argon2id parameters a new passphrase is set with (K10, docs/crypto.md).

The vault keeps its parameters in `meta.kdf_params`, a row anyone signed in can rewrite. Left
alone, one UPDATE would weaken every passphrase set afterwards (new accounts, passphrase
changes, recovery resets). So the row is believed only within bounds fixed in code: at or
above the production floor (crypto/passphrase_kdf.py), below a ceiling. Cheaper parameters are
accepted only when they are exactly the ones the vault was created with, which the recovery key
signed at creation (`meta.kdf_params_signature`): tests and the demo choose them on purpose
through `create_vault(kdf=...)`; nobody can choose them later without the recovery key.
Anything else is refused loudly, naming the row: no passphrase is ever set with it."""

from __future__ import annotations

import json
from collections.abc import Callable

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.crypto.passphrase_kdf import (
    MINIMUM_PRODUCTION_ITERATIONS,
    MINIMUM_PRODUCTION_MEMORY_KIB,
    PRODUCTION_KDF,
    KdfParams,
    meets_production_floor,
    within_ceiling,
)
from workbook.services.errors import TamperingDetected
from workbook.vault import meta
from workbook.vault.database import Connection

KDF_KEY = "kdf_params"
KDF_SIGNATURE_KEY = "kdf_params_signature"


def kdf_choice_message(vault_id: str, params: KdfParams) -> bytes:
    return fields("workbook kdf params v1", vault_id, params.memory_kib, params.iterations,
                  params.lanes)


def record_kdf_choice(conn: Connection, vault_id: str, params: KdfParams,
                      sign: Callable[[bytes], bytes]) -> None:
    """At vault creation (the recovery key's `sign`): the parameters and their signature."""
    meta.put(conn, KDF_KEY, json.dumps(params.to_json()))
    meta.put(conn, KDF_SIGNATURE_KEY, sign(kdf_choice_message(vault_id, params)))


def _describe(params: KdfParams) -> str:
    return f"{params.memory_kib} KiB, {params.iterations} passes, {params.lanes} lanes"


def new_passphrase_kdf(conn: Connection, vault_id: str, recovery: PublicKeys) -> KdfParams:
    """The parameters for a passphrase set now, or TamperingDetected naming the row."""
    raw = meta.get_text(conn, KDF_KEY)
    if not raw:
        return PRODUCTION_KDF
    try:
        params = KdfParams.from_json(json.loads(raw))
    except (ValueError, KeyError, TypeError):
        raise TamperingDetected("this vault's passphrase-hardening parameters (meta "
                                "'kdf_params') are malformed; no passphrase is set with "
                                "them") from None
    if not within_ceiling(params):
        raise TamperingDetected(f"this vault's passphrase-hardening parameters (meta "
                                f"'kdf_params': {_describe(params)}) are beyond what Workbook "
                                "allows; no passphrase is set with them")
    if meets_production_floor(params):
        return params
    signature = meta.get_blob(conn, KDF_SIGNATURE_KEY)
    if signature is not None:
        try:
            recovery.verify(signature, kdf_choice_message(vault_id, params))
            return params  # cheap on purpose, chosen when the vault was created
        except AuthenticationFailed:
            pass
    raise TamperingDetected(
        f"this vault's passphrase-hardening parameters (meta 'kdf_params': "
        f"{_describe(params)}) are below the minimum for a real vault "
        f"({MINIMUM_PRODUCTION_MEMORY_KIB} KiB, {MINIMUM_PRODUCTION_ITERATIONS} passes) and "
        "are not the ones it was created with; no passphrase is set with them")
