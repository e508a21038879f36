"""Auditing reads of restricted sections without the audit trail itself telling who reads what
(P7): the section's name goes into the audit detail sealed to that section's own key, so only
its holders (and R) can learn which restricted section a person opened.

Lengths would tell it too ("police" is shorter than "domestic-abuse"), so every sealed note is
padded to one size before sealing (a 4-byte length, the note, zeros), and every detail of an
event kind to one size after (JSON allows trailing white space): every `section_read` detail
has one length, and every print detail another, whatever the section and its epoch."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import b64, fields
from workbook.domain.roles import CORE_SECTIONS, Section
from workbook.services.errors import InvalidInput

if TYPE_CHECKING:
    from workbook.services.session import Session

RESTRICTED = tuple(s for s in Section if s not in CORE_SECTIONS)

NOTE_BUCKET = 128          # bytes of a padded note before sealing: every honest note fits
_PREFIX = 4
# A sealed note as JSON: sealing adds 1,136 bytes to the padded note, base64 a third, and the
# epoch a few digits; this leaves room for any epoch.
_NOTE_JSON = 1800
_PRINT = len(RESTRICTED) * (_NOTE_JSON + 2) + 32   # one note per restricted section
# Bytes of a whole detail after padding, per event kind.
DETAIL_BUCKETS = {"section_read": _NOTE_JSON, "print": _PRINT, "save_pdf": _PRINT,
                  "subject_access": _PRINT}


def audit_detail_info(vault_id: str, section: str) -> bytes:
    return fields("workbook audit detail v1", vault_id, section)


def pad_note(note: bytes, bucket: int = NOTE_BUCKET) -> bytes:
    """`note` as a 4-byte length, itself and zeros to `bucket` bytes; a larger note is
    refused rather than sealed at a length that would tell it apart."""
    if len(note) + _PREFIX > bucket:
        raise InvalidInput(f"an audit note of {len(note)} bytes is larger than its padded "
                           f"size ({bucket} bytes): not sealed")
    return len(note).to_bytes(_PREFIX, "big") + note + bytes(bucket - _PREFIX - len(note))


def unpad_note(padded: bytes) -> bytes:
    """The note inside `pad_note`'s output; a note sealed before padding (JSON) as it is."""
    if padded[:1] == b"{":
        return padded
    if len(padded) < _PREFIX:
        raise ValueError("padded note too short")
    size = int.from_bytes(padded[:_PREFIX], "big")
    body, rest = padded[_PREFIX:_PREFIX + size], padded[_PREFIX + size:]
    if len(body) != size or rest.strip(b"\x00"):
        raise ValueError("padded note malformed")
    return body


def pad_detail(event: str, detail: bytes) -> bytes:
    """`detail` padded with trailing spaces to its event kind's one size (refused if larger)."""
    bucket = DETAIL_BUCKETS[event]
    if len(detail) > bucket:
        raise InvalidInput(f"an audit detail of {len(detail)} bytes is larger than the padded "
                           f"size of {event} details ({bucket} bytes): not recorded")
    return detail + b" " * (bucket - len(detail))


def sealed_note(session: Session, section: str, note: dict[str, Any]) -> dict[str, Any] | None:
    """`note` padded and sealed to the section's current public key, or None if it has none
    yet."""
    epoch = session.trust.current_epoch(section)
    public = session.trust.section_public(section, epoch)
    if public is None:
        return None
    padded = pad_note(json.dumps(note).encode())
    sealed = public.seal(padded, audit_detail_info(session.vault_id, section))
    return {"epoch": epoch, "sealed": b64(sealed)}


def audit_restricted_reads(session: Session, family_id: str, sections: Iterable[str]) -> None:
    """One `section_read` event per restricted section among `sections`; call it inside the
    caller's write transaction."""
    for section in sorted({s for s in sections if Section(s) in RESTRICTED}):
        note = sealed_note(session, section, {"section": section})
        detail = None if note is None else pad_detail("section_read", json.dumps(note).encode())
        session.audit("section_read", {"family": family_id}, detail)
