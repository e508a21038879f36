"""Enrolling another OS account or PC with a one-time code from a signed-in colleague.

The new account makes a one-time key pair (kept in its own keyring) and a request file; the
colleague, signed in on an enrolled account, compares the short code shown on both screens and
seals the device secret to the one-time key; the new account opens it and stores it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.crypto.encoding import b64, fields, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys, normalise_fingerprint
from workbook.crypto.secret import Secret
from workbook.services.errors import InvalidInput
from workbook.vault import device_secret
from workbook.vault.keyfile import KeyFile

if TYPE_CHECKING:
    from workbook.services.session import Session

REQUEST_FORMAT = "workbook-enrolment-request"
GRANT_FORMAT = "workbook-enrolment-grant"


def _slot(vault_id: str) -> str:
    return f"{vault_id}:enrolment-request"


def _info(vault_id: str, public: bytes) -> bytes:
    return fields("workbook device enrolment v1", vault_id, public)


def request_enrolment(vault_dir: Path) -> tuple[bytes, str]:
    """Returns the request file's bytes and the short code to compare."""
    keyfile = KeyFile.load(vault_dir)
    seed = Secret.random()
    pair = KeyPair.derive(seed, "enrolment request")
    device_secret.select_backend()
    device_secret.store_device_secret(_slot(keyfile.vault_id), bytes(seed.value))
    seed.wipe()
    request = json.dumps({"format": REQUEST_FORMAT, "vault_id": keyfile.vault_id,
                          "public": b64(pair.public.raw)}).encode()
    return request, pair.public.fingerprint()


def grant_enrolment(session: Session, request: bytes, code: str) -> bytes:
    session.require_keys()
    try:
        data = json.loads(request)
        if data.get("format") != REQUEST_FORMAT:
            raise ValueError
        public = PublicKeys(unb64(data["public"]))
        vault_id = str(data["vault_id"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInput("that file is not a Workbook enrolment request") from None
    if vault_id != session.vault_id:
        raise InvalidInput("that enrolment request is for another vault")
    if normalise_fingerprint(code) != normalise_fingerprint(public.fingerprint()):
        raise InvalidInput("the code does not match the request: do not enrol this account")
    sealed = public.seal(session.device_secret.value, _info(vault_id, public.raw))
    with session.write():
        session.audit("device_enrolment_granted", {"request": public.fingerprint()})
    return json.dumps({"format": GRANT_FORMAT, "vault_id": vault_id,
                       "sealed": b64(sealed)}).encode()


def complete_enrolment(vault_dir: Path, grant: bytes) -> str:
    keyfile = KeyFile.load(vault_dir)
    try:
        data = json.loads(grant)
        if data.get("format") != GRANT_FORMAT:
            raise ValueError
        sealed = unb64(data["sealed"])
        vault_id = str(data["vault_id"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInput("that file is not a Workbook enrolment grant") from None
    if vault_id != keyfile.vault_id:
        raise InvalidInput("that enrolment grant is for another vault")
    device_secret.select_backend()
    raw_seed = device_secret.load_device_secret(_slot(vault_id))
    if raw_seed is None:
        raise InvalidInput("this OS account has no pending enrolment request for the vault")
    pair = KeyPair.derive(Secret(raw_seed), "enrolment request")
    try:
        secret = pair.open(sealed, _info(vault_id, pair.public.raw), "enrolment grant")
    except AuthenticationFailed:
        raise InvalidInput(
            "the enrolment grant does not open with this account's request"
        ) from None
    finally:
        pair.wipe()
    # The grant proves nothing by itself: check it opens this vault's key file.
    KeyFile.load(vault_dir).open_body(Secret(secret))
    device_secret.store_device_secret(vault_id, secret)
    device_secret.delete_device_secret(_slot(vault_id))
    return vault_id
