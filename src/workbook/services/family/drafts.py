"""Drafts: unfinished entries, saved encrypted in the vault as the person types.

A draft survives a crash or a lock and is restored when its author opens the family again. It is
readable by its author alone: the body is AES-256-GCM under a key derived with HKDF from the
author's own key pair seed (which only their passphrase unlocks), with associated data binding
the draft id, the author, the family and the time it was saved - so a body moved to another
row, user or family, or given another time, fails to open and is not shown. A draft is not a
record: it is not signed, audited or shared; finishing it makes the entry, and deletes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.symmetric import hkdf, unwrap, wrap
from workbook.domain.ids import new_id
from workbook.domain.roles import Section
from workbook.services import validation
from workbook.services.errors import InvalidInput
from workbook.services.family.families import ENTRY_TYPES
from workbook.vault import draft_store

if TYPE_CHECKING:
    from workbook.services.session import Session


@dataclass(frozen=True)
class Draft:
    """One unfinished entry, decrypted for its author."""

    draft_id: str
    family_id: str
    updated_at: str
    section: str
    date: str
    entry_type: str
    significant: bool
    text: str
    entry_id: str = ""      # set when the draft is a correction of an existing entry


def draft_key(seed: bytes | bytearray, vault_id: str, user_id: str) -> bytes:
    return hkdf(seed, fields("workbook draft", vault_id, user_id))


def draft_ad(vault_id: str, draft_id: str, user_id: str, family_id: str, updated_at: str) -> bytes:
    return fields("workbook draft v1", vault_id, draft_id, user_id, family_id, updated_at)


def _key(session: Session) -> bytes:
    keypair = session.require_practitioner()
    return draft_key(keypair.seed.value, session.vault_id, session.user_id)


def save_draft(
    session: Session, family_id: str, *, text: str, section: str, date: str = "",
    entry_type: str = "note", significant: bool = False, entry_id: str = "", draft_id: str = "",
) -> str:
    """Save (or replace) a draft; returns its id."""
    family_id = validation.record_id(family_id, "family id")
    draft_id = validation.record_id(draft_id, "draft id") if draft_id else new_id()
    if entry_id:
        entry_id = validation.record_id(entry_id, "entry id")
    try:
        Section(section)
    except ValueError:
        raise InvalidInput(f"unknown section {section!r}") from None
    if date:
        date = validation.iso_date(date, "entry date")
    if entry_type not in ENTRY_TYPES:
        raise InvalidInput(f"unknown entry type {entry_type!r}")
    if len(text) > validation.MAX_TEXT:
        raise InvalidInput(f"the draft is too long (at most {validation.MAX_TEXT} characters)")
    key = _key(session)
    updated_at = session.now()
    body = json.dumps({
        "section": section, "date": date, "type": entry_type, "significant": bool(significant),
        "text": text, "entry_id": entry_id,
    }, ensure_ascii=False).encode()
    blob = wrap(key, body, draft_ad(session.vault_id, draft_id, session.user_id, family_id,
                                     updated_at))
    with session.write():
        draft_store.put(session.conn, draft_store.DraftRow(
            draft_id, session.user_id, family_id, updated_at, blob))
    return draft_id


def opened_drafts(session: Session, family_id: str | None
                  ) -> Iterator[tuple[draft_store.DraftRow, dict[str, Any]]]:
    """The signed-in person's drafts that open: one that does not (altered, or moved from
    another row) is left out, never shown wrong."""
    key = _key(session)
    for row in draft_store.of_user(session.conn, session.user_id, family_id):
        ad = draft_ad(session.vault_id, row.draft_id, row.user_id, row.family_id,
                      row.updated_at)
        try:
            data = json.loads(unwrap(key, row.body, ad, "draft"))
        except (AuthenticationFailed, ValueError):
            continue
        if isinstance(data, dict):
            yield row, data


def drafts_for(session: Session, family_id: str | None = None) -> list[Draft]:
    """The signed-in person's own drafts (of one family, or all), oldest first. A draft that
    does not open (altered, or moved from another row) is left out, never shown wrong."""
    if family_id is not None:
        family_id = validation.record_id(family_id, "family id")
    out = []
    for row, data in opened_drafts(session, family_id):
        if "form" in data:  # a draft of another form (review_drafts), not an entry
            continue
        out.append(Draft(
            row.draft_id, row.family_id, row.updated_at, str(data.get("section", "")),
            str(data.get("date", "")), str(data.get("type", "note")),
            bool(data.get("significant", False)), str(data.get("text", "")),
            str(data.get("entry_id", "")),
        ))
    return out


def delete_draft(session: Session, draft_id: str) -> bool:
    """Delete one of the signed-in person's drafts (secure_delete zeroes its page)."""
    draft_id = validation.record_id(draft_id, "draft id")
    session.require_practitioner()
    with session.write():
        return draft_store.delete(session.conn, draft_id, session.user_id)
