"""Auditing reads of restricted sections without the audit trail itself telling who reads what
(P7): the section's name goes into the audit detail sealed to that section's own key, so only
its holders (and R) can learn which restricted section a person opened."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from workbook.crypto.encoding import b64, fields
from workbook.domain.roles import CORE_SECTIONS, Section
from workbook.services.session import Session

RESTRICTED = tuple(s for s in Section if s not in CORE_SECTIONS)


def audit_detail_info(vault_id: str, section: str) -> bytes:
    return fields("workbook audit detail v1", vault_id, section)


def sealed_note(session: Session, section: str, note: dict[str, Any]) -> dict[str, Any] | None:
    """`note` sealed to the section's current public key, or None if it has none yet."""
    epoch = session.trust.current_epoch(section)
    public = session.trust.section_public(section, epoch)
    if public is None:
        return None
    sealed = public.seal(json.dumps(note).encode(), audit_detail_info(session.vault_id, section))
    return {"epoch": epoch, "sealed": b64(sealed)}


def audit_restricted_reads(session: Session, family_id: str, sections: Iterable[str]) -> None:
    """One `section_read` event per restricted section among `sections`; call it inside the
    caller's write transaction."""
    for section in sorted({s for s in sections if Section(s) in RESTRICTED}):
        note = sealed_note(session, section, {"section": section})
        detail = None if note is None else json.dumps(note).encode()
        session.audit("section_read", {"family": family_id}, detail)
