"""How a record version becomes a stored row and back (KEYS.md, "Integrity" and "write").

The author signs the logical version: family, record, kind, section name, parents, author,
device, time and the SHA-512 of the payload. The version id is the hash of that signed version,
so it is the same in every vault a bundle carries it to. The row's clear columns (including the
section tag and epoch) are bound to the ciphertext as AES-GCM associated data or HPKE info, so a
holder of the database key alone can neither read, move, alter nor replay a row."""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from workbook.crypto.encoding import b64, field, fields, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.services.authority import sealed_groups
from workbook.services.authority.section_keys import SectionKeys
from workbook.services.authority.trust import Trust
from workbook.services.errors import TamperingDetected
from workbook.vault.version_store import VersionRow


@dataclass(frozen=True)
class RecordVersion:
    """One readable, verified version of a record."""

    version_id: str
    family_id: str
    record_id: str
    kind: str
    section: str
    parents: tuple[str, ...]
    author: str
    device: str
    created_at: str
    payload: dict[str, Any]
    sealed: bool
    origin: str = ""  # the partner vault that vouched for it, if written in another vault


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed_message(
    family_id: str, record_id: str, kind: str, section: str, parents: tuple[str, ...],
    author: str, device: str, created_at: str, payload: bytes,
) -> bytes:
    """fields("workbook version v1", family_id, record_id, kind, section, sorted parents
    joined by commas, author, device, created_at, SHA-512 of the payload), assembled from
    pieces: opening a family builds one per version (tests/family_services pins the bytes)."""
    return b"".join((
        _SIGNED_HEAD, _piece(family_id), field(record_id), _piece(kind), _piece(section),
        _piece(",".join(sorted(parents))), _piece(author), _piece(device), field(created_at),
        _DIGEST_LEN, hashlib.sha512(payload).digest(),
    ))


def version_id_of(message: bytes, signature: bytes) -> str:
    return hashlib.sha256(message + signature).hexdigest()[:32]


def row_ad(
    version_id: str, family_id: str, record_id: str, kind: str, tag: bytes | None, epoch: int,
    parents: str, author: str, device: str, created_at: str, sealed: bool,
) -> bytes:
    """fields("workbook version row v1", version_id, family_id, record_id, kind, tag, epoch,
    parents, author, device, created_at, int(sealed)), assembled from pieces as above."""
    flag = int(sealed)
    return b"".join((
        _ROW_HEAD, field(version_id), _piece(family_id), field(record_id), _piece(kind),
        _NONE if tag is None else _LEN(len(tag)) + bytes(tag), _int(epoch), _piece(parents),
        _piece(author), _piece(device), field(created_at),
        _FLAGS[flag] if flag in (0, 1) else _int(flag),
    ))


_SIGNED_HEAD = fields("workbook version v1")
_ROW_HEAD = fields("workbook version row v1")
_DIGEST_LEN = struct.pack(">I", hashlib.sha512().digest_size)
_NONE = fields(None)
_LEN = struct.Struct(">I").pack
_FLAGS = (fields(0), fields(1))
_PIECES: dict[str, bytes] = {}


def _int(value: int) -> bytes:
    return fields(value)


def _piece(text: str) -> bytes:
    """`field(text)` for the header values a family repeats on every version (its id, the
    kinds, sections, authors, devices, parent lists), encoded once."""
    found = _PIECES.get(text)
    if found is None:
        if len(_PIECES) > 4096:
            _PIECES.clear()
        found = _PIECES[text] = field(text)
    return found


def _parents_text(parents: tuple[str, ...]) -> str:
    return json.dumps(sorted(parents))


@dataclass(frozen=True)
class SignedVersion:
    """A version signed by its author, before it is encrypted for one vault."""

    version_id: str
    family_id: str
    record_id: str
    kind: str
    section: str
    parents: tuple[str, ...]
    author: str
    device: str
    created_at: str
    payload: bytes
    signature: bytes

    def plaintext(self) -> bytes:
        return json.dumps(
            {"s": self.section, "p": self.payload.decode("utf-8"), "sig": b64(self.signature)},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()


def sign_version(
    signer: KeyPair, *, family_id: str, record_id: str, kind: str, section: str,
    parents: tuple[str, ...], author: str, device: str, created_at: str,
    payload: dict[str, Any],
) -> SignedVersion:
    body = canonical(payload)
    message = signed_message(
        family_id, record_id, kind, section, parents, author, device, created_at, body
    )
    signature = signer.sign(message)
    return SignedVersion(
        version_id_of(message, signature), family_id, record_id, kind, section,
        tuple(sorted(parents)), author, device, created_at, body, signature,
    )


def encrypt_for_holder(version: SignedVersion, keys: SectionKeys, epoch: int) -> VersionRow:
    tag = keys.tag(version.section, epoch, version.family_id)
    parents = _parents_text(version.parents)
    ad = row_ad(
        version.version_id, version.family_id, version.record_id, version.kind, tag, epoch,
        parents, version.author, version.device, version.created_at, False,
    )
    body = keys.cipher(version.section, epoch, version.family_id).encrypt(version.plaintext(), ad)
    return VersionRow(
        version.family_id, version.version_id, version.record_id, version.kind, tag, epoch,
        parents, version.author, version.device, version.created_at, False, body,
    )


def seal_for_section(version: SignedVersion, section_public: PublicKeys, epoch: int) -> VersionRow:
    """A sealed envelope (P3): its writer cannot open it again."""
    parents = _parents_text(version.parents)
    ad = row_ad(
        version.version_id, version.family_id, version.record_id, version.kind, None, epoch,
        parents, version.author, version.device, version.created_at, True,
    )
    body = section_public.seal(version.plaintext(), ad)
    return VersionRow(
        version.family_id, version.version_id, version.record_id, version.kind, None, epoch,
        parents, version.author, version.device, version.created_at, True, body,
    )


def open_row(
    row: VersionRow, keys: SectionKeys, trust: Trust,
    tags: dict[bytes, tuple[str, int]] | None = None,
) -> RecordVersion | None:
    """Decrypt and verify a row; None if it belongs to a section this person cannot read.

    Raises TamperingDetected if the row is in a readable section but fails any check."""
    ad = row_ad(
        row.version_id, row.family_id, row.record_id, row.kind, row.section_tag, row.epoch,
        row.parents, row.author, row.device, row.created_at, row.sealed,
    )
    section: str | None = None
    plaintext: bytes | None = None
    if not row.sealed:
        lookup = tags if tags is not None else keys.tags_for_family(row.family_id)
        found = lookup.get(row.section_tag or b"")
        if found is None:
            return None
        section, epoch = found
        if epoch != row.epoch:
            raise _tampered(row, "its epoch was changed")
        try:
            plaintext = keys.cipher(section, epoch, row.family_id).decrypt(row.body, ad)
        except AuthenticationFailed:
            raise _tampered(row, "it fails authentication") from None
    else:
        opened = _open_sealed(row, keys, ad)
        if opened is None:
            return None
        section, plaintext = opened
    return _verify(row, plaintext, section, trust)


def peek_date(row: VersionRow, tags: dict[bytes, tuple[str, int]],
              keys: SectionKeys) -> tuple[str, bool] | None:
    """The date an entry row gives and whether it holds a structured assessment, decrypted
    but NOT verified: only to choose which rows a first look at a big family opens (and so
    verifies) first. Nothing here is shown or decided on; every row is opened with
    `open_row`'s checks before it is. None for a sealed row, a row of a section not held, or
    one that does not decrypt or parse (its opening reports it)."""
    found = None if row.sealed else tags.get(row.section_tag or b"")
    if found is None or found[1] != row.epoch:
        return None
    ad = row_ad(
        row.version_id, row.family_id, row.record_id, row.kind, row.section_tag, row.epoch,
        row.parents, row.author, row.device, row.created_at, row.sealed,
    )
    try:
        plaintext = keys.cipher(found[0], row.epoch, row.family_id).decrypt(row.body, ad)
        payload = _JSON.decode(_envelope(plaintext)["p"])
        return str(payload.get("date", "")), isinstance(payload.get("assessment"), dict)
    except (AuthenticationFailed, ValueError, KeyError, TypeError, AttributeError):
        return None


def _open_sealed(row: VersionRow, keys: SectionKeys, ad: bytes) -> tuple[str, bytes] | None:
    """Trial-open a sealed envelope, or a member of a sealed group
    (services/authority/sealed_groups.py) whose token is opened once per session; None if no
    held section key opens it."""
    try:
        group = sealed_groups.unpack_row_body(row.body)
    except AuthenticationFailed:
        raise _tampered(row, "its sealed body is malformed") from None
    if group is None:
        for held_section, epoch in keys.held():
            if epoch != row.epoch:
                continue
            for keypair in keys.keypairs(held_section, epoch):  # and a rival epoch's (C34)
                try:
                    return held_section, keypair.open(row.body, ad)
                except AuthenticationFailed:
                    continue
        return None
    info = sealed_groups.group_info(keys.vault_id, group.bundle_id, group.index, row.epoch)
    key = keys.group_key(group.token, info, row.epoch)
    if key is None:
        return None
    if key.family_id != row.family_id:
        raise _tampered(row, "it was moved from another family")
    try:
        return key.section, sealed_groups.decrypt(key.key, group.blob, ad)
    except AuthenticationFailed:
        raise _tampered(row, "it fails authentication") from None


def row_plaintext(row: VersionRow, keys: SectionKeys, section: str) -> bytes:
    """The signed envelope of a row already opened with `open_row` (so known to be sound):
    what a bundle seals again for another vault."""
    ad = row_ad(
        row.version_id, row.family_id, row.record_id, row.kind, row.section_tag, row.epoch,
        row.parents, row.author, row.device, row.created_at, row.sealed,
    )
    if row.sealed:
        opened = _open_sealed(row, keys, ad)
        if opened is None or opened[0] != section:
            raise _tampered(row, "it no longer opens")
        return opened[1]
    return keys.cipher(section, row.epoch, row.family_id).decrypt(row.body, ad)


def verify_envelope(
    header: VersionRow, plaintext: bytes, section: str, trust: Trust, vouched: bool,
) -> SignedVersion:
    """Check an envelope arriving in a bundle against its clear header: the section it claims,
    its version id, and its author's signature (a local author's certified key always; a
    vouch from the sending partner for anyone else). Raises TamperingDetected."""
    try:
        envelope = json.loads(plaintext)
        payload_text = envelope["p"]
        signature = unb64(envelope["sig"])
        claimed_section = envelope["s"]
        parents = tuple(json.loads(header.parents))
        if not isinstance(json.loads(payload_text), dict):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise _tampered(header, "its content is malformed") from None
    if claimed_section != section:
        raise _tampered(header, "it claims another section")
    payload = payload_text.encode("utf-8")
    message = signed_message(
        header.family_id, header.record_id, header.kind, section, parents, header.author,
        header.device, header.created_at, payload,
    )
    if version_id_of(message, signature) != header.version_id:
        raise _tampered(header, "its version id does not match its content")
    local = header.author == "recovery" or header.author in trust.user_keys
    if local or not vouched:
        if not trust.verify_by(header.author, signature, message):
            raise _tampered(header, "its author's signature does not verify")
    return SignedVersion(
        header.version_id, header.family_id, header.record_id, header.kind, section,
        tuple(sorted(parents)), header.author, header.device, header.created_at, payload,
        signature,
    )


_JSON = json.JSONDecoder()


def _envelope(plaintext: bytes) -> Any:
    """json.loads of an envelope we wrote (UTF-8, no BOM) without its encoding detection;
    anything else goes the general way, with the same outcome as before."""
    try:
        return _JSON.decode(plaintext.decode("utf-8"))
    except ValueError:
        return json.loads(plaintext)


def _verify(row: VersionRow, plaintext: bytes, section: str, trust: Trust) -> RecordVersion:
    try:
        envelope = _envelope(plaintext)
        payload_text = envelope["p"]
        signature = unb64(envelope["sig"])
        claimed_section = envelope["s"]
        parents = _parents(row.parents)
        payload = _JSON.decode(payload_text)
    except (ValueError, KeyError, TypeError):
        raise _tampered(row, "its content is malformed") from None
    if claimed_section != section:
        raise _tampered(row, "it claims another section")
    message = signed_message(
        row.family_id, row.record_id, row.kind, section, parents, row.author, row.device,
        row.created_at, payload_text.encode("utf-8"),
    )
    if version_id_of(message, signature) != row.version_id:
        raise _tampered(row, "its version id does not match its content")
    origin = ""
    if row.author not in trust.user_keys:
        origin = trust.origin_of(row.version_id, row.family_id, row.author) or ""
    if not trust.verified.is_verified(row.version_id):
        if not trust.verify_by(row.author, signature, message) and not origin:
            raise _tampered(row, "its author's signature does not verify")
        trust.verified.mark(row.version_id, row.family_id, row.kind)
    if not isinstance(payload, dict):
        raise _tampered(row, "its content is malformed")
    return RecordVersion(
        row.version_id, row.family_id, row.record_id, row.kind, section, parents, row.author,
        row.device, row.created_at, payload, row.sealed, origin,
    )


@lru_cache(maxsize=8192)
def _parents(text: str) -> tuple[str, ...]:
    """Most versions share a handful of parent lists ("[]" above all): parse each once."""
    parsed = json.loads(text)
    if not isinstance(parsed, list) or not all(isinstance(p, str) for p in parsed):
        raise TypeError("parents are not a list of ids")
    return tuple(parsed)


def _tampered(row: VersionRow, why: str) -> TamperingDetected:
    return TamperingDetected(
        f"version {row.version_id} of record {row.record_id} failed verification ({why}): "
        "it was altered outside Workbook and is not shown"
    )
