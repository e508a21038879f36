"""Unsaved typing on a family's supervision review form, kept as an encrypted draft so that it
survives a crash or a lock. Same construction as entry drafts (services/family/drafts.py: AES-GCM
under a key only the author's passphrase unlocks, bound to draft id, author, family and time); the
body is marked with `form` so the entry-draft list leaves it out. Saving the review deletes it."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from workbook.crypto.symmetric import wrap
from workbook.domain.ids import new_id
from workbook.services import validation
from workbook.services.errors import InvalidInput
from workbook.services.family.drafts import _key, draft_ad, opened_drafts
from workbook.services.supervision.meetings import ActionForm, ReviewForm
from workbook.vault import draft_store

if TYPE_CHECKING:
    from workbook.services.session import Session

FORM = "supervision-review"
MAX_DRAFT = 200_000


def _find(session: Session, session_id: str, family_id: str
          ) -> tuple[str, ReviewForm] | None:
    for row, data in opened_drafts(session, family_id):
        if data.get("form") != FORM or data.get("session") != session_id:
            continue
        raw = data.get("review", {})
        actions = tuple(ActionForm(str(a.get("text", "")), str(a.get("owner", "")),
                                   str(a.get("due", "")), str(a.get("action_id", "")))
                        for a in raw.get("actions", []) if isinstance(a, dict))
        scaling = raw.get("scaling")
        form = ReviewForm(str(raw.get("summary", "")), str(raw.get("working_well", "")),
                          str(raw.get("worried", "")), str(raw.get("decisions", "")),
                          scaling if isinstance(scaling, int) else None,
                          str(raw.get("next_review", "")), actions,
                          str(raw.get("new_case_owner", "")))
        return row.draft_id, form
    return None


def save_review_draft(session: Session, session_id: str, family_id: str,
                      form: ReviewForm) -> str:
    """Save (or replace) the draft of this family's review in this session; returns its id."""
    session_id = validation.record_id(session_id, "supervision session id")
    family_id = validation.record_id(family_id, "family id")
    found = _find(session, session_id, family_id)
    draft_id = found[0] if found else new_id()
    body = json.dumps({"form": FORM, "session": session_id, "review": asdict(form)},
                      ensure_ascii=False).encode()
    if len(body) > MAX_DRAFT:
        raise InvalidInput("the review draft is too long")
    updated_at = session.now()
    blob = wrap(_key(session), body, draft_ad(session.vault_id, draft_id, session.user_id,
                                              family_id, updated_at))
    with session.write():
        draft_store.put(session.conn, draft_store.DraftRow(
            draft_id, session.user_id, family_id, updated_at, blob))
    return draft_id


def review_draft(session: Session, session_id: str, family_id: str) -> ReviewForm | None:
    found = _find(session, validation.record_id(session_id, "supervision session id"),
                  validation.record_id(family_id, "family id"))
    return found[1] if found else None


def discard_review_draft(session: Session, session_id: str, family_id: str) -> None:
    found = _find(session, validation.record_id(session_id, "supervision session id"),
                  validation.record_id(family_id, "family id"))
    if found:
        with session.write():
            draft_store.delete(session.conn, found[0], session.user_id)
